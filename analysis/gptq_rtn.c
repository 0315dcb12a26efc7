/* gptq_rtn.c: GPTQ onto lwq's RTN grid (per-group asymmetric min/max, f16 scale, integer zero). */
#include "gptq.h"

#include <stdlib.h>
#include <string.h>

#include "quant_rtn.h"

struct rtn_grid {
	int bits, g;
	int64_t cols, groups_per_row;
	uint8_t *codes;
	float *scales, *zeros;
	float *row_group;              /* [g] one row's group as floats, for rtn_group_params */
};

/* Each row's part of the group gets its scale and zero exactly as rtn_quantize would
   fit them from these values. */
static int rtn_fit(void *user, int64_t col0, const double *cols, int64_t rows,
		   struct lwq_err *err)
{
	struct rtn_grid *rg = user;
	for (int64_t r = 0; r < rows; r++) {
		for (int k = 0; k < rg->g; k++)
			rg->row_group[k] = (float)cols[k * rows + r];
		int64_t gi = r * rg->groups_per_row + col0 / rg->g;
		if (rtn_group_params(rg->row_group, rg->g, rg->bits, &rg->scales[gi],
				     &rg->zeros[gi]) < 0)
			return lwq_err_set(err, "GPTQ: non-finite weight in row %lld, columns "
					   "%lld.. (activations too large?)", (long long)r,
					   (long long)col0);
	}
	return 0;
}

/* The value is computed as rtn_dequantize computes it, so storing codes, scales and
   zeros reproduces it bit for bit. */
static double rtn_round(void *user, int64_t row, int64_t col, double w)
{
	struct rtn_grid *rg = user;
	int64_t gi = row * rg->groups_per_row + col / rg->g;
	uint8_t code = rtn_code((float)w, rg->scales[gi], rg->zeros[gi], rg->bits);
	rg->codes[row * rg->cols + col] = code;
	return ((float)code - rg->zeros[gi]) * rg->scales[gi];
}

int gptq_quantize_rtn(float *w, int64_t rows, int64_t cols, int bits, int g,
		      const struct gptq_hessian *hs, const struct gptq_options *opt,
		      uint8_t *codes, float *scales, float *zeros, struct gptq_stats *stats,
		      struct lwq_err *err)
{
	if (bits != 2 && bits != 3 && bits != 4 && bits != 8)
		return lwq_err_set(err, "GPTQ supports 2, 3, 4 or 8 bits, not %d", bits);
	if (g < 1 || cols % g != 0)
		return lwq_err_set(err, "group size %d does not divide the row length %lld", g,
				   (long long)cols);
	struct rtn_grid rg = { .bits = bits, .g = g, .cols = cols, .groups_per_row = cols / g,
			       .codes = codes, .scales = scales, .zeros = zeros };
	if (!(rg.row_group = malloc((size_t)g * sizeof(float))))
		return lwq_err_set(err, "out of memory for GPTQ of a [%lld, %lld] matrix",
				   (long long)rows, (long long)cols);
	struct gptq_grid grid = { g, rtn_fit, rtn_round, &rg };
	int rc = gptq_quantize_floats(w, rows, cols, hs, opt, &grid, stats, err);
	if (rc == 0)
		rtn_dequantize(codes, scales, zeros, rows, cols, g, w);
	free(rg.row_group);
	return rc;
}
