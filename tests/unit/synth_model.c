/* synth_model.c: small random decoder models for forward-pass tests. */
#include "synth_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model_h5.h"

static uint64_t rng_next(uint64_t *s)
{
	/* splitmix64: good enough for test weights, identical on every platform */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* uniform in [-1, 1) */
static float rng_uniform(uint64_t *s)
{
	return (float)((rng_next(s) >> 11) * (1.0 / 9007199254740992.0) * 2.0 - 1.0);
}

static void fill(float *v, int64_t n, float scale, float offset, uint64_t *s)
{
	for (int64_t i = 0; i < n; i++)
		v[i] = offset + scale * rng_uniform(s);
}

struct model_config synth_config(int n_layers, int qkv_bias, int tied)
{
	struct model_config c;
	memset(&c, 0, sizeof c);
	strcpy(c.architecture, qkv_bias ? "Qwen2ForCausalLM" : "LlamaForCausalLM");
	c.n_layers = n_layers;
	c.hidden = 64;
	c.intermediate = 96;
	c.n_heads = 8;
	c.n_kv_heads = 2;
	c.head_dim = 16;
	c.vocab = 300;
	c.max_seq_len = 1024;
	c.rope_theta = 10000.0;
	strcpy(c.rope_scaling, "none");
	c.norm_eps = 1e-5;
	c.tied_embeddings = tied;
	c.qkv_bias = qkv_bias;
	c.bos_id = c.eos_id = -1;
	return c;
}

struct test_model *synth_model_new(const struct model_config *cfg, uint64_t seed)
{
	struct test_model *m = calloc(1, sizeof *m);
	uint64_t s = seed;
	m->cfg = *cfg;
	int64_t vh = (int64_t)cfg->vocab * cfg->hidden;
	m->embed = malloc((size_t)vh * sizeof(float));
	m->final_norm = malloc((size_t)cfg->hidden * sizeof(float));
	fill(m->embed, vh, 1.0f, 0.0f, &s);
	fill(m->final_norm, cfg->hidden, 0.2f, 1.0f, &s);
	if (!cfg->tied_embeddings) {
		m->lm_head = malloc((size_t)vh * sizeof(float));
		fill(m->lm_head, vh, 2.0f / sqrtf((float)cfg->hidden), 0.0f, &s);
	}
	m->layers = calloc((size_t)cfg->n_layers, sizeof *m->layers);
	for (int l = 0; l < cfg->n_layers; l++) {
		struct layer_weights *lw = layer_weights_new(cfg, NULL);
		for (int k = 0; k < LIN_COUNT; k++) {
			int64_t rows, cols;
			linear_shape(cfg, (enum linear_kind)k, &rows, &cols);
			/* q and k larger than usual so attention is far from uniform */
			float gain = k == LIN_Q || k == LIN_K ? 3.0f : 1.0f;
			fill(lw->lin[k], rows * cols, gain / sqrtf((float)cols), 0.0f, &s);
		}
		fill(lw->attn_norm, cfg->hidden, 0.3f, 1.0f, &s);
		fill(lw->mlp_norm, cfg->hidden, 0.3f, 1.0f, &s);
		if (cfg->qkv_bias)
			fill(lw->bias[0], (int64_t)(cfg->n_heads + 2 * cfg->n_kv_heads) * cfg->head_dim,
			     0.5f, 0.0f, &s);
		if (cfg->qk_norm) {
			fill(lw->q_norm, cfg->head_dim, 0.6f, 1.0f, &s);
			fill(lw->k_norm, cfg->head_dim, 0.6f, 1.0f, &s);
		}
		m->layers[l] = lw;
	}
	test_model_link_ref(m);
	return m;
}

void test_model_link_ref(struct test_model *m)
{
	m->ref.cfg = m->cfg;
	m->ref.embed = m->embed;
	m->ref.final_norm = m->final_norm;
	m->ref.head = m->cfg.tied_embeddings ? m->embed : m->lm_head;
	m->ref.layers = m->layers;
}

void test_model_free(struct test_model *m)
{
	if (!m)
		return;
	for (int l = 0; l < m->cfg.n_layers; l++)
		layer_weights_free(m->layers[l]);
	free(m->layers);
	free(m->embed);
	free(m->final_norm);
	free(m->lm_head);
	free(m);
}

void synth_ids(int32_t *ids, int64_t n, int vocab, uint64_t seed)
{
	uint64_t s = seed;
	for (int64_t i = 0; i < n; i++)
		ids[i] = (int32_t)(rng_next(&s) % (uint64_t)vocab);
}

static int write_f32(struct model_file *mf, const char *name, const float *v, int64_t rows,
		     int64_t cols, struct lwq_err *err)
{
	int64_t dims[2] = { rows, cols };
	return model_file_write_weight(mf, name, DT_F32, v, cols > 0 ? 2 : 1, dims, err);
}

static int write_layer(struct model_file *mf, const struct model_config *cfg, int l,
		       const struct layer_weights *lw, struct lwq_err *err)
{
	static const char *const bias_names[3] = { "q_bias", "k_bias", "v_bias" };
	char name[64];
	for (int k = 0; k < LIN_COUNT; k++) {
		int64_t rows, cols;
		linear_shape(cfg, (enum linear_kind)k, &rows, &cols);
		if (write_f32(mf, weight_name(name, sizeof name, l, linear_names[k]), lw->lin[k],
			      rows, cols, err) < 0)
			return -1;
	}
	if (write_f32(mf, weight_name(name, sizeof name, l, "attn_norm"), lw->attn_norm,
		      cfg->hidden, 0, err) < 0 ||
	    write_f32(mf, weight_name(name, sizeof name, l, "mlp_norm"), lw->mlp_norm,
		      cfg->hidden, 0, err) < 0)
		return -1;
	for (int b = 0; b < 3 && cfg->qkv_bias; b++) {
		int64_t n = (int64_t)(b == 0 ? cfg->n_heads : cfg->n_kv_heads) * cfg->head_dim;
		if (write_f32(mf, weight_name(name, sizeof name, l, bias_names[b]), lw->bias[b], n,
			      0, err) < 0)
			return -1;
	}
	if (cfg->qk_norm &&
	    (write_f32(mf, weight_name(name, sizeof name, l, "q_norm"), lw->q_norm, cfg->head_dim,
		       0, err) < 0 ||
	     write_f32(mf, weight_name(name, sizeof name, l, "k_norm"), lw->k_norm, cfg->head_dim,
		       0, err) < 0))
		return -1;
	return 0;
}

int test_model_write(const struct test_model *m, const char *path, struct lwq_err *err)
{
	const struct model_config *cfg = &m->cfg;
	struct model_file *mf = model_file_create(path, cfg, "synthetic", "synth", err);
	if (!mf)
		return -1;
	int rc = write_f32(mf, "embed", m->embed, cfg->vocab, cfg->hidden, err);
	if (rc == 0)
		rc = write_f32(mf, "final_norm", m->final_norm, cfg->hidden, 0, err);
	if (rc == 0 && !cfg->tied_embeddings)
		rc = write_f32(mf, "lm_head", m->lm_head, cfg->vocab, cfg->hidden, err);
	for (int l = 0; l < cfg->n_layers && rc == 0; l++)
		rc = write_layer(mf, cfg, l, m->layers[l], err);
	if (rc == 0)
		rc = model_file_flush(mf, err);
	model_file_close(mf);
	return rc;
}

int tiny_model_create(const char *path, const char *source)
{
	struct model_config cfg = {
		.architecture = "LlamaForCausalLM", .n_layers = 1, .hidden = 8, .intermediate = 8,
		.n_heads = 2, .n_kv_heads = 1, .head_dim = 4, .vocab = 16, .rope_theta = 10000,
		.norm_eps = 1e-5, .tied_embeddings = 1, .bos_id = -1, .eos_id = -1,
	};
	struct lwq_err err = { "" };
	struct model_file *mf = model_file_create(path, &cfg, "test", source, &err);
	return mf && model_file_close(mf) == 0 ? 0 : -1;
}
