/* heat_columns.c: what each heatmap cell means and where it sits on the colour ramp. */
#include "heat_columns.h"

#include <math.h>
#include <stdlib.h>

#include "colormap.h"

static const struct {
	const char *short_name, *title;
	int group;
} columns[HEAT_COLS] = {
	[COL_LIM] = { "LIM", "LIM", 0 },
	[COL_ZD] = { "ZD", "ZD", 1 },
	[COL_ZD_Q] = { "q", "ZD q", 2 },
	[COL_ZD_K] = { "k", "ZD k", 2 },
	[COL_ZD_V] = { "v", "ZD v", 2 },
	[COL_ZD_O] = { "o", "ZD o", 2 },
	[COL_ZD_GATE] = { "g", "ZD gate", 2 },
	[COL_ZD_UP] = { "u", "ZD up", 2 },
	[COL_ZD_DOWN] = { "d", "ZD down", 2 },
	[COL_RTN2] = { "R2", "RTN error 2-bit", 3 },
	[COL_RTN4] = { "R4", "RTN error 4-bit", 3 },
	[COL_PLAN] = { "bit", "plan bits", 4 },
};

const char *heat_column_short(enum heat_column c)
{
	return c < HEAT_COLS ? columns[c].short_name : "?";
}

const char *heat_column_title(enum heat_column c)
{
	return c < HEAT_COLS ? columns[c].title : "?";
}

int heat_column_group(enum heat_column c)
{
	return c < HEAT_COLS ? columns[c].group : 0;
}

int heat_column_available(const struct explorer_data *d, enum heat_column c)
{
	switch (c) {
	case COL_LIM:
		return d->lim != NULL;
	case COL_ZD:
		return d->zd != NULL;
	case COL_RTN2:
	case COL_RTN4:
		return d->rtn_layer != NULL;
	case COL_PLAN:
		return 1;
	default:
		return d->zd_tensor != NULL;
	}
}

double heat_rtn_error(const struct explorer_data *d, int layer, int bits)
{
	for (int b = 0; b < SCORE_RTN_LEVELS; b++)
		if (score_rtn_bits[b] == bits && d->rtn_layer && layer >= 0 && layer < d->n_layers)
			return d->rtn_layer[layer * SCORE_RTN_LEVELS + b];
	return NAN;
}

double heat_value(const struct explorer_data *d, enum heat_column c, int layer,
		  const int *bits)
{
	if (layer < 0 || layer >= d->n_layers || !heat_column_available(d, c))
		return NAN;
	switch (c) {
	case COL_LIM:
		return d->lim[layer];
	case COL_ZD:
		return d->zd[layer];
	case COL_RTN2:
		return heat_rtn_error(d, layer, 2);
	case COL_RTN4:
		return heat_rtn_error(d, layer, 4);
	case COL_PLAN:
		return bits ? bits[layer] : NAN;
	default:
		return d->zd_tensor[layer * LIN_COUNT + (c - COL_ZD_Q)];
	}
}

/* The scale of column c: its min and max over the layers (shared by ZD tensors). */
static void column_range(const struct explorer_data *d, enum heat_column c, double *lo,
			 double *hi)
{
	enum heat_column first = c, last = c;
	if (heat_column_group(c) == heat_column_group(COL_ZD_Q)) {
		first = COL_ZD_Q;
		last = COL_ZD_DOWN;
	}
	*lo = INFINITY;
	*hi = -INFINITY;
	for (int k = first; k <= (int)last; k++)
		for (int i = 0; i < d->n_layers; i++) {
			double v = heat_value(d, (enum heat_column)k, i, NULL);
			if (isnan(v))
				continue;
			*lo = v < *lo ? v : *lo;
			*hi = v > *hi ? v : *hi;
		}
}

double heat_normalized(const struct explorer_data *d, enum heat_column c, int layer,
		       const int *bits)
{
	double v = heat_value(d, c, layer, bits);
	if (isnan(v))
		return v;
	if (c == COL_PLAN) /* log2 scale: 2 bits -> 0, 4 -> 0.5, 8 -> 1, pruned -> missing */
		return v <= 0 ? NAN : normalize_value(log2(v), 1.0, 3.0);
	double lo, hi;
	column_range(d, c, &lo, &hi);
	return normalize_value(v, lo, hi);
}

int64_t token_bucket_start(const struct explorer_data *d, int n_buckets, int b)
{
	if (n_buckets <= 0)
		return 0;
	return d->n_tokens * b / n_buckets;
}

int token_buckets(const struct explorer_data *d, int n_buckets, float *out)
{
	if (!d->cos || d->n_tokens <= 0 || n_buckets <= 0)
		return -1;
	for (int i = 0; i < d->n_layers; i++) {
		const float *row = d->cos + (int64_t)i * d->n_tokens;
		for (int b = 0; b < n_buckets; b++) {
			int64_t t0 = token_bucket_start(d, n_buckets, b);
			int64_t t1 = token_bucket_start(d, n_buckets, b + 1);
			double sum = 0;
			for (int64_t t = t0; t < t1; t++)
				sum += row[t];
			out[i * n_buckets + b] = t1 > t0 ? (float)(-sum / (double)(t1 - t0)) : NAN;
		}
	}
	return 0;
}

static int compare_floats(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

void token_scale(const float *values, int64_t n, double *lo, double *hi)
{
	*lo = 0;
	*hi = 1;
	float *sorted = malloc((size_t)(n > 0 ? n : 1) * sizeof *sorted);
	if (!sorted)
		return;
	int64_t m = 0;
	for (int64_t i = 0; i < n; i++)
		if (!isnan(values[i]))
			sorted[m++] = values[i];
	if (m > 0) {
		qsort(sorted, (size_t)m, sizeof *sorted, compare_floats);
		*lo = sorted[(m - 1) * 2 / 100];
		*hi = sorted[(m - 1) * 98 / 100];
		if (!(*hi > *lo)) {
			*lo = sorted[0];
			*hi = sorted[m - 1];
		}
	}
	free(sorted);
}
