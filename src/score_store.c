/* score_store.c: computes LIM, ZD and RTN errors of a model file and caches them in /scores. */
#include "score_store.h"

#include <inttypes.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward.h"
#include "layout.h"
#include "plan.h"
#include "score_scan.h"

#define SCORES_TEMP_GROUP "/scores_incomplete"
#define SCORES_ALGORITHM "lwq-scores-1"   /* bump when a score's definition changes */

void layer_scores_free(struct layer_scores *s)
{
	if (!s)
		return;
	free(s->lim);
	free(s->zd);
	free(s->zd_tensor);
	free(s->params);
	free(s->rtn_err);
	free(s->rtn_werr);
	free(s);
}

static float *floats(int64_t n)
{
	return calloc((size_t)n, sizeof(float));
}

static struct layer_scores *layer_scores_new(int n_layers)
{
	struct layer_scores *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->n_layers = n_layers;
	s->zd = floats(n_layers);
	s->zd_tensor = floats((int64_t)n_layers * LIN_COUNT);
	s->params = floats(n_layers);
	if (!s->zd || !s->zd_tensor || !s->params) {
		layer_scores_free(s);
		return NULL;
	}
	return s;
}

/* FNV-1a, 64 bits: enough to notice that the inputs changed. */
static uint64_t fnv1a(const char *text)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	return h;
}

void scores_fingerprint(struct model_file *mf, char *buf, size_t len)
{
	const struct model_config *cfg = model_file_config(mf);
	char text[2048], source[512] = "";
	int n = snprintf(text, sizeof text, "%s|%s|%s|%lld|%d|", SCORES_ALGORITHM,
			 model_file_model_name(mf), model_file_source(mf),
			 (long long)total_params(cfg), cfg->n_layers);
	if (model_file_exists(mf, ACT_COS)) {
		static const char *const attrs[] = { "windows", "seq_len", "offset", "n_tokens" };
		for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
			int64_t v = -1;
			model_file_get_attr_i64(mf, ACT_GROUP, attrs[i], &v);
			n += snprintf(text + n, sizeof text - (size_t)n, "%s=%lld|", attrs[i], (long long)v);
		}
		model_file_get_attr_str(mf, ACT_GROUP, "source", source, sizeof source);
		n += snprintf(text + n, sizeof text - (size_t)n, "source=%s|input_sq=%d", source,
			      model_file_exists(mf, ACT_INPUT_SQ));
		/* Absent in captures made before it was recorded: their fingerprint stays. */
		char hash[32];
		if (model_file_get_attr_str(mf, ACT_GROUP, "tokens_hash", hash, sizeof hash) == 0)
			snprintf(text + n, sizeof text - (size_t)n, "|tokens=%s", hash);
	} else {
		snprintf(text + n, sizeof text - (size_t)n, "no-activations");
	}
	snprintf(buf, len, "%016" PRIx64, fnv1a(text));
}

/* ---- computing ------------------------------------------------------------- */

static int compute_lim(struct model_file *mf, struct layer_scores *s, struct lwq_err *err)
{
	struct tensor_info info;
	if (model_file_dataset_info(mf, ACT_COS, &info, err) < 0)
		return -1;
	if (info.rank != 2 || info.dims[0] != s->n_layers || info.dims[1] <= 0)
		return lwq_err_set(err, "%s has shape [%lld, %lld], expected [%d, tokens]: run "
				   "'lwq capture' again", ACT_COS, (long long)info.dims[0],
				   (long long)(info.rank > 1 ? info.dims[1] : 0), s->n_layers);
	float *row = floats(info.dims[1]);
	s->lim = floats(s->n_layers);
	if (!row || !s->lim) {
		free(row);
		return lwq_err_set(err, "out of memory");
	}
	for (int l = 0; l < s->n_layers; l++) {
		double lim;
		if (model_file_get_f32_rows(mf, ACT_COS, l, 1, row, err) < 0 ||
		    lim_from_cos(row, info.dims[1], &lim, err) < 0) {
			free(row);
			return lwq_err_prefix(err, ACT_COS);
		}
		s->lim[l] = (float)lim;
	}
	free(row);
	return 0;
}

