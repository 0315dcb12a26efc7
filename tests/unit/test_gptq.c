/* test_gptq.c: GPTQ against a slow column-by-column form, hand-checked cases, bad Hessians. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gptq.h"
#include "gptq_slow.h"
#include "quant_rtn.h"
#include "tap.h"

/* ---- the slow form on lwq's RTN grid (gptq_slow.h) ------------------------------------ */

struct slow_rtn {
	int rows, cols, g, bits;
	uint8_t *codes;
	float *scales, *zeros;
};

static int slow_rtn_fit(void *user, int64_t c0, const double *cols, int64_t rows,
			struct lwq_err *err)
{
	struct slow_rtn *s = user;
	float buf[64];
	for (int r = 0; r < rows; r++) {
		for (int k = 0; k < s->g; k++)
			buf[k] = (float)cols[k * rows + r];
		int gi = r * (s->cols / s->g) + (int)c0 / s->g;
		rtn_group_params(buf, s->g, s->bits, &s->scales[gi], &s->zeros[gi]);
	}
	(void)err;
	return 0;
}

static double slow_rtn_round(void *user, int64_t r, int64_t j, double w)
{
	struct slow_rtn *s = user;
	int gi = (int)r * (s->cols / s->g) + (int)j / s->g;
	uint8_t q = rtn_code((float)w, s->scales[gi], s->zeros[gi], s->bits);
	s->codes[r * s->cols + j] = q;
	return ((float)q - s->zeros[gi]) * s->scales[gi];
}

/* GPTQ column by column on the RTN grid; w [rows, cols] is replaced by the grid values. */
static void slow_gptq(double *w, int rows, int cols, const double *h_in, double damp,
		      int act_order, int bits, int g, uint8_t *codes, float *scales,
		      float *zeros)
{
	struct slow_rtn s = { rows, cols, g, bits, codes, scales, zeros };
	struct gptq_grid grid = { g, slow_rtn_fit, slow_rtn_round, &s };
	slow_gptq_grid(w, rows, cols, h_in, damp, act_order, &grid);
}

/* ---- tests ----------------------------------------------------------------------- */

static void test_hessian_accumulation(void)
{
	int rows = 300, cols = 5, ld = 7;       /* more rows than one chunk, padded rows */
	float *x = malloc(sizeof(float) * (size_t)(rows * ld));
	for (int i = 0; i < rows * ld; i++)
		x[i] = (float)normal();
	struct gptq_hessian *hs = gptq_hessian_new(cols, NULL);
	gptq_hessian_add(hs, x, 100, ld);
	gptq_hessian_add(hs, x + 100 * ld, rows - 100, ld);
	double h[25], worst = 0;
	gptq_hessian_get(hs, h);
	for (int i = 0; i < cols; i++)
		for (int j = 0; j < cols; j++) {
			double s = 0;
			for (int t = 0; t < rows; t++)
				s += (double)x[t * ld + i] * x[t * ld + j];
			worst = fmax(worst, fabs(h[i * cols + j] - 2.0 * s / rows));
		}
	ok(hs->n_rows == rows && worst < 1e-12, "H = 2/n sum x x^T over two batches (max diff %g)",
	   worst);
	gptq_hessian_free(hs);
	free(x);
}

