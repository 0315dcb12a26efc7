/* cmd_plan.c: lwq plan: a memory budget (or average bits, or a count) -> a per-layer bit plan. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "layout.h"
#include "model_h5.h"
#include "model_update.h"
#include "options.h"
#include "order_source.h"
#include "plan.h"
#include "imatrix_file.h"
#include "plan_emit.h"
#include "plan_file.h"
#include "plan_optimal.h"
#include "planner.h"
#include "score_measure.h"
#include "size_target.h"

#define MAX_PINS 4096

struct plan_options {
	const char *model, *order, *emit, *output;
	const char *budget_text, *from;
	double budget_bytes, avg_bits;
	int high_layers;           /* -1: not given */
	int mode;                  /* 'b', 'a', 'n', 'F' */
	int high, mid, low, levels, spread, group_size;   /* -1: default */
	int json, csv, force;
	int optimize, n_widths, target;   /* target: enum size_target */
	int widths[OPTIMIZE_MAX_WIDTHS];
	int n_pins;
	/* level 'h', 'm', 'l', or 'b' with a width in bits (--optimize) */
	struct { int layer; char level; int bits; } pins[MAX_PINS];
};

static const char *const target_names[] = { "lwq", "gguf", NULL };

static const char *parse_widths(const char *text, void *opts)
{
	struct plan_options *o = opts;
	return measure_parse_widths(text, o->widths, &o->n_widths);
}

static const char *parse_pin(const char *text, void *opts)
{
	static const char want[] = "LAYER=hi, LAYER=mid, LAYER=lo or (--optimize) LAYER=BITS";
	struct plan_options *o = opts;
	const char *eq = strchr(text, '=');
	char num[16];
	long layer;
	if (o->n_pins == MAX_PINS)
		return "given at most 4096 times";
	if (!eq || eq == text || (size_t)(eq - text) >= sizeof num)
		return want;
	snprintf(num, sizeof num, "%.*s", (int)(eq - text), text);
	if (parse_int(num, 0, 4095, &layer) < 0)
		return want;
	const char *level = eq + 1;
	char c = strcmp(level, "hi") == 0 || strcmp(level, "high") == 0 ? 'h'
	       : strcmp(level, "mid") == 0 ? 'm'
	       : strcmp(level, "lo") == 0 || strcmp(level, "low") == 0 ? 'l' : 0;
	long bits = 0;
	if (!c && parse_int(level, 1, 16, &bits) == 0)
		c = 'b';
	if (!c)
		return want;
	o->pins[o->n_pins].bits = (int)bits;
	o->pins[o->n_pins].layer = (int)layer;
	o->pins[o->n_pins].level = c;
	o->n_pins++;
	return NULL;
}

/* Keeps the size as the user wrote it too, for messages in the user's units. */
static const char *parse_budget(const char *text, void *opts)
{
	struct plan_options *o = opts;
	o->budget_text = text;
	if (parse_size(text, &o->budget_bytes) < 0 || o->budget_bytes > 9e18)
		return "a size such as 3.2MiB, 850MB or 1e9";
	return NULL;
}

#define PLAN_BITS(name, sh, field, help) \
	OPT_INT(name, sh, "BITS", struct plan_options, field, 0, 16, help)
