/* bench_layer.c: one decoder layer of lwq-ref-24L's shape (hidden 288, intermediate 768,
   6 heads of 48, 2 KV heads) on 2 windows of 512 tokens, random weights: the best of
   many calls, so that a loaded machine still shows what the code costs, with the
   FLOP/s of the linears and the causal attention. Not a pass/fail test.
     bench_layer [REPEATS] (threads: OPENBLAS_NUM_THREADS; the BLAS kernels and idle
   threads are set up as lwq does it, see man lwq, ENVIRONMENT) */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_clock.h"
#include "blas_kernels.h"
#include "forward.h"

#define T 512
#define WINDOWS 2

static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

static float noise(float scale)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return scale * (float)((double)(rng >> 11) / 9007199254740992.0 - 0.5);
}

int main(int argc, char **argv)
{
	blas_pick_kernels(argv);
	blas_describe(stdout);
	int repeats = argc > 1 ? atoi(argv[1]) : 40;
	struct model_config c;
	memset(&c, 0, sizeof c);
	strcpy(c.architecture, "LlamaForCausalLM");
	c.n_layers = 1, c.hidden = 288, c.intermediate = 768, c.n_heads = 6;
	c.n_kv_heads = 2, c.head_dim = 48, c.vocab = 8192, c.max_seq_len = T;
	c.rope_theta = 10000, c.norm_eps = 1e-5, c.bos_id = c.eos_id = -1;
	strcpy(c.rope_scaling, "none");
	struct lwq_err err = { "" };
	struct forward_state *fs = forward_new(&c, T, WINDOWS, &err);
	struct layer_weights *lw = fs ? layer_weights_new(&c, &err) : NULL;
	if (!lw) {
		fprintf(stderr, "bench_layer: %s\n", err.msg);
		return 1;
	}
	for (int64_t i = 0; i < lw->n_floats; i++)
		lw->block[i] = noise(0.1f);
	for (int i = 0; i < c.hidden; i++)
		lw->attn_norm[i] = lw->mlp_norm[i] = 1.0f;
	int64_t n = (int64_t)WINDOWS * T * c.hidden;
	float *x0 = malloc((size_t)n * sizeof *x0), *x = malloc((size_t)n * sizeof *x);
	for (int64_t i = 0; i < n; i++)
		x0[i] = noise(2.0f);
	double best = 1e30, best_cpu = 1e30;
	for (int r = 0; r < repeats; r++) {
		memcpy(x, x0, (size_t)n * sizeof *x);
		double t0 = bench_seconds(), c0 = bench_cpu_seconds();
		layer_forward(fs, lw, x, WINDOWS, NULL);
		double dt = bench_seconds() - t0, dc = bench_cpu_seconds() - c0;
		best = dt < best ? dt : best;
		best_cpu = dc < best_cpu ? dc : best_cpu;
	}
	double q = c.n_heads * c.head_dim, k = c.n_kv_heads * c.head_dim, h = c.hidden;
	double lin = 2.0 * (h * (q + 2 * k) + q * h + 3 * h * c.intermediate);
	double attn = 2.0 * (T + 1) * q;           /* QK^T and PV over the causal half */
	double flops = (lin + attn) * T * WINDOWS;
	printf("layer_forward, %d windows of %d, %d threads: best %.2f ms (%.1f GFLOP/s, "
	       "attention %.0f%% of the FLOPs), best CPU %.2f ms\n", WINDOWS, T,
	       openblas_get_num_threads(), best * 1e3, flops / best / 1e9,
	       100 * attn / (lin + attn), best_cpu * 1e3);
	free(x0), free(x);
	layer_weights_free(lw);
	forward_free(fs);
	return 0;
}
