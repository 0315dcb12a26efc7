/* planner.c: budget -> how many layers at each width -> which layers (docs/method.md section 3). */
#include "planner.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Cost of one layer at each level, in the budget's unit (bytes or bits). */
struct level_costs {
	int64_t hi, mid, lo;
};

/* How many free layers get each level. */
struct level_counts {
	int hi, mid, lo;
};

static int three_levels(const struct plan_request *req)
{
	return req->mid_bits > 0;
}

static int is_pinned(const struct plan_request *req, int layer)
{
	return req->pins && req->pins[layer] != PIN_FREE;
}

int plan_request_check(const struct model_config *cfg, const struct plan_request *req,
		       struct lwq_err *err)
{
	int hi = req->high_bits, mid = req->mid_bits, lo = req->low_bits;
	if (!plan_bits_supported(hi) || hi == 0 || !plan_bits_supported(lo) ||
	    (mid != 0 && !plan_bits_supported(mid)))
		return lwq_err_set(err, "bit widths must be 2, 3, 4 or 8 (low may be 0 to prune); "
				   "got high %d, low %d", hi, lo);
	if (mid == 0 && hi <= lo)
		return lwq_err_set(err, "high bits (%d) must be above low bits (%d)", hi, lo);
	if (mid != 0 && !(hi > mid && mid > lo))
		return lwq_err_set(err, "three levels need high > mid > low (got %d, %d, %d)",
				   hi, mid, lo);
	if (req->spread < 0)
		return lwq_err_set(err, "spread %d must not be negative", req->spread);
	if (group_size_check(cfg, req->group_size, err) < 0)
		return -1;
	for (int i = 0; req->pins && i < cfg->n_layers; i++) {
		int p = req->pins[i];
		if (p != PIN_FREE && p != hi && p != lo && (mid == 0 || p != mid))
			return lwq_err_set(err, "layer %d is pinned to %d bits, which is not one of "
					   "the plan's widths", i, p);
	}
	return 0;
}

/* Splits the free layers' budget (same unit as costs) into level counts. The two-level
   count is the exact integer form of docs/method.md's floor((M - M_lo)/(M_hi - M_lo) * N). */
static struct level_counts split_two(int64_t budget, int n_free, struct level_costs c)
{
	struct level_counts n = { 0, 0, 0 };
	int64_t above = budget - (int64_t)n_free * c.lo;
	n.hi = c.hi > c.lo && above > 0 ? (int)(above / (c.hi - c.lo)) : 0;
	if (n.hi > n_free)
		n.hi = n_free;
	n.lo = n_free - n.hi;
	return n;
}

/* Three levels: first the two adjacent levels that bracket the budget (all-low ..
 * all-mid, or all-mid .. all-high), then `spread` exchange steps as in the paper's
 * appendix A.1: the most important mid layer moves up to high and just enough of the
 * least important mid layers move down to low to stay within the budget. A step that
 * cannot be paid for is not taken. Tiers stay contiguous in the ranking. */
static struct level_counts split_three(int64_t budget, int n_free, struct level_costs c,
				       int spread)
{
	struct level_counts n;
	if (budget <= (int64_t)n_free * c.mid) {
		struct level_costs lower = { c.mid, 0, c.lo };
		struct level_counts two = split_two(budget, n_free, lower);
		n = (struct level_counts){ 0, two.hi, two.lo };
	} else {
		struct level_costs upper = { c.hi, 0, c.mid };
		struct level_counts two = split_two(budget, n_free, upper);
		n = (struct level_counts){ two.hi, two.lo, 0 };
	}
	for (int step = 0; step < spread && n.mid > 0; step++) {
		struct level_counts next = { n.hi + 1, n.mid - 1, n.lo };
		int64_t cost = next.hi * c.hi + next.mid * c.mid + next.lo * c.lo;
		int64_t over = cost - budget;
		if (over > 0) {
			int64_t down = (over + (c.mid - c.lo) - 1) / (c.mid - c.lo);
			if (down > next.mid)
				break;
			next.mid -= (int)down;
			next.lo += (int)down;
		}
		n = next;
	}
	return n;
}