static struct layer_scores *compute_scores(struct model_file *mf, const struct score_request *req,
					   struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	struct layer_scores *s = layer_scores_new(cfg->n_layers);
	if (!s) {
		lwq_err_set(err, "out of memory");
		return NULL;
	}
	int64_t n_rtn = (int64_t)cfg->n_layers * LIN_COUNT * SCORE_RTN_LEVELS;
	if (req->with_rtn) {
		if (group_size_check(cfg, req->group_size, err) < 0)
			goto fail;
		s->group_size = req->group_size;
		s->rtn_err = floats(n_rtn);
		if (model_file_exists(mf, ACT_INPUT_SQ))
			s->rtn_werr = floats(n_rtn);
		if (!s->rtn_err || (model_file_exists(mf, ACT_INPUT_SQ) && !s->rtn_werr)) {
			lwq_err_set(err, "out of memory");
			goto fail;
		}
	}
	if (model_file_exists(mf, ACT_COS) && compute_lim(mf, s, err) < 0)
		goto fail;
	if (req->skip_zd) {
		free(s->zd);
		free(s->zd_tensor);
		free(s->params);
		s->zd = s->zd_tensor = s->params = NULL;
	} else if (scores_scan_weights(mf, req, s, err) < 0) {
		goto fail;
	}
	scores_fingerprint(mf, s->fingerprint, sizeof s->fingerprint);
	return s;
fail:
	layer_scores_free(s);
	return NULL;
}

/* ---- the cache ------------------------------------------------------------- */

/* Datasets of /scores (under `group`), each [n_layers, inner]. */
static const struct {
	const char *name;
	size_t offset;
	int inner;
} score_sets[] = {
	{ "lim", offsetof(struct layer_scores, lim), 1 },
	{ "zd", offsetof(struct layer_scores, zd), 1 },
	{ "zd_tensor", offsetof(struct layer_scores, zd_tensor), LIN_COUNT },
	{ "params", offsetof(struct layer_scores, params), 1 },
	{ "rtn_err", offsetof(struct layer_scores, rtn_err), LIN_COUNT * SCORE_RTN_LEVELS },
	{ "rtn_err_weighted", offsetof(struct layer_scores, rtn_werr), LIN_COUNT * SCORE_RTN_LEVELS },
};
#define N_SCORE_SETS (sizeof score_sets / sizeof score_sets[0])

static float **score_set(struct layer_scores *s, size_t i)
{
	return (float **)((char *)s + score_sets[i].offset);
}

static int store_attrs(struct model_file *mf, const struct model_config *cfg,
		       const struct layer_scores *s, struct lwq_err *err)
{
	const char *g = SCORES_TEMP_GROUP;
	if (model_file_set_attr_i64(mf, g, "group_size", s->group_size, err) < 0 ||
	    model_file_set_attr_i64(mf, g, "fixed_bytes", fixed_bytes(cfg), err) < 0)
		return -1;
	for (int b = 0; s->group_size > 0 && b < SCORE_RTN_LEVELS; b++) {
		char name[32];
		snprintf(name, sizeof name, "layer_bytes_%d", score_rtn_bits[b]);
		if (model_file_set_attr_i64(mf, g, name, layer_bytes_rtn(cfg, score_rtn_bits[b],
									  s->group_size), err) < 0)
			return -1;
	}
	return model_file_set_attr_str(mf, g, "fingerprint", s->fingerprint, err);
}

