/* gptq.c: the GPTQ column loop (Frantar et al. 2022, Algorithm 1) with blocks and lazy updates.
 *
 * Notation of the paper: W [rows, cols], H = 2/n X X^T, U = upper Cholesky factor of
 * H^-1 (H^-1 = U^T U). Column j is rounded to q_j, its error e = (w_j - q_j) / U_jj is
 * spread over the columns not yet rounded, W[:, k] -= e U_jk (k > j). Inside a block of
 * columns this happens at once; the rest of the matrix receives the block's errors in
 * one product at the end of the block (the "lazy batch update"), which gives the same
 * result as column by column up to rounding.
 *
 * Working layout: wt holds W transposed (column j of W is the contiguous run
 * wt[j * rows ..]), so every per-column step walks memory in order. Everything is in
 * double; only the grid sees floats. */
#include "gptq.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DAMP_FIRST_RAISE 0.01      /* a damping of 0 that fails is raised to this */
#define DAMP_LIMIT 1.0             /* a fraction past the mean diagonal itself is not GPTQ */

struct gptq_options gptq_options_default(void)
{
	struct gptq_options o = { GPTQ_DAMP_DEFAULT, 0, GPTQ_BLOCK_DEFAULT };
	return o;
}

struct column_loop {
	int64_t rows, cols;
	double *wt;                    /* [cols, rows] weights by column, in processing order */
	const double *u;               /* [cols, cols] upper Cholesky factor of H^-1 */
	int64_t *perm;                 /* processing position -> original column */
	double *err;                   /* [block, rows] scaled errors of the current block */
	double *group;                 /* [group, rows] a group's current values for fit */
	const struct gptq_grid *grid;
	int fit_groups_as_they_come;   /* 0 with act-order: all fitted up front */
	double loss;
};

/* ---- H^-1 and its Cholesky factor --------------------------------------------------- */

/* H + damp I -> U with H^-1 = U^T U (upper triangle of a; the lower is zeroed).
   Returns the LAPACK info (0 = success). */
static int inverse_cholesky(double *a, const double *h, int64_t n, double damp)
{
	memcpy(a, h, (size_t)(n * n) * sizeof(double));
	for (int64_t i = 0; i < n; i++)
		a[i * n + i] += damp;
	int info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'U', (lapack_int)n, a, (lapack_int)n);
	if (info == 0)
		info = LAPACKE_dpotri(LAPACK_ROW_MAJOR, 'U', (lapack_int)n, a, (lapack_int)n);
	if (info == 0)
		info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'U', (lapack_int)n, a, (lapack_int)n);
	for (int64_t i = 0; i < n && info == 0; i++) {
		if (!(a[i * n + i] > 0.0) || !isfinite(a[i * n + i]))
			return 1;
		for (int64_t j = 0; j < i; j++)
			a[i * n + j] = 0.0;
	}
	return info;
}

/* Tries damp fractions from opt->damp upwards (doubling) until the factorization works. */
static int damped_factor(double *u, const double *h, int64_t n, double damp,
			 struct gptq_stats *stats, struct lwq_err *err)
{
	double mean = 0;
	for (int64_t i = 0; i < n; i++)
		mean += h[i * n + i];
	mean /= (double)n;
	stats->damp_raises = 0;
	for (;;) {
		stats->damp = damp;
		if (inverse_cholesky(u, h, n, damp * mean) == 0)
			return 0;
		if (damp >= DAMP_LIMIT)
			return lwq_err_set(err, "Hessian is not positive definite even with damping "
					   "%g of its mean diagonal", damp);
		damp = damp > 0 ? fmin(2.0 * damp, DAMP_LIMIT) : DAMP_FIRST_RAISE;
		stats->damp_raises++;
	}
}

/* ---- preparation -------------------------------------------------------------------- */

static int check_inputs(const double *w, int64_t rows, int64_t cols, const double *h,
			const struct gptq_options *opt, const struct gptq_grid *grid,
			struct lwq_err *err)
{
	if (rows < 1 || cols < 1)
		return lwq_err_set(err, "GPTQ: empty matrix [%lld, %lld]", (long long)rows,
				   (long long)cols);
	if (grid->group < 1 || cols % grid->group != 0)
		return lwq_err_set(err, "group size %d does not divide the row length %lld",
				   grid->group, (long long)cols);
	if (!(opt->damp >= 0) || !isfinite(opt->damp) || opt->block < 1)
		return lwq_err_set(err, "GPTQ: damping %g or block %d out of range", opt->damp,
				   opt->block);
	for (int64_t i = 0; i < rows * cols; i++)
		if (!isfinite(w[i]))
			return lwq_err_set(err, "non-finite weight in row %lld",
					   (long long)(i / cols));
	for (int64_t i = 0; i < cols * cols; i++)
		if (!isfinite(h[i]))
			return lwq_err_set(err, "Hessian holds a NaN or infinity (activations "
					   "overflow)");
	return 0;
}

