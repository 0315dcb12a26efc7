/* bench_optimize.c: time of the exact width allocation (multiple-choice knapsack) at 128
   layers x 6 widths, with the byte sizes of a 7B-class layer (hidden 4096, MLP 11008). */
#include <stdio.h>
#include <stdlib.h>

#include "bench_clock.h"
#include "knapsack.h"
#include "plan.h"
#include "size_target.h"

int main(void)
{
	struct model_config cfg = { 0 };
	cfg.n_layers = 128, cfg.hidden = 4096, cfg.intermediate = 11008, cfg.n_heads = 32;
	cfg.n_kv_heads = 32, cfg.head_dim = 128, cfg.vocab = 32000;
	snprintf(cfg.rope_scaling, sizeof cfg.rope_scaling, "none");
	enum { N = 128, M = 6 };
	static const int widths[3][M] = { { 2, 3, 4, 5, 6, 8 }, { 2, 3, 4, 5, 6, 8 },
					  { 2, 4, 8, 2, 4, 8 } };
	static int64_t bytes[N * M];
	static double value[N * M];
	static int choice[N];
	uint32_t rng = 1;
	for (int target = 0; target < 3; target++) {
		int64_t lo = 0, hi = 0;
		for (int i = 0; i < N; i++)
			for (int j = 0; j < M; j++) {
				int b = widths[target][j];
				bytes[i * M + j] = target ? layer_bytes_gguf(&cfg, b, 128)
							  : (int64_t)(b * 4096LL * 4096 * 4 / 8 * 3);
				if (target == 2 && j >= 3)
					bytes[i * M + j] = -1;    /* the explorer's 8/4/2 pair */
				rng = rng * 1664525u + 1013904223u;
				value[i * M + j] = (double)(rng >> 8) / (1 << 24) / (1 << b);
			}
		struct mck_problem p = { N, M, bytes, value, 0, 0 };
		mck_range(&p, &lo, &hi);
		int rounds = 200;
		double t0 = bench_seconds();
		for (int r = 0; r < rounds; r++) {
			p.budget = lo + (hi - lo) * (r % 50) / 50;
			if (mck_solve(&p, choice, NULL, NULL, NULL) != 0)
				return 1;
		}
		printf("%d layers x %d widths (%s sizes): %.3f ms per exact allocation\n", N,
		       target == 2 ? 3 : M, target ? "GGUF" : "bits-proportional",
		       (bench_seconds() - t0) / rounds * 1e3);
	}
	return 0;
}
