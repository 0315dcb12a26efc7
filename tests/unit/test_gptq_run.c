/* test_gptq_run.c: the layer-sequential, true-sequential GPTQ runner against a plain
   re-implementation of its schedule, and eval under GPTQ against the reference decoder. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval_run.h"
#include "forward_ref.h"
#include "gptq_run.h"
#include "layer_io.h"
#include "layer_pass.h"
#include "real_model.h"
#include "synth_model.h"
#include "tap.h"

#define T 40
#define CALIB_WINDOWS 4
#define EVAL_WINDOWS 3
#define N_LAYERS 4
#define GROUP 16

static const int plan_bits[N_LAYERS] = { 3, 16, 0, 2 };

/* ---- the schedule, written out plainly ------------------------------------------------
 * Window by window, one layer_forward call each; every input of the watched site copied
 * out; H = 2/n X^T X summed in plain double loops. */

struct site_copy {
	enum input_site site;
	float *x;                      /* [n_rows, cols] */
	int64_t n_rows;
	int cols;
};

static void copy_site(void *user, enum input_site site, const float *x, int64_t rows,
		      int cols, int64_t ld)
{
	struct site_copy *sc = user;
	if (site != sc->site)
		return;
	sc->cols = cols;
	for (int64_t r = 0; r < rows; r++)
		memcpy(sc->x + (sc->n_rows + r) * cols, x + r * ld, (size_t)cols * sizeof(float));
	sc->n_rows += rows;
}

static void forward_windows(struct forward_state *fs, const struct layer_weights *lw,
			    float *x, int hidden, const struct forward_hooks *hooks)
{
	for (int w = 0; w < CALIB_WINDOWS; w++)
		layer_forward(fs, lw, x + (int64_t)w * T * hidden, 1, hooks);
}

static struct gptq_hessian *plain_hessian(const struct site_copy *sc)
{
	struct gptq_hessian *hs = gptq_hessian_new(sc->cols, NULL);
	for (int i = 0; i < sc->cols; i++)
		for (int j = i; j < sc->cols; j++) {
			double s = 0;
			for (int64_t t = 0; t < sc->n_rows; t++)
				s += (double)sc->x[t * sc->cols + i] * sc->x[t * sc->cols + j];
			hs->sum[(int64_t)i * sc->cols + j] = s;
		}
	hs->n_rows = sc->n_rows;
	return hs;
}

static void plain_layer(const struct model_config *cfg, struct forward_state *fs,
			struct layer_weights *lw, float *x, int bits)
{
	static const enum input_site sites[4] = { SITE_ATTN, SITE_O, SITE_MLP, SITE_DOWN };
	static const int first[4] = { LIN_Q, LIN_O, LIN_GATE, LIN_DOWN }, count[4] = { 3, 1, 2, 1 };
	int64_t n = (int64_t)CALIB_WINDOWS * T;
	float *copy = malloc((size_t)(n * cfg->hidden) * sizeof(float));
	struct site_copy sc = { .x = malloc((size_t)(n * cfg->intermediate * 2) * sizeof(float)) };
	for (int s = 0; s < 4; s++) {
		sc.site = sites[s];
		sc.n_rows = 0;
		memcpy(copy, x, (size_t)(n * cfg->hidden) * sizeof(float));
		struct forward_hooks hooks = { copy_site, &sc };
		forward_windows(fs, lw, copy, cfg->hidden, &hooks);
		struct gptq_hessian *hs = plain_hessian(&sc);
		for (int k = first[s]; k < first[s] + count[s]; k++) {
			int64_t rows, cols;
			linear_shape(cfg, (enum linear_kind)k, &rows, &cols);
			uint8_t *codes = malloc((size_t)(rows * cols));
			float *sc_ = malloc((size_t)(rows * cols / GROUP) * sizeof(float));
			float *zr = malloc((size_t)(rows * cols / GROUP) * sizeof(float));
			struct gptq_options opt = gptq_options_default();
			struct gptq_stats st;
			gptq_quantize_rtn(lw->lin[k], rows, cols, bits, GROUP, hs, &opt, codes, sc_, zr,
					  &st, NULL);
			free(codes);
			free(sc_);
			free(zr);
		}
		gptq_hessian_free(hs);
	}
	forward_windows(fs, lw, x, cfg->hidden, NULL);
	free(copy);
	free(sc.x);
}

/* The model with every planned layer replaced by its plainly computed GPTQ weights. */
static struct test_model *plain_gptq_model_of(const struct test_model *m, const int32_t *ids,
					      const int *bits)
{
	const struct model_config *cfg = &m->cfg;
	struct test_model *q = synth_model_new(cfg, 42);        /* same seed: same weights */
	struct forward_state *fs = forward_new(cfg, T, 1, NULL);
	int64_t n = (int64_t)CALIB_WINDOWS * T;
	float *x = malloc((size_t)(n * cfg->hidden) * sizeof(float));
	embed_tokens(cfg, q->embed, ids, n, x);
	for (int l = 0; l < N_LAYERS; l++) {
		if (bits[l] == 0)
			continue;
		if (bits[l] < 16)
			plain_layer(cfg, fs, q->layers[l], x, bits[l]);
		else
			forward_windows(fs, q->layers[l], x, cfg->hidden, NULL);
	}
	free(x);
	forward_free(fs);
	return q;
}

