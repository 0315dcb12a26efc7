/* score_measure.c: lwq score --measure: each layer alone at each width on the calibration
   windows, its KL divergence to the unquantized model, stored under /scores/measured. */
#include "score_measure.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "layout.h"
#include "gptq_run.h"
#include "measured_store.h"
#include "model_update.h"
#include "plan.h"
#include "rank_corr.h"
#include "score_store.h"

const char *measure_parse_widths(const char *text, int *widths, int *n_widths)
{
	static const char want[] = "a list of distinct widths in bits such as 2,3,4 (at most 8)";
	const char *p = text;
	int n = 0;
	while (*p) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p || (*end && *end != ',') || n == MEASURE_MAX_WIDTHS || v < 1 || v > 16)
			return want;
		for (int i = 0; i < n; i++)
			if (widths[i] == v)
				return want;
		widths[n++] = (int)v;
		p = *end ? end + 1 : end;
	}
	if (n == 0)
		return want;
	*n_widths = n;
	return NULL;
}

/* The calibration windows lwq capture stored: the first `windows` of them. */
static int32_t *captured_ids(struct model_file *mf, int *windows, int *seq_len,
			     struct lwq_err *err)
{
	const char *path = model_file_path(mf);
	int64_t w = 0, L = 0, n = 0;
	if (!model_file_exists(mf, ACT_TOKENS) ||
	    model_file_get_attr_i64(mf, ACT_GROUP, "windows", &w) != 0 ||
	    model_file_get_attr_i64(mf, ACT_GROUP, "seq_len", &L) != 0)
		return lwq_err_set(err, "%s: no calibration windows to measure on (run: lwq capture "
				   "%s --text FILE)", path, path), NULL;
	if (model_file_get_attr_i64(mf, ACT_GROUP, "n_tokens", &n) != 0)
		n = w * L;
	if (*windows > w)
		return lwq_err_set(err, "%s: --windows %d, but capture stored %lld windows", path,
				   *windows, (long long)w), NULL;
	if (*windows == 0)
		*windows = (int)w;
	*seq_len = (int)L;
	int32_t *all = malloc((size_t)n * sizeof *all);
	if (!all)
		return lwq_err_set(err, "out of memory"), NULL;
	if (model_file_get_i32(mf, ACT_TOKENS, all, n, err) < 0) {
		free(all);
		return NULL;
	}
	return all;
}

static int store_measured(struct model_file *mf, void *ctx, struct lwq_err *err)
{
	return measured_store(mf, ctx, err);
}

/* rho of the measured order with a score (sign -1: the score's inverse). */
static double rho(const struct measured_table *t, const float *score, double sign)
{
	if (!score)
		return NAN;
	double *a = malloc((size_t)t->n_layers * sizeof *a), *m = malloc((size_t)t->n_layers * sizeof *m);
	float *imp = malloc((size_t)t->n_layers * sizeof *imp);
	double r = NAN;
	if (a && m && imp) {
		measured_importance(t, imp);
		for (int i = 0; i < t->n_layers; i++)
			a[i] = sign * score[i], m[i] = imp[i];
		r = spearman(a, m, t->n_layers);
	}
	free(a), free(m), free(imp);
	return r;
}

static void correlations(struct model_file *mf, const struct measured_table *t, double out[3])
{
	struct score_request req = { .skip_zd = 0 };
	struct layer_scores *s = scores_get(mf, &req, NULL);
	out[0] = rho(t, s ? s->lim : NULL, 1);
	out[1] = rho(t, s ? s->zd : NULL, 1);
	out[2] = rho(t, s ? s->zd : NULL, -1);
	layer_scores_free(s);
}

