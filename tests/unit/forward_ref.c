/* forward_ref.c: the decoder written the slow, obvious way (one token at a time, KV cache,
   plain loops, no BLAS) so tests can check the batched path against it. */
#include "forward_ref.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void ref_rmsnorm(float *out, const float *x, const float *w, int n, double eps)
{
	double ss = 0;
	for (int i = 0; i < n; i++)
		ss += (double)x[i] * x[i];
	double scale = 1.0 / sqrt(ss / n + eps);
	for (int i = 0; i < n; i++)
		out[i] = (float)(x[i] * scale) * w[i];
}

/* out[r] = sum_c w[r][c] x[c] (+ bias[r]) */
static void ref_matvec(float *out, const float *w, const float *x, int rows, int cols,
		       const float *bias)
{
	for (int r = 0; r < rows; r++) {
		double acc = bias ? bias[r] : 0.0;
		for (int c = 0; c < cols; c++)
			acc += (double)w[(int64_t)r * cols + c] * x[c];
		out[r] = (float)acc;
	}
}

/* Inverse frequency of pair i, written from the published formulas directly. */
static double ref_inv_freq(const struct model_config *cfg, int i)
{
	double base = 1.0 / pow(cfg->rope_theta, (2.0 * i) / cfg->head_dim);
	if (strcmp(cfg->rope_scaling, "linear") == 0)
		return base / cfg->rope_factor;
	if (strcmp(cfg->rope_scaling, "llama3") != 0)
		return base;
	double wavelen = 2.0 * 3.14159265358979323846 / base;
	double lo_wl = cfg->rope_original_max_pos / cfg->rope_low_freq_factor;
	double hi_wl = cfg->rope_original_max_pos / cfg->rope_high_freq_factor;
	if (wavelen > lo_wl)
		return base / cfg->rope_factor;
	if (wavelen < hi_wl)
		return base;
	double s = (cfg->rope_original_max_pos / wavelen - cfg->rope_low_freq_factor) /
		   (cfg->rope_high_freq_factor - cfg->rope_low_freq_factor);
	return (1.0 - s) * base / cfg->rope_factor + s * base;
}

static void ref_rope(const struct model_config *cfg, float *head, int pos)
{
	int half = cfg->head_dim / 2;
	for (int i = 0; i < half; i++) {
		double angle = pos * ref_inv_freq(cfg, i);
		double x1 = head[i], x2 = head[i + half];
		head[i] = (float)(x1 * cos(angle) - x2 * sin(angle));
		head[i + half] = (float)(x2 * cos(angle) + x1 * sin(angle));
	}
}

struct ref_buffers {
	float *xn, *q, *att, *tmp, *gate, *up, *scores;
	float **kcache, **vcache;      /* per layer [T, kv_dim] */
};

static void ref_add_squares(double *const *sums, enum input_site site, int layer,
			    const float *x, int n)
{
	if (!sums[site])
		return;
	for (int i = 0; i < n; i++)
		sums[site][(int64_t)layer * n + i] += (double)x[i] * x[i];
}

/* One token through one layer; x is updated in place; pos is the token's position. */
static void ref_layer_token(const struct ref_model *m, int layer, struct ref_buffers *b,
			    float *x, int pos)
{
	const struct model_config *c = &m->cfg;
	const struct layer_weights *lw = m->layers[layer];
	float *kc = b->kcache[layer], *vc = b->vcache[layer];
	int hd = c->head_dim, kv_dim = c->n_kv_heads * hd, q_dim = c->n_heads * hd;
	ref_rmsnorm(b->xn, x, lw->attn_norm, c->hidden, c->norm_eps);
	ref_add_squares(m->input_sq, SITE_ATTN, layer, b->xn, c->hidden);
	ref_matvec(b->q, lw->lin[LIN_Q], b->xn, q_dim, c->hidden, lw->bias[0]);
	ref_matvec(kc + (int64_t)pos * kv_dim, lw->lin[LIN_K], b->xn, kv_dim, c->hidden,
		   lw->bias[1]);
	ref_matvec(vc + (int64_t)pos * kv_dim, lw->lin[LIN_V], b->xn, kv_dim, c->hidden,
		   lw->bias[2]);
	for (int h = 0; h < c->n_heads && c->qk_norm; h++)
		ref_rmsnorm(b->q + h * hd, b->q + h * hd, lw->q_norm, hd, c->norm_eps);
	for (int g = 0; g < c->n_kv_heads && c->qk_norm; g++)
		ref_rmsnorm(kc + (int64_t)pos * kv_dim + g * hd, kc + (int64_t)pos * kv_dim + g * hd,
			    lw->k_norm, hd, c->norm_eps);
	for (int h = 0; h < c->n_heads; h++)
		ref_rope(c, b->q + h * hd, pos);
	for (int g = 0; g < c->n_kv_heads; g++)
		ref_rope(c, kc + (int64_t)pos * kv_dim + g * hd, pos);

	int group = c->n_heads / c->n_kv_heads;
	for (int h = 0; h < c->n_heads; h++) {
		int g = h / group;
		int start = 0;
		if (c->sliding_window > 0 && pos - c->sliding_window + 1 > 0)
			start = pos - c->sliding_window + 1;
		double maxs = -INFINITY;
		for (int t = start; t <= pos; t++) {
			double dot = 0;
			for (int i = 0; i < hd; i++)
				dot += (double)b->q[h * hd + i] * kc[(int64_t)t * kv_dim + g * hd + i];
			b->scores[t] = (float)(dot / sqrt((double)hd));
			if (b->scores[t] > maxs)
				maxs = b->scores[t];
		}
		double sum = 0;
		for (int t = start; t <= pos; t++)
			sum += exp(b->scores[t] - maxs);
		for (int i = 0; i < hd; i++) {
			double acc = 0;
			for (int t = start; t <= pos; t++)
				acc += exp(b->scores[t] - maxs) / sum *
				       vc[(int64_t)t * kv_dim + g * hd + i];
			b->att[h * hd + i] = (float)acc;
		}
	}
	ref_add_squares(m->input_sq, SITE_O, layer, b->att, q_dim);
	ref_matvec(b->tmp, lw->lin[LIN_O], b->att, c->hidden, q_dim, NULL);
	for (int i = 0; i < c->hidden; i++)
		x[i] += b->tmp[i];

	ref_rmsnorm(b->xn, x, lw->mlp_norm, c->hidden, c->norm_eps);
	ref_add_squares(m->input_sq, SITE_MLP, layer, b->xn, c->hidden);
	ref_matvec(b->gate, lw->lin[LIN_GATE], b->xn, c->intermediate, c->hidden, NULL);
	ref_matvec(b->up, lw->lin[LIN_UP], b->xn, c->intermediate, c->hidden, NULL);
	for (int i = 0; i < c->intermediate; i++) {
		double g = b->gate[i];
		b->gate[i] = (float)(g / (1.0 + exp(-g)) * b->up[i]);
	}
	ref_add_squares(m->input_sq, SITE_DOWN, layer, b->gate, c->intermediate);
	ref_matvec(b->tmp, lw->lin[LIN_DOWN], b->gate, c->hidden, c->intermediate, NULL);
	for (int i = 0; i < c->hidden; i++)
		x[i] += b->tmp[i];
}

