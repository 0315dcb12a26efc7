/* cmd_score.c: lwq score: per-layer LIM, ZD and RTN errors, cached in the model file. */
#include <jansson.h>
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
#include "order.h"
#include "plan.h"
#include "method_option.h"
#include "measured_store.h"
#include "score_measure.h"
#include "score_store.h"

struct score_options {
	const char *model;
	int group_size;            /* 0: default for the model */
	int force, json, csv;
	int measure, widths_given;
	struct measure_options m;
};

static const char *parse_widths(const char *text, void *opts)
{
	struct score_options *o = opts;
	o->widths_given = 1;
	return measure_parse_widths(text, o->m.widths, &o->m.n_widths);
}

static const struct opt score_opts[] = {
	OPT_INT("group-size", 'g', "G", struct score_options, group_size, 1, 1 << 20,
		"RTN group size (default: 128, or the largest power of two below it dividing "
		"every row length)"),
	OPT_FLAG("force", 'f', struct score_options, force,
		 "recompute even when the cache is current"),
	OPT_FLAG("json", 'j', struct score_options, json, "one JSON object (documented in lwq(1))"),
	OPT_FLAG("csv", 'c', struct score_options, csv, "one CSV row per layer (columns in lwq(1))"),
	OPT_FLAG("measure", 0, struct score_options, measure,
		 "measure each layer's sensitivity instead: the KL divergence to the unquantized "
		 "model with that layer alone quantized at each width, on the captured "
		 "calibration windows; stored under /scores/measured"),
	OPT_CALL("widths", 0, "LIST", parse_widths, "--measure: widths to try (default 2,3,4)"),
	METHOD_OPT(struct score_options, m.method),
	OPT_INT("windows", 'w', "W", struct score_options, m.windows, 1, 1 << 20,
		"--measure: the first W captured windows (default: all)"),
	SCORE_FROM_OPT(struct score_options, m.score_from),
	OPT_END,
};

static const struct verb_options score_cli = { "score",
	"Usage: lwq score MODEL.h5 [--json|--csv] [--group-size G] [--force]\n"
	"       lwq score MODEL.h5 --measure [--widths LIST] [--method M]\n"
	"                 [--windows W] [--score-from K] [--group-size G] [--json]\n"
	"\n"
	"Compute per-layer importance and quantization error and cache them in the model\n"
	"file under /scores: LIM (needs 'lwq capture'), ZD over each layer's seven linears\n"
	"and per tensor, parameters, bytes per layer at 2, 3, 4 and 8 bits, and the RTN\n"
	"relative error at those widths (also weighted by captured input statistics).\n"
	"A second run with unchanged inputs reads the cache. With --measure, each layer\n"
	"is quantized alone at each width and its KL divergence to the unquantized model\n"
	"measured (the 'measured' order and plan --optimize use the table).\n"
	"\n", score_opts, NULL };

static int parse_options(int argc, char **argv, struct score_options *o)
{
	memset(o, 0, sizeof *o);
	int rc = options_parse(&score_cli, argc, argv, o);
	if (rc != 0)
		return rc;
	if (o->json && o->csv)
		return cli_usage_error("score", "--json and --csv are exclusive");
	if (!o->measure && (o->widths_given || o->m.method || o->m.windows || o->m.score_from))
		return cli_usage_error("score", "--widths, --method, --windows and --score-from "
				       "go with --measure");
	if (o->measure && (o->csv || o->force))
		return cli_usage_error("score", "--measure prints a table or --json");
	if (!o->widths_given)
		o->m.n_widths = 3, o->m.widths[0] = 2, o->m.widths[1] = 3, o->m.widths[2] = 4;
	return cli_model_operand("score", argc, argv, 0, &o->model);
}

