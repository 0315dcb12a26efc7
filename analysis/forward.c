/* forward.c: batched (prefill) decoder layer in f32: RMSNorm, RoPE, GQA attention, SwiGLU. */
#include "forward.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parallel.h"
#include "vec_math.h"

/* Query rows per attention block: each block multiplies only against the keys up to its
   last row, so the causal upper triangle costs at most one block's worth of waste. */
#define ATTN_BLOCK 128
/* Upper bound on the logits buffer of the LM head (floats). */
#define LOGITS_FLOATS (1 << 22)
#define PI 3.14159265358979323846

const char *const input_site_names[SITE_COUNT] = { "attn", "o", "mlp", "down" };

enum input_site linear_input_site(enum linear_kind k)
{
	switch (k) {
	case LIN_Q: case LIN_K: case LIN_V: return SITE_ATTN;
	case LIN_O: return SITE_O;
	case LIN_GATE: case LIN_UP: return SITE_MLP;
	default: return SITE_DOWN;
	}
}

struct forward_state {
	struct model_config cfg;
	int seq_len, max_seqs;
	int q_dim, kv_dim, qkv_dim;
	int head_rows;             /* rows of logits per LM head block */
	int n_threads;             /* for the work between the matrix products */
	float *rope_cos, *rope_sin;    /* [seq_len, head_dim / 2] */
	float *xn;                 /* [rows, hidden] normed input of a linear */
	float *qkv;                /* [rows, q_dim + 2 kv_dim] */
	float *attn;               /* [rows, q_dim] */
	float *gate_up;            /* [rows, 2 intermediate]; gate half becomes silu(g) * u */
	float *scores;             /* [n_threads, ATTN_BLOCK, seq_len] */
	float *logits;             /* [head_rows, vocab] */
	double *row_nll;           /* [head_rows] */
};

/* ---- layer weights ------------------------------------------------------------ */

static int64_t lin_floats(const struct model_config *cfg, int k)
{
	int64_t rows, cols;
	linear_shape(cfg, (enum linear_kind)k, &rows, &cols);
	return rows * cols;
}

struct layer_weights *layer_weights_new(const struct model_config *cfg, struct lwq_err *err)
{
	int64_t qkv_out = (int64_t)(cfg->n_heads + 2 * cfg->n_kv_heads) * cfg->head_dim;
	int64_t total = 2 * (int64_t)cfg->hidden + (cfg->qkv_bias ? qkv_out : 0) +
			(cfg->qk_norm ? 2 * (int64_t)cfg->head_dim : 0);
	for (int k = 0; k < LIN_COUNT; k++)
		total += lin_floats(cfg, k);
	struct layer_weights *lw = calloc(1, sizeof *lw);
	float *block = malloc((size_t)total * sizeof(float));
	if (!lw || !block) {
		free(lw);
		free(block);
		return lwq_err_set(err, "out of memory for one layer (%lld floats)",
				   (long long)total), NULL;
	}
	lw->block = block;
	lw->n_floats = total;
	float *p = block;
	for (int k = 0; k < LIN_COUNT; k++) {
		lw->lin[k] = p;
		p += lin_floats(cfg, k);
	}
	lw->attn_norm = p;
	lw->mlp_norm = p + cfg->hidden;
	p += 2 * cfg->hidden;
	if (cfg->qkv_bias) {
		lw->bias[0] = p;
		lw->bias[1] = p + (int64_t)cfg->n_heads * cfg->head_dim;
		lw->bias[2] = lw->bias[1] + (int64_t)cfg->n_kv_heads * cfg->head_dim;
		p += qkv_out;
	}
	if (cfg->qk_norm) {
		lw->q_norm = p;
		lw->k_norm = p + cfg->head_dim;
	}
	return lw;
}

void layer_weights_free(struct layer_weights *lw)
{
	if (!lw)
		return;
	free(lw->block);
	free(lw);
}

