/* cmd_eval.c: lwq eval: perplexity of a model file, optionally quantized by a plan, and
   the KL divergence of the plan's predictions to the unquantized model's. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands.h"
#include "eval_run.h"
#include "forward.h"
#include "method_option.h"
#include "plan_file.h"
#include "run_method.h"
#include "run_tokens.h"

/* Windows taken by default: the evaluation convention of the reference figures (64 x 512
   tokens), minutes rather than the better part of an hour on a whole held-out text. */
#define EVAL_DEFAULT_WINDOWS 64

struct eval_options {
	const char *model, *plan;
	struct run_tokens tokens;
	int json, kld, score_from;
	struct method_options method;
	char stored[512];          /* the plan an exported quantized file was made with, or "" */
	int explicit_offset;       /* --offset was given */
	int after_calib;           /* the offset was chosen after the calibration tokens */
	int64_t calib_begin;
};

static const struct opt eval_opts[] = {
	OPT_STR("plan", 'p', "PLAN.json", struct eval_options, plan,
		"bit plan to apply (from lwq plan)"),
	OPT_FLAG("kld", 0, struct eval_options, kld,
		 "also run the unquantized model and report the KL divergence of the plan's "
		 "next-token distributions to it, top-token agreement and the perplexity ratio "
		 "(needs --plan)"),
	SCORE_FROM_OPT(struct eval_options, score_from),
	RUN_TOKENS_OPTS(struct eval_options, tokens,
			"number of windows (default: every full window after the offset, at most 64)"),
	OPT_FLAG("json", 'j', struct eval_options, json, "print one JSON object"),
	RUN_TOKENS_THREADS(struct eval_options, tokens),
	METHOD_OPTS(struct eval_options, method),
	OPT_END,
};

static const struct verb_options eval_cli = { "eval",
	"Usage: lwq eval MODEL.h5 [--plan PLAN.json [--kld]] (--text FILE | --ids FILE.i32)\n"
	"                [--offset N] [--windows W] [--seq-len L] [--score-from K]\n"
	"                [--json] [--threads N] [--method rtn|gguf|gptq|gguf-gptq] [--damp F]\n"
	"                [--act-order] [--calib-text FILE | --calib-ids FILE.i32]\n"
	"\n"
	"Perplexity of the model on non-overlapping windows of tokens, over every\n"
	"next-token prediction inside each window (or those at positions >= K). With\n"
	"--plan, each layer is fake-quantized at the plan's bits first (--method);\n"
	"0 bits drops the layer. --kld compares the plan's predictions with the\n"
	"unquantized model's over the full vocabulary, as llama-perplexity\n"
	"--kl-divergence does.\n"
	"Without --offset, evaluation starts after the calibration tokens lwq capture took\n"
	"from the same file (else at 0); an --offset that overlaps them is warned about.\n"
	"\n", eval_opts, NULL };

static int parse_options(int argc, char **argv, struct eval_options *o)
{
	o->tokens.seq_len = 512;
	o->tokens.offset = -1;            /* not given: after the calibration tokens */
	o->tokens.max_windows = EVAL_DEFAULT_WINDOWS;
	method_options_init(&o->method);
	int status = options_parse(&eval_cli, argc, argv, o);
	if (status != 0)
		return status;
	if ((status = method_options_check("eval", &o->method)) != 0)
		return status;
	if (o->kld && !o->plan)
		return cli_usage_error("eval", "--kld compares a plan with the unquantized model: "
				       "give --plan PLAN.json");
	return run_tokens_finish("eval", argc, argv, &o->tokens, &o->model);
}

