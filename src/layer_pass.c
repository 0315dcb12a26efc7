/* layer_pass.c: token windows through every layer of a model file, one layer at a time.
 *
 * Layer-major order: layer i's weights are read (and fake-quantized) once, every window's
 * residual stream goes through it, then the next layer replaces it. Memory is one
 * layer's weights, the streams of one pass of windows, and the scratch of one
 * layer_forward call. Passes and calls are sized by the budgets below. */
#include "layer_pass.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "layer_io.h"
#include "lm_head.h"
#include "progress.h"
#include "stream_cache.h"

/* The residual streams of one pass stay under this; longer runs are split into passes
   that each read the weights again (reading is cheap next to the compute, and a 7B model
   with 64 windows of 512 would otherwise hold 0.5 GiB of streams). */
#define PASS_BYTES ((int64_t)512 << 20)
/* One layer_forward call takes about this many token rows: enough for sgemm to run near
   its peak, small enough that a call's activations stay in cache (measured: 512 to 1024
   rows beat 4096 on a 288-wide model). Calls also keep their scratch under CALL_BYTES. */
#define CALL_ROWS 1024
#define CALL_BYTES ((int64_t)64 << 20)

static int64_t pass_bytes_budget = PASS_BYTES;
static int call_rows_budget = CALL_ROWS;

void layer_pass_set_budget(int64_t pass_bytes, int call_rows)
{
	pass_bytes_budget = pass_bytes > 0 ? pass_bytes : PASS_BYTES;
	call_rows_budget = call_rows > 0 ? call_rows : CALL_ROWS;
}

static int clamp_windows(int64_t n, int max)
{
	if (n < 1)
		return 1;
	return n > max ? max : (int)n;
}

int pass_windows(const struct model_config *cfg, int seq_len, int windows)
{
	int64_t per_window = (int64_t)seq_len * cfg->hidden * (int64_t)sizeof(float);
	return clamp_windows(pass_bytes_budget / per_window, windows);
}

int call_windows(const struct model_config *cfg, int seq_len, int pass)
{
	int64_t one = forward_scratch_bytes(cfg, seq_len, 1);
	int64_t two = forward_scratch_bytes(cfg, seq_len, 2);
	int64_t per_window = two - one > 0 ? two - one : one;
	int64_t by_rows = call_rows_budget / seq_len, by_bytes = CALL_BYTES / per_window;
	return clamp_windows(by_rows < by_bytes ? by_rows : by_bytes, pass);
}

struct run {
	struct model_file *mf;
	const struct model_config *cfg;
	const struct run_quant *rq;
	int seq_len, call;
	const struct pass_observer *obs;
	struct forward_state *fs;
	struct layer_weights *lw;
	float *xb;                     /* the unquantized stream, when comparing (KLD) */
	struct progress progress;      /* the run's own line, when there is no outer one */
	struct progress *outer;
	int64_t steps, steps_done;     /* layer steps (and LM head) over all passes */
	struct stream_cache *cache;    /* NULL unless this run may resume from and feed it */
	int *bits;                     /* [n_layers] run_quant_bits, the cache's key */
};

int run_quant_bits(const struct run_quant *rq, int layer)
{
	return rq && rq->plan ? rq->plan->bits[layer] : 16;
}

/* One layer (layer == n_layers: the LM head) done, on the run's own line or the
   caller's. */
static void report_step(struct run *r, int layer, double tokens)
{
	int n = r->cfg->n_layers;
	char label[48];
	r->steps_done++;
	if (!r->outer) {
		if (layer < n)
			snprintf(label, sizeof label, "(layer %d of %d)", layer + 1, n);
		progress_step(&r->progress, layer < n ? label : "(LM head)", tokens);
		return;
	}
	if (layer < n)
		snprintf(label, sizeof label, "layer %d/%d", layer + 1, n);
	progress_nested(r->outer, layer < n ? label : "LM head",
			(double)r->steps_done / (double)r->steps, tokens);
}

/* "NaN" or "infinity" for the first non-finite value of v, or NULL. */
static const char *nonfinite_kind(const float *v, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return isnan(v[i]) ? "NaN" : "infinity";
	return NULL;
}

static int announce(struct run *r, int layer, const float *x, int64_t w0, int n,
		    struct lwq_err *err)
{
	if (!r->obs || !r->obs->stream)
		return 0;
	return r->obs->stream(r->obs->user, layer, x, w0, n, err);
}

/* The layer in r->lw, as stored, becomes the plan's `bits`. */
static int quantize_layer(struct run *r, int layer, int bits, struct lwq_err *err)
{
	const struct run_quant *q = r->rq;
	int rc = q->quantize_layer ? q->quantize_layer(q->user, layer, bits, r->lw, err)
				   : layer_weights_quantize(r->cfg, r->lw, q->method, bits,
							    q->plan->group_size, err);
	if (rc < 0) {
		char where[32];
		snprintf(where, sizeof where, "layer %d", layer);
		lwq_err_prefix(err, where);
		return lwq_err_prefix(err, model_file_path(r->mf));
	}
	return 0;
}

