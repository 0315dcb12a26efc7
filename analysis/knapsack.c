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
	if (!prev || !next || !pick || m > 255) {
		free(prev), free(next), free(pick);
		return lwq_err_set(err, m > 255 ? "more than 255 widths" : "out of memory for "
				   "the allocation table");
	}
	for (int64_t c = 0; c <= cap; c++)
		prev[c] = 0;       /* no items: value 0 within any capacity */
	for (int i = 0; i < n; i++) {
		int64_t a = item_min(p, i);
		unsigned char *row = pick + (size_t)i * (size_t)(cap + 1);
		for (int64_t c = 0; c <= cap; c++) {
			double best = DBL_MAX;
			int arg = -1;
			for (int j = 0; j < m; j++) {
				int64_t b = p->bytes[(int64_t)i * m + j];
				if (b < 0)
					continue;
				int64_t e = (b - a) / unit;
				if (e > c)
					continue;
				double v = prev[c - e] + p->value[(int64_t)i * m + j];
				/* ties: the dearer option, so a larger budget never loses bits */
				if (arg < 0 || v < best ||
				    (v == best && b > p->bytes[(int64_t)i * m + arg]))
					best = v, arg = j;
			}
			next[c] = best;
			row[c] = (unsigned char)arg;
		}
		double *t = prev;
		prev = next, next = t;
	}
	double value = prev[cap];
	int64_t bytes = 0, c = cap;
	for (int i = n - 1; i >= 0; i--) {
		int j = pick[(size_t)i * (size_t)(cap + 1) + (size_t)c];
		int64_t b = p->bytes[(int64_t)i * m + j];
		choice[i] = j;
		bytes += b;
		c -= (b - item_min(p, i)) / unit;
	}
	free(prev), free(next), free(pick);
	if (total_value)
		*total_value = value;
	if (total_bytes)
		*total_bytes = bytes;
	return 0;
}