/* With a diagonal Hessian no column's error reaches another: GPTQ is RTN. */
static void test_diagonal_is_rtn(void)
{
	int rows = 6, cols = 16, g = 8;
	float w[96], rtn_w[96], scales[12], zeros[12], rs[12], rz[12];
	uint8_t codes[96], rcodes[96];
	random_weights(w, rows * cols);
	memcpy(rtn_w, w, sizeof w);
	struct gptq_hessian *hs = gptq_hessian_new(cols, NULL);
	for (int c = 0; c < cols; c++) {
		float x[16] = { 0 };
		x[c] = (float)(1 + c);
		gptq_hessian_add(hs, x, 1, cols);
	}
	struct gptq_options opt = gptq_options_default();
	struct gptq_stats st;
	int rc = gptq_quantize_rtn(w, rows, cols, 3, g, hs, &opt, codes, scales, zeros, &st, NULL);
	rtn_quantize(rtn_w, rows, cols, 3, g, rcodes, rs, rz, NULL);
	rtn_fake_quant(rtn_w, rows, cols, 3, g, NULL);
	ok(rc == 0 && memcmp(codes, rcodes, sizeof codes) == 0 &&
	   memcmp(scales, rs, sizeof rs) == 0 && memcmp(zeros, rz, sizeof rz) == 0 &&
	   memcmp(w, rtn_w, sizeof w) == 0, "diagonal Hessian: GPTQ equals RTN bit for bit");
	gptq_hessian_free(hs);
}

/* One row, 6 columns, groups of 3 at 2 bits, no damping. H = I except H_23 = H_32 = 0.5.
   Group [0, 1.5, 0.6]: scale 0.5, zero 0; 0.6 rounds to 0.5, error 0.1. Removing column
   2 moves column 3 by 0.1 * H_23 / H_33 = 0.05: 2.95 becomes 3.0, so the second group,
   fitted when column 3 comes up, is [3, 0, 1] with scale exactly 1 (from the stale
   2.95 it would be f16(2.95 / 3) = 0.9834). Codes 0 3 1 | 3 0 1. */
static void test_hand_checked(void)
{
	float w[6] = { 0.0f, 1.5f, 0.6f, 2.95f, 0.0f, 1.0f }, scales[2], zeros[2];
	uint8_t codes[6];
	double h[36] = { 0 };
	for (int i = 0; i < 6; i++)
		h[i * 6 + i] = 1.0;
	h[2 * 6 + 3] = h[3 * 6 + 2] = 0.5;
	/* 2/n with n = 2 rows makes H equal to the stored sum */
	struct gptq_hessian *hs = gptq_hessian_new(6, NULL);
	memcpy(hs->sum, h, sizeof h);
	hs->n_rows = 2;
	struct gptq_options opt = gptq_options_default();
	opt.damp = 0.0;
	struct gptq_stats st;
	int rc = gptq_quantize_rtn(w, 1, 6, 2, 3, hs, &opt, codes, scales, zeros, &st, NULL);
	ok(rc == 0 && scales[0] == 0.5f && zeros[0] == 0.0f, "first group: scale 0.5, zero 0");
	ok(scales[1] == 1.0f && zeros[1] == 0.0f,
	   "second group fitted from the compensated weights: scale 1 (got %.6g)", scales[1]);
	ok(memcmp(codes, (uint8_t[]){ 0, 3, 1, 3, 0, 1 }, 6) == 0, "codes 0 3 1 3 0 1");
	float want[6] = { 0.0f, 1.5f, 0.5f, 3.0f, 0.0f, 1.0f };
	ok(memcmp(w, want, sizeof want) == 0, "weights 0 1.5 0.5 3 0 1");
	ok(fabs(st.loss - 0.5 * 0.01 * 0.75) < 1e-6, "loss (w - q)^2 / [H^-1]_jj / 2 = %g", st.loss);
	gptq_hessian_free(hs);
}

