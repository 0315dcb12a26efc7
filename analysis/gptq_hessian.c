/* gptq_hessian.c: H = 2/n sum x x^T of a linear's calibration inputs, in double. */
#include "gptq.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

/* Input rows converted to double per dsyrk call: large enough for BLAS to run near its
   peak, small enough to stay a few MiB for the widest inputs. */
#define CHUNK_ROWS 256

struct gptq_hessian *gptq_hessian_new(int cols, struct lwq_err *err)
{
	if (cols < 1)
		return lwq_err_set(err, "Hessian of %d columns", cols), NULL;
	struct gptq_hessian *hs = calloc(1, sizeof *hs);
	if (hs) {
		hs->cols = cols;
		hs->sum = calloc((size_t)cols * (size_t)cols, sizeof(double));
		hs->chunk = malloc((size_t)CHUNK_ROWS * (size_t)cols * sizeof(double));
	}
	if (!hs || !hs->sum || !hs->chunk) {
		gptq_hessian_free(hs);
		return lwq_err_set(err, "out of memory for a %d x %d Hessian", cols, cols), NULL;
	}
	return hs;
}

void gptq_hessian_free(struct gptq_hessian *hs)
{
	if (!hs)
		return;
	free(hs->sum);
	free(hs->chunk);
	free(hs);
}

void gptq_hessian_reset(struct gptq_hessian *hs)
{
	memset(hs->sum, 0, (size_t)hs->cols * (size_t)hs->cols * sizeof(double));
	hs->n_rows = 0;
}

void gptq_hessian_add(struct gptq_hessian *hs, const float *x, int64_t rows, int64_t ld)
{
	int n = hs->cols;
	for (int64_t r0 = 0; r0 < rows; r0 += CHUNK_ROWS) {
		int k = rows - r0 < CHUNK_ROWS ? (int)(rows - r0) : CHUNK_ROWS;
		for (int i = 0; i < k; i++)
			for (int j = 0; j < n; j++)
				hs->chunk[(int64_t)i * n + j] = x[(r0 + i) * ld + j];
		/* sum += chunk^T chunk, upper triangle only (symmetrized by _get) */
		cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, n, k, 1.0, hs->chunk, n, 1.0,
			    hs->sum, n);
	}
	hs->n_rows += rows;
}

void gptq_hessian_get(const struct gptq_hessian *hs, double *h)
{
	int n = hs->cols;
	double scale = hs->n_rows > 0 ? 2.0 / (double)hs->n_rows : 0.0;
	for (int i = 0; i < n; i++)
		for (int j = i; j < n; j++) {
			double v = hs->sum[(int64_t)i * n + j] * scale;
			h[(int64_t)i * n + j] = v;
			h[(int64_t)j * n + i] = v;
		}
}
