/* test_forward.c: the batched forward pass against the token-by-token reference. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forward.h"
#include "forward_ref.h"
#include "real_model.h"
#include "synth_model.h"
#include "tap.h"

/* Runs n_seqs windows of T tokens through the batched path; logits [n_seqs * T, vocab]. */
static int batched_logits(const struct model_config *cfg, const float *embed,
			  const float *final_norm, const float *head,
			  struct layer_weights *const *layers, const int32_t *ids, int n_seqs,
			  int T, float *logits)
{
	struct lwq_err err = { "" };
	struct forward_state *fs = forward_new(cfg, T, n_seqs, &err);
	if (!fs)
		return -1;
	int64_t rows = (int64_t)n_seqs * T;
	float *x = malloc((size_t)(rows * cfg->hidden) * sizeof(float));
	embed_tokens(cfg, embed, ids, rows, x);
	for (int l = 0; l < cfg->n_layers; l++)
		if (layers[l])
			layer_forward(fs, layers[l], x, n_seqs, NULL);
	head_logits(fs, final_norm, head, x, rows, logits);
	free(x);
	forward_free(fs);
	return 0;
}

/* max |a - b| / max |b| */
static double rel_max_diff(const float *a, const float *b, int64_t n)
{
	double dmax = 0, bmax = 0;
	for (int64_t i = 0; i < n; i++) {
		double d = fabs((double)a[i] - b[i]);
		if (d > dmax || isnan(d))
			dmax = isnan(d) ? INFINITY : d;
		if (fabs(b[i]) > bmax)
			bmax = fabs(b[i]);
	}
	return bmax > 0 ? dmax / bmax : dmax;
}

/* Batched vs reference on a synthetic model: two windows batched, each checked. */
static void check_synthetic(const char *what, const struct model_config *cfg, int T)
{
	struct test_model *m = synth_model_new(cfg, 42);
	int n_seqs = 2;
	int64_t per = (int64_t)T * cfg->vocab;
	int32_t *ids = malloc((size_t)(n_seqs * T) * sizeof(int32_t));
	float *fast = malloc((size_t)(n_seqs * per) * sizeof(float));
	float *slow = malloc((size_t)per * sizeof(float));
	synth_ids(ids, (int64_t)n_seqs * T, cfg->vocab, 7);
	int rc = batched_logits(cfg, m->embed, m->final_norm, m->ref.head, m->layers, ids,
				n_seqs, T, fast);
	ok(rc == 0, "%s: batched forward runs", what);
	double worst = 0, spread = 0;
	for (int s = 0; s < n_seqs; s++) {
		ref_window_logits(&m->ref, ids + s * T, T, slow);
		double d = rel_max_diff(fast + s * per, slow, per);
		worst = d > worst ? d : worst;
		for (int64_t i = 0; i < per; i++)
			spread = fabs(slow[i]) > spread ? fabs(slow[i]) : spread;
	}
	ok(worst < 1e-4 && spread > 1.0, "%s: batched logits match the reference "
	   "(max rel diff %.2e, max |logit| %.2f)", what, worst, spread);
	free(ids);
	free(fast);
	free(slow);
	test_model_free(m);
}

/* head_nll against -log softmax of the reference logits, computed in double. */
static void check_nll(void)
{
	struct model_config cfg = synth_config(2, 0, 0);
	struct test_model *m = synth_model_new(&cfg, 3);
	int T = 40, n_seqs = 3;
	int32_t *ids = malloc((size_t)(n_seqs * T) * sizeof(int32_t));
	float *logits = malloc((size_t)T * cfg.vocab * sizeof(float));
	synth_ids(ids, (int64_t)n_seqs * T, cfg.vocab, 11);
	double want = 0;
	for (int s = 0; s < n_seqs; s++) {
		ref_window_logits(&m->ref, ids + s * T, T, logits);
		for (int t = 0; t + 1 < T; t++) {
			const float *row = logits + (int64_t)t * cfg.vocab;
			double sum = 0;
			for (int j = 0; j < cfg.vocab; j++)
				sum += exp((double)row[j]);
			want += log(sum) - row[ids[s * T + t + 1]];
		}
	}
	struct lwq_err err = { "" };
	struct forward_state *fs = forward_new(&cfg, T, n_seqs, &err);
	float *x = malloc((size_t)n_seqs * T * cfg.hidden * sizeof(float));
	embed_tokens(&cfg, m->embed, ids, (int64_t)n_seqs * T, x);
	for (int l = 0; l < cfg.n_layers; l++)
		layer_forward(fs, m->layers[l], x, n_seqs, NULL);
	int64_t n_pred = 0;
	double got = head_nll(fs, m->final_norm, m->lm_head, x, ids, n_seqs, &n_pred);
	ok(n_pred == (int64_t)n_seqs * (T - 1), "head_nll counts %lld predictions",
	   (long long)n_pred);
	ok(fabs(got - want) < 1e-4 * fabs(want), "head_nll %.6f matches reference %.6f", got,
	   want);
	free(x);
	forward_free(fs);
	free(ids);
	free(logits);
	test_model_free(m);
}

