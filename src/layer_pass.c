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

#include "layer_io.h"
#include "progress.h"

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
	const struct bit_plan *plan;
	int seq_len, call;
	const struct pass_observer *obs;
	struct forward_state *fs;
	struct layer_weights *lw;
	struct progress progress;      /* the run's own line, when there is no outer one */
	struct progress *outer;
	int64_t steps, steps_done;     /* layer steps (and LM head) over all passes */
};

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

static int run_layer(struct run *r, int layer, float *x, int n, double tokens,
		     struct lwq_err *err)
{
	int bits = r->plan ? r->plan->bits[layer] : 16;
	if (bits == 0) {               /* pruned: the stream passes through unchanged */
		report_step(r, layer, tokens);
		return 0;
	}
	int group = r->plan ? r->plan->group_size : 0;
	if (layer_weights_load(r->mf, layer, bits, group, r->lw, err) < 0)
		return -1;
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
	report_step(r, layer, tokens);
	return 0;
}

static int embed_pass(struct run *r, const int32_t *ids, float *x, int n, struct lwq_err *err)
{
	int64_t count = (int64_t)r->cfg->vocab * r->cfg->hidden;
	float *embed = weight_read_alloc(r->mf, "embed", count, err);
	if (!embed)
		return -1;
	embed_tokens(r->cfg, embed, ids, (int64_t)n * r->seq_len, x);
	free(embed);
	return 0;
}

static int score_pass(struct run *r, const int32_t *ids, const float *x, int n,
		      struct pass_nll *nll, struct lwq_err *err)
{
	float *norm = weight_read_alloc(r->mf, "final_norm", r->cfg->hidden, err);
	float *head = norm ? head_read_alloc(r->mf, err) : NULL;
	int rc = -1;
	if (head) {
		double sum = head_nll(r->fs, norm, head, x, ids, n, &nll->n_predictions);
		if (!isfinite(sum))
			lwq_err_set(err, "%s: final norm and LM head: NaN or infinity in logits",
				    model_file_path(r->mf));
		else
			rc = 0;
		nll->nll_sum += sum;
		report_step(r, r->cfg->n_layers, (double)n * r->seq_len);
	}
	free(norm);
	free(head);
	return rc;
}

/* Windows [w0, w0 + n): embed, every layer, then the observer's last look and the head. */
static int run_pass(struct run *r, const int32_t *ids, float *x, int64_t w0, int n,
		    struct pass_nll *nll, struct lwq_err *err)
{
	int L = r->cfg->n_layers;
	double tokens_per_layer = (double)n * r->seq_len / (L + (nll ? 1 : 0));
	if (embed_pass(r, ids, x, n, err) < 0)
		return -1;
	for (int layer = 0; layer < L; layer++)
		if (announce(r, layer, x, w0, n, err) < 0 ||
		    run_layer(r, layer, x, n, tokens_per_layer, err) < 0)
			return -1;
	if (announce(r, L, x, w0, n, err) < 0)
		return -1;
	return nll ? score_pass(r, ids, x, n, nll, err) : 0;
}

static int check_run(struct model_file *mf, const struct bit_plan *plan, int windows,
		     int seq_len, struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	if (windows < 1 || seq_len < 1)
		return lwq_err_set(err, "%s: nothing to run (%d windows of %d tokens)",
				   model_file_path(mf), windows, seq_len);
	if (plan && plan->n_layers != cfg->n_layers)
		return lwq_err_set(err, "%s: the plan has %d layers, the model %d",
				   model_file_path(mf), plan->n_layers, cfg->n_layers);
	return 0;
}

int run_layers(struct model_file *mf, const struct bit_plan *plan, const int32_t *ids,
	       int windows, int seq_len, const char *verb, struct progress *outer,
	       const struct pass_observer *obs, struct pass_nll *nll, struct lwq_err *err)
{
	if (check_run(mf, plan, windows, seq_len, err) < 0)
		return -1;
	struct run r = { .mf = mf, .cfg = model_file_config(mf), .plan = plan,
			 .seq_len = seq_len, .obs = obs, .outer = outer };
	int pass = pass_windows(r.cfg, seq_len, windows);
	r.call = call_windows(r.cfg, seq_len, pass);
	r.fs = forward_new(r.cfg, seq_len, r.call, err);
	r.lw = r.fs ? layer_weights_new(r.cfg, err) : NULL;
	int64_t stride = (int64_t)seq_len * r.cfg->hidden;
	float *x = r.lw ? malloc((size_t)(pass * stride) * sizeof(float)) : NULL;
	int rc = -1;
	if (r.lw && !x)
		lwq_err_set(err, "out of memory for %d windows of activations", pass);
	if (!x) {
		lwq_err_prefix(err, model_file_path(mf));
		goto out;
	}
	int n_passes = (windows + pass - 1) / pass;
	r.steps = (int64_t)n_passes * (r.cfg->n_layers + !!nll);
	progress_start(&r.progress, verb, "step", r.steps);
	r.progress.work_unit = "tok/s";
	r.progress.enabled &= outer == NULL;
	rc = 0;
	for (int w0 = 0; w0 < windows && rc == 0; w0 += pass) {
		int n = windows - w0 < pass ? windows - w0 : pass;
		rc = run_pass(&r, ids + (int64_t)w0 * seq_len, x, w0, n, nll, err);
	}
	progress_finish(&r.progress);
out:
	free(x);
	layer_weights_free(r.lw);
	forward_free(r.fs);
	return rc;
}