static const struct opt plan_opts[] = {
	OPT_CALL("budget", 'b', "SIZE", parse_budget, "total size, e.g. 3.2MiB, 850MB, 1e9 (bytes)"),
	OPT_NUM("avg-bits", 'a', "B", struct plan_options, avg_bits,
		"average bits per linear weight"),
	OPT_INT("high-layers", 'N', "N", struct plan_options, high_layers, 0, 1 << 20,
		"exactly N layers at the high width"),
	OPT_FLAG("optimize", 0, struct plan_options, optimize,
		 "choose each layer's width from --widths so that the summed measured KL "
		 "divergence (lwq score --measure) is least within the budget, exactly"),
	OPT_CALL("widths", 0, "LIST", parse_widths,
		 "--optimize: candidate widths, e.g. 2,3,4 (default: the measured ones)"),
	OPT_CHOICE("target", 0, "lwq|gguf", struct plan_options, target, target_names,
		   "what sizes count: lwq (the lwq format's storage; default) or gguf (the "
		   "bytes of the GGUF file's tensors, short-row fallbacks included)"),
	OPT_STR("from", 0, "PLAN.json", struct plan_options, from,
		"read a plan file instead (checked against the model), to price it or print it "
		"in another format"),
	OPT_STR("order", 'r', "ORDER", struct plan_options, order,
		"lim (default when activations exist), zd, zd-inverse, reverse-lim, "
		"random:SEED, prune, measured, file:PATH"),
	PLAN_BITS("high", 'H', high, "high width (default 4; 8 with --levels 3)"),
	PLAN_BITS("low", 'l', low, "low width (default 2; 0 with --order prune)"),
	OPT_INT("levels", 0, "2|3", struct plan_options, levels, 2, 3,
		"two widths (default) or three"),
	PLAN_BITS("mid", 'M', mid, "middle width of a three-level plan (default 4)"),
	OPT_INT("spread", 0, "K", struct plan_options, spread, 0, 1 << 20,
		"three levels: layers moved up to high, each paid for by moving middle layers "
		"down to low (default N/8, at least 1)"),
	OPT_INT("group-size", 'g', "G", struct plan_options, group_size, 1, 1 << 20,
		"RTN group size the sizes count (default: 128, or the largest power of two "
		"below it dividing every row)"),
	OPT_CALL("pin", 'P', "L=hi|mid|lo", parse_pin, "force layer L to a width; repeatable"),
	OPT_FLAG("json", 'j', struct plan_options, json,
		 "print the plan as JSON (the plan file format)"),
	OPT_FLAG("csv", 'c', struct plan_options, csv, "print layer,bits,rank,bytes rows"),
	OPT_STR("emit", 'e', "FORMAT", struct plan_options, emit,
		"print the plan for another tool: json, csv, llama-quantize, gptqmodel"),
	OPT_STR("output", 'o', "PLAN.json", struct plan_options, output,
		"write the plan file (see PLAN FILE in lwq(1))"),
	OPT_FLAG("force", 'f', struct plan_options, force, "overwrite an existing plan file"),
	OPT_END,
};

static const struct verb_options plan_cli = { "plan",
	"Usage: lwq plan MODEL.h5 (--budget SIZE | --avg-bits B | --high-layers N |\n"
	"                          --from PLAN.json)\n"
	"       lwq plan MODEL.h5 --optimize [--widths LIST] (--budget SIZE | --avg-bits B)\n"
	"                [--order ORDER] [--high BITS] [--low BITS] [--levels 2|3]\n"
	"                [--mid BITS] [--spread K] [--group-size G] [--pin L=hi|mid|lo ...]\n"
	"                [--target lwq|gguf] [--json|--csv|--emit FORMAT] [-o PLAN.json]\n"
	"                [--force]\n"
	"\n"
	"Rank the layers by importance and give the most important ones the high width,\n"
	"the rest the low width, so that the model fits the budget.\n"
	"\n", plan_opts, NULL };

/* The one of --budget, --avg-bits, --high-layers, --from given: 'b', 'a', 'n', 'F'. */
static int choose_mode(struct plan_options *o)
{
	int n = (o->budget_text != NULL) + !isnan(o->avg_bits) + (o->high_layers >= 0) +
		(o->from != NULL);
	if (n > 1)
		return cli_usage_error("plan", "give only one of --budget, --avg-bits, --high-layers, "
				       "--from");
	if (n == 0)
		return cli_usage_error("plan", "give --budget SIZE, --avg-bits B, --high-layers N "
				       "or --from PLAN.json");
	o->mode = o->budget_text ? 'b' : !isnan(o->avg_bits) ? 'a' : o->high_layers >= 0 ? 'n'
									      : 'F';
	return 0;
}