/* Writes the widths: pins first, then free layers in ranking order hi, mid, lo. */
static void assign_levels(const struct model_config *cfg, const int *ranking,
			  const struct plan_request *req, struct level_counts n,
			  struct bit_plan *plan)
{
	int free_seen = 0;
	for (int r = 0; r < cfg->n_layers; r++) {
		int layer = ranking[r];
		if (plan->pinned)          /* views built on the stack keep none */
			plan->pinned[layer] = (unsigned char)is_pinned(req, layer);
		if (is_pinned(req, layer)) {
			plan->bits[layer] = req->pins[layer];
			continue;
		}
		if (free_seen < n.hi)
			plan->bits[layer] = req->high_bits;
		else if (free_seen < n.hi + n.mid)
			plan->bits[layer] = req->mid_bits;
		else
			plan->bits[layer] = req->low_bits;
		free_seen++;
	}
	assert(free_seen == n.hi + n.mid + n.lo);   /* every free layer got a width */
	plan->group_size = req->group_size;
	plan->high_bits = req->high_bits;
	plan->mid_bits = req->mid_bits;
	plan->low_bits = req->low_bits;
	plan->model_params = total_params(cfg);
	snprintf(plan->order, sizeof plan->order, "%s", req->order ? req->order : "manual");
}

static int check_ranking(const struct model_config *cfg, const int *ranking,
			 const struct bit_plan *plan, struct lwq_err *err)
{
	if (plan->n_layers != cfg->n_layers)
		return lwq_err_set(err, "plan has %d layers, model has %d", plan->n_layers,
				   cfg->n_layers);
	unsigned char seen[4096] = { 0 };
	for (int r = 0; r < cfg->n_layers; r++) {
		int layer = ranking[r];
		if (layer < 0 || layer >= cfg->n_layers || layer >= 4096 || seen[layer])
			return lwq_err_set(err, "ranking is not a permutation of the layers");
		seen[layer] = 1;
	}
	return 0;
}

/* Free layer count and the cost of the pinned layers, for a per-width cost function. */
static int free_layers(const struct model_config *cfg, const struct plan_request *req,
		       int64_t (*cost)(const struct model_config *, int, int), int64_t *pinned)
{
	int n_free = 0;
	*pinned = 0;
	for (int i = 0; i < cfg->n_layers; i++) {
		if (is_pinned(req, i))
			*pinned += cost(cfg, req->pins[i], req->group_size);
		else
			n_free++;
	}
	return n_free;
}

static int64_t bits_cost(const struct model_config *cfg, int bits, int group_size)
{
	(void)cfg;
	(void)group_size;
	return bits;
}

static struct level_costs costs_of(const struct model_config *cfg,
				   const struct plan_request *req,
				   int64_t (*cost)(const struct model_config *, int, int))
{
	struct level_costs c;
	c.hi = cost(cfg, req->high_bits, req->group_size);
	c.mid = three_levels(req) ? cost(cfg, req->mid_bits, req->group_size) : 0;
	c.lo = cost(cfg, req->low_bits, req->group_size);
	return c;
}

/* Bytes of a layer in the request's target format. */
typedef int64_t (*layer_cost_fn)(const struct model_config *, int, int);
static layer_cost_fn layer_cost(const struct plan_request *req)
{
	return req->target == SIZE_GGUF ? layer_bytes_gguf : layer_bytes_rtn;
}

void plan_budget_range(const struct model_config *cfg, const struct plan_request *req,
		       int64_t *min_bytes, int64_t *max_bytes)
{
	int64_t pinned;
	int n_free = free_layers(cfg, req, layer_cost(req), &pinned);
	struct level_costs c = costs_of(cfg, req, layer_cost(req));
	int64_t fixed = fixed_bytes_for(cfg, req->target);
	*min_bytes = fixed + pinned + n_free * c.lo;
	*max_bytes = fixed + pinned + n_free * c.hi;
}

void plan_avg_bits_range(const struct model_config *cfg, const struct plan_request *req,
			 double *min_bits, double *max_bits)
{
	int64_t pinned;
	int n_free = free_layers(cfg, req, bits_cost, &pinned);
	*min_bits = (double)(pinned + (int64_t)n_free * req->low_bits) / cfg->n_layers;
	*max_bits = (double)(pinned + (int64_t)n_free * req->high_bits) / cfg->n_layers;
}