static int compare_with_slow(int rows, int cols, int g, int bits, int block, int act_order,
			     int dead)
{
	int n_in = 3 * cols;
	float *x = random_inputs(n_in, cols);
	for (int t = 0; t < n_in && dead >= 0; t++)
		x[t * cols + dead] = 0.0f;
	struct gptq_hessian *hs = hessian_of(x, n_in, cols);
	float *w = malloc(sizeof(float) * (size_t)(rows * cols));
	random_weights(w, rows * cols);
	int n = rows * cols, ng = rows * (cols / g);
	double *ws = malloc(sizeof(double) * (size_t)n), *h = malloc(sizeof(double) * (size_t)(cols * cols));
	uint8_t *c1 = malloc((size_t)n), *c2 = malloc((size_t)n);
	float *s1 = malloc(sizeof(float) * (size_t)ng), *z1 = malloc(sizeof(float) * (size_t)ng);
	float *s2 = malloc(sizeof(float) * (size_t)ng), *z2 = malloc(sizeof(float) * (size_t)ng);
	for (int i = 0; i < n; i++)
		ws[i] = w[i];
	gptq_hessian_get(hs, h);
	slow_gptq(ws, rows, cols, h, 0.01, act_order, bits, g, c2, s2, z2);
	struct gptq_options opt = { 0.01, act_order, block };
	struct gptq_stats st;
	int rc = gptq_quantize_rtn(w, rows, cols, bits, g, hs, &opt, c1, s1, z1, &st, NULL);
	int same_codes = rc == 0 && memcmp(c1, c2, (size_t)n) == 0;
	int same_params = rc == 0 && memcmp(s1, s2, sizeof(float) * (size_t)ng) == 0 &&
			  memcmp(z1, z2, sizeof(float) * (size_t)ng) == 0;
	double worst = 0;
	for (int i = 0; i < n; i++)
		worst = fmax(worst, fabs(w[i] - ws[i]));
	int differing = 0;
	for (int i = 0; i < n; i++)
		differing += c1[i] != c2[i];
	ok(same_codes && same_params && worst == 0.0 && (dead < 0 || st.dead_columns == 1),
	   "%dx%d, %d bits, groups of %d, blocks of %d%s%s: equals the slow form "
	   "(%d codes differ, max diff %g)", rows, cols, bits, g, block,
	   act_order ? ", act-order" : "", dead >= 0 ? ", a dead column" : "", differing, worst);
	free(x); free(w); free(ws); free(h); free(c1); free(c2);
	free(s1); free(z1); free(s2); free(z2);
	gptq_hessian_free(hs);
	return same_codes;
}

static void test_blocked_equals_slow(void)
{
	compare_with_slow(7, 24, 8, 2, 128, 0, -1);    /* one block holds everything */
	compare_with_slow(7, 24, 8, 3, 8, 0, -1);      /* three blocks, lazy updates */
	compare_with_slow(5, 24, 6, 2, 5, 0, -1);      /* groups straddle blocks */
	compare_with_slow(9, 32, 4, 4, 3, 0, -1);
	compare_with_slow(6, 24, 8, 2, 8, 1, -1);      /* act-order */
	compare_with_slow(6, 30, 6, 3, 4, 1, -1);
	compare_with_slow(6, 24, 8, 2, 5, 0, 9);       /* a dead input */
	compare_with_slow(4, 64, 32, 8, 16, 0, -1);
}

/* GPTQ's point: lower output error than RTN on correlated inputs. */
static void test_beats_rtn_on_outputs(void)
{
	int rows = 16, cols = 64, n_in = 256, g = 16;
	float *x = random_inputs(n_in, cols);
	struct gptq_hessian *hs = hessian_of(x, n_in, cols);
	float w[16 * 64], w_rtn[16 * 64], w_ref[16 * 64], sc[64], zr[64];
	uint8_t codes[16 * 64];
	random_weights(w, rows * cols);
	memcpy(w_rtn, w, sizeof w);
	memcpy(w_ref, w, sizeof w);
	struct gptq_options opt = gptq_options_default();
	struct gptq_stats st;
	gptq_quantize_rtn(w, rows, cols, 2, g, hs, &opt, codes, sc, zr, &st, NULL);
	rtn_fake_quant(w_rtn, rows, cols, 2, g, NULL);
	double e_gptq = 0, e_rtn = 0;
	for (int t = 0; t < n_in; t++)
		for (int r = 0; r < rows; r++) {
			double a = 0, b = 0;
			for (int c = 0; c < cols; c++) {
				a += (double)(w[r * cols + c] - w_ref[r * cols + c]) * x[t * cols + c];
				b += (double)(w_rtn[r * cols + c] - w_ref[r * cols + c]) * x[t * cols + c];
			}
			e_gptq += a * a;
			e_rtn += b * b;
		}
	ok(e_gptq < 0.8 * e_rtn, "2-bit output error: GPTQ %.4g < RTN %.4g", e_gptq, e_rtn);
	gptq_hessian_free(hs);
	free(x);
}