static int parse_options(int argc, char **argv, struct plan_options *o)
{
	memset(o, 0, sizeof *o);
	o->high = o->mid = o->low = o->spread = -1;
	o->high_layers = -1;
	o->avg_bits = NAN;
	o->levels = 2;
	int rc = options_parse(&plan_cli, argc, argv, o);
	if (rc != 0)
		return rc;
	if (cli_model_operand("plan", argc, argv, 0, &o->model) != 0)
		return EXIT_USAGE;
	if ((rc = choose_mode(o)) != 0)
		return rc;
	if (o->json + o->csv + (o->emit != NULL) > 1)
		return cli_usage_error("plan", "--json, --csv and --emit are exclusive");
	if (o->levels == 2 && o->mid >= 0)
		return cli_usage_error("plan", "--mid needs --levels 3");
	if (o->optimize && (o->mode == 'n' || o->mode == 'F'))
		return cli_usage_error("plan", "--optimize takes --budget SIZE or --avg-bits B");
	if (o->optimize && (o->order || o->high >= 0 || o->low >= 0 || o->mid >= 0 ||
			    o->levels != 2 || o->spread >= 0))
		return cli_usage_error("plan", "--optimize chooses among --widths; --order, --high, "
				       "--low, --mid, --levels and --spread do not apply");
	if (!o->optimize && o->n_widths)
		return cli_usage_error("plan", "--widths goes with --optimize");
	for (int i = 0; !o->optimize && i < o->n_pins; i++)
		if (o->pins[i].level == 'b')
			return cli_usage_error("plan", "--pin L=BITS goes with --optimize; use hi, mid "
					       "or lo");
	if (o->mode == 'F' && (o->order || o->n_pins || o->high >= 0 || o->low >= 0 ||
			       o->mid >= 0 || o->levels != 2 || o->spread >= 0 || o->group_size))
		return cli_usage_error("plan", "--from takes the order, widths and group size from "
				       "the plan file");
	return 0;
}

/* Fills the request's widths from the options and their documented defaults. */
static void request_widths(const struct plan_options *o, const struct order_spec *spec,
			   int n_layers, struct plan_request *req)
{
	int three = o->levels == 3;
	req->high_bits = o->high >= 0 ? o->high : three ? 8 : 4;
	req->mid_bits = three ? (o->mid >= 0 ? o->mid : 4) : 0;
	req->low_bits = o->low >= 0 ? o->low : spec->kind == ORDER_PRUNE ? 0 : 2;
	req->spread = o->spread >= 0 ? o->spread : (n_layers / 8 > 1 ? n_layers / 8 : 1);
}

static int resolve_pins(const struct plan_options *o, const struct plan_request *req,
			int n_layers, int *pins, struct lwq_err *err)
{
	for (int i = 0; i < n_layers; i++)
		pins[i] = PIN_FREE;
	for (int i = 0; i < o->n_pins; i++) {
		int layer = o->pins[i].layer;
		if (layer >= n_layers)
			return lwq_err_set(err, "--pin %d: the model has %d layers (0..%d)", layer,
					   n_layers, n_layers - 1);
		if (o->pins[i].level == 'm' && req->mid_bits == 0)
			return lwq_err_set(err, "--pin %d=mid needs --levels 3", layer);
		pins[layer] = o->pins[i].level == 'h' ? req->high_bits
			    : o->pins[i].level == 'm' ? req->mid_bits : req->low_bits;
	}
	return 0;
}

/* "2.06 MiB", or "2162944 bytes (2.06 MiB)" when `exact`: where rounding to MiB would
   hide why two sizes differ. */
static const char *size_text(double bytes, int exact, char *buf, size_t len)
{
	char short_form[32];
	format_size(bytes, short_form, sizeof short_form);
	if (exact)
		snprintf(buf, len, "%.0f bytes (%s)", bytes, short_form);
	else
		snprintf(buf, len, "%s", short_form);
	return buf;
}

/* The budget the plan is made for: below the feasible range is an error, in the user's
   units (and bytes when the rounded sizes look equal); above it, every free layer fits
   at the high width, so the plan is capped there with a note. */
static int budget_in_range(const struct plan_options *o, const struct model_config *cfg,
			   const struct plan_request *req, int64_t *use, struct lwq_err *err)
{
	int64_t lo, hi;
	plan_budget_range(cfg, req, &lo, &hi);
	double budget = floor(o->budget_bytes);
	char b[64], l[64], h[64];
	*use = (int64_t)budget;
	if (budget > (double)hi) {
		*use = hi;
		if (!cli_quiet)
			fprintf(stderr, "lwq: plan: note: budget %s is more than all-high needs: every "
				"%slayer at %d bits fits at %s; the plan is capped there\n",
				o->budget_text, o->n_pins ? "free " : "", req->high_bits,
				size_text((double)hi, 1, h, sizeof h));
		return 0;
	}
	if (budget >= (double)lo)
		return 0;
	char lo_short[32], budget_short[32];
	int exact = strcmp(format_size(budget, budget_short, sizeof budget_short),
			   format_size((double)lo, lo_short, sizeof lo_short)) == 0;
	if (!exact)
		snprintf(b, sizeof b, "%s (%s)", o->budget_text, budget_short);
	return lwq_err_set(err, "budget %s is below the smallest plan, %s (every %slayer at %d "
			   "bits; all-high is %s)", exact ? size_text(budget, 1, b, sizeof b) : b,
			   size_text((double)lo, exact, l, sizeof l), o->n_pins ? "free " : "",
			   req->low_bits, size_text((double)hi, 0, h, sizeof h));
}

