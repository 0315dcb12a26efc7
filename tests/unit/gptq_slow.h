/* gptq_slow.h: a slow, obvious GPTQ for the unit tests, on any grid (struct gptq_grid),
   and the random fixtures the GPTQ tests share.
 *
 * The optimal-brain-surgeon form the paper starts from: keep the explicit inverse of the
 * Hessian restricted to the columns not yet rounded; round column j, move every later
 * column by -(w_j - q_j) [H_F^-1]_jk / [H_F^-1]_jj, then drop j from the inverse with
 * one step of Gaussian elimination. No Cholesky, no blocks, no BLAS. */
#ifndef LWQ_TEST_GPTQ_SLOW_H
#define LWQ_TEST_GPTQ_SLOW_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gptq.h"

static uint64_t rng_state = 88172645463325252ull;

static double uniform(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (double)(rng_state >> 11) / 9007199254740992.0;
}

static double normal(void)
{
	double u = uniform() + 1e-12, v = uniform();
	return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* Gauss-Jordan inverse with partial pivoting; returns -1 when singular. */
static int invert(const double *a, int n, double *inv)
{
	double *m = malloc(sizeof(double) * (size_t)(n * 2 * n));
	for (int i = 0; i < n; i++)
		for (int j = 0; j < 2 * n; j++)
			m[i * 2 * n + j] = j < n ? a[i * n + j] : (j - n == i);
	for (int c = 0; c < n; c++) {
		int p = c;
		for (int r = c + 1; r < n; r++)
			if (fabs(m[r * 2 * n + c]) > fabs(m[p * 2 * n + c]))
				p = r;
		if (fabs(m[p * 2 * n + c]) < 1e-300) {
			free(m);
			return -1;
		}
		for (int j = 0; j < 2 * n; j++) {
			double t = m[c * 2 * n + j];
			m[c * 2 * n + j] = m[p * 2 * n + j];
			m[p * 2 * n + j] = t;
		}
		double piv = m[c * 2 * n + c];
		for (int j = 0; j < 2 * n; j++)
			m[c * 2 * n + j] /= piv;
		for (int r = 0; r < n; r++) {
			double f = m[r * 2 * n + c];
			if (r == c || f == 0.0)
				continue;
			for (int j = 0; j < 2 * n; j++)
				m[r * 2 * n + j] -= f * m[c * 2 * n + j];
		}
	}
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
			inv[i * n + j] = m[i * 2 * n + n + j];
	free(m);
	return 0;
}

/* The grid's fit of the group starting at column c0 from the current w [rows, cols]. */
static void slow_fit_group(const struct gptq_grid *grid, const double *w, int rows, int cols,
			   int c0)
{
	int g = grid->group;
	double *group = malloc(sizeof(double) * (size_t)(g * rows));
	for (int k = 0; k < g; k++)
		for (int r = 0; r < rows; r++)
			group[k * rows + r] = w[r * cols + c0 + k];
	grid->fit(grid->user, c0, group, rows, NULL);
	free(group);
}

/* GPTQ column by column on `grid`; w [rows, cols] is replaced by the grid values. */
static void slow_gptq_grid(double *w, int rows, int cols, const double *h_in, double damp,
			   int act_order, const struct gptq_grid *grid)
{
	int n = cols, g = grid->group;
	double *h = malloc(sizeof(double) * (size_t)(n * n));
	double *hinv = malloc(sizeof(double) * (size_t)(n * n));
	int *order = malloc(sizeof(int) * (size_t)n), *done = calloc((size_t)n, sizeof(int));
	memcpy(h, h_in, sizeof(double) * (size_t)(n * n));
	for (int j = 0; j < n; j++)
		if (h[j * n + j] == 0.0) {
			h[j * n + j] = 1.0;
			for (int r = 0; r < rows; r++)
				w[r * n + j] = 0.0;
		}
	double mean = 0;
	for (int j = 0; j < n; j++)
		mean += h[j * n + j] / n;
	for (int j = 0; j < n; j++)
		order[j] = j;
	if (act_order) {
		for (int c0 = 0; c0 < n; c0 += g)
			slow_fit_group(grid, w, rows, cols, c0);
		for (int a = 1; a < n; a++)      /* insertion sort: stable, decreasing diag */
			for (int b = a; b > 0 && h[order[b] * n + order[b]] >
						 h[order[b - 1] * n + order[b - 1]]; b--) {
				int t = order[b];
				order[b] = order[b - 1];
				order[b - 1] = t;
			}
	}
	for (int j = 0; j < n; j++)
		h[j * n + j] += damp * mean;
	invert(h, n, hinv);
	for (int p = 0; p < n; p++) {
		int j = order[p];
		if (!act_order && j % g == 0)
			slow_fit_group(grid, w, rows, cols, j);
		double d = hinv[j * n + j];
		for (int r = 0; r < rows; r++) {
			double qv = grid->round(grid->user, r, j, w[r * n + j]);
			double e = w[r * n + j] - qv;
			w[r * n + j] = qv;
			for (int k = 0; k < n; k++)
				if (!done[k] && k != j)
					w[r * n + k] -= e * hinv[j * n + k] / d;
		}
		done[j] = 1;
		for (int a = 0; a < n; a++)
			for (int b = 0; b < n; b++)
				if (a != j && b != j)
					hinv[a * n + b] -= hinv[a * n + j] * hinv[j * n + b] / d;
		for (int a = 0; a < n; a++)
			hinv[a * n + j] = hinv[j * n + a] = 0.0;
	}
	free(h);
	free(hinv);
	free(order);
	free(done);
}

/* ---- fixtures ------------------------------------------------------------------------ */

/* Correlated inputs: each column mixes a few shared factors, some columns louder. */
static float *random_inputs(int n_rows, int cols)
{
	float *x = malloc(sizeof(float) * (size_t)(n_rows * cols));
	double (*mix)[4] = malloc(sizeof(double[4]) * (size_t)cols);
	for (int f = 0; f < 4; f++)
		for (int c = 0; c < cols; c++)
			mix[c][f] = normal();
	for (int t = 0; t < n_rows; t++) {
		double fac[4] = { normal(), normal(), normal(), normal() };
		for (int c = 0; c < cols; c++) {
			double v = 0.3 * normal() * (1 + c % 3);
			for (int f = 0; f < 4; f++)
				v += fac[f] * mix[c][f];
			x[t * cols + c] = (float)v;
		}
	}
	free(mix);
	return x;
}

static struct gptq_hessian *hessian_of(const float *x, int n_rows, int cols)
{
	struct gptq_hessian *hs = gptq_hessian_new(cols, NULL);
	gptq_hessian_add(hs, x, n_rows, cols);
	return hs;
}

static void random_weights(float *w, int n)
{
	for (int i = 0; i < n; i++)
		w[i] = (float)(0.05 * normal());
}

#endif