/* Eigenvalues 1 +- 1.015: fails at damping 0.01 of the mean diagonal, works at 0.02. */
static void test_damping_raised(void)
{
	double h[4] = { 1.0, 1.015, 1.015, 1.0 }, w[2] = { 0.3, -0.2 };
	float sc[1], zr[1];
	uint8_t codes[2];
	struct gptq_hessian *hs = gptq_hessian_new(2, NULL);
	memcpy(hs->sum, h, sizeof h);
	hs->n_rows = 2;
	struct gptq_options opt = gptq_options_default();
	struct gptq_stats st;
	float wf[2] = { (float)w[0], (float)w[1] };
	int rc = gptq_quantize_rtn(wf, 1, 2, 4, 2, hs, &opt, codes, sc, zr, &st, NULL);
	ok(rc == 0 && st.damp_raises == 1 && st.damp == 0.02,
	   "indefinite at 1%%: damping raised once to 2%% (rc %d, %d raises, %g)", rc,
	   st.damp_raises, st.damp);
	/* eigenvalues 1 +- 3: still indefinite when the whole mean diagonal is added */
	hs->sum[1] = hs->sum[2] = 3.0;
	struct lwq_err err = { "" };
	wf[0] = 0.3f;
	wf[1] = -0.2f;
	rc = gptq_quantize_rtn(wf, 1, 2, 4, 2, hs, &opt, codes, sc, zr, &st, &err);
	ok(rc < 0 && strstr(err.msg, "not positive definite") && wf[0] == 0.3f,
	   "stays indefinite: error, weights untouched (%s)", err.msg);
	hs->sum[1] = hs->sum[2] = NAN;
	rc = gptq_quantize_rtn(wf, 1, 2, 4, 2, hs, &opt, codes, sc, zr, &st, &err);
	ok(rc < 0 && strstr(err.msg, "NaN"), "NaN in the Hessian: error (%s)", err.msg);
	gptq_hessian_free(hs);
}

static void test_bad_arguments(void)
{
	struct gptq_hessian *hs = gptq_hessian_new(4, NULL);
	float w[4] = { 0 }, sc[2], zr[2];
	uint8_t codes[4];
	struct gptq_options opt = gptq_options_default();
	struct gptq_stats st;
	struct lwq_err err = { "" };
	ok(gptq_quantize_rtn(w, 1, 4, 5, 2, hs, &opt, codes, sc, zr, &st, &err) < 0 &&
	   strstr(err.msg, "bits"), "5 bits refused (%s)", err.msg);
	ok(gptq_quantize_rtn(w, 1, 4, 4, 3, hs, &opt, codes, sc, zr, &st, &err) < 0 &&
	   strstr(err.msg, "does not divide"), "group of 3 in rows of 4 refused");
	opt.damp = -1;
	ok(gptq_quantize_rtn(w, 1, 4, 4, 2, hs, &opt, codes, sc, zr, &st, &err) < 0 &&
	   strstr(err.msg, "damping"), "negative damping refused");
	ok(gptq_hessian_new(0, &err) == NULL, "Hessian of 0 columns refused");
	gptq_hessian_free(hs);
}

int main(void)
{
	test_hessian_accumulation();
	test_diagonal_is_rtn();
	test_hand_checked();
	test_blocked_equals_slow();
	test_beats_rtn_on_outputs();
	test_damping_raised();
	test_bad_arguments();
	return tap_done();
}
