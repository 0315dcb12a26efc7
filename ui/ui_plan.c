/* ui_plan.c: adapts the planner (analysis/planner.h, order.h) to the explorer's slider. */
#include "ui_plan.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rank_corr.h"

/* Layer arrays on the stack; the explorer shows at most this many layers. */
#define UI_MAX_LAYERS_PLAN 512

const enum order_kind ui_orders[UI_ORDER_COUNT] = {
	ORDER_LIM, ORDER_ZD, ORDER_ZD_INVERSE, ORDER_REVERSE_LIM, ORDER_RANDOM, ORDER_MEASURED,
	ORDER_OPTIMAL,
};

const char *ui_order_name(enum order_kind o)
{
	switch (o) {
	case ORDER_LIM: return "lim";
	case ORDER_ZD: return "zd";
	case ORDER_ZD_INVERSE: return "zd-inverse";
	case ORDER_REVERSE_LIM: return "reverse-lim";
	case ORDER_RANDOM: return "random";
	case ORDER_PRUNE: return "prune";
	case ORDER_MEASURED: return "measured";
	case ORDER_OPTIMAL: return "optimal";
	default: return "manual";
	}
}

/* The narrowest measured width's KLD per layer: the measured order's importance. */
static int measured_importance(const struct explorer_data *d, float *importance)
{
	if (!d->measured || d->n_measured < 1)
		return -1;
	int narrow = 0;
	for (int w = 1; w < d->n_measured; w++)
		if (d->measured_widths[w] < d->measured_widths[narrow])
			narrow = w;
	for (int i = 0; i < d->n_layers; i++)
		importance[i] = d->measured[i * d->n_measured + narrow];
	return 0;
}

int ui_order_available(const struct explorer_data *d, enum order_kind o)
{
	struct order_spec spec = { .kind = o };
	if (o == ORDER_MEASURED || o == ORDER_OPTIMAL)
		return d->measured != NULL;
	if (order_needs_lim(&spec))
		return d->lim != NULL;
	if (order_needs_zd(&spec))
		return d->zd != NULL;
	return o == ORDER_RANDOM;
}

int ui_rank_layers(const struct explorer_data *d, enum order_kind o, uint64_t seed,
		   int *ranking, struct lwq_err *err)
{
	struct order_spec spec = { .kind = o, .seed = seed };
	if (o == ORDER_MEASURED || o == ORDER_OPTIMAL) {
		float importance[UI_MAX_LAYERS_PLAN];
		if (d->n_layers > UI_MAX_LAYERS_PLAN || measured_importance(d, importance) < 0)
			return lwq_err_set(err, "no measured sensitivity: run lwq score --measure");
		return order_rank_by_importance(importance, "measured KLD", d->n_layers, ranking,
						err);
	}
	return order_ranking(&spec, d->lim, d->zd, d->n_layers, ranking, err);
}

struct optimize_request ui_optimize_request(const struct explorer_data *d, enum bit_pair p,
					    const int *pin_bits)
{
	int levels[3];
	struct optimize_request req = { .n_widths = bit_pair_levels(p, levels),
					.cost = d->measured, .cost_widths = d->measured_widths,
					.n_cost_widths = d->n_measured, .target = d->target,
					.group_size = d->group_size, .pins = pin_bits };
	for (int w = 0; w < req.n_widths; w++) {
		int found = 0;
		for (int j = 0; j < d->n_measured; j++)
			found |= d->measured_widths[j] == levels[w];
		if (!found || !d->measured)
			req.n_widths = 0;
		if (req.n_widths)
			req.widths[w] = levels[w];
	}
	return req;
}

void ui_measured_correlations(const struct explorer_data *d, double *lim, double *zd,
			      double *zd_inverse)
{
	float importance[UI_MAX_LAYERS_PLAN];
	double m[UI_MAX_LAYERS_PLAN], a[UI_MAX_LAYERS_PLAN], b[UI_MAX_LAYERS_PLAN];
	int n = d->n_layers;
	*lim = *zd = *zd_inverse = NAN;
	if (n > UI_MAX_LAYERS_PLAN || measured_importance(d, importance) < 0)
		return;
	for (int i = 0; i < n; i++) {
		m[i] = importance[i];
		a[i] = d->lim ? d->lim[i] : 0;
		b[i] = d->zd ? d->zd[i] : 0;
	}
	if (d->lim)
		*lim = spearman(a, m, n);
	if (d->zd) {
		*zd = spearman(b, m, n);
		*zd_inverse = -*zd;
	}
}

