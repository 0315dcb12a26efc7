/* ui_plan.h: the explorer's side of the planner: orders, bit pairs, slider steps, pins. */
#ifndef LWQ_UI_PLAN_H
#define LWQ_UI_PLAN_H

#include <stdint.h>

#include "explorer_data.h"
#include "order.h"
#include "plan_optimize.h"
#include "planner.h"

/* The orders the explorer cycles through, in this sequence. */
#define UI_ORDER_COUNT 7
extern const enum order_kind ui_orders[UI_ORDER_COUNT];

enum bit_pair { PAIR_4_2, PAIR_8_4, PAIR_8_4_2, PAIR_COUNT };

/* "lim", "zd", "zd-inverse", "reverse-lim", "random", "measured", "optimal" (the /sweeps
   group names). */
const char *ui_order_name(enum order_kind o);
/* 1 when the scores the order needs are present. */
int ui_order_available(const struct explorer_data *d, enum order_kind o);
/* Layers most important first; -1 with err when the order's scores are missing. */
int ui_rank_layers(const struct explorer_data *d, enum order_kind o, uint64_t seed,
		   int *ranking, struct lwq_err *err);

/* The optimal plan's request for a pair: its widths as candidates, the measured costs
   and the pins; n_widths 0 when a width of the pair was not measured. */
struct optimize_request ui_optimize_request(const struct explorer_data *d, enum bit_pair p,
					    const int *pin_bits);

/* Spearman's rho of LIM, ZD and ZD-inverse with the measured order (NAN when a score is
   missing or nothing was measured). */
void ui_measured_correlations(const struct explorer_data *d, double *lim, double *zd,
			      double *zd_inverse);

/* Widths of a pair, low to high: {2,4} / {4,8} / {2,4,8}; returns the count. */
int bit_pair_levels(enum bit_pair p, int levels[3]);

/* What the planner needs for a pair and the explorer's pins (1 high, 2 low per layer):
   pin_bits receives the planner's per-layer pins (PIN_FREE or a width). */
struct plan_request ui_plan_request(const struct explorer_data *d, enum bit_pair p,
				    const signed char *pins, int *pin_bits);

/* The slider moves in steps: step k is the smallest budget at which k free layers have
   moved up one width (for three widths, every free layer reaches the middle width
   before any reaches the highest; the planner's spread exchanges then act within each
   step). These are the planner's exact thresholds. */
int ui_max_steps(const struct explorer_data *d, const struct plan_request *req);
int64_t ui_step_budget(const struct explorer_data *d, const struct plan_request *req, int k);
/* The largest step whose budget is <= budget. */
int ui_step_at(const struct explorer_data *d, const struct plan_request *req, int64_t budget);

/* The quantizers that have stored sweeps, RTN first when it has any, then in file
   order; a curve with no method is RTN. Fills up to max names; returns the count. */
#define UI_MAX_METHODS 8
int ui_sweep_methods(const struct explorer_data *d, const char *names[], int max);
/* A curve's quantizer: its method, "rtn" when none is recorded. */
const char *ui_curve_method(const struct sweep_curve *c);

#endif
