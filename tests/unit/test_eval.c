/* test_eval.c: eval_perplexity on model files against the token-by-token reference. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval_run.h"
#include "forward_ref.h"
#include "layer_pass.h"
#include "lm_head.h"
#include "quant_rtn.h"
#include "real_model.h"
#include "scratch_dir.h"
#include "synth_model.h"
#include "tap.h"

#define T 40
#define WINDOWS 3

/* Sum of -log p(next token) over the windows, from the reference's logits in double. */
static double reference_nll(const struct ref_model *ref, const int32_t *ids, int windows,
			    int seq_len)
{
	int vocab = ref->cfg.vocab;
	float *logits = malloc((size_t)seq_len * vocab * sizeof(float));
	double nll = 0;
	for (int w = 0; w < windows; w++) {
		const int32_t *win = ids + (int64_t)w * seq_len;
		ref_window_logits(ref, win, seq_len, logits);
		for (int t = 0; t + 1 < seq_len; t++) {
			const float *row = logits + (int64_t)t * vocab;
			double m = row[0], sum = 0;
			for (int j = 1; j < vocab; j++)
				m = row[j] > m ? row[j] : m;
			for (int j = 0; j < vocab; j++)
				sum += exp((double)row[j] - m);
			nll += log(sum) + m - row[win[t + 1]];
		}
	}
	free(logits);
	return nll;
}

static int eval_file(const char *path, const struct bit_plan *plan, const int32_t *ids,
		     struct eval_result *r, struct lwq_err *err)
{
	struct model_file *mf = model_file_open(path, 0, err);
	if (!mf)
		return -1;
	int rc = eval_perplexity(mf, plan, ids, WINDOWS * T, WINDOWS, T, NULL, r, err);
	model_file_close(mf);
	return rc;
}

static struct bit_plan *plan_with(int n_layers, const int *bits, int group)
{
	struct bit_plan *plan = bit_plan_new(n_layers);
	memcpy(plan->bits, bits, (size_t)n_layers * sizeof(int));
	plan->group_size = group;
	return plan;
}

static void check_unquantized(const char *path, struct test_model *m, const int32_t *ids)
{
	struct lwq_err err = { "" };
	struct eval_result r;
	double want = reference_nll(&m->ref, ids, WINDOWS, T);
	int rc = eval_file(path, NULL, ids, &r, &err);
	ok(rc == 0 && r.n_predictions == WINDOWS * (T - 1), "eval runs: %s, %lld predictions",
	   rc == 0 ? "ok" : err.msg, (long long)r.n_predictions);
	ok(fabs(r.nll_sum - want) < 1e-5 * want, "NLL %.6f matches reference %.6f", r.nll_sum,
	   want);
	ok(fabs(r.perplexity - exp(want / (WINDOWS * (T - 1)))) < 1e-5 * r.perplexity,
	   "perplexity = exp(mean NLL) = %.5f", r.perplexity);
	/* one window per pass and per call: the layer-major loop over several passes */
	layer_pass_set_budget((int64_t)T * m->cfg.hidden * 4, T);
	struct eval_result split;
	rc = eval_file(path, NULL, ids, &split, &err);
	layer_pass_set_budget(0, 0);
	ok(rc == 0 && fabs(split.nll_sum - r.nll_sum) < 1e-6 * want,
	   "one window per pass gives the same NLL (%.6f)", split.nll_sum);
}

/* The LM head in bands of vocabulary rows (some not dividing the vocabulary of 300) gives
   the whole head's NLL up to f32 rounding (the exponentials, see test_vocab_online.c,
   and sgemm's order of summation, which may differ for a narrow band): 2e-6 per
   prediction. */
static void check_bands(const char *what, const char *path, const int32_t *ids)
{
	struct lwq_err err = { "" };
	struct eval_result whole, r;
	int rc = eval_file(path, NULL, ids, &whole, &err);
	static const int64_t bands[] = { 1, 7, 128, 299, 300, 1000 };
	double worst = 0;
	for (size_t b = 0; rc == 0 && b < sizeof bands / sizeof *bands; b++) {
		lm_head_set_band_rows(bands[b]);
		rc = eval_file(path, NULL, ids, &r, &err);
		double d = fabs(r.nll_sum - whole.nll_sum);
		worst = d > worst || isnan(d) ? d : worst;
		if (bands[b] >= 300)   /* one band: the whole head's products and sums */
			rc |= r.nll_sum != whole.nll_sum;
	}
	lm_head_set_band_rows(0);
	ok(rc == 0 && worst <= 2e-6 * WINDOWS * (T - 1),
	   "%s: LM head in bands of 1, 7, 128, 299 rows: NLL within %.2g of the whole head "
	   "(%.6f), one band the same bits", what, worst, whole.nll_sum);
}

/* A plan prunes layer 1 (bits 0) and quantizes the others at different widths: eval
   must equal the reference run on weights quantized the same way, layer by layer. */
