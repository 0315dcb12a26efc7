/* plan.h: a per-layer bit plan and the budget planner (docs/method.md section 3). */
#ifndef LWQ_PLAN_H
#define LWQ_PLAN_H

#include <stdint.h>

#include "model_config.h"
#include "status.h"

#define PLAN_MAX_LEVELS 3

/* How each layer is stored. bits[i] == 0 means the layer is pruned (skipped). */
struct bit_plan {
	int n_layers;
	int *bits;                 /* [n_layers] */
	unsigned char *pinned;     /* [n_layers] 1 where a pin forced the width (lwq plan --pin,
				      the explorer's H/L): the plan file lists them; NULL in
				      a plan that keeps no pins */
	int group_size;            /* RTN group size G */
	int high_bits, low_bits;   /* the pair the plan was made from */
	int mid_bits;              /* three-level plans; 0 otherwise */
	char order[64];            /* "lim", "zd", "zd-inverse", "reverse-lim", "random:SEED", "prune", "file:NAME", "manual" */
	char model_name[128];      /* identity of the model the plan is for */
	int64_t model_params;      /* total parameters, identity check */
};

struct bit_plan *bit_plan_new(int n_layers);
void bit_plan_free(struct bit_plan *plan);

/* Bytes of one layer's seven linears at `bits` with RTN group size G: packed codes
   (ceil(bits*n/8) per tensor) + per group an f16 scale and an f16 zero point. */
int64_t layer_bytes_rtn(const struct model_config *cfg, int bits, int group_size);
/* Bytes of everything outside the layers' linears, at 16-bit. */
int64_t fixed_bytes(const struct model_config *cfg);
/* Total bytes of a plan. */
int64_t plan_bytes(const struct model_config *cfg, const struct bit_plan *plan);
/* Average bits per linear weight over the layers (pruned layers count as 0). */
double plan_avg_bits(const struct model_config *cfg, const struct bit_plan *plan);

/* 0 when G divides the row length of every linear of cfg; otherwise -1 and
   "group size 128 does not divide the row length 352 of down". */
int group_size_check(const struct model_config *cfg, int group_size, struct lwq_err *err);
/* 128, or the largest power of two below it that divides every row length. */
int group_size_default(const struct model_config *cfg);
/* Widths a plan may give a layer: 0 (pruned), 2, 3, 4, 8. */
int plan_bits_supported(int bits);

#endif
