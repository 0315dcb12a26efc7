/* order_source.c: resolves an order name to a ranking, loading scores or a list file. */
#include "order_source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "layout.h"
#include "measured_store.h"

int order_source_has_lim(struct model_file *mf)
{
	return model_file_exists(mf, ACT_COS);
}

void order_source_free(struct order_source *src)
{
	layer_scores_free(src->scores);
	src->scores = NULL;
}

/* Reads a small text file whole (order lists are a few hundred bytes). */
static char *read_text_file(const char *path, struct lwq_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		lwq_err_set(err, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	enum { MAX_ORDER_FILE = 1 << 20 };
	char *text = malloc(MAX_ORDER_FILE + 1);
	size_t n = text ? fread(text, 1, MAX_ORDER_FILE + 1, f) : 0;
	fclose(f);
	if (!text || n > MAX_ORDER_FILE) {
		free(text);
		lwq_err_set(err, "%s: too large for an order file", path);
		return NULL;
	}
	text[n] = '\0';
	return text;
}

static int rank_from_file(struct order_source *src, const char *path, struct order_spec *spec,
			  int *ranking, struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(src->mf);
	char *text = read_text_file(path, err);
	if (!text)
		return -1;
	int rc = order_from_list(text, cfg->n_layers, ranking, err);
	free(text);
	if (rc < 0)
		return lwq_err_prefix(err, path);
	memset(spec, 0, sizeof *spec);
	spec->kind = ORDER_LIST;
	snprintf(spec->name, sizeof spec->name, "file:%s", path);
	return 0;
}

/* Loads LIM (and ZD when needed) once: the cache when current, otherwise computed. */
static int load_scores(struct order_source *src, const struct order_spec *spec,
		       struct lwq_err *err)
{
	int need_zd = order_needs_zd(spec);
	if (src->scores && (!need_zd || src->scores->zd))
		return 0;
	if (order_needs_lim(spec) && !order_source_has_lim(src->mf))
		return lwq_err_set(err, "order %s needs LIM scores, and the file has no "
				   "activations: run 'lwq capture %s --text FILE' first, or choose "
				   "--order zd, zd-inverse, random:SEED or file:PATH", spec->name,
				   model_file_path(src->mf));
	layer_scores_free(src->scores);
	struct score_request req = { .skip_zd = !need_zd };
	src->scores = scores_get(src->mf, &req, err);
	return src->scores ? 0 : -1;
}

/* Layers ranked by their measured KL divergence at the narrowest measured width. */
static int rank_measured(struct order_source *src, int *ranking, struct lwq_err *err)
{
	struct measured_table *t = measured_load(src->mf, err);
	if (!t)
		return -1;
	float *importance = malloc((size_t)t->n_layers * sizeof *importance);
	int rc = importance ? 0 : lwq_err_set(err, "out of memory");
	if (rc == 0) {
		measured_importance(t, importance);
		rc = order_rank_by_importance(importance, "measured KLD", t->n_layers, ranking,
					      err);
	}
	free(importance);
	measured_table_free(t);
	return rc;
}

int order_source_rank(struct order_source *src, const char *text, struct order_spec *spec,
		      int *ranking, struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(src->mf);
	if (strncmp(text, "file:", 5) == 0)
		return rank_from_file(src, text + 5, spec, ranking, err);
	if (order_parse(text, spec, err) < 0) {
		struct stat st;
		if (stat(text, &st) == 0 && S_ISREG(st.st_mode))
			return rank_from_file(src, text, spec, ranking, err);
		return -1;
	}
	if (spec->kind == ORDER_MEASURED)
		return rank_measured(src, ranking, err);
	if ((order_needs_lim(spec) || order_needs_zd(spec)) && load_scores(src, spec, err) < 0)
		return -1;
	const float *lim = src->scores ? src->scores->lim : NULL;
	const float *zd = src->scores ? src->scores->zd : NULL;
	return order_ranking(spec, lim, zd, cfg->n_layers, ranking, err);
}
