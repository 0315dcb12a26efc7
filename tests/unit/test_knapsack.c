/* test_knapsack.c: the exact width allocation against brute force, and Spearman's rho
   against hand-worked values and the no-ties formula. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "knapsack.h"
#include "plan_optimize.h"
#include "planner.h"
#include "rank_corr.h"
#include "tap.h"

#define N 6
#define M 3

static uint32_t rng = 7;
static uint32_t next(void)
{
	rng = rng * 1664525u + 1013904223u;
	return rng >> 8;
}

/* Best value within the budget over all M^N plans (-1 when none fits). */
static double brute(const int64_t *bytes, const double *value, int64_t budget)
{
	double best = -1;
	int c[N] = { 0 };
	for (;;) {
		int64_t b = 0;
		double v = 0;
		int allowed = 1;
		for (int i = 0; i < N; i++) {
			allowed &= bytes[i * M + c[i]] >= 0;
			b += bytes[i * M + c[i]], v += value[i * M + c[i]];
		}
		if (allowed && b <= budget && (best < 0 || v < best))
			best = v;
		int i = 0;
		while (i < N && ++c[i] == M)
			c[i++] = 0;
		if (i == N)
			return best;
	}
}

static void check_random(int trial, int shared_shapes)
{
	int64_t bytes[N * M];
	double value[N * M];
	int64_t scale = 1 + next() % 50;
	for (int i = 0; i < N; i++)
		for (int j = 0; j < M; j++) {
			int64_t b = shared_shapes ? (int64_t)(j + 2) * 1000 + 36 : 100 + next() % 900;
			bytes[i * M + j] = b * scale;
			value[i * M + j] = (double)(next() % 1000) / 997.0;
		}
	if (trial % 3 == 0)        /* a pinned layer: one allowed width */
		bytes[2 * M + 0] = bytes[2 * M + 2] = -1;
	struct mck_problem p = { N, M, bytes, value, 0, 0 };
	int64_t lo, hi;
	mck_range(&p, &lo, &hi);
	int good = 1;
	for (int k = 0; k <= 10; k++) {
		p.budget = lo + (hi - lo) * k / 10 + (k == 5 ? 7 : 0);
		int choice[N];
		double got;
		int64_t used;
		struct lwq_err err = { "" };
		if (mck_solve(&p, choice, &got, &used, &err) < 0) {
			good = 0;
			continue;
		}
		double want = brute(bytes, value, p.budget), sum = 0;
		int64_t b = 0;
		for (int i = 0; i < N; i++)
			sum += value[i * M + choice[i]], b += bytes[i * M + choice[i]];
		good &= fabs(got - want) < 1e-9 && fabs(sum - got) < 1e-9 && b == used &&
			b <= p.budget;
	}
	ok(good, "random problem %d (%s): exact optimum at 11 budgets", trial,
	   shared_shapes ? "equal layers" : "uneven sizes");
}

static void check_errors(void)
{
	int64_t bytes[2 * 2] = { 10, 20, 10, 20 };
	double value[2 * 2] = { 1, 0, 1, 0 };
	struct mck_problem p = { 2, 2, bytes, value, 19, 0 };
	int choice[2];
	struct lwq_err err = { "" };
	ok(mck_solve(&p, choice, NULL, NULL, &err) < 0 && strstr(err.msg, "20 to 40"),
	   "budget below the smallest plan: %s", err.msg);
	p.budget = 30;
	ok(mck_solve(&p, choice, NULL, NULL, &err) == 0 && choice[0] + choice[1] == 1,
	   "budget 30 of 20..40: one layer gets the better width");
	p.budget = 40, p.max_cells = 1;
	ok(mck_solve(&p, choice, NULL, NULL, &err) < 0 && strstr(err.msg, "cells"),
	   "table limit: %s", err.msg);
	bytes[2] = bytes[3] = -1;
	p.max_cells = 0;
	ok(mck_solve(&p, choice, NULL, NULL, &err) < 0 && strstr(err.msg, "layer 1"),
	   "a layer without widths: %s", err.msg);
}