/* --avg-bits is met with whole layers at each width, never above the request: when that
   lands visibly lower, say so rather than let 3 quietly become 2.8. */
static void note_avg_bits(const struct plan_options *o, const struct model_config *cfg,
			  const struct bit_plan *plan)
{
	double got = plan_avg_bits(cfg, plan);
	if (cli_quiet || got > o->avg_bits - 0.005)
		return;
	fprintf(stderr, "lwq: plan: note: --avg-bits %g gives %.4g average bits: the most whole "
		"layers at %d bits reach without going over\n", o->avg_bits, got, plan->high_bits);
}

static int make_plan(const struct plan_options *o, const struct model_config *cfg,
		     const int *ranking, const struct plan_request *req, struct bit_plan *plan,
		     struct lwq_err *err)
{
	int64_t budget;
	if (plan_request_check(cfg, req, err) < 0)
		return -1;
	switch (o->mode) {
	case 'b':
		if (budget_in_range(o, cfg, req, &budget, err) < 0)
			return -1;
		return plan_from_budget(cfg, ranking, budget, req, plan, err);
	case 'a':
		if (plan_from_avg_bits(cfg, ranking, o->avg_bits, req, plan, err) < 0)
			return -1;
		note_avg_bits(o, cfg, plan);
		return 0;
	default:
		return plan_from_high_layers(cfg, ranking, (int)o->high_layers, req, plan, err);
	}
}

static void print_layers_at(const struct bit_plan *plan, int bits)
{
	int n = 0;
	for (int i = 0; i < plan->n_layers; i++)
		n += plan->bits[i] == bits;
	if (n == 0)
		return;
	printf("%d-bit layers (%d):", bits, n);
	for (int i = 0; i < plan->n_layers; i++)
		if (plan->bits[i] == bits)
			printf(" %d", i);
	printf("\n");
}

static void print_summary(const struct model_config *cfg, const struct bit_plan *plan,
			  const struct plan_request *req, const char *name)
{
	int64_t lo, hi, total = plan_bytes_for(cfg, req->target, plan);
	plan_budget_range(cfg, req, &lo, &hi);
	char a[32], b[32], c[32];
	int n_high = 0;
	for (int i = 0; i < plan->n_layers; i++)
		n_high += plan->bits[i] == plan->high_bits;
	printf("plan for %s: order %s, ", name, plan->order);
	if (plan->mid_bits)
		printf("%d/%d/%d bits (spread %d), ", plan->high_bits, plan->mid_bits, plan->low_bits,
		       req->spread);
	else
		printf("%d/%d bits, ", plan->high_bits, plan->low_bits);
	printf("group size %d%s\n", plan->group_size,
	       req->target == SIZE_GGUF ? "; sizes are GGUF tensor bytes" : "");
	printf("range: %s (M_lo, %lld bytes) .. %s (M_hi, %lld bytes)\n",
	       format_size((double)lo, a, sizeof a), (long long)lo,
	       format_size((double)hi, b, sizeof b), (long long)hi);
	printf("total: %s (%lld bytes), %.4g average bits, %d of %d layers at %d bits\n",
	       format_size((double)total, c, sizeof c), (long long)total,
	       plan_avg_bits(cfg, plan), n_high, plan->n_layers, plan->high_bits);
	int widths[3] = { plan->high_bits, plan->mid_bits, plan->low_bits };
	for (int k = 0; k < 3; k++)
		if (k != 1 || plan->mid_bits)
			print_layers_at(plan, widths[k]);
	int n_pinned = 0;
	for (int i = 0; plan->pinned && i < plan->n_layers; i++)
		n_pinned += plan->pinned[i];
	if (n_pinned) {
		printf("pinned (%d):", n_pinned);
		for (int i = 0; i < plan->n_layers; i++)
			if (plan->pinned[i])
				printf(" %d", i);
		printf("\n");
	}
}

