/* plan_optimize.h: the plan of least summed measured cost (KL divergence) within a budget,
   exactly, choosing each layer's width from a list. */
#ifndef LWQ_PLAN_OPTIMIZE_H
#define LWQ_PLAN_OPTIMIZE_H

#include <stdint.h>

#include "model_config.h"
#include "plan.h"
#include "size_target.h"
#include "status.h"

#define OPTIMIZE_MAX_WIDTHS 8

struct optimize_request {
	int n_widths;
	int widths[OPTIMIZE_MAX_WIDTHS];   /* candidate widths, each one plan files store */
	/* cost[layer * n_cost_widths + j]: the measured cost of the layer alone at
	   cost_widths[j]; every candidate width must be among them */
	const float *cost;
	const int *cost_widths;
	int n_cost_widths;
	enum size_target target;
	int group_size;
	const int *pins;           /* [n_layers] bits a layer is forced to, or PIN_FREE; may be NULL */
};

/* Checks the widths (supported by plan files and by the target, each measured), the
   group size and the pins. */
int optimize_check(const struct model_config *cfg, const struct optimize_request *req,
		   struct lwq_err *err);

/* Smallest and largest plan in bytes (target sizes) and in average bits. */
void optimize_budget_range(const struct model_config *cfg, const struct optimize_request *req,
			   int64_t *min_bytes, int64_t *max_bytes);
void optimize_avg_bits_range(const struct model_config *cfg,
			     const struct optimize_request *req, double *min_bits,
			     double *max_bits);

/* The plan minimizing the sum of the chosen widths' costs with plan_bytes_for(target)
   <= budget_bytes (resp. average bits <= avg_bits, within 1e-9), by the exact
   multiple-choice knapsack. plan->order becomes "optimal"; high/low (and mid, with three
   widths) the extreme widths. *total_cost may be NULL. Errors give the feasible range. */
int plan_optimize_bytes(const struct model_config *cfg, const struct optimize_request *req,
			int64_t budget_bytes, struct bit_plan *plan, double *total_cost,
			struct lwq_err *err);
int plan_optimize_avg_bits(const struct model_config *cfg, const struct optimize_request *req,
			   double avg_bits, struct bit_plan *plan, double *total_cost,
			   struct lwq_err *err);

#endif
