/* test_gptq_gguf.c: GGUF block grids and codes, and GPTQ onto them against a slow
   column-by-column form, plain rounding and a hand-checked case. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gguf_grid.h"
#include "gguf_quants.h"
#include "gptq.h"
#include "gptq_slow.h"
#include "tap.h"

static const int grid_types[] = {
	GGUF_TYPE_Q4_0, GGUF_TYPE_Q5_0, GGUF_TYPE_Q8_0, GGUF_TYPE_Q2_K,
	GGUF_TYPE_Q3_K, GGUF_TYPE_Q4_K, GGUF_TYPE_Q5_K, GGUF_TYPE_Q6_K,
};
#define N_TYPES (int)(sizeof grid_types / sizeof grid_types[0])

static int same_bits(float a, float b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

/* Each element's grid value of its code is what the dequantizer gives, bit for bit; a
   code written into one element changes that element's value only, to the grid's. */
static void test_grid_and_codes(int t)
{
	int be = gguf_type_block_elems(t);
	size_t bb = gguf_type_block_bytes(t);
	float x[256], y[256], y2[256];
	uint8_t *b = malloc(bb);
	int bad_value = 0, bad_set = 0, codes_seen_lo = 1 << 20, codes_seen_hi = -(1 << 20);
	for (int trial = 0; trial < 20; trial++) {
		for (int i = 0; i < be; i++)
			x[i] = (float)(normal() * (trial % 3 == 0 ? 0.01 : 1.0)) + (trial % 4 == 1 ? 0.5f : 0.0f);
		gguf_quantize_row(t, x, be, b);
		gguf_dequantize_row(t, b, be, y);
		for (int e = 0; e < be; e++) {
			struct gguf_elem_grid g;
			gguf_block_grid(t, b, e, &g);
			int q = gguf_block_code(t, b, e);
			bad_value += q < g.qmin || q > g.qmax || !same_bits(gguf_grid_value(&g, q), y[e]);
		}
		for (int e = 0; e < be; e++) {
			struct gguf_elem_grid g;
			gguf_block_grid(t, b, e, &g);
			int q = g.qmin + (int)(uniform() * (g.qmax - g.qmin + 1));
			if (q > g.qmax)
				q = g.qmax;
			codes_seen_lo = q < codes_seen_lo ? q : codes_seen_lo;
			codes_seen_hi = q > codes_seen_hi ? q : codes_seen_hi;
			gguf_block_set_code(t, b, e, q);
			gguf_dequantize_row(t, b, be, y2);
			for (int i = 0; i < be; i++)
				bad_set += i == e ? gguf_block_code(t, b, e) != q ||
						    !same_bits(y2[i], gguf_grid_value(&g, q))
						  : !same_bits(y2[i], y[i]);
			y[e] = y2[e];
		}
	}
	ok(bad_value == 0 && bad_set == 0,
	   "%s: grid value of each code = dequantized value; set_code touches one element "
	   "(%d, %d mismatches, codes %d..%d written)", gguf_type_name(t), bad_value, bad_set,
	   codes_seen_lo, codes_seen_hi);
	free(b);
}

/* nearest is the true nearest grid point */
static void test_nearest(void)
{
	int bad = 0;
	for (int trial = 0; trial < 2000; trial++) {
		struct gguf_elem_grid g = { (float)normal(), (float)normal(), trial % 33,
					    trial % 2 ? -128 : 0, trial % 2 ? 127 : 15 };
		float w = (float)(normal() * 10);
		int q = gguf_grid_nearest(&g, w);
		float e = fabsf(gguf_grid_value(&g, q) - w);
		for (int c = g.qmin; c <= g.qmax; c++)
			bad += fabsf(gguf_grid_value(&g, c) - w) < e;
	}
	struct gguf_elem_grid flat = { 0.0f, 0.25f, 8, 0, 15 };
	ok(bad == 0 && gguf_grid_nearest(&flat, 3.0f) == 8,
	   "nearest code is the nearest grid value (%d better codes found); step 0 gives zero", bad);
}

/* ---- the slow form on a GGUF grid ---------------------------------------------------- */

struct slow_gguf {
	int type, be;
	size_t row_bytes;
	int cols;
	const float *imp;
	uint8_t *out;
};

static uint8_t *slow_block(struct slow_gguf *s, int64_t r, int64_t c)
{
	return s->out + (size_t)r * s->row_bytes + (size_t)(c / s->be) * gguf_type_block_bytes(s->type);
}

static int slow_gguf_fit(void *user, int64_t c0, const double *cols, int64_t rows,
			 struct lwq_err *err)
{
	struct slow_gguf *s = user;
	float x[256];
	for (int64_t r = 0; r < rows; r++) {
		for (int k = 0; k < s->be; k++)
			x[k] = (float)cols[k * rows + r];
		gguf_quantize_row_weighted(s->type, x, s->imp ? s->imp + c0 : NULL, s->be,
					   slow_block(s, r, c0));
	}
	(void)err;
	return 0;
}