static void print_csv(const struct model_config *cfg, const struct bit_plan *plan,
		      const int *ranking, enum size_target target)
{
	int *rank = calloc((size_t)plan->n_layers, sizeof *rank);
	if (!rank)
		return;
	for (int r = 0; ranking && r < plan->n_layers; r++)
		rank[ranking[r]] = r + 1;
	printf("layer,bits,rank,bytes\n");
	for (int i = 0; i < plan->n_layers; i++) {
		printf("%d,%d,", i, plan->bits[i]);
		if (ranking)
			printf("%d", rank[i]);
		printf(",%lld\n", (long long)layer_bytes_for(cfg, target, plan->bits[i],
							     plan->group_size));
	}
	free(rank);
}

/* The importance matrix lwq export --imatrix-out recorded in the model, when it still
   exists. */
static const char *recorded_imatrix(struct model_file *mf, char *buf, size_t len)
{
	if (model_file_get_attr_str(mf, ACT_GROUP, IMATRIX_PATH_ATTR, buf, len) < 0 ||
	    !path_exists(buf))
		return NULL;
	return buf;
}

static int print_plan(const struct plan_options *o, struct model_file *mf,
		      const struct bit_plan *plan, const int *ranking,
		      const struct plan_request *req, const char *name, struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	char *text = NULL, imatrix[4096];
	if (o->emit) {
		text = plan_emit_imatrix(o->emit, plan, cfg,
					 recorded_imatrix(mf, imatrix, sizeof imatrix), err);
		if (!text)
			return -1;
	} else if (o->json) {
		text = plan_to_json(plan, cfg);
		if (!text)
			return lwq_err_set(err, "cannot format the plan");
	}
	if (text) {
		fputs(text, stdout);
		free(text);
	} else if (o->csv) {
		print_csv(cfg, plan, ranking, req->target);
	} else {
		print_summary(cfg, plan, req, name);
	}
	return 0;
}

/* The plan file; *last gets its JSON for /plans/last (stored once mf is closed). */
static int save_plan(const struct plan_options *o, struct model_file *mf,
		     const struct bit_plan *plan, char **last, struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	if (plan_write_file(o->output, plan, cfg, o->force, err) < 0)
		return -1;
	*last = plan_to_json(plan, cfg);
	if (!o->json && !o->csv && !o->emit)
		printf("wrote %s\n", o->output);
	return 0;
}

static int store_plan_text(struct model_file *mf, void *ctx, struct lwq_err *err)
{
	const char *text = ctx;
	return model_file_put_bytes(mf, PLANS_GROUP "/last", text, strlen(text), err);
}

/* A copy of the saved plan under /plans/last when the model file is writable. The file
   is opened for writing only for this, after the plan was made on a read-only handle;
   the copy is a convenience, so failing to store it is not an error. */
static void store_last_plan(const char *model, const char *text)
{
	if (!text || access(model, W_OK) != 0)
		return;
	struct lwq_err err = { "" };
	if (model_file_update(model, strlen(text), store_plan_text, (void *)text, &err) != 0 &&
	    !cli_quiet)
		fprintf(stderr, "lwq: plan: warning: the plan was saved but not copied into the "
			"model: %s\n", err.msg);
}

/* A plan from the order and the budget options. */
static int plan_from_options(const struct plan_options *o, struct model_file *mf,
			     struct order_source *src, struct order_spec *spec, int *ranking,
			     int *pins, struct plan_request *req, struct bit_plan *plan,
			     struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	if (!o->order && !order_source_has_lim(mf))
		return lwq_err_set(err, "%s has no activations, so no LIM order: give --order (zd, "
				   "zd-inverse, random:SEED, file:PATH) or run 'lwq capture' first",
				   o->model);
	if (order_source_rank(src, o->order ? o->order : "lim", spec, ranking, err) < 0)
		return -1;
	*req = (struct plan_request){ .group_size = o->group_size ? o->group_size
								  : group_size_default(cfg),
				      .pins = pins, .order = spec->name,
				      .target = (enum size_target)o->target };
	request_widths(o, spec, cfg->n_layers, req);
	if (resolve_pins(o, req, cfg->n_layers, pins, err) < 0 ||
	    make_plan(o, cfg, ranking, req, plan, err) < 0)
		return -1;
	snprintf(plan->model_name, sizeof plan->model_name, "%s", model_file_model_name(mf));
	return 0;
}