int bit_pair_levels(enum bit_pair p, int levels[3])
{
	switch (p) {
	case PAIR_8_4:
		levels[0] = 4, levels[1] = 8;
		return 2;
	case PAIR_8_4_2:
		levels[0] = 2, levels[1] = 4, levels[2] = 8;
		return 3;
	default:
		levels[0] = 2, levels[1] = 4;
		return 2;
	}
}

struct plan_request ui_plan_request(const struct explorer_data *d, enum bit_pair p,
				    const signed char *pins, int *pin_bits)
{
	int levels[3];
	int n = bit_pair_levels(p, levels);
	struct plan_request req = {
		.high_bits = levels[n - 1],
		.mid_bits = n == 3 ? levels[1] : 0,
		.low_bits = levels[0],
		.group_size = d->group_size,
		/* lwq plan's default, so the explorer and the CLI agree at every budget */
		.spread = n == 3 ? (d->n_layers / 8 > 1 ? d->n_layers / 8 : 1) : 0,
		.pins = pin_bits,
		.target = d->target,
	};
	for (int i = 0; i < d->n_layers; i++)
		pin_bits[i] = pins[i] == 1 ? req.high_bits : pins[i] == 2 ? req.low_bits : PIN_FREE;
	return req;
}

static int free_layer_count(const struct explorer_data *d, const struct plan_request *req)
{
	int n = 0;
	for (int i = 0; i < d->n_layers; i++)
		n += !req->pins || req->pins[i] == PIN_FREE;
	return n;
}

int ui_max_steps(const struct explorer_data *d, const struct plan_request *req)
{
	return (req->mid_bits ? 2 : 1) * free_layer_count(d, req);
}

int64_t ui_step_budget(const struct explorer_data *d, const struct plan_request *req, int k)
{
	const struct model_config *cfg = &d->cfg;
	int n_free = free_layer_count(d, req);
	int64_t lo, hi;
	plan_budget_range(cfg, req, &lo, &hi);
	int64_t l_lo = layer_bytes_for(cfg, req->target, req->low_bits, req->group_size);
	int64_t l_hi = layer_bytes_for(cfg, req->target, req->high_bits, req->group_size);
	if (k <= 0)
		return lo;
	if (!req->mid_bits)
		return k >= n_free ? hi : lo + (int64_t)k * (l_hi - l_lo);
	int64_t l_mid = layer_bytes_for(cfg, req->target, req->mid_bits, req->group_size);
	if (k <= n_free)
		return lo + (int64_t)k * (l_mid - l_lo);
	if (k >= 2 * n_free)
		return hi;
	return lo + (int64_t)n_free * (l_mid - l_lo) + (int64_t)(k - n_free) * (l_hi - l_mid);
}

int ui_step_at(const struct explorer_data *d, const struct plan_request *req, int64_t budget)
{
	int lo = 0, hi = ui_max_steps(d, req);
	while (lo < hi) { /* largest k with step_budget(k) <= budget */
		int m = lo + (hi - lo + 1) / 2;
		if (ui_step_budget(d, req, m) <= budget)
			lo = m;
		else
			hi = m - 1;
	}
	return lo;
}

const char *ui_curve_method(const struct sweep_curve *c)
{
	return c->method[0] ? c->method : "rtn";
}

int ui_sweep_methods(const struct explorer_data *d, const char *names[], int max)
{
	int n = 0;
	for (int pass = 0; pass < 2; pass++) /* RTN first, then the others */
		for (int i = 0; i < d->n_sweeps && n < max; i++) {
			const char *m = ui_curve_method(&d->sweeps[i]);
			if ((strcmp(m, "rtn") == 0) != (pass == 0))
				continue;
			int seen = 0;
			for (int k = 0; k < n; k++)
				seen |= strcmp(names[k], m) == 0;
			if (!seen)
				names[n++] = m;
		}
	return n;
}
