/* plan_optimal.h: lwq plan --optimize: per-layer widths from the measured table by the
   exact knapsack (plan_optimize.h), with pins and the size target. */
#ifndef LWQ_PLAN_OPTIMAL_H
#define LWQ_PLAN_OPTIMAL_H

#include <stdint.h>

#include "model_h5.h"
#include "plan.h"
#include "plan_optimize.h"
#include "status.h"

struct plan_optimal_args {
	int n_widths;              /* 0: the measured widths */
	int widths[OPTIMIZE_MAX_WIDTHS];
	enum size_target target;
	int group_size;            /* 0: the measured table's (RTN), else the model default */
	int by_bytes;              /* 1: budget_bytes; 0: avg_bits */
	int64_t budget_bytes;
	double avg_bits;
	const char *budget_text;   /* as the user wrote it, for messages */
	/* pins: per layer PIN_FREE, a width in bits, or the levels below (resolved against
	   the candidate widths: the narrowest, the widest, the middle one of three) */
	int *pins;
};

#define PIN_WIDEST (-2)
#define PIN_NARROWEST (-3)
#define PIN_MIDDLE (-4)

/* Fills plan (n_layers of the model) and *total_kld (the summed measured KLD of the free
   layers). Errors: no measured table (names the command to run), widths not measured or
   not storable, a budget below the smallest plan (gives the range). */
int plan_optimal(struct model_file *mf, struct plan_optimal_args *a, struct bit_plan *plan,
		 double *total_kld, struct lwq_err *err);

/* The summary lwq plan --optimize prints: widths and their layers, size in the target,
   average bits and the summed measured KLD. */
void plan_optimal_print(const struct model_config *cfg, const struct bit_plan *plan,
			enum size_target target, double total_kld, const char *name);

#endif
