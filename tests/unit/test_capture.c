/* test_capture.c: /activations written by capture against the token-by-token reference. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "activation_stats.h"
#include "capture_run.h"
#include "forward_ref.h"
#include "layer_pass.h"
#include "layout.h"
#include "real_model.h"
#include "synth_model.h"
#include "tap.h"

/* Reads a whole f32 (or f16) dataset into a malloc'd array, NULL when absent. */
static float *get_f32(struct model_file *mf, const char *path, int64_t *count)
{
	struct tensor_info info;
	struct lwq_err err = { "" };
	if (model_file_dataset_info(mf, path, &info, &err) < 0)
		return NULL;
	float *v = malloc((size_t)info.count * sizeof(float));
	if (model_file_get_f32(mf, path, v, info.count, &err) < 0) {
		free(v);
		return NULL;
	}
	*count = info.count;
	return v;
}

/* Runs capture on mf's file and writes /activations; returns the capture data. */
static struct capture_data *capture_file(const char *path, const int32_t *ids, int windows,
					 int seq_len, int64_t keep, struct lwq_err *err)
{
	struct model_file *mf = model_file_open(path, 0, err);
	struct capture_data *cd = mf ? capture_run(mf, ids, windows, seq_len, keep, err) : NULL;
	model_file_close(mf);
	if (!cd)
		return NULL;
	struct capture_meta meta = { windows, seq_len, 0, "ids:test" };
	mf = model_file_open(path, 1, err);
	int rc = mf ? capture_write(mf, cd, ids, &meta, err) : -1;
	model_file_close(mf);
	if (rc < 0) {
		capture_data_free(cd);
		return NULL;
	}
	return cd;
}

/* max over kept rows of |cos(stored f16 streams) - stored cos| */
static double cos_from_streams_gap(const float *cos, const float *streams,
				   const int32_t *kept, int64_t n_kept, int n_layers, int hidden,
				   int64_t n_tokens)
{
	double worst = 0;
	for (int l = 0; l < n_layers; l++)
		for (int64_t k = 0; k < n_kept; k++) {
			float c;
			cosine_rows(streams + ((int64_t)l * n_kept + k) * hidden,
				    streams + ((int64_t)(l + 1) * n_kept + k) * hidden, 1, hidden, &c);
			double d = fabs(c - cos[(int64_t)l * n_tokens + kept[k]]);
			worst = d > worst ? d : worst;
		}
	return worst;
}

struct ref_capture {
	float *streams;            /* [windows][n_layers + 1][T][hidden] */
	double *input_sq[SITE_COUNT];
};

static void ref_capture_run(struct test_model *m, const int32_t *ids, int windows, int T,
			    struct ref_capture *rc)
{
	const struct model_config *c = &m->cfg;
	int cols[SITE_COUNT] = { c->hidden, c->n_heads * c->head_dim, c->hidden, c->intermediate };
	int64_t per = (int64_t)(c->n_layers + 1) * T * c->hidden;
	rc->streams = malloc((size_t)(per * windows) * sizeof(float));
	for (int s = 0; s < SITE_COUNT; s++)
		m->ref.input_sq[s] = rc->input_sq[s] = calloc((size_t)c->n_layers * cols[s],
							      sizeof(double));
	for (int w = 0; w < windows; w++)
		ref_window_streams(&m->ref, ids + (int64_t)w * T, T, rc->streams + w * per);
	for (int s = 0; s < SITE_COUNT; s++)
		m->ref.input_sq[s] = NULL;
}

static void ref_capture_free(struct ref_capture *rc)
{
	free(rc->streams);
	for (int s = 0; s < SITE_COUNT; s++)
		free(rc->input_sq[s]);
}