static int forward_windows(struct run *r, int layer, float *x, int n, struct lwq_err *err)
{
	const struct forward_hooks *hooks = r->obs ? &r->obs->hooks : NULL;
	int64_t stride = (int64_t)r->seq_len * r->cfg->hidden;
	for (int w = 0; w < n; w += r->call) {
		int count = n - w < r->call ? n - w : r->call;
		layer_forward(r->fs, r->lw, x + w * stride, count, hooks);
	}
	const char *bad = nonfinite_kind(x, n * stride);
	if (bad)
		return lwq_err_set(err, "%s: layer %d: %s in activations",
				   model_file_path(r->mf), layer, bad);
	return 0;
}

/* Layer `layer` on the plan's stream x and, when xb is not NULL, on the unquantized
   stream xb (same weights, read once, before they are quantized). */
static int run_layer(struct run *r, int layer, float *x, float *xb, int n, double tokens,
		     struct lwq_err *err)
{
	int bits = run_quant_bits(r->rq, layer);
	if (bits == 0 && !xb) {        /* pruned: the stream passes through unchanged */
		report_step(r, layer, tokens);
		return 0;
	}
	if (layer_weights_load(r->mf, layer, r->lw, err) < 0)
		return -1;
	if (xb && forward_windows(r, layer, xb, n, err) < 0)
		return -1;
	if (bits != 0 && ((bits < 16 && quantize_layer(r, layer, bits, err) < 0) ||
			  forward_windows(r, layer, x, n, err) < 0))
		return -1;
	report_step(r, layer, tokens);
	return 0;
}

/* Scores positions score_from .. T-2 of n windows: the plan's stream x and, when
   comparing, the unquantized xb (may be x). Both go through the final norm in place:
   the streams are not needed after the head. */
static int score_pass(struct run *r, const int32_t *ids, float *x, float *xb, int n,
		      struct pass_nll *nll, struct lwq_err *err)
{
	int T = r->seq_len, scored = T - 1 - nll->score_from;
	int64_t rows = (int64_t)n * scored, tokens = (int64_t)n * T;
	struct lm_head *h = lm_head_open(r->mf, T, err);
	if (!h)
		return -1;
	lm_head_norm(h, r->fs, x, tokens);
	if (nll->kld && xb != x)
		lm_head_norm(h, r->fs, xb, tokens);
	const float *quant[1] = { x };
	struct head_streams s = { .windows = n, .score_from = nll->score_from, .ids = ids,
				  .base = nll->kld ? xb : NULL, .quant = quant, .n_quant = 1 };
	s.nll = malloc((size_t)rows * sizeof *s.nll);
	s.kld = nll->kld ? malloc((size_t)rows * sizeof *s.kld) : NULL;
	int rc = -1;
	if (!s.nll || (nll->kld && !s.kld))
		lwq_err_set(err, "%s: out of memory for %lld predictions", model_file_path(r->mf),
			    (long long)rows);
	else
		rc = lm_head_score(h, r->fs, &s, err);
	double sum = nll->nll_sum;
	for (int64_t i = 0; rc == 0 && i < rows; i++) {  /* in row order, on any thread count */
		sum += nll_online_value(&s.nll[i]);
		if (s.kld)
			rc = kld_accum_online(nll->kld, &s.kld[i], err);
	}
	if (rc == 0 && !isfinite(sum - nll->nll_sum))
		rc = lwq_err_set(err, "%s: final norm and LM head: NaN or infinity in logits",
				 model_file_path(r->mf));
	if (rc == 0) {
		nll->nll_sum = sum;
		nll->n_predictions += rows;
		report_step(r, r->cfg->n_layers, (double)tokens);
	}
	free(s.nll);
	free(s.kld);
	lm_head_free(h);
	return rc;
}

/* Windows [w0, w0 + n): embed, every layer, then the observer's last look and the head.
   When comparing, the unquantized stream splits off at the first layer the plan
   changes. */
static int run_pass(struct run *r, const int32_t *ids, float *x, int64_t w0, int n,
		    struct pass_nll *nll, struct lwq_err *err)
{
	int L = r->cfg->n_layers;
	double tokens_per_layer = (double)n * r->seq_len / (L + (nll ? 1 : 0));
	float *xb = NULL;
	int first = r->cache ? stream_cache_resume(r->cache, r->bits, x) : 0;
	r->steps_done += first;
	if (first == 0 && embed_read_tokens(r->mf, ids, (int64_t)n * r->seq_len, x, err) < 0)
		return -1;
	for (int layer = first; layer < L; layer++) {
		if (r->cache && layer > first)
			stream_cache_offer(r->cache, layer, r->bits, x);
		if (r->xb && !xb && run_quant_bits(r->rq, layer) < 16) {
			memcpy(r->xb, x, (size_t)n * r->seq_len * r->cfg->hidden * sizeof *x);
			xb = r->xb;
		}
		if (atomic_interrupt_pending())     /* a verb that keeps finished work stops */
			return lwq_err_set(err, "interrupted");
		if (announce(r, layer, x, w0, n, err) < 0 ||
		    run_layer(r, layer, x, xb, n, tokens_per_layer, err) < 0)
			return -1;
	}
	if (announce(r, L, x, w0, n, err) < 0)
		return -1;
	return nll ? score_pass(r, ids, x, xb ? xb : x, n, nll, err) : 0;
}

