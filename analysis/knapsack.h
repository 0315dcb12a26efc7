/* knapsack.h: exact multiple-choice knapsack: one width per layer, least total cost
   (e.g. summed measured KL divergence) within a byte budget. */
#ifndef LWQ_KNAPSACK_H
#define LWQ_KNAPSACK_H

#include <stdint.h>

#include "status.h"

/* n_items items (layers), each with n_choices options (widths): bytes[i * n_choices + j]
   (< 0: option not allowed, e.g. a pinned layer allows one) and value[...] (what is
   minimized). Exact by dynamic programming over byte units: each item's cheapest option
   is paid first, and the rest of the budget is counted in units of the greatest common
   divisor of every option's extra bytes over its item's cheapest, so no rounding ever
   happens. max_cells bounds n_items * (units + 1) (the DP table); 0 means 1 << 26. */
struct mck_problem {
	int n_items, n_choices;
	const int64_t *bytes;
	const double *value;
	int64_t budget;
	int64_t max_cells;
};

/* Fills choice[n_items] with an optimal option per item; *total_value and *total_bytes
   (either may be NULL) describe it. Where two options of an item give the same value,
   the dearer one is taken (deterministic). Fails when an item has no allowed option,
   when the budget is below the cheapest plan (the message gives the range in bytes; the
   caller may word it in its own units), or when the table would exceed max_cells. */
int mck_solve(const struct mck_problem *p, int *choice, double *total_value,
	      int64_t *total_bytes, struct lwq_err *err);

/* Bytes of the cheapest and of the dearest plan (every item at its cheapest, resp. most
   expensive, allowed option). */
void mck_range(const struct mck_problem *p, int64_t *min_bytes, int64_t *max_bytes);

#endif