static int all_finite(const float *v, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

const char *layer_weights_nonfinite(const struct model_config *cfg,
				    const struct layer_weights *lw)
{
	static const char *const bias_names[3] = { "q_bias", "k_bias", "v_bias" };
	for (int k = 0; k < LIN_COUNT; k++)
		if (!all_finite(lw->lin[k], lin_floats(cfg, k)))
			return linear_names[k];
	if (!all_finite(lw->attn_norm, cfg->hidden))
		return "attn_norm";
	if (!all_finite(lw->mlp_norm, cfg->hidden))
		return "mlp_norm";
	for (int b = 0; b < 3 && cfg->qkv_bias; b++) {
		int n = (b == 0 ? cfg->n_heads : cfg->n_kv_heads) * cfg->head_dim;
		if (!all_finite(lw->bias[b], n))
			return bias_names[b];
	}
	if (cfg->qk_norm && !all_finite(lw->q_norm, cfg->head_dim))
		return "q_norm";
	if (cfg->qk_norm && !all_finite(lw->k_norm, cfg->head_dim))
		return "k_norm";
	return NULL;
}

/* ---- configuration and RoPE ------------------------------------------------------ */

static int rope_is(const struct model_config *cfg, const char *kind)
{
	return strcmp(cfg->rope_scaling, kind) == 0;
}

static int rope_is_plain(const struct model_config *cfg)
{
	return rope_is(cfg, "") || rope_is(cfg, "none") || rope_is(cfg, "default");
}

int forward_check_config(const struct model_config *cfg, struct lwq_err *err)
{
	if (model_config_validate(cfg, err) < 0)
		return -1;
	if (rope_is_plain(cfg))
		return 0;
	if (rope_is(cfg, "linear")) {
		if (!(cfg->rope_factor > 0))
			return lwq_err_set(err, "linear RoPE scaling needs a positive factor");
		return 0;
	}
	if (rope_is(cfg, "llama3")) {
		if (!(cfg->rope_factor > 0) || !(cfg->rope_low_freq_factor > 0) ||
		    !(cfg->rope_high_freq_factor > cfg->rope_low_freq_factor) ||
		    cfg->rope_original_max_pos <= 0)
			return lwq_err_set(err, "llama3 RoPE scaling needs factor > 0, "
					   "0 < low_freq_factor < high_freq_factor and "
					   "original_max_position_embeddings > 0");
		return 0;
	}
	return lwq_err_set(err, "RoPE scaling '%s' is not supported (none, linear, llama3)",
			   cfg->rope_scaling);
}

/* Llama 3.1: long wavelengths are slowed by `factor`, short ones kept, and the band
   between the two thresholds interpolated smoothly. */
static double llama3_inv_freq(const struct model_config *cfg, double inv)
{
	double old_len = cfg->rope_original_max_pos;
	double low_wavelen = old_len / cfg->rope_low_freq_factor;
	double high_wavelen = old_len / cfg->rope_high_freq_factor;
	double wavelen = 2.0 * PI / inv;
	if (wavelen < high_wavelen)
		return inv;
	if (wavelen > low_wavelen)
		return inv / cfg->rope_factor;
	double smooth = (old_len / wavelen - cfg->rope_low_freq_factor) /
			(cfg->rope_high_freq_factor - cfg->rope_low_freq_factor);
	return (1.0 - smooth) * inv / cfg->rope_factor + smooth * inv;
}

double rope_inv_freq(const struct model_config *cfg, int i)
{
	double inv = pow(cfg->rope_theta, -2.0 * i / cfg->head_dim);
	if (rope_is(cfg, "linear"))
		return inv / cfg->rope_factor;
	if (rope_is(cfg, "llama3"))
		return llama3_inv_freq(cfg, inv);
	return inv;
}

static void rope_table(struct forward_state *fs)
{
	int half = fs->cfg.head_dim / 2;
	for (int i = 0; i < half; i++) {
		double inv = rope_inv_freq(&fs->cfg, i);
		for (int pos = 0; pos < fs->seq_len; pos++) {
			double angle = pos * inv;
			fs->rope_cos[(int64_t)pos * half + i] = (float)cos(angle);
			fs->rope_sin[(int64_t)pos * half + i] = (float)sin(angle);
		}
	}
}

/* ---- state ----------------------------------------------------------------------- */

/* As many threads as the BLAS uses (--threads sets both). */
static int forward_threads(void)
{
	int n = openblas_get_num_threads();
	return n < 1 ? 1 : n;
}

static int head_block_rows(const struct model_config *cfg, int64_t max_rows)
{
	int64_t rows = LOGITS_FLOATS / cfg->vocab;
	if (rows > max_rows)
		rows = max_rows;
	return rows < 1 ? 1 : (int)rows;
}

int64_t forward_scratch_bytes(const struct model_config *cfg, int seq_len, int max_seqs)
{
	int64_t rows = (int64_t)seq_len * max_seqs;
	int64_t q = (int64_t)cfg->n_heads * cfg->head_dim;
	int64_t kv = (int64_t)cfg->n_kv_heads * cfg->head_dim;
	int64_t per_row = cfg->hidden + (q + 2 * kv) + q + 2 * (int64_t)cfg->intermediate;
	int64_t floats = rows * per_row + (int64_t)seq_len * cfg->head_dim +
			 (int64_t)forward_threads() * ATTN_BLOCK * seq_len +
			 (int64_t)head_block_rows(cfg, rows) * (cfg->vocab + 2);
	return floats * (int64_t)sizeof(float);
}

static float *alloc_floats(int64_t n, int *failed)
{
	float *p = malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
	if (!p)
		*failed = 1;
	return p;
}

struct forward_state *forward_new(const struct model_config *cfg, int seq_len, int max_seqs,
				  struct lwq_err *err)
{
	if (forward_check_config(cfg, err) < 0)
		return NULL;
	if (seq_len < 1 || max_seqs < 1)
		return lwq_err_set(err, "forward pass needs seq_len >= 1 and windows >= 1"), NULL;
	struct forward_state *fs = calloc(1, sizeof *fs);
	if (!fs)
		return lwq_err_set(err, "out of memory"), NULL;
	fs->cfg = *cfg;
	fs->seq_len = seq_len;
	fs->max_seqs = max_seqs;
	fs->q_dim = cfg->n_heads * cfg->head_dim;
	fs->kv_dim = cfg->n_kv_heads * cfg->head_dim;
	fs->qkv_dim = fs->q_dim + 2 * fs->kv_dim;
	int64_t rows = (int64_t)seq_len * max_seqs;
	fs->head_rows = head_block_rows(cfg, rows);
	fs->n_threads = forward_threads();
	int failed = 0;
	int64_t half_table = (int64_t)seq_len * (cfg->head_dim / 2);
	fs->rope_cos = alloc_floats(half_table, &failed);
	fs->rope_sin = alloc_floats(half_table, &failed);
	fs->xn = alloc_floats(rows * cfg->hidden, &failed);
	fs->qkv = alloc_floats(rows * fs->qkv_dim, &failed);
	fs->attn = alloc_floats(rows * fs->q_dim, &failed);
	fs->gate_up = alloc_floats(rows * 2 * (int64_t)cfg->intermediate, &failed);
	fs->scores = alloc_floats((int64_t)fs->n_threads * ATTN_BLOCK * seq_len, &failed);
	fs->logits = alloc_floats((int64_t)fs->head_rows * cfg->vocab, &failed);
	fs->row_nll = malloc((size_t)fs->head_rows * sizeof *fs->row_nll);
	failed |= !fs->row_nll;
	if (failed) {
		forward_free(fs);
		return lwq_err_set(err, "out of memory for forward scratch (%lld bytes)",
				   (long long)forward_scratch_bytes(cfg, seq_len, max_seqs)), NULL;
	}
	rope_table(fs);
	return fs;
}

void forward_free(struct forward_state *fs)
{
	if (!fs)
		return;
	free(fs->rope_cos);
	free(fs->rope_sin);
	free(fs->xn);
	free(fs->qkv);
	free(fs->attn);
	free(fs->gate_up);
	free(fs->scores);
	free(fs->logits);
	free(fs->row_nll);
	free(fs);
}

/* ---- building blocks ------------------------------------------------------------- */

void embed_tokens(const struct model_config *cfg, const float *embed, const int32_t *ids,
		  int64_t n, float *x)
{
	size_t row = (size_t)cfg->hidden * sizeof(float);
	for (int64_t t = 0; t < n; t++)
		memcpy(x + t * cfg->hidden, embed + (int64_t)ids[t] * cfg->hidden, row);
}

void rmsnorm_rows(float *out, const float *x, const float *w, int64_t rows, int n, double eps)
{
	for (int64_t r = 0; r < rows; r++) {
		const float *xr = x + r * n;
		float *o = out + r * n;
		float inv = (float)(1.0 / sqrt(sum_squares(xr, n) / n + eps));
		weighted_scale(o, xr, w, inv, n);
	}
}

/* y[rows, out] = beta * y + x[rows, in] W^T, W row-major [out, in]. */
static void linear(float *y, int64_t ldy, const float *x, int64_t ldx, const float *w,
		   int64_t rows, int in, int out, float beta)
{
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, out, in, 1.0f, x,
		    (int)ldx, w, in, beta, y, (int)ldy);
}