/* 1-based importance rank of each layer in a score's descending order; 0 when absent. */
static void ranks_of(const char *order, const float *lim, const float *zd, int n, int *rank)
{
	struct order_spec spec;
	int *ranking = malloc((size_t)n * sizeof *ranking);
	memset(rank, 0, (size_t)n * sizeof *rank);
	order_parse(order, &spec, NULL);
	if (ranking && order_ranking(&spec, lim, zd, n, ranking, NULL) == 0)
		for (int r = 0; r < n; r++)
			rank[ranking[r]] = r + 1;
	free(ranking);
}

static json_t *json_float_or_null(const float *v, int64_t i)
{
	return v ? json_real(v[i]) : json_null();
}

/* {"2": [q k v o gate up down], ...} of one layer, or null. */
static json_t *json_tensor_errors(const float *rel, int layer)
{
	if (!rel)
		return json_null();
	json_t *o = json_object();
	for (int b = 0; b < SCORE_RTN_LEVELS; b++) {
		json_t *row = json_array();
		for (int k = 0; k < LIN_COUNT; k++)
			json_array_append_new(row, json_real(
				rel[((int64_t)layer * LIN_COUNT + k) * SCORE_RTN_LEVELS + b]));
		char key[8];
		snprintf(key, sizeof key, "%d", score_rtn_bits[b]);
		json_object_set_new(o, key, row);
	}
	return o;
}

static json_t *json_layer_errors(const struct model_config *cfg, const float *rel, int layer)
{
	if (!rel)
		return json_null();
	json_t *o = json_object();
	for (int b = 0; b < SCORE_RTN_LEVELS; b++) {
		char key[8];
		snprintf(key, sizeof key, "%d", score_rtn_bits[b]);
		json_object_set_new(o, key, json_real(layer_rtn_error(cfg, rel, layer, b)));
	}
	return o;
}

static json_t *json_layer(const struct model_config *cfg, const struct layer_scores *s,
			  int l, const int *rank_lim, const int *rank_zd)
{
	json_t *o = json_object(), *zdt = json_object();
	json_object_set_new(o, "layer", json_integer(l));
	json_object_set_new(o, "params", json_integer((json_int_t)s->params[l]));
	json_object_set_new(o, "lim", json_float_or_null(s->lim, l));
	json_object_set_new(o, "zd", json_real(s->zd[l]));
	json_object_set_new(o, "rank_lim", s->lim ? json_integer(rank_lim[l]) : json_null());
	json_object_set_new(o, "rank_zd", json_integer(rank_zd[l]));
	for (int k = 0; k < LIN_COUNT; k++)
		json_object_set_new(zdt, linear_names[k], json_real(s->zd_tensor[l * LIN_COUNT + k]));
	json_object_set_new(o, "zd_tensor", zdt);
	json_object_set_new(o, "rtn_err", json_layer_errors(cfg, s->rtn_err, l));
	json_object_set_new(o, "rtn_err_weighted", json_layer_errors(cfg, s->rtn_werr, l));
	json_object_set_new(o, "rtn_err_tensor", json_tensor_errors(s->rtn_err, l));
	json_object_set_new(o, "rtn_err_weighted_tensor", json_tensor_errors(s->rtn_werr, l));
	return o;
}

static void print_json(struct model_file *mf, const struct layer_scores *s, const int *rank_lim,
		       const int *rank_zd)
{
	const struct model_config *cfg = model_file_config(mf);
	json_t *root = json_object(), *model = json_object(), *bytes = json_object();
	json_t *layers = json_array();
	json_object_set_new(model, "name", json_string(model_file_model_name(mf)));
	json_object_set_new(model, "params", json_integer(total_params(cfg)));
	json_object_set_new(model, "n_layers", json_integer(cfg->n_layers));
	json_object_set_new(root, "model", model);
	json_object_set_new(root, "group_size", json_integer(s->group_size));
	json_object_set_new(root, "cached", json_boolean(s->cached));
	json_object_set_new(root, "fingerprint", json_string(s->fingerprint));
	json_object_set_new(root, "fixed_bytes", json_integer(fixed_bytes(cfg)));
	for (int b = 0; b < SCORE_RTN_LEVELS; b++) {
		char key[8];
		snprintf(key, sizeof key, "%d", score_rtn_bits[b]);
		json_object_set_new(bytes, key, json_integer(layer_bytes_rtn(cfg, score_rtn_bits[b],
									      s->group_size)));
	}
	json_object_set_new(root, "layer_bytes", bytes);
	for (int l = 0; l < s->n_layers; l++)
		json_array_append_new(layers, json_layer(cfg, s, l, rank_lim, rank_zd));
	json_object_set_new(root, "layers", layers);
	json_object_set_new(root, "spearman_with_measured",
			    measure_json_correlations(mf, s->lim, s->zd));
	json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(7));
	fputc('\n', stdout);
	json_decref(root);
}