/* Nearest by trying every code of the element's grid. */
static double slow_gguf_round(void *user, int64_t r, int64_t c, double w)
{
	struct slow_gguf *s = user;
	uint8_t *b = slow_block(s, r, c);
	struct gguf_elem_grid g;
	gguf_block_grid(s->type, b, (int)(c % s->be), &g);
	int best = g.qmin;
	float fw = (float)w;
	for (int q = g.qmin; q <= g.qmax; q++)
		if (fabsf(gguf_grid_value(&g, q) - fw) < fabsf(gguf_grid_value(&g, best) - fw))
			best = q;
	gguf_block_set_code(s->type, b, (int)(c % s->be), best);
	return gguf_grid_value(&g, best);
}

static struct gptq_hessian *correlated_hessian(int cols, int dead)
{
	int n_in = 2 * cols + 8;
	float *x = random_inputs(n_in, cols);
	for (int t = 0; t < n_in && dead >= 0; t++)
		x[t * cols + dead] = 0.0f;
	struct gptq_hessian *hs = hessian_of(x, n_in, cols);
	free(x);
	return hs;
}

static void compare_with_slow(int t, int rows, int blocks, int block, int act_order,
			      int weighted, int dead)
{
	int be = gguf_type_block_elems(t), cols = blocks * be, n = rows * cols;
	size_t rb = gguf_row_bytes(t, cols);
	struct gptq_hessian *hs = correlated_hessian(cols, dead);
	float *w = malloc(sizeof(float) * (size_t)n), *imp = malloc(sizeof(float) * (size_t)cols);
	double *ws = malloc(sizeof(double) * (size_t)n), *h = malloc(sizeof(double) * (size_t)(cols * cols));
	uint8_t *o1 = calloc((size_t)rows, rb), *o2 = calloc((size_t)rows, rb);
	random_weights(w, n);
	for (int i = 0; i < n; i++)
		ws[i] = w[i];
	gptq_hessian_get(hs, h);
	for (int c = 0; c < cols; c++)
		imp[c] = (float)h[c * cols + c] + 0.01f;
	struct slow_gguf s = { t, be, rb, cols, weighted ? imp : NULL, o2 };
	struct gptq_grid grid = { be, slow_gguf_fit, slow_gguf_round, &s };
	slow_gptq_grid(ws, rows, cols, h, 0.01, act_order, &grid);
	struct gptq_options opt = { 0.01, act_order, block };
	struct gptq_stats st;
	int rc = gptq_quantize_gguf(w, rows, cols, t, weighted ? imp : NULL, hs, &opt, o1, &st, NULL);
	int same_bytes = rc == 0 && memcmp(o1, o2, rb * (size_t)rows) == 0;
	int same_values = 1;
	float *dq = malloc(sizeof(float) * (size_t)cols);
	for (int r = 0; r < rows; r++) {
		gguf_dequantize_row(t, o1 + (size_t)r * rb, cols, dq);
		for (int c = 0; c < cols; c++)
			same_values &= same_bits(dq[c], w[r * cols + c]) &&
				       (double)w[r * cols + c] == ws[r * cols + c];
	}
	ok(same_bytes && same_values && (dead < 0 || st.dead_columns == 1),
	   "%s %dx%d, blocks of %d%s%s%s: equals the slow form; weights = decoded bytes",
	   gguf_type_name(t), rows, cols, block, act_order ? ", act-order" : "",
	   weighted ? ", weighted fits" : "", dead >= 0 ? ", a dead column" : "");
	free(w); free(imp); free(ws); free(h); free(o1); free(o2); free(dq);
	gptq_hessian_free(hs);
}

/* No correlations: GPTQ moves no weight, so it is plain rounding onto the grid fitted
   from the original weights, which is what the weighted GGUF quantizer writes. */
static void test_diagonal_is_rounding(int t)
{
	int be = gguf_type_block_elems(t), rows = 3, cols = 2 * be, n = rows * cols;
	size_t rb = gguf_row_bytes(t, cols);
	float *w = malloc(sizeof(float) * (size_t)n), *w0 = malloc(sizeof(float) * (size_t)n);
	float *imp = malloc(sizeof(float) * (size_t)cols), *plain = malloc(sizeof(float) * (size_t)cols);
	uint8_t *o = malloc(rb * (size_t)rows), *ref = malloc(rb);
	random_weights(w, n);
	memcpy(w0, w, sizeof(float) * (size_t)n);
	struct gptq_hessian *hs = gptq_hessian_new(cols, NULL);
	float *x = calloc((size_t)cols, sizeof(float));
	for (int c = 0; c < cols; c++) {
		memset(x, 0, sizeof(float) * (size_t)cols);
		x[c] = (float)(1 + c % 5);
		imp[c] = x[c] * x[c];
		gptq_hessian_add(hs, x, 1, cols);
	}
	struct gptq_options opt = gptq_options_default();
	struct gptq_stats st;
	int rc = gptq_quantize_gguf(w, rows, cols, t, imp, hs, &opt, o, &st, NULL);
	int same = rc == 0;
	for (int r = 0; r < rows && same; r++) {
		gguf_quantize_row_weighted(t, w0 + r * cols, imp, cols, ref);
		for (int c = 0; c < cols; c++) {
			/* plain rounding: the fitted grid, each element to its nearest code */
			uint8_t *b = ref + (size_t)(c / be) * gguf_type_block_bytes(t);
			struct gguf_elem_grid g;
			gguf_block_grid(t, b, c % be, &g);
			int q = gguf_grid_nearest(&g, w0[r * cols + c]);
			gguf_block_set_code(t, b, c % be, q);
			plain[c] = gguf_grid_value(&g, q);
		}
		same = memcmp(ref, o + (size_t)r * rb, rb) == 0 &&
		       memcmp(plain, w + r * cols, sizeof(float) * (size_t)cols) == 0;
	}
	ok(same, "%s: diagonal Hessian: GPTQ equals rounding onto the fixed grid, bytes and values",
	   gguf_type_name(t));
	free(w); free(w0); free(imp); free(plain); free(o); free(ref); free(x);
	gptq_hessian_free(hs);
}

