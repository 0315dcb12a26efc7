/* rank_corr.c: Spearman rank correlation (average ranks for ties). */
#include "rank_corr.h"

#include <math.h>
#include <stdlib.h>

struct keyed {
	double v;
	int i;
};

static int by_value(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return x->i - y->i;
}

void average_ranks(const double *v, int n, double *ranks)
{
	struct keyed *k = malloc((size_t)(n > 0 ? n : 1) * sizeof *k);
	if (!k) {
		for (int i = 0; i < n; i++)
			ranks[i] = NAN;
		return;
	}
	for (int i = 0; i < n; i++)
		k[i] = (struct keyed){ v[i], i };
	qsort(k, (size_t)n, sizeof *k, by_value);
	for (int lo = 0; lo < n;) {
		int hi = lo;
		while (hi + 1 < n && k[hi + 1].v == k[lo].v)
			hi++;
		double r = (lo + hi) / 2.0 + 1.0;
		for (int j = lo; j <= hi; j++)
			ranks[k[j].i] = r;
		lo = hi + 1;
	}
	free(k);
}

double spearman(const double *a, const double *b, int n)
{
	if (n < 2)
		return NAN;
	double *ra = malloc((size_t)n * sizeof *ra), *rb = malloc((size_t)n * sizeof *rb);
	double rho = NAN;
	if (ra && rb) {
		average_ranks(a, n, ra);
		average_ranks(b, n, rb);
		double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
		for (int i = 0; i < n; i++)
			ma += ra[i], mb += rb[i];
		ma /= n, mb /= n;
		for (int i = 0; i < n; i++) {
			sab += (ra[i] - ma) * (rb[i] - mb);
			saa += (ra[i] - ma) * (ra[i] - ma);
			sbb += (rb[i] - mb) * (rb[i] - mb);
		}
		if (saa > 0 && sbb > 0)
			rho = sab / sqrt(saa * sbb);
	}
	free(ra);
	free(rb);
	return rho;
}
