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

/* Colour position in [0,1] of a cell: min-max over the layers of that column (the seven
   ZD-per-tensor columns share one scale so tensors compare); NaN when missing. */
double heat_normalized(const struct explorer_data *d, enum heat_column c, int layer,
		       const int *bits);

/* A layer's relative RTN error at `bits` (one of score_rtn_bits); NaN when absent. */
double heat_rtn_error(const struct explorer_data *d, int layer, int bits);

/* Per-token LIM (-cos) averaged over n_buckets equal spans of the calibration tokens:
   out[layer * n_buckets + b]. Returns 0, or -1 when there are no activations. */
int token_buckets(const struct explorer_data *d, int n_buckets, float *out);
/* First token position of bucket b (for labels). */
int64_t token_bucket_start(const struct explorer_data *d, int n_buckets, int b);
/* Colour scale for a bucket matrix: the 2nd and 98th percentiles, so one extreme
   layer (usually the first) does not flatten the rest. */
void token_scale(const float *values, int64_t n, double *lo, double *hi);

#endif