static void print_csv_value(const float *v, int64_t i)
{
	if (v)
		printf(",%.7g", v[i]);
	else
		printf(",");
}

static void print_csv(const struct model_config *cfg, const struct layer_scores *s,
		      const int *rank_lim, const int *rank_zd)
{
	printf("layer,params,lim,zd,rank_lim,rank_zd,err_2,err_3,err_4,err_8,"
	       "werr_2,werr_3,werr_4,werr_8,bytes_2,bytes_3,bytes_4,bytes_8\n");
	for (int l = 0; l < s->n_layers; l++) {
		printf("%d,%.0f", l, s->params[l]);
		print_csv_value(s->lim, l);
		printf(",%.7g", s->zd[l]);
		if (s->lim)
			printf(",%d", rank_lim[l]);
		else
			printf(",");
		printf(",%d", rank_zd[l]);
		for (int pass = 0; pass < 2; pass++) {
			const float *rel = pass == 0 ? s->rtn_err : s->rtn_werr;
			for (int b = 0; b < SCORE_RTN_LEVELS; b++)
				if (rel)
					printf(",%.7g", layer_rtn_error(cfg, rel, l, b));
				else
					printf(",");
		}
		for (int b = 0; b < SCORE_RTN_LEVELS; b++)
			printf(",%lld", (long long)layer_bytes_rtn(cfg, score_rtn_bits[b], s->group_size));
		printf("\n");
	}
}

static void print_table(struct model_file *mf, const struct layer_scores *s, const int *rank_lim,
			const int *rank_zd)
{
	const struct model_config *cfg = model_file_config(mf);
	char buf[4][32], fixed[32];
	printf("%s: %d layers, %lld linear parameters per layer, scores %s (group size %d)\n",
	       model_file_model_name(mf)[0] ? model_file_model_name(mf) : model_file_path(mf),
	       cfg->n_layers, (long long)layer_linear_params(cfg),
	       s->cached ? "cached" : "computed", s->group_size);
	for (int b = 0; b < SCORE_RTN_LEVELS; b++)
		format_size((double)layer_bytes_rtn(cfg, score_rtn_bits[b], s->group_size), buf[b],
			    sizeof buf[b]);
	printf("bytes per layer: 2-bit %s, 3-bit %s, 4-bit %s, 8-bit %s; outside layers %s\n\n",
	       buf[0], buf[1], buf[2], buf[3], format_size((double)fixed_bytes(cfg), fixed, sizeof fixed));
	printf("layer      LIM  #LIM      ZD  #ZD   err@2   err@3   err@4   err@8%s\n",
	       s->rtn_werr ? "  werr@2  werr@3  werr@4  werr@8" : "");
	for (int l = 0; l < s->n_layers; l++) {
		if (s->lim)
			printf("%5d %8.5f %5d", l, s->lim[l], rank_lim[l]);
		else
			printf("%5d %8s %5s", l, "-", "-");
		printf(" %7.5f %4d", s->zd[l], rank_zd[l]);
		for (int pass = 0; pass < 2; pass++) {
			const float *rel = pass == 0 ? s->rtn_err : s->rtn_werr;
			for (int b = 0; rel && b < SCORE_RTN_LEVELS; b++)
				printf(" %7.4f", layer_rtn_error(cfg, rel, l, b));
		}
		printf("\n");
	}
	if (!s->lim)
		printf("\nLIM unavailable: the file has no activations; run 'lwq capture %s "
		       "--text FILE' first.\n", model_file_path(mf));
	if (measured_present(mf)) {
		printf("\n");
		measure_print_correlations(mf, s->lim, s->zd);
	}
}

