/* cmd_capture.c: lwq capture: calibration tokens through the model, activations stored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture_run.h"
#include "model_update.h"
#include "cli.h"
#include "commands.h"
#include "forward.h"
#include "layout.h"
#include "progress.h"
#include "run_tokens.h"
#include "scores.h"

#define DEFAULT_KEPT 1024

struct capture_options {
	const char *model;
	struct run_tokens tokens;
	int64_t keep;              /* -1: all */
	int force;
};

static const char *parse_keep(const char *arg, void *opts)
{
	struct capture_options *o = opts;
	long v;
	if (strcmp(arg, "all") == 0)
		o->keep = -1;
	else if (strcmp(arg, "none") == 0)
		o->keep = 0;
	else if (parse_int(arg, 0, 1L << 40, &v) == 0)
		o->keep = v;
	else
		return "a count, all or none";
	return NULL;
}

static const struct opt capture_opts[] = {
	RUN_TOKENS_OPTS(struct capture_options, tokens, "number of windows (default 16)"),
	OPT_CALL("keep-streams", 'k', "N", parse_keep,
		 "token positions whose streams are stored: a count (default 1024), 'all' or "
		 "'none'"),
	OPT_FLAG("force", 'f', struct capture_options, force,
		 "replace activations already in the file"),
	RUN_TOKENS_THREADS(struct capture_options, tokens),
	OPT_END,
};

static const struct verb_options capture_cli = { "capture",
	"Usage: lwq capture MODEL.h5 (--text FILE | --ids FILE.i32) [--offset N]\n"
	"                   [--windows W] [--seq-len L] [--keep-streams N|all|none] [--force]\n"
	"\n"
	"Run calibration tokens through the model and store in MODEL.h5, under\n"
	"/activations: the per-token cosine between the residual stream entering and\n"
	"leaving each layer (for LIM), the residual streams at evenly spaced token\n"
	"positions, and per-column sums of squares of every linear's input.\n"
	"\n", capture_opts, NULL };

static int parse_options(int argc, char **argv, struct capture_options *o)
{
	o->tokens.windows = 16;
	o->tokens.seq_len = 512;
	o->keep = DEFAULT_KEPT;
	int status = options_parse(&capture_cli, argc, argv, o);
	if (status != 0)
		return status;
	return run_tokens_finish("capture", argc, argv, &o->tokens, &o->model);
}

/* Everything that can fail on bad input happens here, on a read-only handle, so the
   model file is untouched unless the whole run succeeds. */
static struct capture_data *measure(struct capture_options *o, int32_t **ids,
				    struct lwq_err *err)
{
	struct model_file *mf = model_file_open(o->model, 0, err);
	if (!mf)
		return NULL;
	struct capture_data *cd = NULL;
	if (forward_check_config(model_file_config(mf), err) < 0)
		lwq_err_prefix(err, o->model);
	else if (!o->force && model_file_exists(mf, ACT_GROUP))
		lwq_err_set(err, "%s: already holds %s (use --force to replace them)", o->model,
			    ACT_GROUP);
	else if (run_tokens_load(mf, &o->tokens, ids, err) == 0) {
		run_tokens_warn_length("capture", mf, &o->tokens);
		cd = capture_run(mf, *ids, o->tokens.windows, o->tokens.seq_len, o->keep, err);
	}
	model_file_close(mf);
	return cd;
}

struct capture_store {
	const struct capture_data *cd;
	const int32_t *ids;
	const struct capture_meta *meta;
};

static int store_in(struct model_file *mf, void *ctx, struct lwq_err *err)
{
	const struct capture_store *cs = ctx;
	return capture_write(mf, cs->cd, cs->ids, cs->meta, err);
}

/* The model file under its name stays whole: old activations or the new ones. */
static int store(const struct capture_options *o, const struct capture_data *cd,
		 const int32_t *ids, struct lwq_err *err)
{
	char source[4200];
	struct capture_meta meta = {
		.windows = o->tokens.windows, .seq_len = o->tokens.seq_len,
		.offset = o->tokens.offset,
		.source = run_tokens_source(&o->tokens, source, sizeof source),
	};
	struct capture_store cs = { cd, ids, &meta };
	uint64_t bytes = (uint64_t)capture_stream_bytes(cd) +
			 (uint64_t)cd->n_tokens * ((uint64_t)cd->n_layers + 1) * 4;
	return model_file_update(o->model, bytes, store_in, &cs, err);
}

static void summarize(const struct capture_options *o, const struct capture_data *cd,
		      double seconds)
{
	char size[32];
	printf("%s: captured %d windows of %d tokens (%lld tokens) in %.1f s, %.0f tokens/s\n",
	       o->model, o->tokens.windows, o->tokens.seq_len, (long long)cd->n_tokens, seconds,
	       seconds > 0 ? (double)cd->n_tokens / seconds : 0.0);
	printf("streams: %lld token positions x %d boundaries x %d values as f16 = %s\n",
	       (long long)cd->n_kept, cd->n_layers + 1, cd->hidden,
	       format_size((double)capture_stream_bytes(cd), size, sizeof size));
	printf("layer  mean cos   LIM\n");
	for (int l = 0; l < cd->n_layers; l++) {
		double lim = 0;      /* the score lwq score stores, from the same function */
		lim_from_cos(cd->cos + (int64_t)l * cd->n_tokens, cd->n_tokens, &lim, NULL);
		printf("%5d  %8.5f  %8.5f\n", l, -lim, lim);
	}
}

int cmd_capture(int argc, char **argv)
{
	struct capture_options o = { 0 };
	int status = parse_options(argc, argv, &o);
	if (status != 0)
		return options_exit(status);
	struct lwq_err err = { "" };
	int32_t *ids = NULL;
	double start = monotonic_seconds();
	/* the activations are stored in the model: say now, not after the run, if it can't be */
	if (model_file_check_update(o.model, &err) < 0)
		return cli_report("capture", &err);
	struct capture_data *cd = measure(&o, &ids, &err);
	int rc = cd ? store(&o, cd, ids, &err) : -1;
	if (rc == 0)
		summarize(&o, cd, monotonic_seconds() - start);
	if (rc == 0)
		cli_next_step("capture", "lwq score %s (LIM, ZD and RTN errors per layer), then "
			      "lwq plan %s --budget SIZE", o.model, o.model);
	capture_data_free(cd);
	free(ids);
	return rc < 0 ? cli_report("capture", &err) : EXIT_OK;
}