static void add_bias_rows(float *y, const float *bias, int64_t rows, int n)
{
	for (int64_t r = 0; r < rows; r++)
		for (int j = 0; j < n; j++)
			y[r * n + j] += bias[j];
}

/* HF rotate_half convention: element i pairs with i + head_dim/2. */
static void rope_rotate(float *v, const float *c, const float *s, int half)
{
	for (int i = 0; i < half; i++) {
		float a = v[i], b = v[i + half];
		v[i] = a * c[i] - b * s[i];
		v[i + half] = b * c[i] + a * s[i];
	}
}

/* Rotates the query and key heads (the first n_heads + n_kv_heads head vectors of each
   qkv row); row r of a window sits at position r. */
static void rope_range(void *arg, int64_t r0, int64_t r1)
{
	struct forward_state *fs = arg;
	float *qkv = fs->qkv;
	int hd = fs->cfg.head_dim, half = hd / 2;
	int n_rot = fs->cfg.n_heads + fs->cfg.n_kv_heads;
	for (int64_t r = r0; r < r1; r++) {
		int pos = (int)(r % fs->seq_len);
		const float *c = fs->rope_cos + (int64_t)pos * half;
		const float *s = fs->rope_sin + (int64_t)pos * half;
		float *row = qkv + r * fs->qkv_dim;
		for (int h = 0; h < n_rot; h++)
			rope_rotate(row + (int64_t)h * hd, c, s, half);
	}
}