static int check_run(struct model_file *mf, const struct run_quant *rq, int windows,
		     int seq_len, const struct pass_nll *nll, struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	const struct bit_plan *plan = rq ? rq->plan : NULL;
	if (windows < 1 || seq_len < 1)
		return lwq_err_set(err, "%s: nothing to run (%d windows of %d tokens)",
				   model_file_path(mf), windows, seq_len);
	if (plan && plan->n_layers != cfg->n_layers)
		return lwq_err_set(err, "%s: the plan has %d layers, the model %d",
				   model_file_path(mf), plan->n_layers, cfg->n_layers);
	if (nll && (nll->score_from < 0 || nll->score_from >= seq_len - 1))
		return lwq_err_set(err, "scoring from position %d leaves nothing to predict in "
				   "windows of %d tokens (need 0 <= K < %d)", nll->score_from,
				   seq_len, seq_len - 1);
	if (plan && !rq->quantize_layer && !quant_method_weight_only(rq->method))
		return lwq_err_set(err, "%s needs calibration windows to quantize",
				   quant_method_name(rq->method));
	return 0;
}

int run_layers(struct model_file *mf, const struct run_quant *rq, const int32_t *ids,
	       int windows, int seq_len, const char *verb, struct progress *outer,
	       const struct pass_observer *obs, struct pass_nll *nll, struct lwq_err *err)
{
	return run_layers_cached(mf, rq, ids, windows, seq_len, verb, outer, obs, nll, NULL,
				 err);
}

int run_layers_cached(struct model_file *mf, const struct run_quant *rq, const int32_t *ids,
		      int windows, int seq_len, const char *verb, struct progress *outer,
		      const struct pass_observer *obs, struct pass_nll *nll,
		      struct stream_cache *cache, struct lwq_err *err)
{
	if (check_run(mf, rq, windows, seq_len, nll, err) < 0)
		return -1;
	struct run r = { .mf = mf, .cfg = model_file_config(mf), .rq = rq,
			 .seq_len = seq_len, .obs = obs, .outer = outer };
	int compare = nll && nll->kld;
	/* comparing holds two streams per window in the same budget */
	int pass = pass_windows(r.cfg, compare ? 2 * seq_len : seq_len, windows);
	/* Resuming needs every window in one pass, and nothing that watches or depends on
	   the layers before the resume point (an observer, the unquantized comparison
	   stream, a quantizer fed with each layer's inputs). */
	if (cache && pass == windows && !obs && !compare && !(rq && rq->quantize_layer)) {
		r.bits = malloc((size_t)r.cfg->n_layers * sizeof *r.bits);
		for (int l = 0; r.bits && l < r.cfg->n_layers; l++)
			r.bits[l] = run_quant_bits(rq, l);
		r.cache = r.bits ? cache : NULL;
	}
	r.call = call_windows(r.cfg, seq_len, pass);
	r.fs = forward_new(r.cfg, seq_len, r.call, err);
	r.lw = r.fs ? layer_weights_new(r.cfg, err) : NULL;
	int64_t stride = (int64_t)seq_len * r.cfg->hidden;
	float *x = r.lw ? malloc((size_t)(pass * stride) * sizeof(float)) : NULL;
	if (x && compare)
		r.xb = malloc((size_t)(pass * stride) * sizeof(float));
	if (x && compare && !r.xb) {
		free(x);
		x = NULL;
	}
	int rc = -1;
	if (r.lw && !x)
		lwq_err_set(err, "out of memory for %d windows of activations", pass);
	if (!x) {
		lwq_err_prefix(err, model_file_path(mf));
		goto out;
	}
	int n_passes = (windows + pass - 1) / pass;
	r.steps = (int64_t)n_passes * (r.cfg->n_layers + !!nll);
	/* inside a caller's line (a sweep's) this run draws no line of its own */
	if (!outer) {
		progress_start(&r.progress, verb, "step", r.steps);
		r.progress.work_unit = "tok/s";
	}
	rc = 0;
	for (int w0 = 0; w0 < windows && rc == 0; w0 += pass) {
		int n = windows - w0 < pass ? windows - w0 : pass;
		rc = run_pass(&r, ids + (int64_t)w0 * seq_len, x, w0, n, nll, err);
	}
	progress_finish(&r.progress);
out:
	free(x);
	free(r.xb);
	free(r.bits);
	layer_weights_free(r.lw);
	forward_free(r.fs);
	return rc;
}