static void check_spearman(void)
{
	double a[4] = { 1, 2, 2, 3 }, b[4] = { 1, 2, 3, 4 }, r[4];
	average_ranks(a, 4, r);
	ok(r[0] == 1 && r[1] == 2.5 && r[2] == 2.5 && r[3] == 4, "ties share ranks 2.5");
	ok(fabs(spearman(a, b, 4) - 4.5 / sqrt(22.5)) < 1e-12, "rho with a tie = %.6f",
	   spearman(a, b, 4));
	double c[4] = { 40, 30, 20, 10 };
	ok(spearman(b, c, 4) == -1 && spearman(b, b, 4) == 1, "reversed -1, same 1");
	ok(isnan(spearman(b, (double[]){ 5, 5, 5, 5 }, 4)), "a constant set gives NAN");
	int good = 1;
	for (int t = 0; t < 20; t++) {
		enum { n = 24 };
		double x[n], y[n];
		int perm[n];
		for (int i = 0; i < n; i++)
			perm[i] = i;
		for (int i = n - 1; i > 0; i--) {
			int j = (int)(next() % (uint32_t)(i + 1)), tmp = perm[i];
			perm[i] = perm[j], perm[j] = tmp;
		}
		double d2 = 0;
		for (int i = 0; i < n; i++) {
			x[i] = i * 0.37 + 1, y[i] = exp(perm[i] * 0.1);
			d2 += (double)(i - perm[i]) * (i - perm[i]);
		}
		good &= fabs(spearman(x, y, n) - (1 - 6 * d2 / (n * ((double)n * n - 1)))) < 1e-12;
	}
	ok(good, "20 random permutations: rho = 1 - 6 sum d^2 / (n (n^2 - 1))");
}

/* plan_optimize on a 6-layer model: the plan equals the best of all 3^6 plans priced by
   plan_bytes_for, in both targets; pins hold; too small a budget gives the range. */
static void check_optimize(void)
{
	struct model_config cfg = { 0 };
	cfg.n_layers = 6, cfg.hidden = 256, cfg.intermediate = 288, cfg.n_heads = 4;
	cfg.n_kv_heads = 2, cfg.head_dim = 64, cfg.vocab = 64;
	snprintf(cfg.rope_scaling, sizeof cfg.rope_scaling, "none");
	int widths[3] = { 2, 3, 4 }, pins[6];
	float cost[6 * 3];
	for (int i = 0; i < 6; i++) {
		pins[i] = PIN_FREE;
		for (int j = 0; j < 3; j++)
			cost[i * 3 + j] = (float)(next() % 1000) / (float)(1 + j * j * 3);
	}
	pins[4] = 8;
	for (int target = 0; target < 2; target++) {
		struct optimize_request req = { .n_widths = 3, .widths = { 2, 3, 4 }, .cost = cost,
						.cost_widths = widths, .n_cost_widths = 3,
						.target = (enum size_target)target, .group_size = 32,
						.pins = pins };
		int64_t lo, hi;
		optimize_budget_range(&cfg, &req, &lo, &hi);
		struct bit_plan *plan = bit_plan_new(6), *trial = bit_plan_new(6);
		trial->group_size = 32;
		int good = 1;
		for (int k = 0; k <= 8; k++) {
			int64_t budget = lo + (hi - lo) * k / 8;
			double got;
			struct lwq_err err = { "" };
			good &= plan_optimize_bytes(&cfg, &req, budget, plan, &got, &err) == 0;
			double best = -1;
			for (int code = 0; code < 729; code++) {
				double v = 0;
				for (int i = 0, c = code; i < 6; i++, c /= 3) {
					trial->bits[i] = i == 4 ? 8 : widths[c % 3];
					v += i == 4 ? 0 : cost[i * 3 + c % 3];
				}
				if (plan_bytes_for(&cfg, req.target, trial) <= budget && (best < 0 || v < best))
					best = v;
			}
			good &= fabs(got - best) < 1e-6 && plan->bits[4] == 8 &&
				plan_bytes_for(&cfg, req.target, plan) <= budget;
		}
		ok(good, "--target %s: optimal plans equal brute force at 9 budgets, pin kept",
		   size_target_name(req.target));
		struct lwq_err err = { "" };
		ok(plan_optimize_bytes(&cfg, &req, lo - 1, plan, NULL, &err) < 0 &&
		   strstr(err.msg, "below the smallest plan"), "budget below the range: %s", err.msg);
		bit_plan_free(plan);
		bit_plan_free(trial);
	}
	struct optimize_request bad = { .n_widths = 2, .widths = { 2, 5 }, .cost = cost,
					.cost_widths = widths, .n_cost_widths = 3, .group_size = 32 };
	struct lwq_err err = { "" };
	ok(optimize_check(&cfg, &bad, &err) < 0 && strstr(err.msg, "width 5: the lwq format"),
	   "width 5: %s", err.msg);
	bad.target = SIZE_GGUF;
	ok(optimize_check(&cfg, &bad, &err) < 0 && strstr(err.msg, "width 5: plan files"),
	   "gguf, width 5: %s", err.msg);
	bad.target = SIZE_LWQ;
	bad.widths[1] = 8;
	ok(optimize_check(&cfg, &bad, &err) < 0 && strstr(err.msg, "not measured"),
	   "width 8 not measured: %s", err.msg);
}

int main(void)
{
	check_optimize();
	for (int t = 0; t < 12; t++)
		check_random(t, t % 2);
	check_errors();
	check_spearman();
	return tap_done();
}
