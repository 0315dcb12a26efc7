/* sgemm_peak.c: the machine's measured sgemm FLOP/s, the yardstick for forward-pass speed. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include "bench_clock.h"

/* Best of `reps` timings of C[m,n] = A[m,k] B[n,k]^T (the shape of a linear layer). */
static double gflops(int m, int n, int k, int reps)
{
	float *a = malloc((size_t)m * k * sizeof(float));
	float *b = malloc((size_t)n * k * sizeof(float));
	float *c = malloc((size_t)m * n * sizeof(float));
	for (size_t i = 0; i < (size_t)m * k; i++)
		a[i] = (float)(i % 7) * 0.1f;
	for (size_t i = 0; i < (size_t)n * k; i++)
		b[i] = (float)(i % 5) * 0.1f;
	double best = 1e30;
	for (int r = 0; r < reps; r++) {
		double t = bench_seconds();
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, a, k, b, k,
			    0.0f, c, n);
		t = bench_seconds() - t;
		if (t < best)
			best = t;
	}
	free(a);
	free(b);
	free(c);
	return 2.0 * m * n * k / best * 1e-9;
}

int main(int argc, char **argv)
{
	int m = argc > 1 ? atoi(argv[1]) : 2048;
	int n = argc > 2 ? atoi(argv[2]) : 2048;
	int k = argc > 3 ? atoi(argv[3]) : 2048;
	int reps = argc > 4 ? atoi(argv[4]) : 7;
	if (m <= 0 || n <= 0 || k <= 0 || reps <= 0) {
		fprintf(stderr, "usage: sgemm_peak [M N K [REPS]]\n");
		return 2;
	}
	printf("sgemm %dx%dx%d threads %d: %.1f GFLOP/s\n", m, n, k, openblas_get_num_threads(),
	       gflops(m, n, k, reps));
	return 0;
}
