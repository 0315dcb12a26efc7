/* test_kld.c: KL divergence, top-token agreement and the rest of eval's comparison with
   the unquantized model, against a slow obvious reference (double precision, naive
   loops over the reference decoder's logits). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval_run.h"
#include "forward_ref.h"
#include "kld.h"
#include "layer_pass.h"
#include "lm_head.h"
#include "measure_run.h"
#include "quant_method.h"
#include "real_model.h"
#include "synth_model.h"
#include "tap.h"

#define T 40
#define WINDOWS 3

/* Every per-prediction figure of the reference, for positions >= from. */
struct ref_stats {
	int n;
	double kld[WINDOWS * T], nll[WINDOWS * T], nll_base[WINDOWS * T], dp[WINDOWS * T];
	int same[WINDOWS * T];
};

static void ref_compare(const struct ref_model *base, const struct ref_model *quant,
			const int32_t *ids, int from, struct ref_stats *st)
{
	int V = base->cfg.vocab;
	float *lb = malloc((size_t)T * V * sizeof *lb), *lq = malloc((size_t)T * V * sizeof *lq);
	st->n = 0;
	for (int w = 0; w < WINDOWS; w++) {
		const int32_t *win = ids + w * T;
		ref_window_logits(base, win, T, lb);
		ref_window_logits(quant, win, T, lq);
		for (int t = from; t + 1 < T; t++) {
			const float *b = lb + (int64_t)t * V, *q = lq + (int64_t)t * V;
			double zb = 0, zq = 0;
			int ab = 0, aq = 0;
			for (int j = 0; j < V; j++) {
				zb += exp((double)b[j]);
				zq += exp((double)q[j]);
				if (b[j] > b[ab]) ab = j;
				if (q[j] > q[aq]) aq = j;
			}
			double kl = 0;
			for (int j = 0; j < V; j++) {
				double p = exp((double)b[j]) / zb, r = exp((double)q[j]) / zq;
				kl += p * log(p / r);
			}
			int y = win[t + 1];
			st->kld[st->n] = kl;
			st->nll[st->n] = -log(exp((double)q[y]) / zq);
			st->nll_base[st->n] = -log(exp((double)b[y]) / zb);
			st->dp[st->n] = exp((double)q[y]) / zq - exp((double)b[y]) / zb;
			st->same[st->n] = ab == aq;
			st->n++;
		}
	}
	free(lb);
	free(lq);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int close_to(double got, double want, double rel)
{
	return fabs(got - want) <= rel * fabs(want) + 1e-12;
}

static void check_against(const struct eval_result *r, struct ref_stats *st, const char *what)
{
	int n = st->n;
	double mean = 0, var = 0, nll = 0, nllb = 0, dp = 0, same = 0;
	for (int i = 0; i < n; i++)
		mean += st->kld[i], nll += st->nll[i], nllb += st->nll_base[i], dp += st->dp[i],
		same += st->same[i];
	mean /= n, nll /= n, nllb /= n, dp /= n;
	for (int i = 0; i < n; i++)
		var += (st->kld[i] - mean) * (st->kld[i] - mean);
	double se = sqrt(var / n / (n - 1));
	qsort(st->kld, (size_t)n, sizeof st->kld[0], cmp);
	double median = n % 2 ? st->kld[n / 2] : (st->kld[n / 2 - 1] + st->kld[n / 2]) / 2;
	double pos = 0.99 * (n - 1);
	int lo = (int)floor(pos);
	double p99 = st->kld[lo] + (pos - lo) * (st->kld[lo + 1 < n ? lo + 1 : lo] - st->kld[lo]);
	const struct kld_summary *k = &r->kld;
	ok(r->has_kld && k->count == n && r->n_predictions == n, "%s: %d predictions compared",
	   what, n);
	ok(close_to(k->kld_mean, mean, 1e-4), "%s: mean KLD %.8f vs reference %.8f", what,
	   k->kld_mean, mean);
	ok(close_to(k->kld_stderr, se, 1e-3), "%s: standard error %.8f vs %.8f", what,
	   k->kld_stderr, se);
	ok(close_to(k->kld_median, median, 1e-3) && close_to(k->kld_p99, p99, 1e-3) &&
	   close_to(k->kld_max, st->kld[n - 1], 1e-3),
	   "%s: median %.6g, p99 %.6g, max %.6g vs %.6g, %.6g, %.6g", what, k->kld_median,
	   k->kld_p99, k->kld_max, median, p99, st->kld[n - 1]);
	ok(fabs(k->top1 - same / n) < 0.5 / n, "%s: same top %.4f vs %.4f", what, k->top1,
	   same / n);
	ok(close_to(k->dp_mean, dp, 1e-3), "%s: mean dp %.8f vs %.8f", what, k->dp_mean, dp);
	ok(close_to(k->ppl_ratio, exp(nll - nllb), 1e-5) && close_to(r->perplexity, exp(nll), 1e-5)
	   && close_to(k->ppl_base, exp(nllb), 1e-5),
	   "%s: ppl %.5f, base %.5f, ratio %.6f vs %.5f, %.5f, %.6f", what, r->perplexity,
	   k->ppl_base, k->ppl_ratio, exp(nll), exp(nllb), exp(nll - nllb));
}

static struct bit_plan *plan_with(const int *bits, int group)
{
	struct bit_plan *plan = bit_plan_new(3);
	memcpy(plan->bits, bits, 3 * sizeof(int));
	plan->group_size = group;
	return plan;
}

static int run(const char *path, const struct bit_plan *plan, enum quant_method m, int from,
	       int kld, const int32_t *ids, struct eval_result *r, struct lwq_err *err)
{
	struct model_file *mf = model_file_open(path, 0, err);
	if (!mf)
		return -1;
	struct run_quant rq = { .plan = plan, .method = m };
	struct eval_request req = { .rq = &rq, .score_from = from, .kld = kld };
	int rc = eval_run(mf, &req, ids, WINDOWS * T, WINDOWS, T, NULL, r, err);
	model_file_close(mf);
	return rc;
}

/* A copy of m whose linears are fake-quantized layer by layer (the reference's input). */
static struct test_model *quantized_copy(const struct test_model *m, const int *bits,
					 enum quant_method method, int group)
{
	struct test_model *q = synth_model_new(&m->cfg, 42);
	struct lwq_err err = { "" };
	for (int l = 0; l < m->cfg.n_layers; l++)
		for (int k = 0; k < LIN_COUNT && bits[l] < 16; k++) {
			int64_t rows, cols;
			linear_shape(&m->cfg, (enum linear_kind)k, &rows, &cols);
			fake_quant_linear(method, q->layers[l]->lin[k], rows, cols, bits[l], group, &err);
		}
	return q;
}

static void check_model(const char *path, struct test_model *m, const int32_t *ids)
{
	static struct ref_stats st;
	struct eval_result r;
	struct lwq_err err = { "" };
	int bits[3] = { 16, 2, 3 };
	struct bit_plan *plan = plan_with(bits, 16);
	struct test_model *q = quantized_copy(m, bits, QUANT_RTN, 16);
	int rc = run(path, plan, QUANT_RTN, 0, 1, ids, &r, &err);
	ok(rc == 0, "eval --kld runs (%s)", rc ? err.msg : "ok");
	ref_compare(&m->ref, &q->ref, ids, 0, &st);
	check_against(&r, &st, "RTN 16/2/3");
	/* the unquantized prefix is shared; passes of one window give the same figures */
	layer_pass_set_budget((int64_t)2 * T * m->cfg.hidden * 4, T);
	struct eval_result split;
	rc = run(path, plan, QUANT_RTN, 0, 1, ids, &split, &err);
	layer_pass_set_budget(0, 0);
	ok(rc == 0 && split.kld.kld_mean == r.kld.kld_mean && split.kld.top1 == r.kld.top1,
	   "one window per pass: same KLD %.8f", split.kld.kld_mean);
	/* The LM head in bands of 7 and 299 of 300 rows. The statistics are kept in double,
	   but sgemm may sum a logit in another order for a band of 7 columns than for 300
	   (its edge kernels), so logits move at f32 rounding: 1e-6 relative. */
	for (int band = 7; band < 300; band += 292) {
		lm_head_set_band_rows(band);
		rc = run(path, plan, QUANT_RTN, 0, 1, ids, &split, &err);
		lm_head_set_band_rows(0);
		ok(rc == 0 && fabs(split.kld.kld_mean / r.kld.kld_mean - 1) < 1e-6 &&
		   split.kld.top1 == r.kld.top1 && fabs(split.kld.ppl / r.kld.ppl - 1) < 1e-6 &&
		   fabs(split.kld.ppl_base / r.kld.ppl_base - 1) < 1e-6 &&
		   fabs(split.kld.dp_mean / r.kld.dp_mean - 1) < 1e-5 &&
		   fabs(split.kld.kld_max / r.kld.kld_max - 1) < 1e-6,
		   "LM head in bands of %d rows: KLD %.10f, same top %.4f, ppl %.6f (whole head "
		   "%.10f)", band, split.kld.kld_mean, split.kld.top1, split.kld.ppl,
		   r.kld.kld_mean);
	}
	rc = run(path, plan, QUANT_RTN, 20, 1, ids, &r, &err);
	ref_compare(&m->ref, &q->ref, ids, 20, &st);
	ok(rc == 0 && r.n_predictions == WINDOWS * (T - 1 - 20),
	   "--score-from 20: %lld predictions", (long long)r.n_predictions);
	check_against(&r, &st, "score from 20");
	test_model_free(q);

	q = quantized_copy(m, bits, QUANT_GGUF, 16);
	rc = run(path, plan, QUANT_GGUF, 0, 1, ids, &r, &err);
	ref_compare(&m->ref, &q->ref, ids, 0, &st);
	ok(rc == 0, "eval --method gguf --kld runs (%s)", rc ? err.msg : "ok");
	check_against(&r, &st, "GGUF 16/2/3");
	test_model_free(q);

	int none[3] = { 16, 16, 16 };
	struct bit_plan *same = plan_with(none, 16);
	rc = run(path, same, QUANT_RTN, 0, 1, ids, &r, &err);
	ok(rc == 0 && r.kld.kld_mean == 0 && r.kld.top1 == 1 && r.kld.ppl_ratio == 1,
	   "a plan that changes nothing: KLD 0, same top 1, ratio 1");
	rc = run(path, plan, QUANT_RTN, T - 1, 0, ids, &r, &err);
	ok(rc < 0 && strstr(err.msg, "leaves nothing"), "score from %d of %d: %s", T - 1, T,
	   err.msg);
	rc = run(path, plan, QUANT_GPTQ, 0, 0, ids, &r, &err);
	ok(rc < 0 && strstr(err.msg, "gptq"), "gptq without a layer quantizer: %s", err.msg);
	bit_plan_free(same);
	bit_plan_free(plan);
}

/* score --measure: every layer alone at every width equals eval --kld of the plan that
   quantizes only that layer (the slow way: a whole run per trial). */
static void check_measure(const char *path, const int32_t *ids, enum quant_method method,
			  int from)
{
	struct lwq_err err = { "" };
	struct model_file *mf = model_file_open(path, 0, &err);
	struct measure_request req = { .n_widths = 2, .widths = { 2, 4 }, .method = method,
				       .group_size = 16, .score_from = from };
	double kld[3 * 2], top1[3 * 2], secs;
	int rc = mf ? measure_layers(mf, &req, ids, WINDOWS, T, kld, top1, &secs, &err) : -1;
	ok(rc == 0, "measure %s runs (%s)", quant_method_name(method), rc ? err.msg : "ok");
	int good = rc == 0;
	double worst = 0;
	for (int l = 0; good && l < 3; l++)
		for (int w = 0; w < 2; w++) {
			int bits[3] = { 16, 16, 16 };
			bits[l] = req.widths[w];
			struct bit_plan *plan = plan_with(bits, 16);
			struct eval_result r;
			good &= run(path, plan, method, from, 1, ids, &r, &err) == 0;
			double d = fabs(r.kld.kld_mean - kld[l * 2 + w]) / r.kld.kld_mean;
			worst = d > worst ? d : worst;
			good &= d < 1e-5 && r.kld.top1 == top1[l * 2 + w];
			bit_plan_free(plan);
		}
	ok(good, "%s, from %d: 3 layers x widths 2, 4 equal eval --kld of one-layer plans "
	   "(worst relative difference %.2g)", quant_method_name(method), from, worst);
	if (method == QUANT_RTN)
		ok(rc == 0 && kld[0] > kld[1] && kld[2] > kld[3] && kld[4] > kld[5],
		   "2 bits cost more than 4 in every layer");
	else    /* rows of 64 fall back to Q4_0 at both widths, as the export does */
		ok(rc == 0 && kld[0] == kld[1] && kld[2] == kld[3] && kld[4] == kld[5],
		   "gguf: rows of 64 store 2 and 4 bits alike (Q4_0)");
	layer_pass_set_budget((int64_t)4 * T * 64 * 4, T);
	double split[3 * 2];
	rc = mf ? measure_layers(mf, &req, ids, WINDOWS, T, split, NULL, NULL, &err) : -1;
	layer_pass_set_budget(0, 0);
	good = rc == 0;
	for (int i = 0; good && i < 6; i++)
		good &= fabs(split[i] - kld[i]) <= 1e-9 * kld[i];
	ok(good, "one window per pass gives the same table");
	lm_head_set_band_rows(7);
	rc = mf ? measure_layers(mf, &req, ids, WINDOWS, T, split, NULL, NULL, &err) : -1;
	lm_head_set_band_rows(0);
	good = rc == 0;
	for (int i = 0; good && i < 6; i++)
		good &= fabs(split[i] - kld[i]) <= 1e-6 * kld[i];
	ok(good, "LM head in bands of 7 rows gives the same table (to f32 rounding)");
	req.widths[1] = 7;
	rc = mf ? measure_layers(mf, &req, ids, WINDOWS, T, split, NULL, NULL, &err) : 0;
	ok(rc < 0 && strstr(err.msg, "not 7"), "width 7: %s", err.msg);
	model_file_close(mf);
}

/* The accumulator alone: two-token vocabularies worked by hand, percentiles. */
static void check_accum(void)
{
	struct kld_accum a = { 0 };
	struct kld_summary s;
	float b[2] = { 0.0f, 0.0f }, q[2] = { (float)log(3.0), 0.0f };
	kld_accum_row(&a, b, q, 2, 1, NULL);
	kld_summarize(&a, &s);
	double want = 0.5 * log(0.5 / 0.75) + 0.5 * log(0.5 / 0.25);
	ok(fabs(s.kld_mean - want) < 1e-7 && s.top1 == 1 && fabs(s.dp_mean - (-0.25)) < 1e-7,
	   "P=(1/2,1/2), Q=(3/4,1/4): KLD %.8f (want %.8f), ties pick the first top, dp -1/4",
	   s.kld_mean, want);
	kld_accum_free(&a);
	double v[5] = { 1, 2, 3, 4, 5 };
	ok(sorted_percentile(v, 5, 0.5) == 3 && sorted_percentile(v, 5, 0.99) == 4.96 &&
	   sorted_percentile(v, 5, 1) == 5, "interpolated percentiles of 1..5");
}

int main(void)
{
	check_accum();
	struct model_config cfg = synth_config(3, 0, 0);
	struct test_model *m = synth_model_new(&cfg, 42);
	int32_t ids[WINDOWS * T];
	synth_ids(ids, WINDOWS * T, cfg.vocab, 5);
	char path[4200];
	struct lwq_err err = { "" };
	snprintf(path, sizeof path, "%s", test_scratch_file());
	if (ok(test_model_write(m, path, &err) == 0, "synthetic model written"))
		check_model(path, m, ids);
	check_measure(path, ids, QUANT_RTN, 0);
	check_measure(path, ids, QUANT_GGUF, 11);
	test_model_free(m);
	return tap_done();
}