/* Unnormalized softmax of one query row: exp(s - max) over its visible keys [lo, hi]
   (relative to the block's first key), zero elsewhere so the P.V product ignores them.
   Returns the sum; the caller divides the row's output by it, which touches head_dim
   values instead of every key. */
static float softmax_causal_row(float *row, int nk, int lo, int hi)
{
	int n = hi - lo + 1;
	float sum = exp_shifted_sum(row + lo, n, max_of(row + lo, n));
	memset(row, 0, (size_t)lo * sizeof(float));
	memset(row + hi + 1, 0, (size_t)(nk - hi - 1) * sizeof(float));
	return sum;
}

/* First key position a query at pos may see (Mistral's sliding window, else 0). */
static int first_visible(const struct model_config *cfg, int pos)
{
	if (cfg->sliding_window > 0 && pos - cfg->sliding_window + 1 > 0)
		return pos - cfg->sliding_window + 1;
	return 0;
}

/* Causal attention of query head h for one window: qkv and out point at the window;
   scores is this thread's [ATTN_BLOCK, seq_len] scratch. */
static void attention_head(struct forward_state *fs, const float *qkv, float *out, int h,
			   float *scores)
{
	const struct model_config *c = &fs->cfg;
	int T = fs->seq_len, hd = c->head_dim, ld = fs->qkv_dim;
	int g = h / (c->n_heads / c->n_kv_heads);
	const float *q = qkv + (int64_t)h * hd;
	const float *k = qkv + fs->q_dim + (int64_t)g * hd;
	const float *v = qkv + fs->q_dim + fs->kv_dim + (int64_t)g * hd;
	float *o = out + (int64_t)h * hd;
	float scale = (float)(1.0 / sqrt((double)hd));
	for (int r0 = 0; r0 < T; r0 += ATTN_BLOCK) {
		int r1 = r0 + ATTN_BLOCK < T ? r0 + ATTN_BLOCK : T;
		int nb = r1 - r0, k0 = first_visible(c, r0), nk = r1 - k0;
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nb, nk, hd, scale,
			    q + (int64_t)r0 * ld, ld, k + (int64_t)k0 * ld, ld, 0.0f,
			    scores, nk);
		float sums[ATTN_BLOCK];
		for (int i = 0; i < nb; i++) {
			int pos = r0 + i;
			sums[i] = softmax_causal_row(scores + (int64_t)i * nk, nk,
						     first_visible(c, pos) - k0, pos - k0);
		}
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, nb, hd, nk, 1.0f,
			    scores, nk, v + (int64_t)k0 * ld, ld, 0.0f,
			    o + (int64_t)r0 * fs->q_dim, fs->q_dim);
		for (int i = 0; i < nb; i++)
			scale_in_place(o + (int64_t)(r0 + i) * fs->q_dim, hd, 1.0f / sums[i]);
	}
}