static void check_cos_and_streams(struct model_file *mf, struct test_model *m,
				  const struct ref_capture *rc, int windows, int T)
{
	const struct model_config *c = &m->cfg;
	int64_t n_tokens = (int64_t)windows * T, n_cos, n_streams;
	float *cos = get_f32(mf, ACT_COS, &n_cos);
	float *streams = get_f32(mf, ACT_STREAMS, &n_streams);
	ok(cos && n_cos == c->n_layers * n_tokens, "cos is [n_layers, n_tokens]");
	ok(streams && n_streams == (c->n_layers + 1) * n_tokens * c->hidden,
	   "every stream kept with --keep-streams all");
	if (!cos || !streams)
		goto out;
	double cos_gap = 0, stream_gap = 0;
	int64_t per = (int64_t)(c->n_layers + 1) * T * c->hidden;
	for (int w = 0; w < windows; w++)
		for (int l = 0; l <= c->n_layers; l++)
			for (int t = 0; t < T; t++) {
				const float *want = rc->streams + w * per + ((int64_t)l * T + t) * c->hidden;
				int64_t tok = (int64_t)w * T + t;
				const float *got = streams + ((int64_t)l * n_tokens + tok) * c->hidden;
				double norm = 0;
				for (int j = 0; j < c->hidden; j++)
					norm = fmax(norm, fabs(want[j]));
				for (int j = 0; j < c->hidden; j++)
					stream_gap = fmax(stream_gap, fabs(got[j] - want[j]) / norm);
				if (l == c->n_layers)
					continue;
				float ref_cos;
				cosine_rows(want, want + (int64_t)T * c->hidden, 1, c->hidden, &ref_cos);
				cos_gap = fmax(cos_gap, fabs(ref_cos - cos[(int64_t)l * n_tokens + tok]));
			}
	ok(cos_gap < 1e-5, "cos matches the reference streams (max diff %.2e)", cos_gap);
	ok(stream_gap < 1e-3, "stored f16 streams match the reference (max rel diff %.2e)",
	   stream_gap);
	int32_t *kept = malloc((size_t)n_tokens * sizeof(int32_t));
	model_file_get_i32(mf, ACT_STREAM_POS, kept, n_tokens, NULL);
	double gap = cos_from_streams_gap(cos, streams, kept, n_tokens, c->n_layers, c->hidden,
					  n_tokens);
	ok(gap < 2e-3, "cos from stored streams = stored cos within f16 (max diff %.2e)", gap);
	free(kept);
out:
	free(cos);
	free(streams);
}

static void check_input_sq(struct model_file *mf, const struct test_model *m,
			   const struct ref_capture *rc)
{
	const struct model_config *c = &m->cfg;
	double worst = 0;
	int found = 0;
	for (int l = 0; l < c->n_layers; l++)
		for (int s = 0; s < SITE_COUNT; s++) {
			char path[128];
			int64_t n;
			snprintf(path, sizeof path, "%s/%03d/%s", ACT_INPUT_SQ, l, input_site_names[s]);
			float *got = get_f32(mf, path, &n);
			if (!got)
				continue;
			found++;
			for (int64_t j = 0; j < n; j++) {
				double want = rc->input_sq[s][l * n + j];
				worst = fmax(worst, fabs(got[j] - want) / fmax(want, 1e-6));
			}
			free(got);
		}
	ok(found == c->n_layers * SITE_COUNT, "input_sq has %d of %d datasets", found,
	   c->n_layers * SITE_COUNT);
	ok(worst < 1e-4, "input_sq matches the reference sums (max rel diff %.2e)", worst);
}

