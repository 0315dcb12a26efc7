/* bench_planner.c: how long ranking + planning takes for a 128-layer model (a speed figure). */
#include <stdio.h>
#include <string.h>
#include "bench_clock.h"

#include "order.h"
#include "plan.h"
#include "planner.h"

int main(void)
{
	/* A Llama-2-70B-like shape with 128 layers. */
	struct model_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.n_layers = 128;
	cfg.hidden = 8192;
	cfg.intermediate = 28672;
	cfg.n_heads = 64;
	cfg.n_kv_heads = 8;
	cfg.head_dim = 128;
	cfg.vocab = 32000;
	cfg.rope_theta = 10000;
	cfg.norm_eps = 1e-5;
	float lim[128];
	for (int i = 0; i < 128; i++)
		lim[i] = (float)((i * 37) % 101) / 101.0f;
	int pins[128];
	for (int i = 0; i < 128; i++)
		pins[i] = i % 17 == 0 ? 4 : PIN_FREE;
	struct plan_request req = { .high_bits = 4, .low_bits = 2, .group_size = 128,
				    .pins = pins, .order = "lim" };
	struct order_spec spec;
	order_parse("lim", &spec, NULL);
	int ranking[128];
	int64_t m_lo, m_hi;
	plan_budget_range(&cfg, &req, &m_lo, &m_hi);
	struct bit_plan *plan = bit_plan_new(128);
	const int reps = 20000;
	double t0 = bench_seconds();
	int64_t checksum = 0;
	for (int r = 0; r < reps; r++) {
		int64_t budget = m_lo + (m_hi - m_lo) / reps * r;
		order_ranking(&spec, lim, NULL, 128, ranking, NULL);
		plan_from_budget(&cfg, ranking, budget, &req, plan, NULL);
		checksum += plan_bytes(&cfg, plan);
	}
	double per = (bench_seconds() - t0) / reps;
	printf("rank + plan + size, 128 layers, with pins: %.2f us per plan (%d plans, checksum %lld)\n",
	       per * 1e6, reps, (long long)(checksum % 1000003));
	bit_plan_free(plan);
	return 0;
}