struct site_sums {
	double sq[SITE_COUNT];
	int64_t rows[SITE_COUNT];
	int cols[SITE_COUNT];
	int calls;
};

static void sum_squares(void *user, enum input_site site, const float *x, int64_t rows,
			int cols, int64_t ld)
{
	struct site_sums *s = user;
	for (int64_t r = 0; r < rows; r++)
		for (int c = 0; c < cols; c++)
			s->sq[site] += (double)x[r * ld + c] * x[r * ld + c];
	s->rows[site] = rows;
	s->cols[site] = cols;
	s->calls++;
}

/* The hook sees each linear's input with the right shape; the first one is the normed
   embedding, which is easy to compute independently. */
static void check_hooks(void)
{
	struct model_config cfg = synth_config(1, 0, 0);
	struct test_model *m = synth_model_new(&cfg, 5);
	int T = 20, n_seqs = 2;
	int64_t rows = (int64_t)T * n_seqs;
	int32_t *ids = malloc((size_t)rows * sizeof(int32_t));
	float *x = malloc((size_t)(rows * cfg.hidden) * sizeof(float));
	synth_ids(ids, rows, cfg.vocab, 9);
	embed_tokens(&cfg, m->embed, ids, rows, x);
	double want = 0;
	for (int64_t r = 0; r < rows; r++) {
		const float *e = x + r * cfg.hidden;
		double ss = 0;
		for (int j = 0; j < cfg.hidden; j++)
			ss += (double)e[j] * e[j];
		for (int j = 0; j < cfg.hidden; j++) {
			double v = e[j] / sqrt(ss / cfg.hidden + cfg.norm_eps) * m->layers[0]->attn_norm[j];
			want += v * v;
		}
	}
	struct site_sums sums;
	memset(&sums, 0, sizeof sums);
	struct forward_hooks hooks = { sum_squares, &sums };
	struct lwq_err err = { "" };
	struct forward_state *fs = forward_new(&cfg, T, n_seqs, &err);
	layer_forward(fs, m->layers[0], x, n_seqs, &hooks);
	ok(sums.calls == SITE_COUNT, "hooks called once per site (%d)", sums.calls);
	ok(sums.rows[SITE_ATTN] == rows && sums.cols[SITE_ATTN] == cfg.hidden &&
	   sums.cols[SITE_O] == cfg.n_heads * cfg.head_dim &&
	   sums.cols[SITE_MLP] == cfg.hidden && sums.cols[SITE_DOWN] == cfg.intermediate,
	   "hook shapes: attn %d, o %d, mlp %d, down %d", sums.cols[SITE_ATTN],
	   sums.cols[SITE_O], sums.cols[SITE_MLP], sums.cols[SITE_DOWN]);
	ok(fabs(sums.sq[SITE_ATTN] - want) < 1e-5 * want, "attn input sum x^2 %.6f == %.6f",
	   sums.sq[SITE_ATTN], want);
	forward_free(fs);
	free(ids);
	free(x);
	test_model_free(m);
}

static void check_config_rejections(void)
{
	struct lwq_err err = { "" };
	struct model_config cfg = synth_config(1, 0, 0);
	strcpy(cfg.rope_scaling, "yarn");
	ok(forward_check_config(&cfg, &err) < 0 && strstr(err.msg, "yarn"),
	   "RoPE scaling yarn rejected: %s", err.msg);
	strcpy(cfg.rope_scaling, "dynamic");
	ok(forward_new(&cfg, 8, 1, &err) == NULL && strstr(err.msg, "dynamic"),
	   "forward_new rejects dynamic scaling before running");
	cfg = synth_config(1, 0, 0);
	cfg.n_kv_heads = 3;
	ok(forward_check_config(&cfg, &err) < 0, "heads not a multiple of KV heads rejected");
}

/* Llama 3.1 numbers (theta 500000, factor 8, low 1, high 4, original 8192, head_dim 128):
   high frequencies unchanged, low ones divided by 8, the band between interpolated. */
static void check_llama3_freqs(void)
{
	struct model_config cfg = synth_config(1, 0, 0);
	cfg.head_dim = 128;
	cfg.rope_theta = 500000.0;
	strcpy(cfg.rope_scaling, "llama3");
	cfg.rope_factor = 8;
	cfg.rope_low_freq_factor = 1;
	cfg.rope_high_freq_factor = 4;
	cfg.rope_original_max_pos = 8192;
	double base0 = 1.0, base63 = pow(500000.0, -126.0 / 128);
	ok(rope_inv_freq(&cfg, 0) == base0, "llama3: highest frequency unchanged");
	ok(fabs(rope_inv_freq(&cfg, 63) - base63 / 8) < 1e-15, "llama3: lowest divided by 8");
	int medium = 0;
	for (int i = 0; i < 64; i++) {
		double base = pow(500000.0, -2.0 * i / 128), wl = 2 * 3.14159265358979 / base;
		double got = rope_inv_freq(&cfg, i);
		if (wl >= 2048 && wl <= 8192) {
			double s = (8192 / wl - 1) / 3;
			medium += fabs(got - ((1 - s) * base / 8 + s * base)) < 1e-12 * base;
		}
	}
	ok(medium > 0, "llama3: %d medium frequencies interpolated", medium);
}

