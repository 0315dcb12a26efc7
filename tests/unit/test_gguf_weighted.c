/* test_gguf_weighted.c: block scales fitted to importance weights: no weights is the plain
   encoder bit for bit, equal weights change nothing material, and real weights lower the
   weighted error of every type. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gguf_quants.h"
#include "tap.h"

#define N 1024

static uint64_t state = 0x9e3779b97f4a7c15ull;

static double uniform(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return (double)(state >> 11) / 9007199254740992.0;
}

/* Weighted squared error of the decoded row. */
static double weighted_error(int t, const float *x, const float *w, const float *imp)
{
	size_t bytes = gguf_row_bytes(t, N);
	uint8_t *row = malloc(bytes);
	float *y = malloc(N * sizeof *y);
	gguf_quantize_row_weighted(t, x, w, N, row);
	gguf_dequantize_row(t, row, N, y);
	double e = 0;
	for (int i = 0; i < N; i++)
		e += (double)imp[i] * (y[i] - x[i]) * (y[i] - x[i]);
	free(row);
	free(y);
	return e;
}

int main(void)
{
	static const int types[] = { GGUF_TYPE_Q4_0, GGUF_TYPE_Q5_0, GGUF_TYPE_Q8_0,
				     GGUF_TYPE_Q2_K, GGUF_TYPE_Q3_K, GGUF_TYPE_Q4_K,
				     GGUF_TYPE_Q5_K, GGUF_TYPE_Q6_K };
	float x[N], imp[N];
	for (int i = 0; i < N; i++) {
		/* heavy-ish tails, and importance spread over three orders of magnitude */
		double u = uniform() - 0.5;
		x[i] = (float)(u * u * u * 8.0 + 0.1 * (uniform() - 0.5));
		imp[i] = (float)pow(10.0, 3.0 * uniform() - 1.5);
	}
	for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
		int t = types[k];
		size_t bytes = gguf_row_bytes(t, N);
		uint8_t *a = malloc(bytes), *b = malloc(bytes);
		gguf_quantize_row(t, x, N, a);
		gguf_quantize_row_weighted(t, x, NULL, N, b);
		ok(memcmp(a, b, bytes) == 0, "%s: no weights = the plain encoder, byte for byte",
		   gguf_type_name(t));
		double plain = weighted_error(t, x, NULL, imp), fitted = weighted_error(t, x, imp, imp);
		ok(fitted < plain, "%s: weighted error %.5g with the weights < %.5g without",
		   gguf_type_name(t), fitted, plain);
		free(a);
		free(b);
	}
	return tap_done();
}
