/* cmd_sweep.c: lwq sweep: perplexity as layers move to low bits one step at a time, per order. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"
#include "cli.h"
#include "commands.h"
#include "eval_run.h"
#include "layout.h"
#include "model_h5.h"
#include "model_update.h"
#include "order_source.h"
#include "plan.h"
#include "planner.h"
#include "progress.h"
#include "method_option.h"
#include "run_method.h"
#include "run_tokens.h"
#include "stream_cache.h"
#include "sweep_store.h"

#define MAX_ORDERS 32
#define CACHE_MIB_DEFAULT 512

struct sweep_options {
	const char *model;
	struct run_tokens tokens;
	const char *orders;        /* NULL: the default list */
	int step, high, low, group_size;
	int cache_mib;             /* residual streams kept between evaluations */
	int json, csv;
	int kld, score_from;
	struct method_options method;
};

struct sweep_run {
	struct sweep_curve curves[MAX_ORDERS];
	int n_curves;
	int n_complete;            /* the first n_complete curves were measured to the end */
	double baseline_ppl;
	char source[600];
	char model_name[256];
	int writable;              /* the curves can be stored at the end */
};

static const struct opt sweep_opts[] = {
	RUN_TOKENS_OPTS(struct sweep_options, tokens, "windows per evaluation (default 8)"),
	OPT_STR("orders", 'r', "LIST", struct sweep_options, orders,
		"comma-separated orders (default lim,zd,zd-inverse,reverse-lim,random:1; "
		"without activations zd,zd-inverse,random:1); also prune and file:PATH"),
	OPT_INT("step", 0, "K", struct sweep_options, step, 1, 1 << 20,
		"layers moved per step (default 1)"),
	OPT_INT("high", 'H', "BITS", struct sweep_options, high, 0, 16, "high width (default 4)"),
	OPT_INT("low", 'l', "BITS", struct sweep_options, low, 0, 16,
		"low width (default 2; prune always drops to 0)"),
	OPT_INT("group-size", 'g', "G", struct sweep_options, group_size, 1, 1 << 20,
		"RTN group size (default as in lwq plan)"),
	OPT_INT("cache-mib", 0, "MIB", struct sweep_options, cache_mib, 0, 1 << 20,
		"memory for residual streams kept between evaluations (default 512; 0: none)"),
	OPT_FLAG("json", 'j', struct sweep_options, json, "one JSON object (documented in lwq(1))"),
	OPT_FLAG("csv", 'c', struct sweep_options, csv,
		 "order,n_low,avg_bits,bytes,ppl rows (and kld with --kld)"),
	OPT_FLAG("kld", 0, struct sweep_options, kld,
		 "also measure each point's KL divergence to the unquantized model (stored "
		 "beside the perplexity; about twice the time)"),
	SCORE_FROM_OPT(struct sweep_options, score_from),
	METHOD_OPTS(struct sweep_options, method),
	OPT_END,
};

static const struct verb_options sweep_cli = { "sweep",
	"Usage: lwq sweep MODEL.h5 (--ids FILE|--text FILE) [--offset N] [--windows W]\n"
	"                 [--seq-len L] [--orders LIST] [--step K] [--high BITS] [--low BITS]\n"
	"                 [--group-size G] [--kld] [--score-from K] [--cache-mib MIB]\n"
	"                 [--json|--csv]\n"
	"                 [--method rtn|gguf|gptq|gguf-gptq] [--damp F] [--act-order]\n"
	"                 [--calib-text FILE | --calib-ids FILE]\n"
	"\n"
	"For each order, move the n least important layers to the low width for\n"
	"n = 0, K, 2K, ..., N and measure perplexity on evaluation text (keep it apart\n"
	"from the calibration text with --offset). Curves are stored in the model file\n"
	"under /sweeps/<order> (RTN) or /sweeps/<order>@<method> for the explorer.\n"
	"\n", sweep_opts, NULL };

