/* gptq.h: GPTQ, error-compensated rounding of a linear's weights with the Hessian of its inputs. */
#ifndef LWQ_GPTQ_H
#define LWQ_GPTQ_H

#include <stdint.h>

#include "status.h"

#define GPTQ_DAMP_DEFAULT 0.01     /* fraction of the mean Hessian diagonal, as published */
#define GPTQ_BLOCK_DEFAULT 128     /* columns per lazy-update block, as published */

/* H = 2/n sum over the n calibration rows x of x x^T for one linear's input of width
   `cols`, accumulated in double. */
struct gptq_hessian {
	int cols;
	int64_t n_rows;
	double *sum;                   /* [cols, cols] sum of x x^T, upper triangle */
	double *chunk;                 /* scratch: input rows converted to double */
};

struct gptq_hessian *gptq_hessian_new(int cols, struct lwq_err *err);
void gptq_hessian_free(struct gptq_hessian *hs);
void gptq_hessian_reset(struct gptq_hessian *hs);
/* Adds `rows` input rows of hs->cols values each, row stride ld. */
void gptq_hessian_add(struct gptq_hessian *hs, const float *x, int64_t rows, int64_t ld);
/* Writes the full symmetric H = 2/n * sum into h [cols, cols] (zeros when n = 0). */
void gptq_hessian_get(const struct gptq_hessian *hs, double *h);

struct gptq_options {
	double damp;                   /* added to the diagonal: damp * mean(diag H), >= 0 */
	int act_order;                 /* columns by decreasing diag H, groups fitted up front */
	int block;                     /* columns per block (> 0) */
};

/* The options of the published method: damp 0.01, no act-order, blocks of 128. */
struct gptq_options gptq_options_default(void);

/* What one run did, for warnings and reports. */
struct gptq_stats {
	double damp;                   /* damping fraction finally used (raised when the
					  Cholesky factorization failed at the one asked) */
	int damp_raises;               /* how many times it was raised */
	int64_t dead_columns;          /* inputs that were always 0 (weights set to 0) */
	double loss;                   /* sum (w - q)^2 / d^2 / 2, d the pivot of H^-1 */
};

/* The grid the weights are rounded onto. `fit` sets the parameters of the group of
   `group` columns starting at original column col0 from their current values
   (cols[k * rows + r] = column col0 + k, row r). `round` returns the grid value of weight
   w at (row, col) and may record its code. */
struct gptq_grid {
	int group;
	int (*fit)(void *user, int64_t col0, const double *cols, int64_t rows,
		   struct lwq_err *err);
	double (*round)(void *user, int64_t row, int64_t col, double w);
	void *user;
};

/* Quantizes w ([rows, cols] row-major, replaced by the grid values) with H ([cols, cols],
   destroyed) as Frantar et al. publish it: dead columns (H_jj = 0) get H_jj = 1 and
   weight 0; damping; U = the upper Cholesky factor of H^-1; columns in blocks with the
   lazy batch update; each group fitted when its first column comes up, from the weights
   as updated so far (with act_order: every group fitted first, from the original
   weights in original column order). When the factorization fails, the damping fraction
   is raised (doubled, at least 0.01) up to 1; past that the error says the Hessian is
   not positive definite. grid->group must divide cols. */
int gptq_quantize_grid(double *w, int64_t rows, int64_t cols, double *h,
		       const struct gptq_options *opt, const struct gptq_grid *grid,
		       struct gptq_stats *stats, struct lwq_err *err);

/* gptq_quantize_grid on float weights with H from hs: w itself is not changed (the
   caller decodes what its grid recorded). */
int gptq_quantize_floats(const float *w, int64_t rows, int64_t cols,
			 const struct gptq_hessian *hs, const struct gptq_options *opt,
			 const struct gptq_grid *grid, struct gptq_stats *stats,
			 struct lwq_err *err);

/* GPTQ onto lwq's RTN grid (quant_rtn.h) at `bits`, groups of g: fills codes, scales and
   zeros in rtn_quantize's layout and replaces w by rtn_dequantize of them, bit for bit. */
int gptq_quantize_rtn(float *w, int64_t rows, int64_t cols, int bits, int g,
		      const struct gptq_hessian *hs, const struct gptq_options *opt,
		      uint8_t *codes, float *scales, float *zeros, struct gptq_stats *stats,
		      struct lwq_err *err);

/* GPTQ onto the grid of GGUF block type `type` (gguf_grid.h: Q4_0, Q5_0, Q8_0, Q2_K..Q6_K):
   when a block's first column comes up (with act_order: all blocks first, from the
   original weights), every row's block is fitted from the weights as updated so far by
   gguf_quantize_row_weighted with importance[cols] (NULL: unweighted), exactly as the
   GGUF export fits it; its scales, mins and super-block scales then stay fixed and GPTQ
   writes each element's code on that grid. out receives rows * gguf_row_bytes(type, cols)
   bytes and w is replaced by their decoding (gguf_dequantize_row), bit for bit. */
int gptq_quantize_gguf(float *w, int64_t rows, int64_t cols, int type,
		       const float *importance, const struct gptq_hessian *hs,
		       const struct gptq_options *opt, uint8_t *out, struct gptq_stats *stats,
		       struct lwq_err *err);

#endif