/* --optimize: the options' widths, budget and pins for plan_optimal. */
static int optimal_from_options(const struct plan_options *o, struct model_file *mf,
				int *pins, struct bit_plan *plan, double *kld, struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	struct plan_optimal_args a = { .n_widths = o->n_widths, .target = o->target,
				       .group_size = o->group_size, .by_bytes = o->mode == 'b',
				       .budget_bytes = (int64_t)floor(o->budget_bytes),
				       .avg_bits = o->avg_bits, .budget_text = o->budget_text,
				       .pins = pins };
	memcpy(a.widths, o->widths, sizeof a.widths);
	for (int i = 0; i < cfg->n_layers; i++)
		pins[i] = PIN_FREE;
	for (int i = 0; i < o->n_pins; i++) {
		int layer = o->pins[i].layer;
		if (layer >= cfg->n_layers)
			return lwq_err_set(err, "--pin %d: the model has %d layers (0..%d)", layer,
					   cfg->n_layers, cfg->n_layers - 1);
		char c = o->pins[i].level;
		pins[layer] = c == 'h' ? PIN_WIDEST : c == 'l' ? PIN_NARROWEST
			    : c == 'm' ? PIN_MIDDLE : o->pins[i].bits;
	}
	return plan_optimal(mf, &a, plan, kld, err);
}

/* --from: the plan file, checked against the model; its widths stand in for a request. */
static struct bit_plan *plan_from_file(const struct plan_options *o, struct model_file *mf,
				       struct plan_request *req, struct lwq_err *err)
{
	struct bit_plan *plan = plan_read_file(o->from, model_file_config(mf), err);
	if (plan)
		*req = (struct plan_request){ .high_bits = plan->high_bits, .mid_bits = plan->mid_bits,
					      .low_bits = plan->low_bits, .group_size = plan->group_size,
					      .order = plan->order };
	return plan;
}

static int run_plan(const struct plan_options *o, struct model_file *mf, char **last,
		    struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	struct order_source src = { mf, NULL };
	struct order_spec spec;
	struct plan_request req;
	int *ranking = malloc((size_t)cfg->n_layers * sizeof *ranking);
	int *pins = malloc((size_t)cfg->n_layers * sizeof *pins);
	struct bit_plan *plan = NULL;
	int rc = -1;
	if (!ranking || !pins) {
		lwq_err_set(err, "out of memory");
		goto done;
	}
	double kld = 0;
	if (o->mode == 'F') {
		if (!(plan = plan_from_file(o, mf, &req, err)))
			goto done;
		free(ranking);
		ranking = NULL;            /* a plan file carries no ranking */
	} else if (o->optimize) {
		plan = bit_plan_new(cfg->n_layers);
		if (!plan || optimal_from_options(o, mf, pins, plan, &kld, err) < 0)
			goto done;
		free(ranking);
		ranking = NULL;            /* widths come from the knapsack, not a ranking */
		req = (struct plan_request){ .high_bits = plan->high_bits, .mid_bits = plan->mid_bits,
					     .low_bits = plan->low_bits, .group_size = plan->group_size,
					     .order = plan->order };
	} else {
		plan = bit_plan_new(cfg->n_layers);
		if (!plan || plan_from_options(o, mf, &src, &spec, ranking, pins, &req, plan, err) < 0)
			goto done;
	}
	const char *name = plan->model_name[0] ? plan->model_name : o->model;
	if (o->output && save_plan(o, mf, plan, last, err) < 0)
		goto done;
	req.target = (enum size_target)o->target;
	if (o->optimize && !o->json && !o->csv && !o->emit) {
		plan_optimal_print(cfg, plan, req.target, kld, name);
		rc = 0;
	} else {
		rc = print_plan(o, mf, plan, ranking, &req, name, err);
	}
done:
	order_source_free(&src);
	bit_plan_free(plan);
	free(pins);
	free(ranking);
	return rc;
}

int cmd_plan(int argc, char **argv)
{
	struct plan_options *o = malloc(sizeof *o);
	if (!o)
		return cli_error("plan", "out of memory");
	int rc = parse_options(argc, argv, o);
	if (rc) {
		free(o);
		return options_exit(rc);
	}
	struct lwq_err err = { "" };
	char *last = NULL;
	struct model_file *mf = model_file_open(o->model, 0, &err);
	rc = !mf || run_plan(o, mf, &last, &err) < 0 ? cli_report("plan", &err) : EXIT_OK;
	model_file_close(mf);
	store_last_plan(o->model, last);
	free(last);
	free(o);
	return rc;
}