static struct test_model *plain_gptq_model(const struct test_model *m, const int32_t *ids)
{
	return plain_gptq_model_of(m, ids, plan_bits);
}

/* score --measure's trials: one layer at a time, from the stored layers' streams. */
static void check_independent(struct model_file *mf, const struct test_model *m,
			      const int32_t *calib)
{
	const struct model_config *cfg = model_file_config(mf);
	struct gptq_run_config rc = { .independent = 1, .group_size = GROUP, .ids = calib,
				      .windows = CALIB_WINDOWS, .seq_len = T, .verb = "test",
				      .quiet = 1 };
	rc.opt = gptq_options_default();
	struct lwq_err err = { "" };
	layer_pass_set_budget(0, T);
	struct gptq_runner *gr = gptq_runner_new(mf, &rc, &err);
	struct layer_weights *lw = layer_weights_new(cfg, &err);
	static const int trials[4][2] = { { 1, 3 }, { 1, 2 }, { 3, 2 }, { 3, 4 } };
	for (int t = 0; gr && t < 4; t++) {
		int layer = trials[t][0], bits = trials[t][1];
		int alone[N_LAYERS] = { 16, 16, 16, 16 };
		alone[layer] = bits;
		struct test_model *q = plain_gptq_model_of(m, calib, alone);
		int rc_l = layer_weights_load(mf, layer, lw, &err) == 0 ?
			   gptq_quantize_layer(gr, layer, bits, lw, &err) : -1;
		int64_t differ = 0;
		for (int k = 0; k < LIN_COUNT; k++) {
			int64_t rows, cols;
			linear_shape(cfg, (enum linear_kind)k, &rows, &cols);
			for (int64_t i = 0; i < rows * cols; i++)
				differ += lw->lin[k][i] != q->layers[layer]->lin[k][i];
		}
		ok(rc_l == 0 && differ == 0, "independent trial: layer %d alone at %d bits equals "
		   "the plain schedule (%lld weights differ)", layer, bits, (long long)differ);
		test_model_free(q);
	}
	layer_pass_set_budget(0, 0);
	layer_weights_free(lw);
	gptq_runner_free(gr);
}

/* ---- the runner ------------------------------------------------------------------- */

static struct bit_plan *the_plan(void)
{
	struct bit_plan *plan = bit_plan_new(N_LAYERS);
	memcpy(plan->bits, plan_bits, sizeof plan_bits);
	plan->group_size = GROUP;
	return plan;
}

static void check_runner_layers(struct model_file *mf, const struct test_model *q,
				const struct bit_plan *plan, const int32_t *ids)
{
	const struct model_config *cfg = model_file_config(mf);
	struct gptq_run_config rc = { .plan = plan, .ids = ids, .windows = CALIB_WINDOWS,
				      .seq_len = T, .verb = "test", .quiet = 1 };
	rc.opt = gptq_options_default();
	struct lwq_err err = { "" };
	/* one window per layer_forward call, as the plain schedule does */
	layer_pass_set_budget(0, T);
	struct gptq_runner *gr = gptq_runner_new(mf, &rc, &err);
	struct layer_weights *lw = layer_weights_new(cfg, &err);
	for (int pass = 0; pass < 2; pass++)
		for (int l = 0; l < N_LAYERS; l++) {
			if (plan_bits[l] == 0 || plan_bits[l] >= 16)
				continue;
			int rc_l = layer_weights_load(mf, l, lw, &err) == 0 ?
				   gptq_runner_layer(gr, l, lw, &err) : -1;
			int64_t differ = 0, total = 0;
			for (int k = 0; k < LIN_COUNT; k++) {
				int64_t rows, cols;
				linear_shape(cfg, (enum linear_kind)k, &rows, &cols);
				for (int64_t i = 0; i < rows * cols; i++)
					differ += lw->lin[k][i] != q->layers[l]->lin[k][i];
				total += rows * cols;
			}
			ok(rc_l == 0 && differ == 0,
			   "%s: layer %d (%d bits) equals the plain true-sequential schedule "
			   "(%lld of %lld weights differ)%s%s", pass ? "second pass" : "first pass",
			   l, plan_bits[l], (long long)differ, (long long)total,
			   rc_l ? ": " : "", rc_l ? err.msg : "");
		}
	const struct gptq_layer_report *rep = gptq_runner_report(gr);
	ok(rep->layer == 3 && rep->bits == 2 && rep->seconds >= 0 && rep->peak_rss_bytes > 0 &&
	   rep->loss[LIN_DOWN] > 0, "report of layer %d: %.3f s, loss(down) %g", rep->layer,
	   rep->seconds, rep->loss[LIN_DOWN]);
	layer_pass_set_budget(0, 0);
	layer_weights_free(lw);
	gptq_runner_free(gr);
}