static void print_rho(const double r[3], const struct measured_table *t)
{
	int narrow = 0;
	for (int w = 1; w < t->n_widths; w++)
		narrow = t->widths[w] < t->widths[narrow] ? w : narrow;
	printf("Spearman rank correlation with the measured order (KLD at %d bits):", t->widths[narrow]);
	const char *names[3] = { "LIM", "ZD", "ZD-inverse" };
	for (int k = 0; k < 3; k++) {
		if (isnan(r[k]))
			printf(" %s -", names[k]);
		else
			printf(" %s %+.3f", names[k], r[k]);
		printf(k < 2 ? "," : "\n");
	}
}

void measure_print_correlations(struct model_file *mf, const float *lim, const float *zd)
{
	struct measured_table *t = measured_load(mf, NULL);
	if (!t)
		return;
	double r[3] = { rho(t, lim, 1), rho(t, zd, 1), rho(t, zd, -1) };
	print_rho(r, t);
	measured_table_free(t);
}

json_t *measure_json_correlations(struct model_file *mf, const float *lim, const float *zd)
{
	struct measured_table *t = measured_load(mf, NULL);
	if (!t)
		return json_null();
	double r[3] = { rho(t, lim, 1), rho(t, zd, 1), rho(t, zd, -1) };
	const char *names[3] = { "lim", "zd", "zd-inverse" };
	json_t *o = json_object();
	for (int k = 0; k < 3; k++)
		json_object_set_new(o, names[k], isnan(r[k]) ? json_null() : json_real(r[k]));
	measured_table_free(t);
	return o;
}

static void print_table(const struct measured_table *t, const double r[3])
{
	printf("measured: each layer alone at each width, KL divergence to the unquantized model\n");
	printf("on %d calibration windows of %d tokens (%s), method %s, %.1f s\n\n", t->windows,
	       t->seq_len, t->score_from ? "from position K" : "every prediction", t->method,
	       t->seconds);
	printf("layer");
	for (int w = 0; w < t->n_widths; w++)
		printf("   kld@%-2d  top1@%-2d", t->widths[w], t->widths[w]);
	printf("\n");
	for (int i = 0; i < t->n_layers; i++) {
		printf("%5d", i);
		for (int w = 0; w < t->n_widths; w++)
			printf(" %9.6f %7.4f", t->kld[i * t->n_widths + w], t->top1[i * t->n_widths + w]);
		printf("\n");
	}
	printf("\n");
	print_rho(r, t);
}

static void print_json(const char *model, const struct measured_table *t, const double r[3])
{
	json_t *root = json_object(), *layers = json_array(), *widths = json_array();
	for (int w = 0; w < t->n_widths; w++)
		json_array_append_new(widths, json_integer(t->widths[w]));
	for (int i = 0; i < t->n_layers; i++) {
		json_t *kld = json_array(), *top1 = json_array();
		for (int w = 0; w < t->n_widths; w++) {
			json_array_append_new(kld, json_real(t->kld[i * t->n_widths + w]));
			json_array_append_new(top1, json_real(t->top1[i * t->n_widths + w]));
		}
		json_array_append_new(layers, json_pack("{s:i, s:o, s:o}", "layer", i, "kld", kld,
							"top1", top1));
	}
	json_t *rho_obj = json_object();
	const char *names[3] = { "lim", "zd", "zd-inverse" };
	for (int k = 0; k < 3; k++)
		json_object_set_new(rho_obj, names[k], isnan(r[k]) ? json_null() : json_real(r[k]));
	json_object_set_new(root, "model", json_string(model));
	json_object_set_new(root, "method", json_string(t->method));
	json_object_set_new(root, "group_size", json_integer(t->group_size));
	json_object_set_new(root, "windows", json_integer(t->windows));
	json_object_set_new(root, "seq_len", json_integer(t->seq_len));
	json_object_set_new(root, "score_from", json_integer(t->score_from));
	json_object_set_new(root, "widths", widths);
	json_object_set_new(root, "seconds", json_real(t->seconds));
	json_object_set_new(root, "layers", layers);
	json_object_set_new(root, "spearman_with_measured", rho_obj);
	char *text = json_dumps(root, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(8));
	puts(text);
	free(text);
	json_decref(root);
}