static int parse_options(int argc, char **argv, struct sweep_options *o)
{
	memset(o, 0, sizeof *o);
	o->tokens.windows = 8;
	o->tokens.seq_len = 512;
	o->step = 1;
	o->high = 4;
	o->low = 2;
	o->cache_mib = CACHE_MIB_DEFAULT;
	method_options_init(&o->method);
	int rc = options_parse(&sweep_cli, argc, argv, o);
	if (rc != 0)
		return rc;
	if ((rc = method_options_check("sweep", &o->method)) != 0)
		return rc;
	if (cli_model_operand("sweep", argc, argv, 0, &o->model) != 0)
		return EXIT_USAGE;
	if (o->json && o->csv)
		return cli_usage_error("sweep", "--json and --csv are exclusive");
	return run_tokens_check("sweep", &o->tokens);
}

/* n_low = 0, K, 2K, ..., and N itself. */
static int sweep_points(int n_layers, int step)
{
	return (n_layers + step - 1) / step + 1;
}

static int point_n_low(int i, int n_layers, int step)
{
	int n = i * step;
	return n > n_layers ? n_layers : n;
}

/* Plans already evaluated: orders share their end points (every layer high, every
   layer low), which are measured once. */
struct plan_memo {
	int n_layers, n, cap;
	int *bits;                 /* [cap][n_layers] */
	double *ppl, *kld;
};

static int memo_find(const struct plan_memo *m, const struct bit_plan *plan)
{
	for (int i = 0; i < m->n; i++)
		if (memcmp(m->bits + (int64_t)i * m->n_layers, plan->bits,
			   (size_t)m->n_layers * sizeof *plan->bits) == 0)
			return i;
	return -1;
}

static int memo_grow(struct plan_memo *m)
{
	int cap = m->cap ? 2 * m->cap : 16;
	int *bits = realloc(m->bits, (size_t)cap * m->n_layers * sizeof *bits);
	if (bits)
		m->bits = bits;
	double *ppl = bits ? realloc(m->ppl, (size_t)cap * sizeof *ppl) : NULL;
	if (ppl)
		m->ppl = ppl;
	double *kld = ppl ? realloc(m->kld, (size_t)cap * sizeof *kld) : NULL;
	if (kld) {
		m->kld = kld;
		m->cap = cap;
	}
	return kld ? 0 : -1;
}

static void memo_add(struct plan_memo *m, const struct bit_plan *plan, double ppl, double kld)
{
	if (m->n == m->cap && memo_grow(m) < 0)
		return;    /* only a lost shortcut */
	memcpy(m->bits + (int64_t)m->n * m->n_layers, plan->bits,
	       (size_t)m->n_layers * sizeof *plan->bits);
	m->ppl[m->n] = ppl;
	m->kld[m->n++] = kld;
}

static void memo_free(struct plan_memo *m)
{
	free(m->bits);
	free(m->ppl);
	free(m->kld);
}

/* Everything an evaluation needs besides the plan. */
struct sweep_env {
	struct model_file *mf;
	const int32_t *ids;
	int64_t n_ids;
	const struct run_tokens *tokens;
	struct progress *progress;
	const struct sweep_options *o;
	double all_high_kld;       /* the n_low = 0 point's KLD, shared by every order */
	const struct method_options *method;
	int warned;                /* GPTQ's calibration warnings are given once */
	struct stream_cache *cache;    /* NULL: every evaluation from the first layer */
	struct plan_memo memo;
};

/* One evaluation: `label` names it in errors, `step` on the progress line, where the
   evaluation's layers show too ("sweep: order lim, step 3/7, layer 12/24, ..."). A plan
   measured before is not measured again. */