/* Inputs that were 0 on every calibration row carry no information: the published
   method sets their diagonal to 1 (so H stays invertible) and their weights to 0. */
static int64_t clear_dead_columns(double *w, int64_t rows, int64_t cols, double *h)
{
	int64_t dead = 0;
	for (int64_t j = 0; j < cols; j++) {
		if (h[j * cols + j] != 0.0)
			continue;
		h[j * cols + j] = 1.0;
		for (int64_t r = 0; r < rows; r++)
			w[r * cols + j] = 0.0;
		dead++;
	}
	return dead;
}

struct diag_entry {
	double diag;
	int64_t col;
};

/* Decreasing diagonal; ties keep the original column order so runs are reproducible. */
static int by_diag_desc(const void *a, const void *b)
{
	const struct diag_entry *x = a, *y = b;
	if (x->diag != y->diag)
		return x->diag > y->diag ? -1 : 1;
	return x->col < y->col ? -1 : x->col > y->col;
}

static int act_order_perm(const double *h, int64_t cols, int64_t *perm)
{
	struct diag_entry *e = malloc((size_t)cols * sizeof *e);
	if (!e)
		return -1;
	for (int64_t j = 0; j < cols; j++)
		e[j] = (struct diag_entry){ h[j * cols + j], j };
	qsort(e, (size_t)cols, sizeof *e, by_diag_desc);
	for (int64_t j = 0; j < cols; j++)
		perm[j] = e[j].col;
	free(e);
	return 0;
}

/* h <- h[perm][:, perm], using scratch of the same size. */
static void permute_hessian(double *h, const int64_t *perm, int64_t cols, double *scratch)
{
	for (int64_t i = 0; i < cols; i++)
		for (int64_t j = 0; j < cols; j++)
			scratch[i * cols + j] = h[perm[i] * cols + perm[j]];
	memcpy(h, scratch, (size_t)(cols * cols) * sizeof(double));
}

/* wt[p * rows + r] = w[r, perm[p]] */
static void load_columns(struct column_loop *cl, const double *w)
{
	for (int64_t p = 0; p < cl->cols; p++)
		for (int64_t r = 0; r < cl->rows; r++)
			cl->wt[p * cl->rows + r] = w[r * cl->cols + cl->perm[p]];
}

static void store_columns(const struct column_loop *cl, double *w)
{
	for (int64_t p = 0; p < cl->cols; p++)
		for (int64_t r = 0; r < cl->rows; r++)
			w[r * cl->cols + cl->perm[p]] = cl->wt[p * cl->rows + r];
}

/* With act-order, every group is fitted from the original weights in original column
   order, so any format that stores one scale per group of consecutive inputs can hold
   the result. */
static int fit_all_groups(const struct column_loop *cl, const double *w, struct lwq_err *err)
{
	int g = cl->grid->group;
	for (int64_t c0 = 0; c0 < cl->cols; c0 += g) {
		for (int k = 0; k < g; k++)
			for (int64_t r = 0; r < cl->rows; r++)
				cl->group[k * cl->rows + r] = w[r * cl->cols + c0 + k];
		if (cl->grid->fit(cl->grid->user, c0, cl->group, cl->rows, err) < 0)
			return -1;
	}
	return 0;
}

/* ---- the loop -------------------------------------------------------------------- */

/* The group starting at position j fitted from the weights as updated by every column
   before j: columns inside the block already hold that; columns past the block (when
   the group straddles it) still lack the block's pending update, applied here to a copy. */
static int fit_group_at(struct column_loop *cl, int64_t j, int64_t i1, int64_t i2,
			struct lwq_err *err)
{
	int g = cl->grid->group;
	int64_t rows = cl->rows;
	for (int k = 0; k < g; k++) {
		int64_t c = j + k;
		double *dst = cl->group + k * rows;
		memcpy(dst, cl->wt + c * rows, (size_t)rows * sizeof(double));
		for (int64_t b = 0; c >= i2 && b < j - i1; b++)
			cblas_daxpy((int)rows, -cl->u[(i1 + b) * cl->cols + c],
				    cl->err + b * rows, 1, dst, 1);
	}
	return cl->grid->fit(cl->grid->user, cl->perm[j], cl->group, rows, err);
}

/* Rounds column j, records its scaled error, and spreads it over the block's later
   columns. */
