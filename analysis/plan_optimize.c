/* plan_optimize.c: per-layer widths by the exact multiple-choice knapsack (knapsack.c). */
#include "plan_optimize.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "knapsack.h"
#include "planner.h"

static int cost_column(const struct optimize_request *req, int bits)
{
	for (int j = 0; j < req->n_cost_widths; j++)
		if (req->cost_widths[j] == bits)
			return j;
	return -1;
}

static int pinned(const struct optimize_request *req, int layer)
{
	return req->pins && req->pins[layer] != PIN_FREE;
}

int optimize_check(const struct model_config *cfg, const struct optimize_request *req,
		   struct lwq_err *err)
{
	if (req->n_widths < 1 || req->n_widths > OPTIMIZE_MAX_WIDTHS)
		return lwq_err_set(err, "give 1 to %d widths", OPTIMIZE_MAX_WIDTHS);
	for (int w = 0; w < req->n_widths; w++) {
		int b = req->widths[w];
		if (layer_bytes_for(cfg, req->target, b, req->group_size) < 0 ||
		    (req->target == SIZE_LWQ && b != 2 && b != 3 && b != 4 && b != 8))
			return lwq_err_set(err, "width %d: the %s format cannot store it (%s)", b,
					   size_target_name(req->target),
					   req->target == SIZE_LWQ ? "2, 3, 4 or 8 bits"
								   : "2 to 6 or 8 bits");
		if (b == 0 || !plan_bits_supported(b))
			return lwq_err_set(err, "width %d: plan files store 2, 3, 4 or 8 bits", b);
		if (cost_column(req, b) < 0)
			return lwq_err_set(err, "width %d was not measured", b);
		for (int v = 0; v < w; v++)
			if (req->widths[v] == b)
				return lwq_err_set(err, "width %d is listed twice", b);
	}
	if (req->target == SIZE_LWQ && group_size_check(cfg, req->group_size, err) < 0)
		return -1;
	for (int i = 0; req->pins && i < cfg->n_layers; i++)
		if (pinned(req, i) && (!plan_bits_supported(req->pins[i]) ||
				       layer_bytes_for(cfg, req->target, req->pins[i],
						       req->group_size) < 0))
			return lwq_err_set(err, "layer %d is pinned to %d bits, which the %s "
					   "format cannot store", i, req->pins[i],
					   size_target_name(req->target));
	return 0;
}

/* The knapsack: items are layers, options the widths (a pinned layer has one). In
   bytes mode an option weighs the layer's bytes, otherwise its bits (every layer has the
   same number of linear weights, so average bits is a sum of bits). */
struct problem {
	struct mck_problem p;
	int64_t *weight;
	double *value;
	int *bits;                 /* the width of each option */
};

static int build(const struct model_config *cfg, const struct optimize_request *req,
		 int by_bytes, struct problem *pr, struct lwq_err *err)
{
	int n = cfg->n_layers, m = req->n_widths + 1;   /* the extra option: a pin */
	pr->weight = malloc((size_t)n * m * sizeof *pr->weight);
	pr->value = malloc((size_t)n * m * sizeof *pr->value);
	pr->bits = malloc((size_t)n * m * sizeof *pr->bits);
	if (!pr->weight || !pr->value || !pr->bits)
		return lwq_err_set(err, "out of memory");
	for (int i = 0; i < n; i++)
		for (int j = 0; j < m; j++) {
			int64_t k = (int64_t)i * m + j;
			int b = j < req->n_widths ? req->widths[j] : pinned(req, i) ? req->pins[i] : -1;
			int allowed = pinned(req, i) ? j == m - 1 : j < m - 1;
			pr->bits[k] = b;
			pr->weight[k] = !allowed ? -1 : by_bytes ?
				layer_bytes_for(cfg, req->target, b, req->group_size) : b;
			int col = cost_column(req, b);
			pr->value[k] = allowed && !pinned(req, i) && col >= 0 ?
				(double)req->cost[(int64_t)i * req->n_cost_widths + col] : 0.0;
		}
	pr->p = (struct mck_problem){ .n_items = n, .n_choices = m, .bytes = pr->weight,
				      .value = pr->value };
	return 0;
}

static void release(struct problem *pr)
{
	free(pr->weight), free(pr->value), free(pr->bits);
}