static int evaluate(struct sweep_env *env, const struct bit_plan *plan, const char *label,
		    const char *step, double *ppl, double *kld, struct lwq_err *err)
{
	struct eval_result r;
	struct method_run run = { .gptq = NULL };
	int known = plan ? memo_find(&env->memo, plan) : -1;
	progress_item(env->progress, step);
	if (known >= 0) {
		*ppl = env->memo.ppl[known];
		if (kld)
			*kld = env->memo.kld[known];
		progress_step(env->progress, NULL, 0);
		return 0;
	}
	if (method_run_start(&run, env->mf, plan, env->method, "sweep", cli_quiet || env->warned,
			     err) < 0)
		return lwq_err_prefix(err, label);
	env->warned |= run.gptq != NULL;
	struct eval_request req = { .rq = &run.rq, .score_from = env->o->score_from,
				    .kld = plan && env->o->kld, .cache = env->cache };
	int rc = eval_run(env->mf, &req, env->ids, env->n_ids, env->tokens->windows,
			  env->tokens->seq_len, env->progress, &r, err);
	method_run_end(&run);
	if (rc < 0)
		return lwq_err_prefix(err, label);
	*ppl = r.perplexity;
	if (kld)
		*kld = r.has_kld ? r.kld.kld_mean : 0;
	if (plan)
		memo_add(&env->memo, plan, *ppl, r.has_kld ? r.kld.kld_mean : 0);
	progress_step(env->progress, NULL, 0);    /* the tokens came in through the layers */
	return 0;
}

/* One order's curve; the all-high point (n_low = 0) is shared by every order. */
static int sweep_order(struct sweep_env *env, const struct sweep_options *o,
		       const int *ranking, const struct order_spec *spec, double all_high_ppl,
		       struct sweep_curve *c, struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(env->mf);
	int n = cfg->n_layers, rc = 0;
	struct plan_request req = { .high_bits = o->high, .group_size = o->group_size,
				    .low_bits = spec->kind == ORDER_PRUNE ? 0 : o->low,
				    .order = spec->name };
	struct bit_plan *plan = bit_plan_new(n);
	if (!plan || sweep_curve_alloc(c, spec->name, sweep_points(n, o->step)) < 0) {
		bit_plan_free(plan);
		return lwq_err_set(err, "out of memory");
	}
	snprintf(c->method, sizeof c->method, "%s", quant_method_name(o->method.method));
	c->high_bits = req.high_bits;
	c->low_bits = req.low_bits;
	c->group_size = o->group_size;
	if (o->kld && !(c->kld = calloc((size_t)c->n_points, sizeof *c->kld))) {
		bit_plan_free(plan);
		return lwq_err_set(err, "out of memory");
	}
	for (int i = 0; i < c->n_points && rc == 0; i++) {
		int n_low = point_n_low(i, n, o->step);
		rc = plan_from_high_layers(cfg, ranking, n - n_low, &req, plan, err);
		if (rc < 0)
			break;
		double ppl = all_high_ppl, kld = env->all_high_kld;
		char label[96], step[96];
		snprintf(label, sizeof label, "%s n_low=%d", spec->name, n_low);
		snprintf(step, sizeof step, "order %s, step %d/%d", spec->name, i, c->n_points - 1);
		if (n_low > 0)
			rc = evaluate(env, plan, label, step, &ppl, &kld, err);
		if (c->kld)
			c->kld[i] = (float)kld;
		c->n_low[i] = (float)n_low;
		c->avg_bits[i] = (float)plan_avg_bits(cfg, plan);
		c->bytes[i] = (float)plan_bytes(cfg, plan);
		c->ppl[i] = (float)ppl;
	}
	bit_plan_free(plan);
	return rc;
}

/* Splits the comma list and ranks every order up front, so a bad name fails before the
   first (slow) evaluation. */