/* Q8_0, one row of 64 (two blocks), no damping, H = I but H_31,32 = H_32,31 = 0.5.
   Block 0 is [1.27, 0, ..., 0, 0.605] (element 31): scale f16(1.27 / 127) = 0.0100021;
   0.605 rounds to code 60, value 0.600128, error 0.004872; with
   [H^-1]_31,32 / [H^-1]_31,31 = -0.5, column 32 moves by +0.002436, from 0.25 to 0.252436.
   Block 1, [0.252436, 2.54, 0, ...], is fitted when its first column comes up: scale
   f16(2.54 / 127) = 0.0200043; 0.252436 / 0.0200043 = 12.62 -> 13, where the stale 0.25
   (12.497) would give 12. */
static void test_hand_checked(void)
{
	float w[64] = { 0 };
	w[0] = 1.27f, w[31] = 0.605f, w[32] = 0.25f, w[33] = 2.54f;
	struct gptq_hessian *hs = gptq_hessian_new(64, NULL);
	for (int i = 0; i < 64; i++)
		hs->sum[i * 64 + i] = 1.0;
	hs->sum[31 * 64 + 32] = hs->sum[32 * 64 + 31] = 0.5;
	hs->n_rows = 2;
	struct gptq_options opt = gptq_options_default();
	opt.damp = 0.0;
	struct gptq_stats st;
	uint8_t out[68];
	int rc = gptq_quantize_gguf(w, 1, 64, GGUF_TYPE_Q8_0, NULL, hs, &opt, out, &st, NULL);
	ok(rc == 0 && (int8_t)out[2 + 31] == 60 && (int8_t)out[2] == 127,
	   "block 0: 1.27 -> 127, 0.605 -> 60 (codes %d, %d)", (int8_t)out[2], (int8_t)out[2 + 31]);
	ok(fabsf(w[32] - 13 * 0.0200043f) < 1e-6f && (int8_t)out[34 + 2 + 1] == 127 && (int8_t)out[34 + 2] == 13,
	   "block 1 after the move: 2.54 -> 127, 0.252436 -> 13 (codes %d, %d)",
	   (int8_t)out[34 + 3], (int8_t)out[34 + 2]);
	gptq_hessian_free(hs);
}

static void test_bad_arguments(void)
{
	struct gptq_hessian *hs = gptq_hessian_new(48, NULL);
	float w[48] = { 0 };
	uint8_t out[256];
	struct gptq_options opt = gptq_options_default();
	struct gptq_stats st;
	struct lwq_err err = { "" };
	ok(gptq_quantize_gguf(w, 1, 48, GGUF_TYPE_Q4_0, NULL, hs, &opt, out, &st, &err) < 0 &&
	   strstr(err.msg, "do not divide"), "Q4_0 blocks in rows of 48 refused (%s)", err.msg);
	ok(gptq_quantize_gguf(w, 1, 48, GGUF_TYPE_F16, NULL, hs, &opt, out, &st, &err) < 0 &&
	   strstr(err.msg, "F16"), "F16 has no grid (%s)", err.msg);
	gptq_hessian_free(hs);
}

int main(void)
{
	for (int i = 0; i < N_TYPES; i++)
		test_grid_and_codes(grid_types[i]);
	test_nearest();
	for (int i = 0; i < N_TYPES; i++) {
		int t = grid_types[i], be = gguf_type_block_elems(t);
		int blocks = be == 32 ? 3 : 2;
		compare_with_slow(t, 3, blocks, be == 32 ? 20 : 96, 0, i % 2, -1);
		compare_with_slow(t, 2, blocks, be == 32 ? 128 : 200, 1, 1, -1);
		compare_with_slow(t, 2, blocks, 64, 0, 1, 5);
	}
	for (int i = 0; i < N_TYPES; i++)
		test_diagonal_is_rounding(grid_types[i]);
	test_hand_checked();
	test_bad_arguments();
	return tap_done();
}