static int store_scores(struct model_file *mf, void *ctx, struct lwq_err *err)
{
	return scores_store(mf, ctx, err);
}

/* Caches freshly computed scores in the file. Everything before ran on a read-only
   handle: the file is open for writing only this long, so a run killed while computing
   never leaves it marked as in use. A read-only file is scored without caching. */
static int cache_scores(const char *path, struct layer_scores *s, struct lwq_err *err)
{
	if (access(path, W_OK) != 0) {
		if (!cli_quiet)
			fprintf(stderr, "lwq: score: %s is read-only; scores were not cached\n", path);
		return 0;
	}
	/* held open by another process (an export or eval running): the printed scores stand */
	struct lwq_err busy = { "" };
	if (model_file_check_update(path, &busy) < 0) {
		if (!cli_quiet)
			fprintf(stderr, "lwq: score: scores were not cached: %s\n", busy.msg);
		return 0;
	}
	return model_file_update(path, 0, store_scores, s, err);
}

static void print_scores(const struct score_options *o, struct model_file *mf,
			 const struct layer_scores *s)
{
	const struct model_config *cfg = model_file_config(mf);
	int *rank_lim = calloc((size_t)s->n_layers, sizeof *rank_lim);
	int *rank_zd = calloc((size_t)s->n_layers, sizeof *rank_zd);
	if (rank_lim && rank_zd) {
		if (s->lim)
			ranks_of("lim", s->lim, s->zd, s->n_layers, rank_lim);
		ranks_of("zd", s->lim, s->zd, s->n_layers, rank_zd);
		if (o->json)
			print_json(mf, s, rank_lim, rank_zd);
		else if (o->csv)
			print_csv(cfg, s, rank_lim, rank_zd);
		else
			print_table(mf, s, rank_lim, rank_zd);
	}
	free(rank_lim);
	free(rank_zd);
}

/* Scores (cached or computed) on a read-only handle; printed before the handle closes. */
static struct layer_scores *score_model(const struct score_options *o, struct lwq_err *err)
{
	struct model_file *mf = model_file_open(o->model, 0, err);
	if (!mf)
		return NULL;
	const struct model_config *cfg = model_file_config(mf);
	struct score_request req = { .group_size = o->group_size ? o->group_size
								 : group_size_default(cfg),
				     .with_rtn = 1, .force = o->force };
	struct layer_scores *s = NULL;
	if (group_size_check(cfg, req.group_size, err) == 0 && !(s = scores_get(mf, &req, err)))
		lwq_err_prefix(err, o->model);
	if (s)
		print_scores(o, mf, s);
	model_file_close(mf);
	return s;
}

int cmd_score(int argc, char **argv)
{
	struct score_options o;
	int rc = parse_options(argc, argv, &o);
	if (rc)
		return options_exit(rc);
	struct lwq_err err = { "" };
	if (o.measure) {
		o.m.model = o.model, o.m.group_size = o.group_size, o.m.json = o.json;
		return score_measure(&o.m, &err) < 0 ? cli_report("score", &err) : EXIT_OK;
	}
	struct layer_scores *s = score_model(&o, &err);
	if (!s)
		return cli_report("score", &err);
	rc = !s->cached && cache_scores(o.model, s, &err) < 0 ? cli_report("score", &err) : EXIT_OK;
	if (rc == EXIT_OK && s->lim)
		cli_next_step("score", "lwq plan %s --budget SIZE, or explore it: lwq %s", o.model,
			      o.model);
	else if (rc == EXIT_OK)
		cli_next_step("score", "lwq capture %s --text FILE for LIM, or plan by ZD: lwq plan "
			      "%s --order zd --budget SIZE", o.model, o.model);
	layer_scores_free(s);
	return rc;
}