static int rank_orders(struct order_source *src, const struct sweep_options *o,
		       struct order_spec *specs, int **rankings, int *n_orders, struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(src->mf);
	char list[1024];
	const char *dflt = order_source_has_lim(src->mf) ? "lim,zd,zd-inverse,reverse-lim,random:1"
							: "zd,zd-inverse,random:1";
	snprintf(list, sizeof list, "%s", o->orders ? o->orders : dflt);
	*n_orders = 0;
	for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (*n_orders == MAX_ORDERS)
			return lwq_err_set(err, "at most %d orders per sweep", MAX_ORDERS);
		int *ranking = malloc((size_t)cfg->n_layers * sizeof *ranking);
		rankings[*n_orders] = ranking;
		if (!ranking)
			return lwq_err_set(err, "out of memory");
		if (order_source_rank(src, tok, &specs[*n_orders], ranking, err) < 0)
			return -1;
		(*n_orders)++;
	}
	if (*n_orders == 0)
		return lwq_err_set(err, "--orders names no order");
	return 0;
}

static int run_sweep(struct sweep_env *env, const struct sweep_options *o, struct sweep_run *run,
		     struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(env->mf);
	struct order_source src = { env->mf, NULL };
	struct order_spec specs[MAX_ORDERS];
	int *rankings[MAX_ORDERS] = { NULL }, n_orders = 0, rc = -1;
	struct bit_plan *all_high = bit_plan_new(cfg->n_layers);
	if (!all_high || rank_orders(&src, o, specs, rankings, &n_orders, err) < 0)
		goto done;
	struct plan_request req = { .high_bits = o->high, .low_bits = o->low,
				    .group_size = o->group_size, .order = "all-high" };
	if (plan_from_high_layers(cfg, rankings[0], cfg->n_layers, &req, all_high, err) < 0)
		goto done;
	struct progress p;
	int evals = 2;
	for (int k = 0; k < n_orders; k++)
		evals += sweep_points(cfg->n_layers, o->step) - 1;
	progress_start(&p, "sweep", "evaluations", evals);
	p.work_unit = "tok/s";
	env->progress = &p;
	double all_high_ppl;
	if (evaluate(env, NULL, "baseline", "unquantized baseline", &run->baseline_ppl, NULL,
		     err) < 0 ||
	    evaluate(env, all_high, "all high", "every layer high", &all_high_ppl,
		     &env->all_high_kld, err) < 0)
		goto finish;
	for (int k = 0; k < n_orders; k++) {
		run->n_curves = k + 1;     /* counted first so a failed curve is freed too */
		if (sweep_order(env, o, rankings[k], &specs[k], all_high_ppl, &run->curves[k], err) < 0)
			goto finish;
		run->curves[k].baseline_ppl = run->baseline_ppl;
		run->n_complete = k + 1;
	}
	rc = 0;
finish:
	progress_finish(&p);
done:
	for (int k = 0; k < MAX_ORDERS; k++)
		free(rankings[k]);
	bit_plan_free(all_high);
	order_source_free(&src);
	return rc;
}