static void round_column(struct column_loop *cl, int64_t j, int64_t i1, int64_t i2)
{
	int64_t rows = cl->rows;
	double d = cl->u[j * cl->cols + j];
	double *col = cl->wt + j * rows, *e = cl->err + (j - i1) * rows;
	for (int64_t r = 0; r < rows; r++) {
		double q = cl->grid->round(cl->grid->user, r, cl->perm[j], col[r]);
		e[r] = (col[r] - q) / d;
		cl->loss += e[r] * e[r] / 2.0;
		col[r] = q;
	}
	for (int64_t k = j + 1; k < i2; k++)
		cblas_daxpy((int)rows, -cl->u[j * cl->cols + k], e, 1, cl->wt + k * rows, 1);
}

static int run_blocks(struct column_loop *cl, int block, struct lwq_err *err)
{
	int64_t rows = cl->rows, cols = cl->cols;
	int g = cl->grid->group;
	for (int64_t i1 = 0; i1 < cols; i1 += block) {
		int64_t i2 = i1 + block < cols ? i1 + block : cols;
		for (int64_t j = i1; j < i2; j++) {
			if (cl->fit_groups_as_they_come && j % g == 0 &&
			    fit_group_at(cl, j, i1, i2, err) < 0)
				return -1;
			round_column(cl, j, i1, i2);
		}
		if (i2 == cols)
			break;
		/* W[:, i2:] -= E U[i1:i2, i2:], as wt[i2:] -= U[i1:i2, i2:]^T E^T */
		cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)(cols - i2), (int)rows,
			    (int)(i2 - i1), -1.0, cl->u + i1 * cols + i2, (int)cols, cl->err,
			    (int)rows, 1.0, cl->wt + i2 * rows, (int)rows);
	}
	return 0;
}

int gptq_quantize_grid(double *w, int64_t rows, int64_t cols, double *h,
		       const struct gptq_options *opt, const struct gptq_grid *grid,
		       struct gptq_stats *stats, struct lwq_err *err)
{
	memset(stats, 0, sizeof *stats);
	if (check_inputs(w, rows, cols, h, opt, grid, err) < 0)
		return -1;
	int64_t block = opt->block < cols ? opt->block : cols;
	int64_t group_rows = (grid->group > block ? grid->group : block) * rows;
	struct column_loop cl = { .rows = rows, .cols = cols, .grid = grid,
				  .fit_groups_as_they_come = !opt->act_order };
	cl.wt = malloc((size_t)(rows * cols) * sizeof(double));
	double *u = malloc((size_t)(cols * cols) * sizeof(double));
	cl.perm = malloc((size_t)cols * sizeof(int64_t));
	cl.err = malloc((size_t)(block * rows) * sizeof(double));
	cl.group = malloc((size_t)group_rows * sizeof(double));
	int rc = -1;
	if (!cl.wt || !u || !cl.perm || !cl.err || !cl.group) {
		lwq_err_set(err, "out of memory for GPTQ of a [%lld, %lld] matrix",
			    (long long)rows, (long long)cols);
		goto out;
	}
	cl.u = u;
	for (int64_t j = 0; j < cols; j++)
		cl.perm[j] = j;
	stats->dead_columns = clear_dead_columns(w, rows, cols, h);
	if (opt->act_order) {
		if (fit_all_groups(&cl, w, err) < 0)
			goto out;
		if (act_order_perm(h, cols, cl.perm) < 0) {
			lwq_err_set(err, "out of memory for the column order");
			goto out;
		}
		permute_hessian(h, cl.perm, cols, u);
	}
	double damp_asked = opt->damp;
	if (damped_factor(u, h, cols, damp_asked, stats, err) < 0)
		goto out;
	load_columns(&cl, w);
	if (run_blocks(&cl, (int)block, err) < 0)
		goto out;
	store_columns(&cl, w);
	stats->loss = cl.loss;
	rc = 0;
out:
	free(cl.wt);
	free(u);
	free(cl.perm);
	free(cl.err);
	free(cl.group);
	return rc;
}

int gptq_quantize_floats(const float *w, int64_t rows, int64_t cols,
			 const struct gptq_hessian *hs, const struct gptq_options *opt,
			 const struct gptq_grid *grid, struct gptq_stats *stats,
			 struct lwq_err *err)
{
	memset(stats, 0, sizeof *stats);
	if (hs->cols != cols)
		return lwq_err_set(err, "GPTQ: Hessian of %d columns for rows of %lld", hs->cols,
				   (long long)cols);
	double *wd = malloc((size_t)(rows * cols) * sizeof(double));
	double *h = malloc((size_t)(cols * cols) * sizeof(double));
	int rc = -1;
	if (!wd || !h) {
		lwq_err_set(err, "out of memory for GPTQ of a [%lld, %lld] matrix",
			    (long long)rows, (long long)cols);
	} else {
		for (int64_t i = 0; i < rows * cols; i++)
			wd[i] = w[i];
		gptq_hessian_get(hs, h);
		rc = gptq_quantize_grid(wd, rows, cols, h, opt, grid, stats, err);
	}
	free(wd);
	free(h);
	return rc;
}