int scores_store(struct model_file *mf, struct layer_scores *s, struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	if (model_file_exists(mf, SCORES_TEMP_GROUP))
		model_file_delete(mf, SCORES_TEMP_GROUP);
	for (size_t i = 0; i < N_SCORE_SETS; i++) {
		float *data = *score_set(s, i);
		if (!data)
			continue;
		char path[96];
		snprintf(path, sizeof path, "%s/%s", SCORES_TEMP_GROUP, score_sets[i].name);
		int64_t dims[3] = { s->n_layers, LIN_COUNT, SCORE_RTN_LEVELS };
		int rank = score_sets[i].inner == 1 ? 1 : score_sets[i].inner == LIN_COUNT ? 2 : 3;
		if (model_file_put_f32(mf, path, data, rank, dims, err) < 0)
			goto fail;
	}
	if (store_attrs(mf, cfg, s, err) < 0)
		goto fail;
	/* measured sensitivity does not depend on what the scores do: it moves across */
	if (model_file_exists(mf, SCORES_MEASURED) &&
	    model_file_rename(mf, SCORES_MEASURED, SCORES_TEMP_GROUP "/measured", err) < 0)
		goto fail;
	if (model_file_exists(mf, SCORES_GROUP) && model_file_delete(mf, SCORES_GROUP) < 0) {
		lwq_err_set(err, "cannot replace the old %s", SCORES_GROUP);
		goto fail;
	}
	if (model_file_rename(mf, SCORES_TEMP_GROUP, SCORES_GROUP, err) < 0)
		goto fail;
	return model_file_flush(mf, err);
fail:
	model_file_delete(mf, SCORES_TEMP_GROUP);
	return -1;
}

int scores_stale(struct model_file *mf)
{
	char stored[32] = "", current[32];
	if (!model_file_exists(mf, SCORES_GROUP))
		return 0;
	scores_fingerprint(mf, current, sizeof current);
	return model_file_get_attr_str(mf, SCORES_GROUP, "fingerprint", stored,
				       sizeof stored) < 0 || strcmp(stored, current) != 0;
}

/* Reads /scores when it was computed from the same inputs; NULL otherwise. */
static struct layer_scores *load_cached(struct model_file *mf, const struct score_request *req,
					struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	char stored[32] = "", current[32];
	int64_t group_size = 0;
	scores_fingerprint(mf, current, sizeof current);
	if (model_file_get_attr_str(mf, SCORES_GROUP, "fingerprint", stored, sizeof stored) < 0 ||
	    strcmp(stored, current) != 0)
		return NULL;
	model_file_get_attr_i64(mf, SCORES_GROUP, "group_size", &group_size);
	if (req->with_rtn && (group_size != req->group_size || !model_file_exists(mf, SCORES_RTN_ERR)))
		return NULL;
	struct layer_scores *s = calloc(1, sizeof *s);
	if (!s) {
		lwq_err_set(err, "out of memory");
		return NULL;
	}
	s->n_layers = cfg->n_layers;
	s->group_size = (int)group_size;
	s->cached = 1;
	snprintf(s->fingerprint, sizeof s->fingerprint, "%s", current);
	for (size_t i = 0; i < N_SCORE_SETS; i++) {
		char path[96];
		snprintf(path, sizeof path, "%s/%s", SCORES_GROUP, score_sets[i].name);
		if (!model_file_exists(mf, path))
			continue;
		int64_t count = (int64_t)cfg->n_layers * score_sets[i].inner;
		float *data = floats(count);
		*score_set(s, i) = data;
		if (!data || model_file_get_f32(mf, path, data, count, err) < 0) {
			layer_scores_free(s);
			return NULL;
		}
	}
	if (!s->zd || !s->zd_tensor || !s->params) {
		layer_scores_free(s);
		return NULL;
	}
	return s;
}

struct layer_scores *scores_get(struct model_file *mf, const struct score_request *req,
				struct lwq_err *err)
{
	if (!req->force) {
		/* an unreadable cache is as good as none: compute afresh */
		struct lwq_err ignored = { "" };
		struct layer_scores *s = load_cached(mf, req, &ignored);
		if (s)
			return s;
	}
	struct layer_scores *s = compute_scores(mf, req, err);
	if (s && req->store && !req->skip_zd && scores_store(mf, s, err) < 0) {
		layer_scores_free(s);
		return NULL;
	}
	return s;
}

double layer_rtn_error(const struct model_config *cfg, const float *rel, int layer, int level)
{
	double num = 0.0, den = 0.0;
	for (int k = 0; k < LIN_COUNT; k++) {
		int64_t rows, cols;
		linear_shape(cfg, (enum linear_kind)k, &rows, &cols);
		double e = rel[((int64_t)layer * LIN_COUNT + k) * SCORE_RTN_LEVELS + level];
		num += (double)(rows * cols) * e * e;
		den += (double)(rows * cols);
	}
	return den > 0 ? sqrt(num / den) : 0.0;
}
