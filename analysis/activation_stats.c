/* activation_stats.c: what capture measures on residual streams and linear inputs. */
#include "activation_stats.h"

#include <math.h>

void cosine_rows(const float *a, const float *b, int64_t rows, int n, float *out)
{
	for (int64_t r = 0; r < rows; r++) {
		const float *x = a + r * n, *y = b + r * n;
		double dot = 0, xx = 0, yy = 0;
		for (int j = 0; j < n; j++) {
			dot += (double)x[j] * y[j];
			xx += (double)x[j] * x[j];
			yy += (double)y[j] * y[j];
		}
		if (xx == 0 || yy == 0)
			out[r] = xx == yy ? 1.0f : 0.0f;
		else
			out[r] = (float)(dot / (sqrt(xx) * sqrt(yy)));
	}
}

void add_column_squares(double *acc, const float *x, int64_t rows, int cols, int64_t ld)
{
	for (int64_t r = 0; r < rows; r++) {
		const float *row = x + r * ld;
		for (int c = 0; c < cols; c++)
			acc[c] += (double)row[c] * row[c];
	}
}

void spread_positions(int64_t n_tokens, int64_t n_keep, int32_t *pos)
{
	for (int64_t k = 0; k < n_keep; k++)
		pos[k] = (int32_t)(k * n_tokens / n_keep);
}
