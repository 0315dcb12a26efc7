/* planner.h: from a ranking and a budget (bytes, average bits or a count) to a bit plan. */
#ifndef LWQ_PLANNER_H
#define LWQ_PLANNER_H

#include <stdint.h>

#include "model_config.h"
#include "plan.h"
#include "size_target.h"
#include "status.h"

#define PIN_FREE (-1)

/* What the plan is made of. Two levels: high_bits > low_bits, mid_bits 0. Three levels:
   high_bits > mid_bits > low_bits. low_bits 0 prunes the low layers. */
struct plan_request {
	int high_bits, mid_bits, low_bits;
	int group_size;
	int spread;          /* three levels: exchange steps (see plan_three_levels), >= 0 */
	const int *pins;     /* [n_layers] bits a layer is forced to, or PIN_FREE; may be NULL */
	const char *order;   /* copied into the plan ("lim", "random:7", ...) */
	enum size_target target;   /* what budgets count: lwq storage (default) or GGUF */
};

/* Checks the levels (supported widths, strictly decreasing), the group size against cfg
   and that every pin is one of the request's levels. */
int plan_request_check(const struct model_config *cfg, const struct plan_request *req,
		       struct lwq_err *err);

/* Smallest and largest plan sizes in bytes for this request: every free layer at the
   low (resp. high) width, pinned layers at their pins, everything else at 16-bit. */
void plan_budget_range(const struct model_config *cfg, const struct plan_request *req,
		       int64_t *min_bytes, int64_t *max_bytes);
/* Same in average bits per linear weight. */
void plan_avg_bits_range(const struct model_config *cfg, const struct plan_request *req,
			 double *min_bits, double *max_bits);

/* docs/method.md section 3: with N free layers, budget M, M_lo/M_hi the all-low/all-high
   sizes, n_hi = floor((M - M_lo) / (M_hi - M_lo) * N). Every layer has the same shape,
   so this is computed exactly in integers as floor((M - M_lo) / (L_hi - L_lo)) with L the
   bytes of one layer: a budget of exactly M_hi gives N, exactly M_lo gives 0. The n_hi
   most important free layers (ranking order) get high_bits. Pinned layers are paid for
   first. Fails when the budget is outside plan_budget_range. */
int plan_from_budget(const struct model_config *cfg, const int *ranking, int64_t budget_bytes,
		     const struct plan_request *req, struct bit_plan *plan, struct lwq_err *err);

/* The same with the budget in average bits per linear weight over all layers (pinned ones
   included): n_hi = floor((B - lo) / (hi - lo) * N) for free layers, 1e-9 tolerance so
   that a decimal B such as 3.1 lands on the count it names. */
int plan_from_avg_bits(const struct model_config *cfg, const int *ranking, double avg_bits,
		       const struct plan_request *req, struct bit_plan *plan, struct lwq_err *err);

/* Exactly n_high layers at high_bits (pinned-high layers count among them), the rest low.
   Two levels only. */
int plan_from_high_layers(const struct model_config *cfg, const int *ranking, int n_high,
			  const struct plan_request *req, struct bit_plan *plan,
			  struct lwq_err *err);

#endif