/* Runs the trials on a read-only handle; fills t. */
static int measure(const struct measure_options *o, struct model_file *mf,
		   struct measured_table *t, double r[3], struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	int windows = o->windows, seq_len = 0;
	int group = o->group_size ? o->group_size : group_size_default(cfg);
	if (!quant_method_is_gguf(o->method) && group_size_check(cfg, group, err) < 0)
		return lwq_err_prefix(err, o->model);
	if (o->score_from > 0 && o->score_from >= 1 << 20)
		return lwq_err_set(err, "bad --score-from");
	int32_t *ids = captured_ids(mf, &windows, &seq_len, err);
	if (!ids)
		return -1;
	if (o->score_from >= seq_len - 1) {
		free(ids);
		return lwq_err_set(err, "--score-from %d leaves nothing to predict in the captured "
				   "windows of %d tokens (K must be below %d)", o->score_from,
				   seq_len, seq_len - 1);
	}
	struct measure_request req = { .n_widths = o->n_widths, .method = o->method,
				       .group_size = group, .score_from = o->score_from };
	memcpy(req.widths, o->widths, sizeof req.widths);
	/* GPTQ: each trial quantizes its one layer from the streams the stored layers
	   before it produce, on the same windows */
	struct gptq_runner *gptq = NULL;
	if (o->method == QUANT_GPTQ || o->method == QUANT_GGUF_GPTQ) {
		struct gptq_run_config grc = { .independent = 1, .group_size = group, .ids = ids,
					       .gguf = o->method == QUANT_GGUF_GPTQ,
					       .windows = windows, .seq_len = seq_len,
					       .verb = "score", .quiet = o->json };
		grc.opt = gptq_options_default();
		if (!(gptq = gptq_runner_new(mf, &grc, err))) {
			free(ids);
			return -1;
		}
		req.quantize_layer = gptq_quantize_layer;
		req.user = gptq;
	}
	double *kld = malloc((size_t)cfg->n_layers * o->n_widths * sizeof *kld);
	double *top1 = malloc((size_t)cfg->n_layers * o->n_widths * sizeof *top1);
	int rc = kld && top1 ? measure_layers(mf, &req, ids, windows, seq_len, kld, top1,
					      &t->seconds, err)
			     : lwq_err_set(err, "out of memory");
	for (int i = 0; rc == 0 && i < cfg->n_layers * o->n_widths; i++)
		t->kld[i] = (float)kld[i], t->top1[i] = (float)top1[i];
	free(kld), free(top1), free(ids);
	gptq_runner_free(gptq);
	if (rc < 0)
		return -1;
	memcpy(t->widths, o->widths, sizeof t->widths);
	snprintf(t->method, sizeof t->method, "%s", quant_method_name(o->method));
	t->group_size = !quant_method_is_gguf(o->method) ? group : 0;
	t->windows = windows, t->seq_len = seq_len, t->score_from = o->score_from;
	snprintf(t->source, sizeof t->source, "%s", "activations/tokens");
	correlations(mf, t, r);
	return 0;
}

int score_measure(const struct measure_options *o, struct lwq_err *err)
{
	struct model_file *mf = model_file_open(o->model, 0, err);
	if (!mf)
		return -1;
	struct measured_table *t = measured_table_new(model_file_config(mf)->n_layers,
						      o->n_widths);
	double r[3];
	int rc = t ? measure(o, mf, t, r, err) : lwq_err_set(err, "out of memory");
	model_file_close(mf);
	if (rc == 0)
		rc = model_file_update(o->model, (uint64_t)t->n_layers * t->n_widths * 8 + 4096,
				       store_measured, t, err);
	if (rc == 0) {
		if (o->json)
			print_json(o->model, t, r);
		else
			print_table(t, r);
	}
	measured_table_free(t);
	return rc;
}
