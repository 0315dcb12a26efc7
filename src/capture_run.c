/* capture_run.c: calibration windows through the model, measuring what /activations stores. */
#include "capture_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "activation_stats.h"
#include "layer_pass.h"
#include "layout.h"

/* Watches run_layers: the stream entering each layer, and each linear's input. */
struct capture_watch {
	struct capture_data *cd;
	int seq_len, layer;
	double *sq[SITE_COUNT];        /* [n_layers, site_cols] running sums */
	float *prev;                   /* the pass's stream entering the current layer */
};

static void watch_linear_input(void *user, enum input_site site, const float *x,
			       int64_t rows, int cols, int64_t ld)
{
	struct capture_watch *w = user;
	add_column_squares(w->sq[site] + (int64_t)w->layer * cols, x, rows, cols, ld);
}

static void keep_streams(struct capture_data *cd, int layer, const float *x, int64_t t0,
			 int64_t rows)
{
	float *dst = cd->streams + (int64_t)layer * cd->n_kept * cd->hidden;
	for (int64_t k = 0; k < cd->n_kept; k++) {
		int64_t t = cd->kept[k];
		if (t >= t0 && t < t0 + rows)
			memcpy(dst + k * cd->hidden, x + (t - t0) * cd->hidden,
			       (size_t)cd->hidden * sizeof(float));
	}
}

static int watch_stream(void *user, int layer, const float *x, int64_t w0, int n,
			struct lwq_err *err)
{
	struct capture_watch *w = user;
	struct capture_data *cd = w->cd;
	int64_t rows = (int64_t)n * w->seq_len, t0 = w0 * w->seq_len;
	if (layer > 0)
		cosine_rows(w->prev, x, rows, cd->hidden,
			    cd->cos + (int64_t)(layer - 1) * cd->n_tokens + t0);
	if (layer < cd->n_layers)
		memcpy(w->prev, x, (size_t)(rows * cd->hidden) * sizeof(float));
	keep_streams(cd, layer, x, t0, rows);
	w->layer = layer;
	(void)err;
	return 0;
}

static void site_widths(const struct model_config *cfg, int *cols)
{
	cols[SITE_ATTN] = cfg->hidden;
	cols[SITE_O] = cfg->n_heads * cfg->head_dim;
	cols[SITE_MLP] = cfg->hidden;
	cols[SITE_DOWN] = cfg->intermediate;
}

static struct capture_data *capture_data_new(const struct model_config *cfg, int64_t n_tokens,
					     int64_t n_keep)
{
	struct capture_data *cd = calloc(1, sizeof *cd);
	if (!cd)
		return NULL;
	cd->n_layers = cfg->n_layers;
	cd->hidden = cfg->hidden;
	cd->n_tokens = n_tokens;
	cd->n_kept = n_keep < 0 || n_keep > n_tokens ? n_tokens : n_keep;
	site_widths(cfg, cd->site_cols);
	int failed = 0;
	cd->cos = malloc((size_t)(cfg->n_layers * n_tokens) * sizeof(float));
	cd->kept = malloc((size_t)(cd->n_kept + 1) * sizeof(int32_t));
	cd->streams = malloc((size_t)((cfg->n_layers + 1) * cd->n_kept * cfg->hidden + 1) *
			     sizeof(float));
	failed |= !cd->cos || !cd->kept || !cd->streams;
	for (int s = 0; s < SITE_COUNT; s++) {
		cd->input_sq[s] = malloc((size_t)cfg->n_layers * cd->site_cols[s] * sizeof(float));
		failed |= !cd->input_sq[s];
	}
	if (failed) {
		capture_data_free(cd);
		return NULL;
	}
	spread_positions(n_tokens, cd->n_kept, cd->kept);
	return cd;
}

void capture_data_free(struct capture_data *cd)
{
	if (!cd)
		return;
	free(cd->cos);
	free(cd->kept);
	free(cd->streams);
	for (int s = 0; s < SITE_COUNT; s++)
		free(cd->input_sq[s]);
	free(cd);
}

static int watch_init(struct capture_watch *w, const struct model_config *cfg,
		      struct capture_data *cd, int windows, int seq_len)
{
	memset(w, 0, sizeof *w);
	w->cd = cd;
	w->seq_len = seq_len;
	int pass = pass_windows(cfg, seq_len, windows);
	w->prev = malloc((size_t)((int64_t)pass * seq_len * cfg->hidden) * sizeof(float));
	int failed = !w->prev;
	for (int s = 0; s < SITE_COUNT; s++) {
		w->sq[s] = calloc((size_t)cfg->n_layers * cd->site_cols[s], sizeof(double));
		failed |= !w->sq[s];
	}
	return failed ? -1 : 0;
}

static void watch_free(struct capture_watch *w)
{
	free(w->prev);
	for (int s = 0; s < SITE_COUNT; s++)
		free(w->sq[s]);
}

