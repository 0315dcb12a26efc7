/* knapsack.c: exact multiple-choice knapsack by dynamic programming over byte units. */
#include "knapsack.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_CELLS ((int64_t)1 << 26)

static int64_t gcd64(int64_t a, int64_t b)
{
	while (b) {
		int64_t t = a % b;
		a = b, b = t;
	}
	return a;
}

void mck_range(const struct mck_problem *p, int64_t *min_bytes, int64_t *max_bytes)
{
	int64_t lo = 0, hi = 0;
	for (int i = 0; i < p->n_items; i++) {
		int64_t a = -1, b = -1;
		for (int j = 0; j < p->n_choices; j++) {
			int64_t c = p->bytes[(int64_t)i * p->n_choices + j];
			if (c < 0)
				continue;
			if (a < 0 || c < a)
				a = c;
			if (c > b)
				b = c;
		}
		lo += a > 0 ? a : 0, hi += b > 0 ? b : 0;
	}
	*min_bytes = lo, *max_bytes = hi;
}

/* Each item's cheapest allowed option (bytes), or -1 when it has none. */
static int64_t item_min(const struct mck_problem *p, int i)
{
	int64_t a = -1;
	for (int j = 0; j < p->n_choices; j++) {
		int64_t c = p->bytes[(int64_t)i * p->n_choices + j];
		if (c >= 0 && (a < 0 || c < a))
			a = c;
	}
	return a;
}

int mck_solve(const struct mck_problem *p, int *choice, double *total_value,
	      int64_t *total_bytes, struct lwq_err *err)
{
	int n = p->n_items, m = p->n_choices;
	int64_t base = 0, unit = 0, span = 0;   /* span: sum of the largest extras */
	for (int i = 0; i < n; i++) {
		int64_t a = item_min(p, i), most = 0;
		if (a < 0)
			return lwq_err_set(err, "layer %d has no width to choose from", i);
		base += a;
		for (int j = 0; j < m; j++) {
			int64_t c = p->bytes[(int64_t)i * m + j];
			if (c > a)
				unit = gcd64(unit, c - a), most = c - a > most ? c - a : most;
		}
		span += most;
	}
	if (p->budget < base) {
		int64_t lo, hi;
		mck_range(p, &lo, &hi);
		return lwq_err_set(err, "a budget of %lld bytes is below the smallest plan "
				   "(%lld to %lld bytes)", (long long)p->budget, (long long)lo,
				   (long long)hi);
	}
	int64_t spare = p->budget - base;
	if (unit == 0)
		unit = 1;
	int64_t cap = spare / unit < span / unit ? spare / unit : span / unit;
	int64_t max_cells = p->max_cells > 0 ? p->max_cells : DEFAULT_MAX_CELLS;
	if ((int64_t)n * (cap + 1) > max_cells)
		return lwq_err_set(err, "the exact allocation needs %lld table cells (byte unit "
				   "%lld), more than %lld", (long long)((int64_t)n * (cap + 1)),
				   (long long)unit, (long long)max_cells);
	double *prev = malloc((size_t)(cap + 1) * sizeof *prev);
	double *next = malloc((size_t)(cap + 1) * sizeof *next);
	unsigned char *pick = malloc((size_t)n * (size_t)(cap + 1));
	int *order = malloc((size_t)m * sizeof *order);
	int64_t *reach = malloc((size_t)n * sizeof *reach);
	if (!prev || !next || !pick || !order || !reach || m > 255) {
		free(prev), free(next), free(pick), free(order), free(reach);
		return lwq_err_set(err, m > 255 ? "more than 255 widths" : "out of memory for "
				   "the allocation table");
	}
	/* reach[i]: the most units items 0..i can use; beyond it the table is flat, so
	   row i is only filled up to there and reads past it are clamped. */
	int64_t sofar = 0;
	prev[0] = 0;               /* no items: value 0 within any capacity */
	for (int i = 0; i < n; i++) {
		int64_t a = item_min(p, i), lim_prev = sofar, most = 0;
		const int64_t *b = p->bytes + (int64_t)i * m;
		const double *v = p->value + (int64_t)i * m;
		int k = 0;
		for (int j = 0; j < m; j++)
			if (b[j] >= 0) {
				/* options by bytes ascending: on equal values the later (dearer) wins */
				int at = k++;
				while (at > 0 && b[order[at - 1]] > b[j])
					order[at] = order[at - 1], at--;
				order[at] = j;
				most = (b[j] - a) / unit > most ? (b[j] - a) / unit : most;
			}
		sofar = sofar + most < cap ? sofar + most : cap;
		reach[i] = sofar;
		unsigned char *row = pick + (size_t)i * (size_t)(cap + 1);
		for (int64_t c = 0; c <= sofar; c++)
			next[c] = DBL_MAX;
		for (int q = 0; q < k; q++) {
			int j = order[q];
			int64_t e = (b[j] - a) / unit;
			double val = v[j];
			int64_t split = e + lim_prev < sofar ? e + lim_prev : sofar;
			for (int64_t c = e; c <= split; c++) {
				double t = prev[c - e] + val;
				int better = t <= next[c];
				next[c] = better ? t : next[c];
				row[c] = better ? (unsigned char)j : row[c];
			}
			double flat = prev[lim_prev] + val;   /* capacities past the reach */
			for (int64_t c = split + 1; c <= sofar; c++) {
				int better = flat <= next[c];
				next[c] = better ? flat : next[c];
				row[c] = better ? (unsigned char)j : row[c];
			}
		}
		double *t = prev;
		prev = next, next = t;
	}
	int64_t c = sofar;
	double value = prev[c];
	int64_t bytes = 0;
	for (int i = n - 1; i >= 0; i--) {
		if (c > reach[i])
			c = reach[i];
		int j = pick[(size_t)i * (size_t)(cap + 1) + (size_t)c];
		int64_t b = p->bytes[(int64_t)i * m + j];
		choice[i] = j;
		bytes += b;
		c -= (b - item_min(p, i)) / unit;
	}
	free(order), free(reach);
	free(prev), free(next), free(pick);
	if (total_value)
		*total_value = value;
	if (total_bytes)
		*total_bytes = bytes;
	return 0;
}
