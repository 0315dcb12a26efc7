/* model_config.c: shapes and parameter counts derived from a model_config. */
#include "model_config.h"

#include <string.h>

const char *const linear_names[LIN_COUNT] = { "q", "k", "v", "o", "gate", "up", "down" };

void linear_shape(const struct model_config *cfg, enum linear_kind kind,
		  int64_t *rows, int64_t *cols)
{
	int64_t h = cfg->hidden, q = (int64_t)cfg->n_heads * cfg->head_dim;
	int64_t kv = (int64_t)cfg->n_kv_heads * cfg->head_dim, f = cfg->intermediate;
	switch (kind) {
	case LIN_Q: *rows = q; *cols = h; break;
	case LIN_K:
	case LIN_V: *rows = kv; *cols = h; break;
	case LIN_O: *rows = h; *cols = q; break;
	case LIN_GATE:
	case LIN_UP: *rows = f; *cols = h; break;
	case LIN_DOWN: *rows = h; *cols = f; break;
	default: *rows = 0; *cols = 0; break;
	}
}

int64_t layer_linear_params(const struct model_config *cfg)
{
	int64_t sum = 0;
	for (int k = 0; k < LIN_COUNT; k++) {
		int64_t r, c;
		linear_shape(cfg, (enum linear_kind)k, &r, &c);
		sum += r * c;
	}
	return sum;
}

int64_t non_linear_params(const struct model_config *cfg)
{
	int64_t emb = (int64_t)cfg->vocab * cfg->hidden;
	int64_t head = cfg->tied_embeddings ? 0 : emb;
	int64_t norms = (int64_t)cfg->n_layers * 2 * cfg->hidden + cfg->hidden;
	int64_t bias = 0;
	if (cfg->qkv_bias)
		bias = (int64_t)cfg->n_layers * (cfg->n_heads + 2 * cfg->n_kv_heads) * cfg->head_dim;
	if (cfg->qk_norm)
		norms += (int64_t)cfg->n_layers * 2 * cfg->head_dim;
	return emb + head + norms + bias;
}

int64_t total_params(const struct model_config *cfg)
{
	return (int64_t)cfg->n_layers * layer_linear_params(cfg) + non_linear_params(cfg);
}

int architecture_supported(const char *arch)
{
	static const char *const known[] = {
		"LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM", "Qwen3ForCausalLM", "llama2.c",
	};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(arch, known[i]) == 0)
			return 0;
	return -1;
}

int model_config_validate(const struct model_config *cfg, struct lwq_err *err)
{
	if (cfg->n_layers <= 0 || cfg->hidden <= 0 || cfg->intermediate <= 0 ||
	    cfg->n_heads <= 0 || cfg->n_kv_heads <= 0 || cfg->head_dim <= 0 || cfg->vocab <= 0)
		return lwq_err_set(err, "config has a non-positive size (layers %d, hidden %d, "
				   "intermediate %d, heads %d, kv heads %d, head_dim %d, vocab %d)",
				   cfg->n_layers, cfg->hidden, cfg->intermediate, cfg->n_heads,
				   cfg->n_kv_heads, cfg->head_dim, cfg->vocab);
	if (cfg->n_heads % cfg->n_kv_heads != 0)
		return lwq_err_set(err, "%d attention heads are not a multiple of %d KV heads",
				   cfg->n_heads, cfg->n_kv_heads);
	if (cfg->head_dim % 2 != 0)
		return lwq_err_set(err, "head_dim %d is odd; RoPE needs pairs", cfg->head_dim);
	if (!(cfg->rope_theta > 0) || !(cfg->norm_eps > 0))
		return lwq_err_set(err, "rope_theta and rms_norm_eps must be positive");
	/* Far above any real model, low enough that every size computed from these in int
	   (a projection's rows, a layer's parameters per row) cannot overflow. */
	if (cfg->n_layers > 4096 || cfg->hidden > (1 << 20) || cfg->vocab > (1 << 24) ||
	    cfg->intermediate > (1 << 22) || cfg->n_heads > (1 << 14) ||
	    cfg->head_dim > (1 << 14) || (int64_t)cfg->n_heads * cfg->head_dim > (1 << 20))
		return lwq_err_set(err, "config sizes are implausibly large (layers %d, hidden %d, "
				   "intermediate %d, heads %d x head_dim %d, vocab %d)",
				   cfg->n_layers, cfg->hidden, cfg->intermediate, cfg->n_heads,
				   cfg->head_dim, cfg->vocab);
	return 0;
}
