/* measure_run.c: every layer alone at every width, compared with the unquantized model on
   the same windows, reusing the unquantized prefix of each trial. */
#include "measure_run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kld.h"
#include "layer_io.h"
#include "lm_head.h"
#include "progress.h"

struct measure {
	struct model_file *mf;
	const struct model_config *cfg;
	const struct measure_request *req;
	int seq_len, call, pass;
	struct forward_state *fs;
	struct layer_weights *lw;
	float *x;                      /* the unquantized stream entering the current layer */
	float *base;                   /* the unquantized stream after the last layer */
	float *trial[MEASURE_MAX_WIDTHS];
	struct lm_head *head;
	struct kld_online *rows;       /* [n_widths][windows of a pass * scored positions] */
	struct kld_accum *acc;         /* [n_layers * n_widths] */
	struct progress progress;
};

static int forward_all(struct measure *m, int layer, float *x, int n, struct lwq_err *err)
{
	int64_t stride = (int64_t)m->seq_len * m->cfg->hidden;
	for (int w = 0; w < n; w += m->call) {
		int count = n - w < m->call ? n - w : m->call;
		layer_forward(m->fs, m->lw, x + w * stride, count, NULL);
	}
	for (int64_t i = 0; i < n * stride; i++)
		if (!isfinite(x[i]))
			return lwq_err_set(err, "%s: layer %d: NaN or infinity in activations",
					   model_file_path(m->mf), layer);
	return 0;
}

static int quantize(struct measure *m, int layer, int bits, struct lwq_err *err)
{
	const struct measure_request *q = m->req;
	int rc = q->quantize_layer ? q->quantize_layer(q->user, layer, bits, m->lw, err)
				   : layer_weights_quantize(m->cfg, m->lw, q->method, bits,
							    q->group_size, err);
	if (rc < 0) {
		char where[32];
		snprintf(where, sizeof where, "layer %d", layer);
		lwq_err_prefix(err, where);
		return lwq_err_prefix(err, model_file_path(m->mf));
	}
	return 0;
}

static void step(struct measure *m, int layer, int n)
{
	char label[48];
	snprintf(label, sizeof label, "(layer %d of %d)", layer + 1, m->cfg->n_layers);
	progress_step(&m->progress, label, (double)n * m->seq_len);
}

/* Compares each width's final stream with the unquantized one (base already through the
   final norm; the trials go through it in place, they are rebuilt for the next layer). */
static int compare_trials(struct measure *m, int layer, const int32_t *ids, int n,
			  struct lwq_err *err)
{
	int T = m->seq_len, W = m->req->n_widths;
	int64_t rows = (int64_t)n * (T - 1 - m->req->score_from);
	const float *quant[MEASURE_MAX_WIDTHS];
	for (int w = 0; w < W; w++) {
		lm_head_norm(m->head, m->fs, m->trial[w], (int64_t)n * T);
		quant[w] = m->trial[w];
	}
	struct head_streams s = { .windows = n, .score_from = m->req->score_from, .ids = ids,
				  .base = m->base, .quant = quant, .n_quant = W,
				  .kld = m->rows };
	if (lm_head_score(m->head, m->fs, &s, err) < 0)
		return -1;
	for (int w = 0; w < W; w++)
		for (int64_t i = 0; i < rows; i++)  /* in row order, as a run scores them */
			if (kld_accum_online(&m->acc[layer * W + w], &m->rows[w * rows + i],
					     err) < 0)
				return -1;
	return 0;
}

/* The trials of layer i on one pass: x holds the stream entering layer i. */
static int run_trials(struct measure *m, int layer, const int32_t *ids, int n,
		      struct lwq_err *err)
{
	int L = m->cfg->n_layers, W = m->req->n_widths;
	size_t bytes = (size_t)n * m->seq_len * m->cfg->hidden * sizeof(float);
	for (int w = 0; w < W; w++) {
		if (layer_weights_load(m->mf, layer, m->lw, err) < 0 ||
		    quantize(m, layer, m->req->widths[w], err) < 0)
			return -1;
		memcpy(m->trial[w], m->x, bytes);
		if (forward_all(m, layer, m->trial[w], n, err) < 0)
			return -1;
	}
	step(m, layer, n * W);
	for (int j = layer + 1; j < L; j++) {
		if (layer_weights_load(m->mf, j, m->lw, err) < 0)
			return -1;
		for (int w = 0; w < W; w++)
			if (forward_all(m, j, m->trial[w], n, err) < 0)
				return -1;
		step(m, j, n * W);
	}
	return compare_trials(m, layer, ids, n, err);
}

static int run_pass(struct measure *m, const int32_t *ids, int n, struct lwq_err *err)
{
	int L = m->cfg->n_layers;
	size_t bytes = (size_t)n * m->seq_len * m->cfg->hidden * sizeof(float);
	if (embed_read_tokens(m->mf, ids, (int64_t)n * m->seq_len, m->x, err) < 0)
		return -1;
	memcpy(m->base, m->x, bytes);
	for (int j = 0; j < L; j++) {
		if (layer_weights_load(m->mf, j, m->lw, err) < 0 ||
		    forward_all(m, j, m->base, n, err) < 0)
			return -1;
		step(m, j, n);
	}
	/* the base stream is only ever compared with from here on */
	lm_head_norm(m->head, m->fs, m->base, (int64_t)n * m->seq_len);
	for (int i = 0; i < L; i++) {
		if (run_trials(m, i, ids, n, err) < 0)
			return -1;
		if (i + 1 < L && (layer_weights_load(m->mf, i, m->lw, err) < 0 ||
				  forward_all(m, i, m->x, n, err) < 0))
			return -1;
	}
	return 0;
}