static void print_results(const struct sweep_options *o, const struct sweep_run *run)
{
	if (o->csv) {
		printf("order,n_low,avg_bits,bytes,ppl%s\n", o->kld ? ",kld" : "");
		for (int k = 0; k < run->n_curves; k++)
			for (int i = 0; i < run->curves[k].n_points; i++) {
				printf("%s,%.0f,%.6g,%.0f,%.6g", run->curves[k].order,
				       run->curves[k].n_low[i], run->curves[k].avg_bits[i],
				       run->curves[k].bytes[i], run->curves[k].ppl[i]);
				if (run->curves[k].kld)
					printf(",%.6g", run->curves[k].kld[i]);
				printf("\n");
			}
		return;
	}
	if (o->json) {
		json_t *root = json_object(), *orders = json_array();
		json_object_set_new(root, "model", json_string(run->model_name));
		json_object_set_new(root, "source", json_string(run->source));
		json_object_set_new(root, "offset", json_integer(o->tokens.offset));
		json_object_set_new(root, "windows", json_integer(o->tokens.windows));
		json_object_set_new(root, "seq_len", json_integer(o->tokens.seq_len));
		json_object_set_new(root, "high_bits", json_integer(o->high));
		json_object_set_new(root, "low_bits", json_integer(o->low));
		json_object_set_new(root, "group_size", json_integer(o->group_size));
		json_object_set_new(root, "method", json_string(quant_method_name(o->method.method)));
		json_object_set_new(root, "baseline_ppl", json_real(run->baseline_ppl));
		json_object_set_new(root, "score_from", json_integer(o->score_from));
		for (int k = 0; k < run->n_curves; k++) {
			const struct sweep_curve *c = &run->curves[k];
			json_t *points = json_array();
			for (int i = 0; i < c->n_points; i++) {
				json_t *pt = json_pack("{s:i, s:f, s:I, s:f}",
					"n_low", (int)c->n_low[i], "avg_bits", (double)c->avg_bits[i],
					"bytes", (json_int_t)c->bytes[i], "ppl", (double)c->ppl[i]);
				if (c->kld)
					json_object_set_new(pt, "kld", json_real(c->kld[i]));
				json_array_append_new(points, pt);
			}
			json_array_append_new(orders, json_pack("{s:s, s:o}", "order", c->order,
								"points", points));
		}
		json_object_set_new(root, "orders", orders);
		json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(7));
		fputc('\n', stdout);
		json_decref(root);
		return;
	}
	printf("%s, %d windows of %d tokens from %s (offset %lld), %d/%d bits, group size %d, "
	       "%s\n", run->model_name, o->tokens.windows, o->tokens.seq_len, run->source,
	       (long long)o->tokens.offset, o->high, o->low, o->group_size,
	       quant_method_name(o->method.method));
	printf("unquantized perplexity %.4f\n\n", run->baseline_ppl);
	printf("%-16s %5s %8s %11s %10s%s\n", "order", "n_low", "avg bits", "size", "ppl",
	       o->kld ? "        kld" : "");
	for (int k = 0; k < run->n_curves; k++)
		for (int i = 0; i < run->curves[k].n_points; i++) {
			char size[32];
			printf("%-16s %5.0f %8.3f %11s %10.4f", run->curves[k].order,
			       run->curves[k].n_low[i], run->curves[k].avg_bits[i],
			       format_size(run->curves[k].bytes[i], size, sizeof size),
			       run->curves[k].ppl[i]);
			if (run->curves[k].kld)
				printf(" %10.6f", run->curves[k].kld[i]);
			printf("\n");
		}
}

/* Measures every curve on a read-only handle (a run killed here leaves the file as it
   was, not marked as open for writing). */
static int sweep_model(struct sweep_options *o, struct sweep_run *run, struct lwq_err *err)
{
	struct model_file *mf = model_file_open(o->model, 0, err);
	if (!mf)
		return -1;
	if (!o->group_size)
		o->group_size = group_size_default(model_file_config(mf));
	snprintf(run->model_name, sizeof run->model_name, "%s", model_file_model_name(mf));
	run->writable = access(o->model, W_OK) == 0;
	if (!run->writable && !cli_quiet)
		fprintf(stderr, "lwq: sweep: %s is read-only; curves will not be stored\n", o->model);
	run_tokens_source(&o->tokens, run->source, sizeof run->source);
	int32_t *ids = NULL;
	int rc = 0;
	if (o->score_from >= o->tokens.seq_len - 1)
		rc = lwq_err_set(err, "--score-from %d leaves nothing to predict in windows of %d "
				 "tokens (K must be below %d)", o->score_from, o->tokens.seq_len,
				 o->tokens.seq_len - 1);
	if (rc == 0)
		rc = run_tokens_load(mf, &o->tokens, &ids, err);
	if (rc == 0) {
		const struct model_config *cfg = model_file_config(mf);
		struct sweep_env env = { mf, ids, (int64_t)o->tokens.windows * o->tokens.seq_len,
					 &o->tokens, NULL, o, 0, &o->method, 0, NULL,
					 { .n_layers = cfg->n_layers } };
		env.cache = stream_cache_new(cfg->n_layers, env.n_ids * cfg->hidden,
					     (int64_t)o->cache_mib << 20);
		rc = run_sweep(&env, o, run, err);
		stream_cache_free(env.cache);
		memo_free(&env.memo);
	}
	free(ids);
	model_file_close(mf);
	return rc;
}

