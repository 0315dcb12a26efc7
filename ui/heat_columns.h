/* heat_columns.h: the heatmap's columns and per-token buckets as numbers (no curses). */
#ifndef LWQ_HEAT_COLUMNS_H
#define LWQ_HEAT_COLUMNS_H

#include "explorer_data.h"

/* One row per decoder layer; these columns, left to right. */
enum heat_column {
	COL_LIM,
	COL_ZD,
	COL_ZD_Q, COL_ZD_K, COL_ZD_V, COL_ZD_O, COL_ZD_GATE, COL_ZD_UP, COL_ZD_DOWN,
	COL_RTN2,
	COL_RTN4,
	COL_PLAN,
	HEAT_COLS
};

/* Short header ("LIM", "q", "R2", "bit") and a name for the value line and PNG legend. */
const char *heat_column_short(enum heat_column c);
const char *heat_column_title(enum heat_column c);
/* Columns are drawn in groups separated by a gap: LIM | ZD | ZD per tensor | RTN | plan. */
int heat_column_group(enum heat_column c);

/* 1 when the data holds what column c needs (the plan column always exists). */
int heat_column_available(const struct explorer_data *d, enum heat_column c);

/* Raw value of a cell; NaN when missing. bits is the plan (NULL for none). */
double heat_value(const struct explorer_data *d, enum heat_column c, int layer,
		  const int *bits);

/* Each column's colour scale. By rank (the default): a cell's colour is its rank among
   the layers, so the ramp is always fully used and mirrors the ranking the planner uses.
   By value: linear between the 2nd and 98th percentile, so one extreme layer (usually the
   first) does not flatten the others. The seven ZD-per-tensor columns share one scale so
   tensors compare. The plan column is log2 bits either way: 2 -> 0, 4 -> 0.5, 8 -> 1. */
enum heat_scale_kind { SCALE_RANK, SCALE_VALUE };

struct heat_scales {
	enum heat_scale_kind kind;
	double lo[HEAT_COLS], hi[HEAT_COLS];
	float *sorted;             /* rank scale: each column's values ascending */
	int stride;                /* floats per column in sorted */
	int n_sorted[HEAT_COLS];
};
/* 0, or -1 when out of memory (then every column falls back to the value scale). */
int heat_scales_compute(const struct explorer_data *d, enum heat_scale_kind kind,
			struct heat_scales *scales);
void heat_scales_release(struct heat_scales *scales);
const char *heat_scale_name(enum heat_scale_kind kind);

/* Colour position in [0,1] of a cell; NaN when missing. */
double heat_normalized(const struct explorer_data *d, const struct heat_scales *scales,
		       enum heat_column c, int layer, const int *bits);

/* A layer's relative RTN error at `bits` (one of score_rtn_bits); NaN when absent. */
double heat_rtn_error(const struct explorer_data *d, int layer, int bits);

/* Per-token LIM (-cos) averaged over n_buckets equal spans of the calibration tokens:
   out[layer * n_buckets + b]. Returns 0, or -1 when there are no activations. */
int token_buckets(const struct explorer_data *d, int n_buckets, float *out);
/* First token position of bucket b (for labels). */
int64_t token_bucket_start(const struct explorer_data *d, int n_buckets, int b);
/* The 2nd and 98th percentiles of values (NaN ignored): the colour scale of the token
   map and of each heat column. lo = 0, hi = 1 when there are none. */
void robust_range(const float *values, int64_t n, double *lo, double *hi);

#endif