/* Shared by the budget and average-bits modes: `free_budget` is what is left for the
   free layers in the unit of `cost`. */
static int plan_split(const struct model_config *cfg, const int *ranking, int64_t free_budget,
		      const struct plan_request *req,
		      int64_t (*cost)(const struct model_config *, int, int), struct bit_plan *plan)
{
	int64_t pinned;
	int n_free = free_layers(cfg, req, cost, &pinned);
	struct level_costs c = costs_of(cfg, req, cost);
	struct level_counts n = three_levels(req) ? split_three(free_budget, n_free, c, req->spread)
						  : split_two(free_budget, n_free, c);
	/* The split never loses a layer and never goes over a budget it could meet. */
	assert(n.hi >= 0 && n.mid >= 0 && n.lo >= 0 && n.hi + n.mid + n.lo == n_free);
	assert(free_budget < (int64_t)n_free * c.lo ||
	       n.hi * c.hi + n.mid * c.mid + n.lo * c.lo <= free_budget);
	assign_levels(cfg, ranking, req, n, plan);
	return 0;
}

int plan_from_budget(const struct model_config *cfg, const int *ranking, int64_t budget_bytes,
		     const struct plan_request *req, struct bit_plan *plan, struct lwq_err *err)
{
	if (plan_request_check(cfg, req, err) < 0 || check_ranking(cfg, ranking, plan, err) < 0)
		return -1;
	int64_t lo, hi, pinned;
	plan_budget_range(cfg, req, &lo, &hi);
	if (budget_bytes < lo || budget_bytes > hi)
		return lwq_err_set(err, "budget %lld bytes is outside the feasible range %lld .. "
				   "%lld bytes", (long long)budget_bytes, (long long)lo, (long long)hi);
	free_layers(cfg, req, layer_cost(req), &pinned);
	return plan_split(cfg, ranking, budget_bytes - fixed_bytes_for(cfg, req->target) - pinned,
			  req, layer_cost(req), plan);
}

int plan_from_avg_bits(const struct model_config *cfg, const int *ranking, double avg_bits,
		       const struct plan_request *req, struct bit_plan *plan, struct lwq_err *err)
{
	if (plan_request_check(cfg, req, err) < 0 || check_ranking(cfg, ranking, plan, err) < 0)
		return -1;
	double lo, hi;
	plan_avg_bits_range(cfg, req, &lo, &hi);
	if (!(avg_bits >= lo - 1e-9 && avg_bits <= hi + 1e-9))
		return lwq_err_set(err, "average of %g bits is outside the feasible range "
				   "%.4g .. %.4g bits", avg_bits, lo, hi);
	int64_t pinned;
	free_layers(cfg, req, bits_cost, &pinned);
	int64_t total_bits = (int64_t)floor(avg_bits * cfg->n_layers + 1e-9);
	return plan_split(cfg, ranking, total_bits - pinned, req, bits_cost, plan);
}

int plan_from_high_layers(const struct model_config *cfg, const int *ranking, int n_high,
			  const struct plan_request *req, struct bit_plan *plan,
			  struct lwq_err *err)
{
	if (plan_request_check(cfg, req, err) < 0 || check_ranking(cfg, ranking, plan, err) < 0)
		return -1;
	if (three_levels(req))
		return lwq_err_set(err, "a count of high layers makes a two-level plan; "
				   "use a budget or an average for three levels");
	int pinned_high = 0, n_free = 0;
	for (int i = 0; i < cfg->n_layers; i++) {
		if (!is_pinned(req, i))
			n_free++;
		else if (req->pins[i] == req->high_bits)
			pinned_high++;
	}
	if (n_high < pinned_high || n_high > pinned_high + n_free)
		return lwq_err_set(err, "%d high layers is outside the feasible range %d .. %d",
				   n_high, pinned_high, pinned_high + n_free);
	struct level_counts n = { n_high - pinned_high, 0, n_free - (n_high - pinned_high) };
	assign_levels(cfg, ranking, req, n, plan);
	return 0;
}
