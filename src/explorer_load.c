/* explorer_load.c: model file -> explorer_data: scores, per-token cosines, sweep curves. */
#include "explorer_load.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "measured_store.h"
#include "model_h5.h"
#include "score_store.h"
#include "scores.h"
#include "sweep_store.h"

/* Reads an f32 dataset whose shape must be exactly dims[0..rank); NULL when absent.
   *bad is set (and err filled) when it exists with another shape or cannot be read. */
static float *read_exact(struct model_file *mf, const char *path, int rank,
			 const int64_t *dims, int *bad, struct lwq_err *err)
{
	struct tensor_info info;
	if (!model_file_exists(mf, path) || model_file_dataset_info(mf, path, &info, err) != 0)
		return NULL;
	int same = info.rank == rank;
	for (int i = 0; same && i < rank; i++)
		same = info.dims[i] == dims[i];
	if (!same) {
		*bad = 1;
		lwq_err_set(err, "%s: %s has an unexpected shape", model_file_path(mf), path);
		return NULL;
	}
	float *v = malloc((size_t)info.count * sizeof *v);
	if (!v || model_file_get_f32(mf, path, v, info.count, err) != 0) {
		free(v);
		*bad = 1;
		return NULL;
	}
	return v;
}

static int load_scores(struct model_file *mf, struct explorer_data *d, struct lwq_err *err)
{
	int n = d->n_layers, bad = 0;
	int64_t one[1] = { n }, per_tensor[2] = { n, LIN_COUNT };
	int64_t rtn[3] = { n, LIN_COUNT, SCORE_RTN_LEVELS };
	d->lim = read_exact(mf, SCORES_LIM, 1, one, &bad, err);
	d->zd = bad ? NULL : read_exact(mf, SCORES_ZD, 1, one, &bad, err);
	d->zd_tensor = bad ? NULL : read_exact(mf, SCORES_ZD_TENSOR, 2, per_tensor, &bad, err);
	float *rtn_err = bad ? NULL : read_exact(mf, SCORES_RTN_ERR, 3, rtn, &bad, err);
	if (bad)
		return -1;
	if (rtn_err && (d->rtn_layer = malloc((size_t)n * SCORE_RTN_LEVELS * sizeof(float))))
		for (int i = 0; i < n; i++)
			for (int k = 0; k < SCORE_RTN_LEVELS; k++)
				d->rtn_layer[i * SCORE_RTN_LEVELS + k] =
					(float)layer_rtn_error(&d->cfg, rtn_err, i, k);
	free(rtn_err);
	if (!d->zd)
		explorer_data_note_missing(d, "scores", "score");
	else if (!d->lim)
		explorer_data_note_missing(d, "LIM", "capture, then lwq score");
	else if (!d->rtn_layer)
		explorer_data_note_missing(d, "RTN errors", "score");
	return 0;
}

static int load_activations(struct model_file *mf, struct explorer_data *d,
			    struct lwq_err *err)
{
	struct tensor_info info;
	if (!model_file_exists(mf, ACT_COS)) {
		explorer_data_note_missing(d, "activations", "capture");
		return 0;
	}
	if (model_file_dataset_info(mf, ACT_COS, &info, err) != 0)
		return -1;
	if (info.rank != 2 || info.dims[0] != d->n_layers || info.dims[1] <= 0)
		return lwq_err_set(err, "%s: %s has an unexpected shape", model_file_path(mf),
				   ACT_COS);
	d->cos = malloc((size_t)info.count * sizeof *d->cos);
	if (!d->cos)
		return lwq_err_set(err, "%s: out of memory for %s", model_file_path(mf), ACT_COS);
	if (model_file_get_f32(mf, ACT_COS, d->cos, info.count, err) != 0)
		return -1;
	d->n_tokens = info.dims[1];
	int64_t seq_len = 0;
	if (model_file_get_attr_i64(mf, ACT_GROUP, "seq_len", &seq_len) == 0)
		d->seq_len = (int)seq_len;
	return 0;
}