struct capture_data *capture_run(struct model_file *mf, const int32_t *ids, int windows,
				 int seq_len, int64_t n_keep, struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	int64_t n_tokens = (int64_t)windows * seq_len;
	struct capture_data *cd = capture_data_new(cfg, n_tokens, n_keep);
	struct capture_watch w;
	if (!cd || watch_init(&w, cfg, cd, windows, seq_len) < 0) {
		if (cd)
			watch_free(&w);
		capture_data_free(cd);
		return lwq_err_set(err, "%s: out of memory for the capture of %lld tokens",
				   model_file_path(mf), (long long)n_tokens), NULL;
	}
	struct pass_observer obs = { watch_stream, { watch_linear_input, &w }, &w };
	int rc = run_layers(mf, NULL, ids, windows, seq_len, "capture", NULL, &obs, NULL, err);
	for (int s = 0; s < SITE_COUNT && rc == 0; s++)
		for (int64_t i = 0; i < (int64_t)cfg->n_layers * cd->site_cols[s]; i++)
			cd->input_sq[s][i] = (float)w.sq[s][i];
	watch_free(&w);
	if (rc < 0) {
		capture_data_free(cd);
		return NULL;
	}
	return cd;
}

int64_t capture_stream_bytes(const struct capture_data *cd)
{
	return (int64_t)(cd->n_layers + 1) * cd->n_kept * cd->hidden * 2;
}

/* path of a layout.h dataset moved under the temporary group */
static const char *temp_path(const char *final, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", ACT_TEMP_GROUP, final + strlen(ACT_GROUP));
	return buf;
}

static int write_input_sq(struct model_file *mf, const struct capture_data *cd,
			  struct lwq_err *err)
{
	char path[256], tmp[320];
	for (int l = 0; l < cd->n_layers; l++)
		for (int s = 0; s < SITE_COUNT; s++) {
			int64_t dim = cd->site_cols[s];
			snprintf(path, sizeof path, "%s/%03d/%s", ACT_INPUT_SQ, l, input_site_names[s]);
			if (model_file_put_f32(mf, temp_path(path, tmp, sizeof tmp),
					       cd->input_sq[s] + l * dim, 1, &dim, err) < 0)
				return -1;
		}
	return 0;
}

/* FNV-1a over the ids' bytes: which tokens were captured, so results computed from other
   tokens (same offset and counts, another text) are told apart. 16 hex digits. */
static void tokens_hash(const int32_t *ids, int64_t n, char *buf, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (int64_t i = 0; i < n; i++)
		for (int b = 0; b < 4; b++)
			h = (h ^ (((uint32_t)ids[i] >> (8 * b)) & 0xff)) * 0x100000001b3ull;
	snprintf(buf, len, "%016llx", (unsigned long long)h);
}

static int write_attrs(struct model_file *mf, const struct capture_data *cd,
		       const int32_t *ids, const struct capture_meta *meta, struct lwq_err *err)
{
	const char *g = ACT_TEMP_GROUP;
	char hash[32];
	tokens_hash(ids, cd->n_tokens, hash, sizeof hash);
	if (model_file_set_attr_i64(mf, g, "windows", meta->windows, err) < 0 ||
	    model_file_set_attr_i64(mf, g, "seq_len", meta->seq_len, err) < 0 ||
	    model_file_set_attr_i64(mf, g, "offset", meta->offset, err) < 0 ||
	    model_file_set_attr_i64(mf, g, "n_tokens", cd->n_tokens, err) < 0 ||
	    model_file_set_attr_i64(mf, g, "n_kept", cd->n_kept, err) < 0 ||
	    model_file_set_attr_str(mf, g, "source", meta->source, err) < 0 ||
	    model_file_set_attr_str(mf, g, "tokens_hash", hash, err) < 0)
		return -1;
	return 0;
}

static int write_all(struct model_file *mf, const struct capture_data *cd, const int32_t *ids,
		     const struct capture_meta *meta, struct lwq_err *err)
{
	char tmp[320];
	int64_t cos_dims[2] = { cd->n_layers, cd->n_tokens };
	int64_t stream_dims[3] = { cd->n_layers + 1, cd->n_kept, cd->hidden };
	if (model_file_put_f32(mf, temp_path(ACT_COS, tmp, sizeof tmp), cd->cos, 2, cos_dims,
			       err) < 0 ||
	    model_file_put_i32(mf, temp_path(ACT_TOKENS, tmp, sizeof tmp), ids, 1,
			       &cd->n_tokens, err) < 0)
		return -1;
	if (cd->n_kept > 0 &&
	    (model_file_put_f16(mf, temp_path(ACT_STREAMS, tmp, sizeof tmp), cd->streams, 3,
				stream_dims, err) < 0 ||
	     model_file_put_i32(mf, temp_path(ACT_STREAM_POS, tmp, sizeof tmp), cd->kept, 1,
				&cd->n_kept, err) < 0))
		return -1;
	if (write_input_sq(mf, cd, err) < 0 || write_attrs(mf, cd, ids, meta, err) < 0)
		return -1;
	return model_file_flush(mf, err);
}

int capture_write(struct model_file *mf, const struct capture_data *cd, const int32_t *ids,
		  const struct capture_meta *meta, struct lwq_err *err)
{
	if (model_file_exists(mf, ACT_TEMP_GROUP))
		model_file_delete(mf, ACT_TEMP_GROUP);
	if (write_all(mf, cd, ids, meta, err) < 0) {
		model_file_delete(mf, ACT_TEMP_GROUP);
		return -1;
	}
	if (model_file_exists(mf, ACT_GROUP) && model_file_delete(mf, ACT_GROUP) < 0) {
		model_file_delete(mf, ACT_TEMP_GROUP);
		return lwq_err_set(err, "%s: cannot replace the old %s", model_file_path(mf),
				   ACT_GROUP);
	}
	if (model_file_rename(mf, ACT_TEMP_GROUP, ACT_GROUP, err) < 0)
		return -1;
	return model_file_flush(mf, err);
}
