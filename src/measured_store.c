/* measured_store.c: the table of measured layer sensitivity under /scores/measured. */
#include "measured_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"

#define MEASURED_TEMP SCORES_GROUP "/measured_incomplete"

struct measured_table *measured_table_new(int n_layers, int n_widths)
{
	struct measured_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->n_layers = n_layers, t->n_widths = n_widths;
	t->kld = calloc((size_t)n_layers * n_widths, sizeof *t->kld);
	t->top1 = calloc((size_t)n_layers * n_widths, sizeof *t->top1);
	if (!t->kld || !t->top1) {
		measured_table_free(t);
		return NULL;
	}
	return t;
}

void measured_table_free(struct measured_table *t)
{
	if (!t)
		return;
	free(t->kld);
	free(t->top1);
	free(t);
}

int measured_store(struct model_file *mf, const struct measured_table *t, struct lwq_err *err)
{
	const char *g = MEASURED_TEMP;
	int64_t dims[2] = { t->n_layers, t->n_widths };
	int32_t widths[MEASURE_MAX_WIDTHS];
	for (int w = 0; w < t->n_widths; w++)
		widths[w] = t->widths[w];
	if (model_file_exists(mf, g))
		model_file_delete(mf, g);
	int rc = model_file_put_f32(mf, MEASURED_TEMP "/kld", t->kld, 2, dims, err);
	if (rc == 0)
		rc = model_file_put_f32(mf, MEASURED_TEMP "/top1", t->top1, 2, dims, err);
	if (rc == 0)
		rc = model_file_put_i32(mf, MEASURED_TEMP "/widths", widths, 1, dims + 1, err);
	struct { const char *name; int64_t v; } ints[] = {
		{ "group_size", t->group_size }, { "windows", t->windows },
		{ "seq_len", t->seq_len }, { "offset", t->offset },
		{ "score_from", t->score_from },
	};
	for (size_t i = 0; rc == 0 && i < sizeof ints / sizeof ints[0]; i++)
		rc = model_file_set_attr_i64(mf, g, ints[i].name, ints[i].v, err);
	if (rc == 0)
		rc = model_file_set_attr_str(mf, g, "method", t->method, err);
	if (rc == 0)
		rc = model_file_set_attr_str(mf, g, "source", t->source, err);
	if (rc == 0)
		rc = model_file_set_attr_f64(mf, g, "seconds", t->seconds, err);
	if (rc == 0 && model_file_exists(mf, SCORES_MEASURED) &&
	    model_file_delete(mf, SCORES_MEASURED) < 0)
		rc = lwq_err_set(err, "cannot replace the old %s", SCORES_MEASURED);
	if (rc == 0)
		rc = model_file_rename(mf, g, SCORES_MEASURED, err);
	if (rc == 0)
		return model_file_flush(mf, err);
	model_file_delete(mf, g);
	return -1;
}

int measured_present(struct model_file *mf)
{
	return model_file_exists(mf, SCORES_MEASURED "/kld");
}

struct measured_table *measured_load(struct model_file *mf, struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	const char *path = model_file_path(mf);
	if (!measured_present(mf))
		return lwq_err_set(err, "%s: no measured layer sensitivity (run: lwq score "
				   "--measure %s)", path, path), NULL;
	struct tensor_info info;
	if (model_file_dataset_info(mf, SCORES_MEASURED "/kld", &info, err) < 0)
		return NULL;
	const int64_t *dims = info.dims;
	if (info.rank != 2 || dims[0] != cfg->n_layers || dims[1] < 1 ||
	    dims[1] > MEASURE_MAX_WIDTHS)
		return lwq_err_set(err, "%s: %s is not a [%d, widths] table", path,
				   SCORES_MEASURED "/kld", cfg->n_layers), NULL;
	struct measured_table *t = measured_table_new(cfg->n_layers, (int)dims[1]);
	if (!t)
		return lwq_err_set(err, "out of memory"), NULL;
	int32_t widths[MEASURE_MAX_WIDTHS];
	int64_t n = dims[0] * dims[1], v = 0;
	if (model_file_get_f32(mf, SCORES_MEASURED "/kld", t->kld, n, err) < 0 ||
	    model_file_get_f32(mf, SCORES_MEASURED "/top1", t->top1, n, err) < 0 ||
	    model_file_get_i32(mf, SCORES_MEASURED "/widths", widths, dims[1], err) < 0) {
		measured_table_free(t);
		return NULL;
	}
	for (int w = 0; w < t->n_widths; w++)
		t->widths[w] = widths[w];
	model_file_get_attr_str(mf, SCORES_MEASURED, "method", t->method, sizeof t->method);
	model_file_get_attr_str(mf, SCORES_MEASURED, "source", t->source, sizeof t->source);
	model_file_get_attr_f64(mf, SCORES_MEASURED, "seconds", &t->seconds);
	if (model_file_get_attr_i64(mf, SCORES_MEASURED, "group_size", &v) == 0)
		t->group_size = (int)v;
	if (model_file_get_attr_i64(mf, SCORES_MEASURED, "windows", &v) == 0)
		t->windows = (int)v;
	if (model_file_get_attr_i64(mf, SCORES_MEASURED, "seq_len", &v) == 0)
		t->seq_len = (int)v;
	if (model_file_get_attr_i64(mf, SCORES_MEASURED, "score_from", &v) == 0)
		t->score_from = (int)v;
	model_file_get_attr_i64(mf, SCORES_MEASURED, "offset", &t->offset);
	return t;
}

int measured_width_index(const struct measured_table *t, int bits)
{
	for (int w = 0; w < t->n_widths; w++)
		if (t->widths[w] == bits)
			return w;
	return -1;
}

void measured_importance(const struct measured_table *t, float *importance)
{
	int narrow = 0;
	for (int w = 1; w < t->n_widths; w++)
		if (t->widths[w] < t->widths[narrow])
			narrow = w;
	for (int i = 0; i < t->n_layers; i++)
		importance[i] = t->kld[i * t->n_widths + narrow];
}
