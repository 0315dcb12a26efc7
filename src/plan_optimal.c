/* plan_optimal.c: lwq plan --optimize on a model file's measured table. */
#include "plan_optimal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "measured_store.h"
#include "planner.h"

/* hi / lo / mid pins become widths of the candidate list. */
static int resolve_pins(const struct plan_optimal_args *a, int n_layers, struct lwq_err *err)
{
	int lo = a->widths[0], hi = a->widths[0], mid = 0;
	for (int w = 1; w < a->n_widths; w++) {
		lo = a->widths[w] < lo ? a->widths[w] : lo;
		hi = a->widths[w] > hi ? a->widths[w] : hi;
	}
	for (int w = 0; a->n_widths == 3 && w < 3; w++)
		if (a->widths[w] != lo && a->widths[w] != hi)
			mid = a->widths[w];
	for (int i = 0; a->pins && i < n_layers; i++) {
		int p = a->pins[i];
		if (p == PIN_WIDEST)
			a->pins[i] = hi;
		else if (p == PIN_NARROWEST)
			a->pins[i] = lo;
		else if (p == PIN_MIDDLE && !mid)
			return lwq_err_set(err, "--pin %d=mid needs three widths", i);
		else if (p == PIN_MIDDLE)
			a->pins[i] = mid;
	}
	return 0;
}

static int check_budget(const struct model_config *cfg, const struct optimize_request *req,
			const struct plan_optimal_args *a, struct lwq_err *err)
{
	char l[32], h[32], b[32];
	if (a->by_bytes) {
		int64_t lo, hi;
		optimize_budget_range(cfg, req, &lo, &hi);
		if (a->budget_bytes < lo)
			return lwq_err_set(err, "budget %s (%s) is below the smallest plan: %s (every "
					   "free layer at %d bits) .. %s (%s sizes)", a->budget_text,
					   format_size((double)a->budget_bytes, b, sizeof b),
					   format_size((double)lo, l, sizeof l), req->widths[0],
					   format_size((double)hi, h, sizeof h),
					   size_target_name(req->target));
	} else {
		double lo, hi;
		optimize_avg_bits_range(cfg, req, &lo, &hi);
		if (!(a->avg_bits >= lo - 1e-9))
			return lwq_err_set(err, "an average of %g bits is below the smallest plan: "
					   "feasible range %.4g .. %.4g bits", a->avg_bits, lo, hi);
	}
	return 0;
}

int plan_optimal(struct model_file *mf, struct plan_optimal_args *a, struct bit_plan *plan,
		 double *total_kld, struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	struct measured_table *t = measured_load(mf, err);
	if (!t)
		return -1;
	if (a->n_widths == 0) {
		a->n_widths = t->n_widths;
		memcpy(a->widths, t->widths, (size_t)t->n_widths * sizeof(int));
	}
	/* candidates ascending, so messages and plans read naturally */
	for (int i = 1; i < a->n_widths; i++)
		for (int j = i; j > 0 && a->widths[j - 1] > a->widths[j]; j--) {
			int tmp = a->widths[j];
			a->widths[j] = a->widths[j - 1], a->widths[j - 1] = tmp;
		}
	if (!a->group_size)
		a->group_size = t->group_size ? t->group_size : group_size_default(cfg);
	else if (t->group_size && t->group_size != a->group_size && !cli_quiet)
		fprintf(stderr, "lwq: plan: note: the table was measured with groups of %d, the "
			"plan uses %d\n", t->group_size, a->group_size);
	struct optimize_request req = { .n_widths = a->n_widths, .cost = t->kld,
					.cost_widths = t->widths, .n_cost_widths = t->n_widths,
					.target = a->target, .group_size = a->group_size,
					.pins = a->pins };
	memcpy(req.widths, a->widths, sizeof req.widths);
	int rc = resolve_pins(a, cfg->n_layers, err);
	if (rc == 0 && (rc = optimize_check(cfg, &req, err)) < 0 && strstr(err->msg, "not measured")) {
		char measured[64] = "", why[sizeof err->msg];
		for (int w = 0; w < t->n_widths; w++)
			snprintf(measured + strlen(measured), sizeof measured - strlen(measured), "%s%d",
				 w ? "," : "", t->widths[w]);
		snprintf(why, sizeof why, "%s", err->msg);
		lwq_err_set(err, "%s: --widths: %s (the table has %s; run: lwq score --measure "
			    "--widths LIST %s)", model_file_path(mf), why, measured,
			    model_file_path(mf));
	}
	if (rc == 0)
		rc = check_budget(cfg, &req, a, err);
	if (rc == 0)
		rc = a->by_bytes ? plan_optimize_bytes(cfg, &req, a->budget_bytes, plan, total_kld, err)
				 : plan_optimize_avg_bits(cfg, &req, a->avg_bits, plan, total_kld, err);
	if (rc == 0)
		snprintf(plan->model_name, sizeof plan->model_name, "%s", model_file_model_name(mf));
	measured_table_free(t);
	return rc;
}

void plan_optimal_print(const struct model_config *cfg, const struct bit_plan *plan,
			enum size_target target, double total_kld, const char *name)
{
	char size[32];
	int64_t total = plan_bytes_for(cfg, target, plan);
	printf("plan for %s: optimal widths (exact allocation over measured KLD), group size "
	       "%d%s\n", name, plan->group_size,
	       target == SIZE_GGUF ? "; sizes are GGUF tensor bytes" : "");
	printf("total: %s (%lld bytes), %.4g average bits, summed measured KLD %.6f\n",
	       format_size((double)total, size, sizeof size), (long long)total,
	       plan_avg_bits(cfg, plan), total_kld);
	for (int bits = 16; bits >= 0; bits--) {
		int n = 0;
		for (int i = 0; i < plan->n_layers; i++)
			n += plan->bits[i] == bits;
		if (n == 0)
			continue;
		printf("%d-bit layers (%d):", bits, n);
		for (int i = 0; i < plan->n_layers; i++)
			if (plan->bits[i] == bits)
				printf(" %d", i);
		printf("\n");
	}
}