/* ---- the work between the matrix products, split over threads --------------------
   Each piece is independent per row (norms, RoPE, SiLU) or per window and head
   (attention), and does the same arithmetic in the same order on any thread count. */

struct norm_job {
	float *out;
	const float *x, *w;
	int n;
	double eps;
};

static void norm_range(void *arg, int64_t r0, int64_t r1)
{
	const struct norm_job *j = arg;
	rmsnorm_rows(j->out + r0 * j->n, j->x + r0 * j->n, j->w, r1 - r0, j->n, j->eps);
}

static void rmsnorm_threads(const struct forward_state *fs, float *out, const float *x,
			    const float *w, int64_t rows)
{
	struct norm_job j = { out, x, w, fs->cfg.hidden, fs->cfg.norm_eps };
	parallel_rows(fs->n_threads, rows, norm_range, &j);
}

/* Qwen3: each head of q and of k RMS-normalized on its own, before RoPE. */
struct qk_norm_job {
	struct forward_state *fs;
	const float *q_norm, *k_norm;
};

static void qk_norm_range(void *arg, int64_t r0, int64_t r1)
{
	const struct qk_norm_job *j = arg;
	const struct model_config *c = &j->fs->cfg;
	for (int64_t r = r0; r < r1; r++) {
		float *q = j->fs->qkv + r * j->fs->qkv_dim, *k = q + j->fs->q_dim;
		rmsnorm_rows(q, q, j->q_norm, c->n_heads, c->head_dim, c->norm_eps);
		rmsnorm_rows(k, k, j->k_norm, c->n_kv_heads, c->head_dim, c->norm_eps);
	}
}

static void silu_range(void *arg, int64_t r0, int64_t r1)
{
	struct forward_state *fs = arg;
	int f = fs->cfg.intermediate;
	for (int64_t r = r0; r < r1; r++)
		silu_mul_in_place(fs->gate_up + r * 2 * f, fs->gate_up + r * 2 * f + f, f);
}

static void attention_task(void *arg, int64_t i, int slot)
{
	struct forward_state *fs = arg;
	int64_t s = i / fs->cfg.n_heads, T = fs->seq_len;
	attention_head(fs, fs->qkv + s * T * fs->qkv_dim, fs->attn + s * T * fs->q_dim,
		       (int)(i % fs->cfg.n_heads),
		       fs->scores + (int64_t)slot * ATTN_BLOCK * fs->seq_len);
}

/* One task per window and head. Each runs its small products single-threaded: the
   threads are ours for the duration, and sgemm splits rows and columns, never the sums,
   so every value comes out as a threaded sgemm would give it. */
static void attention_threads(struct forward_state *fs, int n_seqs)
{
	if (fs->n_threads > 1)
		openblas_set_num_threads(1);
	parallel_for(fs->n_threads, (int64_t)n_seqs * fs->cfg.n_heads, attention_task, fs);
	if (fs->n_threads > 1)
		openblas_set_num_threads(fs->n_threads);
}

static void observe(const struct forward_hooks *hooks, enum input_site site, const float *x,
		    int64_t rows, int cols, int64_t ld)
{
	if (hooks && hooks->linear_input)
		hooks->linear_input(hooks->user, site, x, rows, cols, ld);
}

/* ---- the layer ----------------------------------------------------------------- */