static void add_kld_json(json_t *obj, const struct kld_summary *k)
{
	const struct { const char *key; double v; } f[] = {
		{ "kld", k->kld_mean }, { "kld_stderr", k->kld_stderr },
		{ "kld_median", k->kld_median }, { "kld_p99", k->kld_p99 },
		{ "kld_p999", k->kld_p999 }, { "kld_max", k->kld_max },
		{ "top1", k->top1 }, { "top1_stderr", k->top1_stderr },
		{ "delta_p", k->dp_mean }, { "delta_p_stderr", k->dp_stderr },
		{ "ppl_base", k->ppl_base }, { "ppl_ratio", k->ppl_ratio },
		{ "ln_ppl_ratio", k->ln_ppl_ratio },
		{ "ln_ppl_ratio_stderr", k->ln_ppl_ratio_stderr },
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		json_object_set_new(obj, f[i].key, json_real(f[i].v));
}

/* "gptq_layers": what quantizing each layer took, in layer order. */
static void add_gptq_json(json_t *obj, const struct gptq_runner *gr, int n_layers)
{
	json_t *layers = json_array();
	for (int l = 0; l < n_layers; l++) {
		const struct gptq_layer_report *rep = gptq_runner_layer_report(gr, l);
		if (rep->bits > 0)
			json_array_append_new(layers, json_pack("{s:i, s:i, s:f, s:I}", "layer", l,
				"bits", rep->bits, "seconds", rep->seconds, "peak_rss_bytes",
				(json_int_t)rep->peak_rss_bytes));
	}
	json_object_set_new(obj, "gptq_layers", layers);
}

static void print_json(const struct eval_options *o, const struct eval_result *r,
		       const struct method_run *run, int n_layers)
{
	char source[4200], convention[64];
	json_t *obj = json_pack("{s:s, s:s?, s:s*, s:s, s:I, s:i, s:i, s:I, s:f, s:f, s:f, s:I, "
				"s:f, s:f, s:i, s:s}",
				"model", o->model, "plan", o->plan,
				"method", o->plan ? quant_method_name(o->method.method) : NULL,
				"source", run_tokens_source(&o->tokens, source, sizeof source),
				"offset", (json_int_t)o->tokens.offset,
				"windows", o->tokens.windows, "seq_len", o->tokens.seq_len,
				"tokens", (json_int_t)o->tokens.windows * o->tokens.seq_len,
				"perplexity", r->perplexity, "nll_sum", r->nll_sum,
				"nll_mean", r->nll_sum / (double)r->n_predictions,
				"predictions", (json_int_t)r->n_predictions,
				"seconds", r->seconds, "tokens_per_second", r->tokens_per_second,
				"score_from", o->score_from,
				"scoring", score_from_convention(o->score_from, o->tokens.seq_len,
								 convention, sizeof convention));
	if (r->has_kld)
		add_kld_json(obj, &r->kld);
	if (run->gptq)
		add_gptq_json(obj, run->gptq, n_layers);
	char *text = json_dumps(obj, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	puts(text);
	free(text);
	json_decref(obj);
}

static void print_text(const struct eval_options *o, const struct eval_result *r)
{
	printf("perplexity   %.4f\n", r->perplexity);
	printf("nll          %.6f per prediction (sum %.2f)\n",
	       r->nll_sum / (double)r->n_predictions, r->nll_sum);
	char convention[64];
	printf("predictions  %lld (%d windows of %d tokens from offset %lld%s)\n",
	       (long long)r->n_predictions, o->tokens.windows, o->tokens.seq_len,
	       (long long)o->tokens.offset,
	       o->tokens.windows_defaulted ? ", by default" : "");
	printf("scored       %s\n", score_from_convention(o->score_from, o->tokens.seq_len,
							  convention, sizeof convention));
	printf("plan         %s\n", o->plan ? o->plan : o->stored[0] ? o->stored
							     : "none (unquantized)");
	if (o->plan)
		printf("method       %s\n", quant_method_name(o->method.method));
	if (r->has_kld) {
		const struct kld_summary *k = &r->kld;
		printf("base ppl     %.4f (unquantized); ratio %.5f, ln ratio %.6f +/- %.6f\n",
		       k->ppl_base, k->ppl_ratio, k->ln_ppl_ratio, k->ln_ppl_ratio_stderr);
		printf("KLD          mean %.6f +/- %.6f, median %.6f, 99%% %.6f, 99.9%% %.6f, "
		       "max %.6f\n", k->kld_mean, k->kld_stderr, k->kld_median, k->kld_p99,
		       k->kld_p999, k->kld_max);
		printf("same top     %.3f +/- %.3f %%\n", 100 * k->top1, 100 * k->top1_stderr);
		printf("delta p      %.3f +/- %.3f %% (mean change of p(correct token))\n",
		       100 * k->dp_mean, 100 * k->dp_stderr);
	}
	printf("speed        %.0f tokens/s, %.2f s\n", r->tokens_per_second, r->seconds);
}

/* Without --offset, evaluation starts where the calibration tokens of the same file end:
   perplexity measured on the text the scores came from would flatter every plan. */
static void choose_offset(struct model_file *mf, struct eval_options *o)
{
	int64_t begin, end;
	o->explicit_offset = o->tokens.offset >= 0;
	if (o->explicit_offset)
		return;
	o->tokens.offset = 0;
	if (!run_tokens_calibration(mf, &o->tokens, &begin, &end))
		return;
	o->tokens.offset = end;
	o->calib_begin = begin;
	o->after_calib = 1;
}

/* Said with the results, so a run that fails still ends in one line. */
static void note_offset(const struct eval_options *o)
{
	if (o->after_calib && !cli_quiet)
		fprintf(stderr, "lwq: eval: started at offset %lld, after the calibration tokens "
			"[%lld, %lld) capture took from this file (--offset to change)\n",
			(long long)o->tokens.offset, (long long)o->calib_begin,
			(long long)o->tokens.offset);
}

/* An --offset that reads calibration tokens again is allowed, with a warning. */
static void warn_overlap(struct model_file *mf, const struct eval_options *o)
{
	int64_t begin, end, first = o->tokens.offset;
	int64_t last = first + (int64_t)o->tokens.windows * o->tokens.seq_len;
	if (!o->explicit_offset || cli_quiet || !run_tokens_calibration(mf, &o->tokens, &begin, &end))
		return;
	if (first < end && begin < last)
		fprintf(stderr, "lwq: eval: warning: tokens [%lld, %lld) overlap the calibration "
			"tokens [%lld, %lld) captured from this file; perplexity there flatters the "
			"plan\n", (long long)first, (long long)last, (long long)begin, (long long)end);
}

/* A file written by lwq export --format lwq runs as stored: say which plan made it. */
static void describe_stored_plan(struct model_file *mf, struct eval_options *o)
{
	char order[64] = "", quantizer[32] = "", from[300] = "";
	double avg = 0;
	if (model_file_get_attr_str(mf, "/", "plan_order", order, sizeof order) != 0)
		return;
	model_file_get_attr_str(mf, "/", "quantizer", quantizer, sizeof quantizer);
	model_file_get_attr_str(mf, "/", "quantized_from", from, sizeof from);
	model_file_get_attr_f64(mf, "/", "plan_avg_bits", &avg);
	snprintf(o->stored, sizeof o->stored, "stored quantized (plan: order %s, %.4g average "
		 "bits, %s; exported from %s)", order, avg, quantizer[0] ? quantizer : "rtn",
		 from[0] ? from : "?");
}

static int run_eval(struct eval_options *o, struct lwq_err *err)
{
	struct model_file *mf = model_file_open(o->model, 0, err);
	if (!mf)
		return -1;
	int rc = -1;
	struct bit_plan *plan = NULL;
	int32_t *ids = NULL;
	struct eval_result result;
	struct method_run run = { .gptq = NULL };
	if (!o->plan)
		describe_stored_plan(mf, o);
	if (forward_check_config(model_file_config(mf), err) < 0) {
		lwq_err_prefix(err, o->model);
		goto out;
	}
	if (o->plan && !(plan = plan_read_file(o->plan, model_file_config(mf), err)))
		goto out;
	choose_offset(mf, o);
	if (run_tokens_load(mf, &o->tokens, &ids, err) < 0)
		goto out;
	run_tokens_warn_length("eval", mf, &o->tokens);
	if (o->tokens.windows_defaulted && !cli_quiet)
		fprintf(stderr, "lwq: eval: %d windows of %d tokens from offset %lld (at most %d by "
			"default; --windows for more)\n", o->tokens.windows, o->tokens.seq_len,
			(long long)o->tokens.offset, EVAL_DEFAULT_WINDOWS);
	warn_overlap(mf, o);
	if (o->score_from >= o->tokens.seq_len - 1) {
		lwq_err_set(err, "--score-from %d leaves nothing to predict in windows of %d "
			    "tokens (K must be below %d)", o->score_from, o->tokens.seq_len,
			    o->tokens.seq_len - 1);
		goto out;
	}
	if (method_run_start(&run, mf, plan, &o->method, "eval", cli_quiet || o->json, err) < 0)
		goto out;
	struct eval_request req = { .rq = &run.rq, .score_from = o->score_from, .kld = o->kld };
	if (eval_run(mf, &req, ids, (int64_t)o->tokens.windows * o->tokens.seq_len,
		     o->tokens.windows, o->tokens.seq_len, NULL, &result, err) < 0)
		goto out;
	note_offset(o);
	if (o->json)
		print_json(o, &result, &run, model_file_config(mf)->n_layers);
	else
		print_text(o, &result);
	rc = 0;
out:
	method_run_end(&run);
	free(ids);
	bit_plan_free(plan);
	model_file_close(mf);
	return rc;
}

int cmd_eval(int argc, char **argv)
{
	struct eval_options o = { 0 };
	int status = parse_options(argc, argv, &o);
	if (status != 0)
		return options_exit(status);
	struct lwq_err err = { "" };
	if (run_eval(&o, &err) < 0)
		return cli_report("eval", &err);
	return EXIT_OK;
}