static void check_synthetic(void)
{
	struct model_config cfg = synth_config(3, 1, 0);
	struct test_model *m = synth_model_new(&cfg, 17);
	int windows = 3, T = 24;
	int32_t ids[3 * 24];
	synth_ids(ids, windows * T, cfg.vocab, 23);
	struct lwq_err err = { "" };
	const char *path = test_scratch_file();
	ok(test_model_write(m, path, &err) == 0, "synthetic model written");
	struct ref_capture rc;
	ref_capture_run(m, ids, windows, T, &rc);
	/* two windows per pass, one per call: several passes must fill the right slots */
	layer_pass_set_budget((int64_t)2 * T * cfg.hidden * 4, T);
	struct capture_data *cd = capture_file(path, ids, windows, T, -1, &err);
	layer_pass_set_budget(0, 0);
	ok(cd != NULL, "capture runs: %s", cd ? "ok" : err.msg);
	struct model_file *mf = model_file_open(path, 0, &err);
	if (cd && mf) {
		check_cos_and_streams(mf, m, &rc, windows, T);
		check_input_sq(mf, m, &rc);
		int32_t tokens[3 * 24];
		int64_t n_tok = 0;
		ok(model_file_get_i32(mf, ACT_TOKENS, tokens, windows * T, &err) == 0 &&
		   memcmp(tokens, ids, sizeof ids) == 0 &&
		   model_file_get_attr_i64(mf, ACT_GROUP, "n_tokens", &n_tok) == 0 &&
		   n_tok == windows * T, "token ids and n_tokens stored");
	}
	model_file_close(mf);
	capture_data_free(cd);
	/* a second capture with 5 kept positions replaces the first */
	cd = capture_file(path, ids, windows, T, 5, &err);
	mf = model_file_open(path, 0, &err);
	int32_t kept[5] = { 0 };
	int64_t n = 0;
	struct tensor_info info;
	int rc2 = model_file_get_i32(mf, ACT_STREAM_POS, kept, 5, &err);
	model_file_dataset_info(mf, ACT_STREAMS, &info, &err);
	ok(cd && rc2 == 0 && kept[0] == 0 && kept[1] == 14 && kept[4] == 57 &&
	   info.dims[1] == 5 && !model_file_exists(mf, "/activations_incomplete"),
	   "recapture keeps 5 evenly spaced positions (0 14 .. 57) and replaces the old group");
	(void)n;
	model_file_close(mf);
	capture_data_free(cd);
	ref_capture_free(&rc);
	test_model_free(m);
}

/* The real demo model: stored cos equals cos of the stored streams where kept. */
static void check_real_model(void)
{
	const char *name = "lwq-demo-16L";
	const char *path = real_model_or_skip(name, "real model capture");
	if (!path)
		return;
	int windows = 2, T = 64;
	int32_t ids[2 * 64];
	struct lwq_err err = { "" };
	read_ids_file(real_model_file(name, "heldout.ids.i32"), 0, windows * T, ids);
	struct capture_data *cd = capture_file(path, ids, windows, T, 32, &err);
	ok(cd != NULL, "%s: capture runs: %s", name, cd ? "ok" : err.msg);
	struct model_file *mf = model_file_open(path, 0, &err);
	int64_t n_cos = 0, n_streams = 0;
	float *cos = mf ? get_f32(mf, ACT_COS, &n_cos) : NULL;
	float *streams = mf ? get_f32(mf, ACT_STREAMS, &n_streams) : NULL;
	int32_t kept[32];
	if (cos && streams && model_file_get_i32(mf, ACT_STREAM_POS, kept, 32, &err) == 0) {
		const struct model_config *c = model_file_config(mf);
		double gap = cos_from_streams_gap(cos, streams, kept, 32, c->n_layers, c->hidden,
						  windows * T);
		ok(gap < 2e-3, "%s: cos of stored streams = stored cos (max diff %.2e)", name, gap);
		double lim0 = 0;
		for (int t = 0; t < windows * T; t++)
			lim0 -= cos[t] / (windows * T);
		ok(lim0 > -1 && lim0 < 0, "%s: LIM of layer 0 = %.4f", name, lim0);
	} else {
		ok(0, "%s: /activations readable", name);
	}
	free(cos);
	free(streams);
	model_file_close(mf);
	capture_data_free(cd);
}

/* cksum-like fingerprint of a whole file, to show it was not touched */
static uint64_t file_fingerprint(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint64_t h = 1469598103934665603ULL;
	int c;
	while (f && (c = fgetc(f)) != EOF)
		h = (h ^ (uint64_t)c) * 1099511628211ULL;
	if (f)
		fclose(f);
	return h;
}

/* A model file without weights: capture fails naming the missing weight, file intact. */
static void check_weightless(void)
{
	struct model_config cfg = synth_config(2, 0, 0);
	struct lwq_err err = { "" };
	const char *path = test_scratch_file();
	model_file_close(model_file_create(path, &cfg, "synthetic", "empty", &err));
	uint64_t before = file_fingerprint(path);
	int32_t ids[16] = { 0 };
	struct capture_data *cd = capture_file(path, ids, 2, 8, -1, &err);
	ok(!cd && strstr(err.msg, "no weight /weights/embed"), "weightless model: %s", err.msg);
	ok(file_fingerprint(path) == before, "weightless model file unchanged");
	capture_data_free(cd);
}

int main(void)
{
	check_synthetic();
	check_weightless();
	check_real_model();
	return tap_done();
}