static double reference_nll(const struct ref_model *ref, const int32_t *ids, int windows)
{
	int vocab = ref->cfg.vocab;
	float *logits = malloc((size_t)T * vocab * sizeof(float));
	double nll = 0;
	for (int w = 0; w < windows; w++) {
		const int32_t *win = ids + (int64_t)w * T;
		ref_window_logits(ref, win, T, logits);
		for (int t = 0; t + 1 < T; t++) {
			const float *row = logits + (int64_t)t * vocab;
			double mx = row[0], sum = 0;
			for (int j = 1; j < vocab; j++)
				mx = row[j] > mx ? row[j] : mx;
			for (int j = 0; j < vocab; j++)
				sum += exp((double)row[j] - mx);
			nll += log(sum) + mx - row[win[t + 1]];
		}
	}
	free(logits);
	return nll;
}

static void check_eval(struct model_file *mf, struct test_model *q,
		       const struct bit_plan *plan, const int32_t *calib, const int32_t *ids)
{
	struct gptq_run_config rc = { .plan = plan, .ids = calib, .windows = CALIB_WINDOWS,
				      .seq_len = T, .verb = "test", .quiet = 1 };
	rc.opt = gptq_options_default();
	struct lwq_err err = { "" };
	layer_pass_set_budget(0, T);
	struct gptq_runner *gr = gptq_runner_new(mf, &rc, &err);
	struct run_quant rq = { .plan = plan, .method = QUANT_GPTQ,
				.quantize_layer = gptq_quantize_layer, .user = gr };
	struct eval_request req = { .rq = &rq };
	struct eval_result r, split;
	int rc1 = eval_run(mf, &req, ids, EVAL_WINDOWS * T, EVAL_WINDOWS, T, NULL, &r, &err);
	struct layer_weights *pruned = q->layers[2];
	q->layers[2] = NULL;                  /* pruned by the plan */
	double want = reference_nll(&q->ref, ids, EVAL_WINDOWS);
	q->layers[2] = pruned;
	ok(rc1 == 0 && fabs(r.nll_sum - want) < 1e-5 * want,
	   "eval under GPTQ = reference decoder on the GPTQ weights: %.6f vs %.6f", r.nll_sum,
	   want);
	/* one window per pass: every pass asks for layer 0 again and the runner restarts */
	layer_pass_set_budget((int64_t)T * q->cfg.hidden * 4, T);
	int rc2 = eval_run(mf, &req, ids, EVAL_WINDOWS * T, EVAL_WINDOWS, T, NULL, &split, &err);
	ok(rc2 == 0 && split.nll_sum == r.nll_sum,
	   "three passes (the runner restarts each time) give the same NLL (%.6f)", split.nll_sum);
	layer_pass_set_budget(0, 0);
	gptq_runner_free(gr);
}

static void check_bad_calibration(struct model_file *mf, const struct bit_plan *plan,
				  int32_t *calib)
{
	struct gptq_run_config rc = { .plan = plan, .ids = NULL, .windows = 0, .seq_len = T,
				      .verb = "test", .quiet = 1 };
	rc.opt = gptq_options_default();
	struct lwq_err err = { "" };
	ok(!gptq_runner_new(mf, &rc, &err) && strstr(err.msg, "run lwq capture"),
	   "no calibration: %s", err.msg);
	rc.ids = calib;
	rc.windows = CALIB_WINDOWS;
	int32_t saved = calib[7];
	calib[7] = 300;
	ok(!gptq_runner_new(mf, &rc, &err) && strstr(err.msg, "token 7") &&
	   strstr(err.msg, "300"), "calibration id outside the vocabulary: %s", err.msg);
	calib[7] = saved;
}

int main(void)
{
	struct model_config cfg = synth_config(N_LAYERS, 1, 0);
	struct test_model *m = synth_model_new(&cfg, 42);
	int32_t calib[CALIB_WINDOWS * T], ids[EVAL_WINDOWS * T];
	synth_ids(calib, CALIB_WINDOWS * T, cfg.vocab, 7);
	synth_ids(ids, EVAL_WINDOWS * T, cfg.vocab, 5);
	char path[4200];
	struct lwq_err err = { "" };
	snprintf(path, sizeof path, "%s", test_scratch_file());
	if (!ok(test_model_write(m, path, &err) == 0, "synthetic model written"))
		return tap_done();
	struct model_file *mf = model_file_open(path, 0, &err);
	struct bit_plan *plan = the_plan();
	struct test_model *q = plain_gptq_model(m, calib);
	check_runner_layers(mf, q, plan, calib);
	check_eval(mf, q, plan, calib, ids);
	check_independent(mf, m, calib);
	check_bad_calibration(mf, plan, calib);
	bit_plan_free(plan);
	model_file_close(mf);
	test_model_free(q);
	test_model_free(m);
	return tap_done();
}