/* The file is open for writing only while the finished curves go in. */
struct curves_store {
	const struct sweep_options *o;
	const struct sweep_run *run;
};

static int store_curves_in(struct model_file *mf, void *ctx, struct lwq_err *err)
{
	const struct curves_store *cs = ctx;
	int rc = 0;
	const struct sweep_options *o = cs->o;
	struct sweep_tokens tokens = { o->tokens.windows, o->tokens.seq_len, o->tokens.offset,
				       cs->run->source };
	for (int k = 0; rc == 0 && k < cs->run->n_curves; k++)
		rc = sweep_store_write(mf, &cs->run->curves[k], &tokens, err);
	return rc;
}

static int store_curves(const struct sweep_options *o, const struct sweep_run *run,
			struct lwq_err *err)
{
	struct curves_store cs = { o, run };
	return model_file_update(o->model, 0, store_curves_in, &cs, err);
}

/* Ctrl-C (or SIGTERM, SIGHUP) during the measurements: the curves of the orders that
   were finished are stored (one copy of the model, as at the end of a whole run) and
   printed, the one line says which, and the process ends as the signal says. */
static void end_interrupted(const struct sweep_options *o, struct sweep_run *run)
{
	char kept[2048] = "nothing was written", names[1024] = "", rest[1024] = "";
	for (int k = 0; k < run->n_curves; k++) {
		char *list = k < run->n_complete ? names : rest;
		size_t n = strlen(list);
		snprintf(list + n, sizeof names - n, "%s%s", n ? ", " : "", run->curves[k].order);
	}
	struct lwq_err err = { "" };
	int n_complete = run->n_complete, n_curves = run->n_curves;
	run->n_curves = n_complete;
	if (n_complete && !run->writable)
		snprintf(kept, sizeof kept, "nothing was written (%s is read-only)", o->model);
	else if (n_complete && store_curves(o, run, &err) < 0)
		snprintf(kept, sizeof kept, "nothing was written (%s)", err.msg);
	else if (n_complete)
		snprintf(kept, sizeof kept, "kept the finished curve%s of %s in %s%s%s%s",
			 n_complete > 1 ? "s" : "", names, o->model,
			 rest[0] ? " (not measured: " : "", rest, rest[0] ? ")" : "");
	if (n_complete)
		print_results(o, run);
	run->n_curves = n_curves;
	atomic_end_interrupted(kept);
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep_options o;
	int rc = parse_options(argc, argv, &o);
	if (rc)
		return options_exit(rc);
	struct lwq_err err = { "" };
	struct sweep_run *run = calloc(1, sizeof *run);
	if (!run)
		return cli_error("sweep", "out of memory");
	/* a writable model that another process holds: say so now, not after the sweep */
	if (access(o.model, W_OK) == 0 && model_file_check_update(o.model, &err) < 0) {
		free(run);
		return cli_report("sweep", &err);
	}
	atomic_defer_interrupts();
	if (sweep_model(&o, run, &err) < 0) {
		if (atomic_interrupt_pending())
			end_interrupted(&o, run);
		rc = cli_report("sweep", &err);
	} else {
		/* stored first, but printed either way: the measurements took long */
		rc = run->writable && store_curves(&o, run, &err) < 0 ? -1 : EXIT_OK;
		print_results(&o, run);
		if (rc < 0)
			rc = cli_report("sweep", &err);
		else if (atomic_interrupt_pending())  /* while storing: the curves are in */
			atomic_end_interrupted(run->writable ? "every curve was stored"
							     : "nothing was written");
	}
	for (int k = 0; k < run->n_curves; k++)
		sweep_curve_free(&run->curves[k]);
	free(run);
	return rc;
}