static int check_request(struct model_file *mf, const struct measure_request *req,
			 int windows, int seq_len, struct lwq_err *err)
{
	if (req->n_widths < 1 || req->n_widths > MEASURE_MAX_WIDTHS)
		return lwq_err_set(err, "between 1 and %d widths can be measured, not %d",
				   MEASURE_MAX_WIDTHS, req->n_widths);
	for (int w = 0; w < req->n_widths; w++)
		if (req->widths[w] <= 0 || req->widths[w] >= 16 ||
		    quant_method_check_bits(req->method, req->widths[w], err) < 0)
			return req->widths[w] <= 0 || req->widths[w] >= 16 ?
				lwq_err_set(err, "cannot measure a width of %d bits",
					    req->widths[w]) : -1;
	if (!req->quantize_layer && !quant_method_weight_only(req->method))
		return lwq_err_set(err, "%s needs calibration windows to quantize",
				   quant_method_name(req->method));
	if (windows < 1 || seq_len < 2)
		return lwq_err_set(err, "%s: nothing to run (%d windows of %d tokens)",
				   model_file_path(mf), windows, seq_len);
	if (req->score_from < 0 || req->score_from >= seq_len - 1)
		return lwq_err_set(err, "scoring from position %d leaves nothing to predict in "
				   "windows of %d tokens", req->score_from, seq_len);
	return 0;
}

static int setup(struct measure *m, struct lwq_err *err)
{
	const struct model_config *cfg = m->cfg;
	int64_t stride = (int64_t)m->seq_len * cfg->hidden;
	size_t stream = (size_t)(m->pass * stride) * sizeof(float);
	int L = cfg->n_layers, W = m->req->n_widths;
	int64_t rows = (int64_t)m->pass * (m->seq_len - 1 - m->req->score_from);
	m->fs = forward_new(cfg, m->seq_len, m->call, err);
	m->lw = m->fs ? layer_weights_new(cfg, err) : NULL;
	if (!m->lw)
		return -1;
	m->x = malloc(stream);
	m->base = malloc(stream);
	int ok = m->x && m->base;
	for (int w = 0; w < W; w++)
		ok &= (m->trial[w] = malloc(stream)) != NULL;
	m->rows = malloc((size_t)(W * rows) * sizeof *m->rows);
	m->acc = calloc((size_t)L * W, sizeof *m->acc);
	if (!ok || !m->rows || !m->acc)
		return lwq_err_set(err, "out of memory for %d windows of %d streams", m->pass,
				   W + 2);
	m->head = lm_head_open(m->mf, m->seq_len, err);
	return m->head ? 0 : -1;
}

static void teardown(struct measure *m)
{
	free(m->x), free(m->base), free(m->rows);
	lm_head_free(m->head);
	for (int w = 0; w < MEASURE_MAX_WIDTHS; w++)
		free(m->trial[w]);
	if (m->acc)
		for (int i = 0; i < m->cfg->n_layers * m->req->n_widths; i++)
			kld_accum_free(&m->acc[i]);
	free(m->acc);
	layer_weights_free(m->lw);
	forward_free(m->fs);
}

int measure_layers(struct model_file *mf, const struct measure_request *req,
		   const int32_t *ids, int windows, int seq_len, double *kld, double *top1,
		   double *seconds, struct lwq_err *err)
{
	if (check_request(mf, req, windows, seq_len, err) < 0) {
		if (strncmp(err->msg, model_file_path(mf), strlen(model_file_path(mf))) != 0)
			lwq_err_prefix(err, model_file_path(mf));
		return -1;
	}
	double start = monotonic_seconds();
	struct measure m = { .mf = mf, .cfg = model_file_config(mf), .req = req,
			     .seq_len = seq_len };
	int L = m.cfg->n_layers, W = req->n_widths;
	/* n_widths + 2 streams per window share the budget of one run's streams */
	m.pass = pass_windows(m.cfg, (W + 2) * seq_len, windows);
	m.call = call_windows(m.cfg, seq_len, m.pass);
	int rc = setup(&m, err);
	if (rc < 0) {
		lwq_err_prefix(err, model_file_path(mf));
		teardown(&m);
		return -1;
	}
	int n_passes = (windows + m.pass - 1) / m.pass;
	progress_start(&m.progress, "score", "layer step",
		       (int64_t)n_passes * (L + (int64_t)L * (L + 1) / 2));
	m.progress.work_unit = "tok/s";
	for (int w0 = 0; w0 < windows && rc == 0; w0 += m.pass) {
		int n = windows - w0 < m.pass ? windows - w0 : m.pass;
		rc = run_pass(&m, ids + (int64_t)w0 * seq_len, n, err);
	}
	progress_finish(&m.progress);
	for (int i = 0; rc == 0 && i < L * W; i++) {
		struct kld_summary s;
		kld_summarize(&m.acc[i], &s);
		kld[i] = s.kld_mean;
		if (top1)
			top1[i] = s.top1;
	}
	if (seconds)
		*seconds = monotonic_seconds() - start;
	teardown(&m);
	return rc;
}