/* The real demo model: one window of held-out text, batched path vs reference. */
static void check_real_model_logits(void)
{
	const char *name = "lwq-demo-16L";
	const char *path = real_model_or_skip(name, "real model logits");
	if (!path)
		return;
	struct lwq_err err = { "" };
	struct model_file *mf = model_file_open(path, 0, &err);
	struct test_model *m = mf ? test_model_read(mf, &err) : NULL;
	if (!ok(m != NULL, "%s loads: %s", name, m ? "yes" : err.msg)) {
		model_file_close(mf);
		return;
	}
	int T = 96;
	int64_t per = (int64_t)T * m->cfg.vocab;
	int32_t ids[96];
	float *fast = malloc((size_t)per * sizeof(float));
	float *slow = malloc((size_t)per * sizeof(float));
	ok(read_ids_file(real_model_file(name, "heldout.ids.i32"), 0, T, ids) == 0,
	   "held-out ids read");
	batched_logits(&m->cfg, m->embed, m->final_norm, m->ref.head, m->layers, ids, 1, T,
		       fast);
	ref_window_logits(&m->ref, ids, T, slow);
	double d = rel_max_diff(fast, slow, per);
	ok(d < 1e-4, "%s: batched logits match the reference (max rel diff %.2e)", name, d);
	free(fast);
	free(slow);
	test_model_free(m);
	model_file_close(mf);
}

/* A model file made elsewhere (tests/cli/families.sh builds tiny Qwen2, Qwen3, Mistral
   and Llama-3 shapes from Hugging Face directories): batched logits against the
   token-by-token reference on a window of pseudo-random ids. */
static void check_model_file(const char *path)
{
	struct lwq_err err;
	struct model_file *mf = model_file_open(path, 0, &err);
	struct test_model *m = mf ? test_model_read(mf, &err) : NULL;
	if (!ok(m != NULL, "%s loads: %s", path, m ? "yes" : err.msg)) {
		model_file_close(mf);
		return;
	}
	int T = 70;
	int64_t per = (int64_t)T * m->cfg.vocab;
	int32_t ids[70];
	uint64_t s = 12345;
	for (int i = 0; i < T; i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		ids[i] = (int32_t)((s >> 33) % (uint64_t)m->cfg.vocab);
	}
	float *fast = malloc((size_t)per * sizeof(float));
	float *slow = malloc((size_t)per * sizeof(float));
	batched_logits(&m->cfg, m->embed, m->final_norm, m->ref.head, m->layers, ids, 1, T,
		       fast);
	ref_window_logits(&m->ref, ids, T, slow);
	double d = rel_max_diff(fast, slow, per);
	ok(d < 1e-4, "%s (%s): batched logits match the reference (max rel diff %.2e)", path,
	   m->cfg.architecture, d);
	free(fast);
	free(slow);
	test_model_free(m);
	model_file_close(mf);
}

int main(int argc, char **argv)
{
	if (argc > 1) {            /* test_forward MODEL.h5...: only those files */
		for (int i = 1; i < argc; i++)
			check_model_file(argv[i]);
		return tap_done();
	}
	int T = 150;               /* more than one attention block of 128 rows */
	struct model_config cfg = synth_config(3, 1, 0);
	check_synthetic("GQA + qkv bias", &cfg, T);
	cfg = synth_config(2, 0, 1);
	check_synthetic("tied embeddings", &cfg, T);
	cfg = synth_config(2, 0, 0);
	cfg.sliding_window = 37;
	check_synthetic("sliding window 37", &cfg, T);
	cfg = synth_config(2, 0, 0);
	strcpy(cfg.rope_scaling, "linear");
	cfg.rope_factor = 4;
	check_synthetic("linear RoPE scaling", &cfg, T);
	cfg = synth_config(2, 0, 0);
	strcpy(cfg.rope_scaling, "llama3");
	cfg.rope_factor = 8;
	cfg.rope_low_freq_factor = 1;
	cfg.rope_high_freq_factor = 4;
	cfg.rope_original_max_pos = 64;
	check_synthetic("llama3 RoPE scaling", &cfg, T);
	/* Qwen3: per-head q/k RMSNorm before RoPE; heads of 24 while hidden is 64, so
	   q (8 x 24 = 192 wide) is wider than the residual stream */
	cfg = synth_config(2, 0, 1);
	strcpy(cfg.architecture, "Qwen3ForCausalLM");
	cfg.qk_norm = 1;
	cfg.head_dim = 24;
	check_synthetic("Qwen3 q/k norms, head_dim 24 != hidden / heads", &cfg, T);
	check_nll();
	check_hooks();
	check_config_rejections();
	check_llama3_freqs();
	check_real_model_logits();
	return tap_done();
}