void layer_forward(struct forward_state *fs, const struct layer_weights *lw, float *x,
		   int n_seqs, const struct forward_hooks *hooks)
{
	const struct model_config *c = &fs->cfg;
	int T = fs->seq_len, h = c->hidden, f = c->intermediate;
	int64_t rows = (int64_t)n_seqs * T;

	rmsnorm_threads(fs, fs->xn, x, lw->attn_norm, rows);
	observe(hooks, SITE_ATTN, fs->xn, rows, h, h);
	/* q, k and v sit back to back in lw: one [q_dim + 2 kv_dim, hidden] matrix */
	linear(fs->qkv, fs->qkv_dim, fs->xn, h, lw->lin[LIN_Q], rows, h, fs->qkv_dim, 0.0f);
	if (c->qkv_bias)
		add_bias_rows(fs->qkv, lw->bias[0], rows, fs->qkv_dim);
	if (c->qk_norm) {
		struct qk_norm_job j = { fs, lw->q_norm, lw->k_norm };
		parallel_rows(fs->n_threads, rows, qk_norm_range, &j);
	}
	parallel_rows(fs->n_threads, rows, rope_range, fs);
	attention_threads(fs, n_seqs);
	observe(hooks, SITE_O, fs->attn, rows, fs->q_dim, fs->q_dim);
	/* residual adds fold into the products: x += attn Wo^T, later x += act Wdown^T */
	linear(x, h, fs->attn, fs->q_dim, lw->lin[LIN_O], rows, fs->q_dim, h, 1.0f);

	rmsnorm_threads(fs, fs->xn, x, lw->mlp_norm, rows);
	observe(hooks, SITE_MLP, fs->xn, rows, h, h);
	/* gate and up likewise form one [2 intermediate, hidden] matrix */
	linear(fs->gate_up, 2 * f, fs->xn, h, lw->lin[LIN_GATE], rows, h, 2 * f, 0.0f);
	parallel_rows(fs->n_threads, rows, silu_range, fs);
	observe(hooks, SITE_DOWN, fs->gate_up, rows, f, 2 * f);
	linear(x, h, fs->gate_up, 2 * f, lw->lin[LIN_DOWN], rows, f, h, 1.0f);
}

/* ---- LM head ------------------------------------------------------------------- */

void head_logits(struct forward_state *fs, const float *final_norm, const float *head,
		 const float *x, int64_t n_rows, float *logits)
{
	const struct model_config *c = &fs->cfg;
	rmsnorm_threads(fs, fs->xn, x, final_norm, n_rows);
	linear(logits, c->vocab, fs->xn, c->hidden, head, n_rows, c->hidden, c->vocab, 0.0f);
}

void band_logits(const float *xn, int64_t rows, int hidden, const float *band, int n,
		 float *logits)
{
	linear(logits, n, xn, hidden, band, rows, hidden, n, 0.0f);
}

void forward_norm_rows(struct forward_state *fs, float *out, const float *x, const float *w,
		       int64_t rows)
{
	rmsnorm_threads(fs, out, x, w, rows);
}

int forward_n_threads(const struct forward_state *fs)
{
	return fs->n_threads;
}

int forward_seq_len(const struct forward_state *fs)
{
	return fs->seq_len;
}

/* -log softmax(logits)[target], stable: log(sum exp(l - max)) + max - l[target]. The
   exponentials are computed in place (the row is not needed afterwards) and summed in
   double. */
static double row_nll(float *logits, int vocab, int target)
{
	float m = max_of(logits, vocab);
	double picked = (double)logits[target] - m;
	exp_shifted_sum(logits, vocab, m);
	double sum = 0;
	for (int j = 0; j < vocab; j++)
		sum += logits[j];
	return log(sum) - picked;
}

struct nll_job {
	float *logits;
	int vocab;
	const int32_t *targets;    /* the id each row predicts */
	double *nll;
};

static void nll_task(void *arg, int64_t i, int slot)
{
	const struct nll_job *j = arg;
	j->nll[i] = row_nll(j->logits + i * j->vocab, j->vocab, j->targets[i]);
}

void rows_nll(const struct forward_state *fs, float *logits, int n_rows,
	      const int32_t *targets, double *nll)
{
	struct nll_job job = { logits, fs->cfg.vocab, targets, nll };
	parallel_for(fs->n_threads, n_rows, nll_task, &job);
}

double head_nll(struct forward_state *fs, const float *final_norm, const float *head,
		const float *x, const int32_t *ids, int n_seqs, int64_t *n_predictions)
{
	int T = fs->seq_len;
	double nll = 0;
	for (int s = 0; s < n_seqs; s++) {
		const float *xs = x + (int64_t)s * T * fs->cfg.hidden;
		const int32_t *ids_s = ids + (int64_t)s * T;
		/* The last position predicts nothing inside the window. */
		for (int r0 = 0; r0 < T - 1; r0 += fs->head_rows) {
			int nb = T - 1 - r0 < fs->head_rows ? T - 1 - r0 : fs->head_rows;
			head_logits(fs, final_norm, head, xs + (int64_t)r0 * fs->cfg.hidden, nb,
				    fs->logits);
			rows_nll(fs, fs->logits, nb, ids_s + r0 + 1, fs->row_nll);
			for (int i = 0; i < nb; i++)   /* summed in row order on any thread count */
				nll += fs->row_nll[i];
		}
		*n_predictions += T - 1;
	}
	return nll;
}
