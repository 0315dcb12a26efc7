/* cmd_eval.c: lwq eval: perplexity of a model file, optionally quantized by a plan. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands.h"
#include "eval_run.h"
#include "forward.h"
#include "plan_file.h"
#include "run_tokens.h"

struct eval_options {
	const char *model, *plan;
	struct run_tokens tokens;
	int json;
};

static const struct opt eval_opts[] = {
	OPT_STR("plan", 'p', "PLAN.json", struct eval_options, plan,
		"bit plan to apply (from lwq plan)"),
	RUN_TOKENS_OPTS(struct eval_options, tokens,
			"number of windows (default: every full window after the offset)"),
	OPT_FLAG("json", 'j', struct eval_options, json, "print one JSON object"),
	RUN_TOKENS_THREADS(struct eval_options, tokens),
	OPT_END,
};

static const struct verb_options eval_cli = { "eval",
	"Usage: lwq eval MODEL.h5 [--plan PLAN.json] (--text FILE | --ids FILE.i32)\n"
	"                [--offset N] [--windows W] [--seq-len L] [--json] [--threads N]\n"
	"\n"
	"Perplexity of the model on non-overlapping windows of tokens, over every\n"
	"next-token prediction inside each window. With --plan, each layer is\n"
	"fake-quantized (RTN) at the plan's bits first; 0 bits drops the layer.\n"
	"\n", eval_opts, NULL };

static int parse_options(int argc, char **argv, struct eval_options *o)
{
	o->tokens.seq_len = 512;
	int status = options_parse(&eval_cli, argc, argv, o);
	if (status != 0)
		return status;
	return run_tokens_finish("eval", argc, argv, &o->tokens, &o->model);
}

static void print_json(const struct eval_options *o, const struct eval_result *r)
{
	char source[4200];
	json_t *obj = json_pack("{s:s, s:s?, s:s, s:I, s:i, s:i, s:I, s:f, s:f, s:f, s:I, s:f, s:f}",
				"model", o->model, "plan", o->plan,
				"source", run_tokens_source(&o->tokens, source, sizeof source),
				"offset", (json_int_t)o->tokens.offset,
				"windows", o->tokens.windows, "seq_len", o->tokens.seq_len,
				"tokens", (json_int_t)o->tokens.windows * o->tokens.seq_len,
				"perplexity", r->perplexity, "nll_sum", r->nll_sum,
				"nll_mean", r->nll_sum / (double)r->n_predictions,
				"predictions", (json_int_t)r->n_predictions,
				"seconds", r->seconds, "tokens_per_second", r->tokens_per_second);
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
	printf("predictions  %lld (%d windows of %d tokens from offset %lld%s)\n",
	       (long long)r->n_predictions, o->tokens.windows, o->tokens.seq_len,
	       (long long)o->tokens.offset,
	       o->tokens.windows_defaulted ? ", every full window" : "");
	printf("plan         %s\n", o->plan ? o->plan : "none (unquantized)");
	printf("speed        %.0f tokens/s, %.2f s\n", r->tokens_per_second, r->seconds);
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
	if (forward_check_config(model_file_config(mf), err) < 0) {
		lwq_err_prefix(err, o->model);
		goto out;
	}
	if (o->plan && !(plan = plan_read_file(o->plan, model_file_config(mf), err)))
		goto out;
	if (run_tokens_load(mf, &o->tokens, &ids, err) < 0)
		goto out;
	run_tokens_warn_length("eval", mf, &o->tokens);
	if (o->tokens.windows_defaulted && !o->json && !cli_quiet)
		fprintf(stderr, "lwq: eval: using every full window: %d windows of %d tokens\n",
			o->tokens.windows, o->tokens.seq_len);
	if (eval_perplexity(mf, plan, ids, (int64_t)o->tokens.windows * o->tokens.seq_len,
			    o->tokens.windows, o->tokens.seq_len, NULL, &result, err) < 0)
		goto out;
	if (o->json)
		print_json(o, &result);
	else
		print_text(o, &result);
	rc = 0;
out:
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
