/* heat_columns.c: what each heatmap cell means and where it sits on the colour ramp. */
#include "heat_columns.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

static int compare_floats(const void *a, const void *b);

const char *heat_scale_name(enum heat_scale_kind kind)
{
	return kind == SCALE_RANK ? "rank" : "value";
}

/* Values of column c over the layers (all seven ZD-per-tensor columns for one of them),
   NaN dropped; returns how many. */
static int column_values(const struct explorer_data *d, int c, float *out)
{
	int first = c, last = c, n = 0;
	if (heat_column_group((enum heat_column)c) == heat_column_group(COL_ZD_Q)) {
		first = COL_ZD_Q;
		last = COL_ZD_DOWN;
	}
	for (int k = first; k <= last; k++)
		for (int i = 0; i < d->n_layers; i++) {
			double v = heat_value(d, (enum heat_column)k, i, NULL);
			if (!isnan(v))
				out[n++] = (float)v;
		}
	return n;
}

int heat_scales_compute(const struct explorer_data *d, enum heat_scale_kind kind,
			struct heat_scales *scales)
{
	memset(scales, 0, sizeof *scales);
	scales->kind = kind;
	scales->stride = LIN_COUNT * (d->n_layers > 0 ? d->n_layers : 1);
	scales->sorted = malloc((size_t)HEAT_COLS * (size_t)scales->stride * sizeof(float));
	if (!scales->sorted) {
		scales->kind = SCALE_VALUE;
		return -1;
	}
	for (int c = 0; c < COL_PLAN; c++) {
		float *values = scales->sorted + (size_t)c * (size_t)scales->stride;
		int n = column_values(d, c, values);
		robust_range(values, n, &scales->lo[c], &scales->hi[c]);
		qsort(values, (size_t)n, sizeof *values, compare_floats);
		scales->n_sorted[c] = n;
	}
	scales->lo[COL_PLAN] = 1.0; /* log2 of 2 bits */
	scales->hi[COL_PLAN] = 3.0; /* log2 of 8 bits */
	return 0;
}

void heat_scales_release(struct heat_scales *scales)
{
	free(scales->sorted);
	scales->sorted = NULL;
}

/* Mid-rank of v among the sorted values, as a fraction: the smallest 0, the largest 1. */
static double rank_position(const float *sorted, int n, double v)
{
	if (n <= 1)
		return 0.5;
	int less = 0, equal = 0;
	int lo = 0, hi = n; /* first index with sorted[i] >= v */
	while (lo < hi) {
		int m = (lo + hi) / 2;
		if (sorted[m] < (float)v)
			lo = m + 1;
		else
			hi = m;
	}
	less = lo;
	while (less + equal < n && sorted[less + equal] == (float)v)
		equal++;
	double rank = less + (equal > 0 ? (equal - 1) / 2.0 : 0);
	return rank / (n - 1);
}

double heat_normalized(const struct explorer_data *d, const struct heat_scales *scales,
		       enum heat_column c, int layer, const int *bits)
{
	double v = heat_value(d, c, layer, bits);
	if (isnan(v))
		return v;
	if (c == COL_PLAN) /* pruned layers (0 bits) show as missing */
		return v <= 0 ? NAN : normalize_value(log2(v), scales->lo[c], scales->hi[c]);
	if (scales->kind == SCALE_RANK && scales->sorted)
		return rank_position(scales->sorted + (size_t)c * (size_t)scales->stride,
				     scales->n_sorted[c], v);
	return normalize_value(v, scales->lo[c], scales->hi[c]);
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

void robust_range(const float *values, int64_t n, double *lo, double *hi)
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
		*lo = sorted[llround((double)(m - 1) * 0.02)];
		*hi = sorted[llround((double)(m - 1) * 0.98)];
		if (!(*hi > *lo)) {
			*lo = sorted[0];
			*hi = sorted[m - 1];
		}
	}
	free(sorted);
}