/* One /sweeps/<order> group; a group without the four arrays of one length is skipped. */
static int load_sweep(struct model_file *mf, struct explorer_data *d, const char *order,
		      struct lwq_err *err)
{
	int64_t n = sweep_store_points(mf, order);
	if (n == 0)
		return 0;
	struct sweep_curve *c = explorer_data_add_sweep(d, order, (int)n);
	if (!c)
		return lwq_err_set(err, "out of memory");
	return sweep_store_read(mf, order, c, err);
}

static int load_sweeps(struct model_file *mf, struct explorer_data *d, struct lwq_err *err)
{
	char **names = NULL;
	int n = model_file_exists(mf, SWEEPS_GROUP) ? model_file_list(mf, SWEEPS_GROUP, &names) : 0;
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		if (sweep_store_stale(mf, names[i])) {
			char what[160];
			snprintf(what, sizeof what, "sweep %s is stale (older activations)", names[i]);
			explorer_data_note_missing(d, what, "sweep");
			continue;
		}
		rc = load_sweep(mf, d, names[i], err);
	}
	if (n > 0)
		model_file_free_names(names, n);
	if (rc == 0 && d->n_sweeps == 0)
		explorer_data_note_missing(d, "sweeps", "sweep");
	return rc;
}

static int load_measured(struct model_file *mf, struct explorer_data *d, struct lwq_err *err)
{
	if (!measured_present(mf))
		return 0;
	struct measured_table *t = measured_load(mf, err);
	if (!t)
		return -1;
	size_t n = (size_t)t->n_layers * t->n_widths;
	d->measured = malloc(n * sizeof *d->measured);
	if (!d->measured) {
		measured_table_free(t);
		return lwq_err_set(err, "out of memory");
	}
	memcpy(d->measured, t->kld, n * sizeof *d->measured);
	d->n_measured = t->n_widths;
	memcpy(d->measured_widths, t->widths, (size_t)t->n_widths * sizeof(int));
	measured_table_free(t);
	return 0;
}

/* Scores computed before a later capture replaced the activations: LIM is recomputed from
   the activations now in the file, as lwq plan does, so both rank the layers alike. */
static int refresh_stale_lim(struct model_file *mf, struct explorer_data *d,
			     struct lwq_err *err)
{
	if (!d->lim || !scores_stale(mf))
		return 0;
	if (!d->cos) {
		free(d->lim);
		d->lim = NULL;
		explorer_data_note_missing(d, "LIM (the stored scores are stale)", "score");
		return 0;
	}
	for (int l = 0; l < d->n_layers; l++) {
		double lim;
		if (lim_from_cos(d->cos + (int64_t)l * d->n_tokens, d->n_tokens, &lim, err) < 0)
			return lwq_err_prefix(err, model_file_path(mf));
		d->lim[l] = (float)lim;
	}
	explorer_data_note_missing(d, "stale scores (LIM recomputed from the new activations)",
				   "score");
	return 0;
}

static void model_display_name(struct model_file *mf, const char *path, char *buf,
			       size_t len)
{
	const char *name = model_file_model_name(mf);
	if (!name[0]) {
		const char *slash = strrchr(path, '/');
		name = slash ? slash + 1 : path;
	}
	snprintf(buf, len, "%s", name);
}

struct explorer_data *explorer_load(const char *path, struct lwq_err *err)
{
	struct model_file *mf = model_file_open(path, 0, err);
	if (!mf)
		return NULL;
	char name[128];
	model_display_name(mf, path, name, sizeof name);
	struct explorer_data *d = explorer_data_new(model_file_config(mf), name);
	if (!d) {
		model_file_close(mf);
		lwq_err_set(err, "%s: out of memory", path);
		return NULL;
	}
	snprintf(d->path, sizeof d->path, "%s", path);
	int rc = load_scores(mf, d, err);
	if (rc == 0)
		rc = load_activations(mf, d, err);
	if (rc == 0)
		rc = refresh_stale_lim(mf, d, err);
	if (rc == 0)
		rc = load_sweeps(mf, d, err);
	if (rc == 0)
		rc = load_measured(mf, d, err);
	model_file_close(mf);
	if (rc != 0) {
		explorer_data_free(d);
		return NULL;
	}
	return d;
}