void optimize_budget_range(const struct model_config *cfg, const struct optimize_request *req,
			   int64_t *min_bytes, int64_t *max_bytes)
{
	struct problem pr = { 0 };
	*min_bytes = *max_bytes = 0;
	if (build(cfg, req, 1, &pr, NULL) == 0) {
		mck_range(&pr.p, min_bytes, max_bytes);
		*min_bytes += fixed_bytes_for(cfg, req->target);
		*max_bytes += fixed_bytes_for(cfg, req->target);
	}
	release(&pr);
}

void optimize_avg_bits_range(const struct model_config *cfg,
			     const struct optimize_request *req, double *min_bits,
			     double *max_bits)
{
	struct problem pr = { 0 };
	int64_t lo = 0, hi = 0;
	if (build(cfg, req, 0, &pr, NULL) == 0)
		mck_range(&pr.p, &lo, &hi);
	release(&pr);
	*min_bits = (double)lo / cfg->n_layers;
	*max_bits = (double)hi / cfg->n_layers;
}

static int solve(const struct model_config *cfg, const struct optimize_request *req,
		 int by_bytes, int64_t budget, struct bit_plan *plan, double *total_cost,
		 struct lwq_err *err)
{
	if (optimize_check(cfg, req, err) < 0)
		return -1;
	if (plan->n_layers != cfg->n_layers)
		return lwq_err_set(err, "the plan has %d layers, the model %d", plan->n_layers,
				   cfg->n_layers);
	struct problem pr = { 0 };
	int *choice = malloc((size_t)cfg->n_layers * sizeof *choice);
	int rc = choice ? build(cfg, req, by_bytes, &pr, err) : lwq_err_set(err, "out of memory");
	pr.p.budget = budget;
	if (rc == 0)
		rc = mck_solve(&pr.p, choice, total_cost, NULL, err);
	if (rc == 0) {
		int lo = req->widths[0], hi = req->widths[0];
		for (int w = 1; w < req->n_widths; w++) {
			lo = req->widths[w] < lo ? req->widths[w] : lo;
			hi = req->widths[w] > hi ? req->widths[w] : hi;
		}
		for (int i = 0; i < cfg->n_layers; i++) {
			plan->bits[i] = pr.bits[(int64_t)i * pr.p.n_choices + choice[i]];
			if (plan->pinned)
				plan->pinned[i] = (unsigned char)pinned(req, i);
		}
		plan->group_size = req->group_size;
		plan->high_bits = hi, plan->low_bits = lo, plan->mid_bits = 0;
		for (int w = 0; req->n_widths == 3 && w < 3; w++)
			if (req->widths[w] != lo && req->widths[w] != hi)
				plan->mid_bits = req->widths[w];
		snprintf(plan->order, sizeof plan->order, "optimal");
		plan->model_params = total_params(cfg);
	}
	free(choice);
	release(&pr);
	return rc;
}

int plan_optimize_bytes(const struct model_config *cfg, const struct optimize_request *req,
			int64_t budget_bytes, struct bit_plan *plan, double *total_cost,
			struct lwq_err *err)
{
	int64_t lo, hi;
	if (optimize_check(cfg, req, err) < 0)
		return -1;
	optimize_budget_range(cfg, req, &lo, &hi);
	if (budget_bytes < lo)
		return lwq_err_set(err, "budget %lld bytes is below the smallest plan: feasible "
				   "range %lld .. %lld bytes", (long long)budget_bytes,
				   (long long)lo, (long long)hi);
	return solve(cfg, req, 1, budget_bytes - fixed_bytes_for(cfg, req->target), plan,
		     total_cost, err);
}

int plan_optimize_avg_bits(const struct model_config *cfg, const struct optimize_request *req,
			   double avg_bits, struct bit_plan *plan, double *total_cost,
			   struct lwq_err *err)
{
	double lo, hi;
	if (optimize_check(cfg, req, err) < 0)
		return -1;
	optimize_avg_bits_range(cfg, req, &lo, &hi);
	if (!(avg_bits >= lo - 1e-9))
		return lwq_err_set(err, "an average of %g bits is below the smallest plan: "
				   "feasible range %.4g .. %.4g bits", avg_bits, lo, hi);
	int64_t total = (int64_t)floor(avg_bits * cfg->n_layers + 1e-9);
	return solve(cfg, req, 0, total, plan, total_cost, err);
}