static void ref_buffers_init(struct ref_buffers *b, const struct model_config *c, int T)
{
	int q_dim = c->n_heads * c->head_dim, kv_dim = c->n_kv_heads * c->head_dim;
	b->xn = calloc((size_t)c->hidden, sizeof(float));
	b->q = calloc((size_t)q_dim, sizeof(float));
	b->att = calloc((size_t)q_dim, sizeof(float));
	b->tmp = calloc((size_t)c->hidden, sizeof(float));
	b->gate = calloc((size_t)c->intermediate, sizeof(float));
	b->up = calloc((size_t)c->intermediate, sizeof(float));
	b->scores = calloc((size_t)T, sizeof(float));
	b->kcache = calloc((size_t)c->n_layers, sizeof(float *));
	b->vcache = calloc((size_t)c->n_layers, sizeof(float *));
	for (int l = 0; l < c->n_layers; l++) {
		b->kcache[l] = calloc((size_t)T * kv_dim, sizeof(float));
		b->vcache[l] = calloc((size_t)T * kv_dim, sizeof(float));
	}
}

static void ref_buffers_free(struct ref_buffers *b, const struct model_config *c)
{
	for (int l = 0; l < c->n_layers; l++) {
		free(b->kcache[l]);
		free(b->vcache[l]);
	}
	free(b->kcache);
	free(b->vcache);
	free(b->xn);
	free(b->q);
	free(b->att);
	free(b->tmp);
	free(b->gate);
	free(b->up);
	free(b->scores);
}

/* Runs the window token by token; streams (may be NULL) and logits (may be NULL). */
static void ref_run(const struct ref_model *m, const int32_t *ids, int T, float *streams,
		    float *logits)
{
	const struct model_config *c = &m->cfg;
	struct ref_buffers b;
	ref_buffers_init(&b, c, T);
	float *x = malloc((size_t)c->hidden * sizeof(float));
	float *xn = malloc((size_t)c->hidden * sizeof(float));
	int64_t layer_stride = (int64_t)T * c->hidden;
	for (int pos = 0; pos < T; pos++) {
		memcpy(x, m->embed + (int64_t)ids[pos] * c->hidden, (size_t)c->hidden * sizeof(float));
		for (int l = 0; l < c->n_layers; l++) {
			if (streams)
				memcpy(streams + l * layer_stride + (int64_t)pos * c->hidden, x,
				       (size_t)c->hidden * sizeof(float));
			if (m->layers[l])
				ref_layer_token(m, l, &b, x, pos);
		}
		if (streams)
			memcpy(streams + c->n_layers * layer_stride + (int64_t)pos * c->hidden, x,
			       (size_t)c->hidden * sizeof(float));
		if (logits) {
			ref_rmsnorm(xn, x, m->final_norm, c->hidden, c->norm_eps);
			ref_matvec(logits + (int64_t)pos * c->vocab, m->head, xn, c->vocab,
				   c->hidden, NULL);
		}
	}
	free(x);
	free(xn);
	ref_buffers_free(&b, c);
}

void ref_window_logits(const struct ref_model *m, const int32_t *ids, int T, float *logits)
{
	ref_run(m, ids, T, NULL, logits);
}

void ref_window_streams(const struct ref_model *m, const int32_t *ids, int T, float *streams)
{
	ref_run(m, ids, T, streams, NULL);
}