static void check_plans(const char *path, struct test_model *m, const int32_t *ids)
{
	struct lwq_err err = { "" };
	struct eval_result full, pruned, mixed;
	int keep[3] = { 16, 16, 16 }, prune[3] = { 16, 0, 16 }, bits[3] = { 4, 2, 8 };
	struct bit_plan *p_keep = plan_with(3, keep, 16), *p_prune = plan_with(3, prune, 16);
	struct bit_plan *p_mixed = plan_with(3, bits, 16);
	eval_file(path, p_keep, ids, &full, &err);
	int rc = eval_file(path, p_prune, ids, &pruned, &err);
	struct layer_weights *saved = m->layers[1];
	m->layers[1] = NULL;
	double want = reference_nll(&m->ref, ids, WINDOWS, T);
	m->layers[1] = saved;
	ok(rc == 0 && fabs(pruned.nll_sum - want) < 1e-5 * want,
	   "bits 0 skips the layer: NLL %.6f, reference without layer 1 %.6f", pruned.nll_sum,
	   want);
	ok(fabs(pruned.perplexity - full.perplexity) > 1e-3 * full.perplexity,
	   "skipping a layer changes perplexity (%.4f -> %.4f)", full.perplexity,
	   pruned.perplexity);

	struct test_model *q = synth_model_new(&m->cfg, 42);
	for (int l = 0; l < 3; l++)
		for (int k = 0; k < LIN_COUNT; k++) {
			int64_t rows, cols;
			linear_shape(&m->cfg, (enum linear_kind)k, &rows, &cols);
			rtn_fake_quant(q->layers[l]->lin[k], rows, cols, bits[l], 16, &err);
		}
	want = reference_nll(&q->ref, ids, WINDOWS, T);
	rc = eval_file(path, p_mixed, ids, &mixed, &err);
	ok(rc == 0 && fabs(mixed.nll_sum - want) < 1e-5 * want,
	   "plan 4/2/8 bits = reference on RTN weights: %.6f vs %.6f", mixed.nll_sum, want);
	test_model_free(q);

	int too_long[4] = { 16, 16, 16, 16 };
	struct bit_plan *p_long = plan_with(4, too_long, 16);
	rc = eval_file(path, p_long, ids, &mixed, &err);
	ok(rc < 0 && strstr(err.msg, "4 layers"), "plan for 4 layers on 3: %s", err.msg);
	bit_plan_free(p_long);
	bit_plan_free(p_keep);
	bit_plan_free(p_prune);
	bit_plan_free(p_mixed);
}

/* Writes a variant of the model and checks eval's one-line error. */
static void check_bad_model(const char *what, struct test_model *m, const int32_t *ids,
			    const char *want1, const char *want2)
{
	struct lwq_err err = { "" };
	struct eval_result r;
	const char *path = test_scratch_file();
	int rc = test_model_write(m, path, &err) == 0 ? eval_file(path, NULL, ids, &r, &err) : 0;
	ok(rc < 0 && strstr(err.msg, want1) && strstr(err.msg, want2), "%s: %s", what, err.msg);
}

static void check_errors(struct test_model *m, const int32_t *ids)
{
	float saved = m->layers[1]->lin[LIN_V][5];
	m->layers[1]->lin[LIN_V][5] = NAN;
	check_bad_model("NaN weight", m, ids, "layer 1", "NaN or infinity in weight v");
	m->layers[1]->lin[LIN_V][5] = saved;

	float *norm = m->layers[2]->mlp_norm;
	float *huge = malloc((size_t)m->cfg.hidden * sizeof(float));
	for (int i = 0; i < m->cfg.hidden; i++)
		huge[i] = 3e38f;
	m->layers[2]->mlp_norm = huge;
	check_bad_model("overflowing activations", m, ids, "layer 2", "in activations");
	m->layers[2]->mlp_norm = norm;
	free(huge);

	struct lwq_err err = { "" };
	struct eval_result r;
	const char *path = test_scratch_file();
	struct model_file *mf = model_file_create(path, &m->cfg, "synthetic", "empty", &err);
	model_file_close(mf);
	int rc = eval_file(path, NULL, ids, &r, &err);
	ok(rc < 0 && strstr(err.msg, "no weight"), "model file without weights: %s", err.msg);

}

int main(void)
{
	struct model_config cfg = synth_config(3, 1, 0);
	struct test_model *m = synth_model_new(&cfg, 42);
	int32_t ids[WINDOWS * T];
	synth_ids(ids, WINDOWS * T, cfg.vocab, 5);
	char path[4200];
	struct lwq_err err = { "" };
	snprintf(path, sizeof path, "%s", test_scratch_file());
	if (!ok(test_model_write(m, path, &err) == 0, "synthetic model written"))
		return tap_done();
	check_unquantized(path, m, ids);
	check_bands("untied head", path, ids);
	check_plans(path, m, ids);
	check_errors(m, ids);
	test_model_free(m);

	cfg = synth_config(3, 0, 1);
	m = synth_model_new(&cfg, 43);
	snprintf(path, sizeof path, "%s", scratch_path("tied.h5"));
	if (ok(test_model_write(m, path, &err) == 0, "synthetic model with tied embeddings")) {
		check_unquantized(path, m, ids);
		check_bands("tied embeddings", path, ids);
	}
	test_model_free(m);
	return tap_done();
}
