/* size_target.c: plan sizes in lwq's storage or in the exported GGUF file. */
#include "size_target.h"

#include <string.h>

#include "gguf_quants.h"

const char *size_target_name(enum size_target t)
{
	return t == SIZE_GGUF ? "gguf" : "lwq";
}

int size_target_parse(const char *name, enum size_target *t)
{
	if (strcmp(name, "lwq") == 0)
		*t = SIZE_LWQ;
	else if (strcmp(name, "gguf") == 0)
		*t = SIZE_GGUF;
	else
		return -1;
	return 0;
}

int64_t layer_bytes_gguf(const struct model_config *cfg, int bits, int group_size)
{
	(void)group_size;
	if (bits == 0)
		return 0;
	int64_t sum = 2 * (int64_t)cfg->hidden * 4;      /* attn_norm, ffn_norm: F32 */
	for (int k = 0; k < LIN_COUNT; k++) {
		int64_t rows, cols;
		linear_shape(cfg, (enum linear_kind)k, &rows, &cols);
		int type = gguf_type_for_bits(bits >= 16 ? 16 : bits, cols);
		if (type < 0)
			return -1;
		sum += rows * (int64_t)gguf_row_bytes(type, cols);
	}
	return sum;
}

int64_t fixed_bytes_gguf(const struct model_config *cfg)
{
	int64_t emb = (int64_t)cfg->vocab * cfg->hidden * 2;
	int64_t rope = strcmp(cfg->rope_scaling, "llama3") == 0 ? (int64_t)cfg->head_dim / 2 * 4 : 0;
	return emb * (cfg->tied_embeddings ? 1 : 2) + (int64_t)cfg->hidden * 4 + rope;
}

int64_t layer_bytes_for(const struct model_config *cfg, enum size_target t, int bits,
			int group_size)
{
	if (t == SIZE_GGUF)
		return layer_bytes_gguf(cfg, bits, group_size);
	return layer_bytes_rtn(cfg, bits, group_size);
}

int64_t fixed_bytes_for(const struct model_config *cfg, enum size_target t)
{
	return t == SIZE_GGUF ? fixed_bytes_gguf(cfg) : fixed_bytes(cfg);
}

int64_t plan_bytes_for(const struct model_config *cfg, enum size_target t,
		       const struct bit_plan *plan)
{
	if (t == SIZE_LWQ)
		return plan_bytes(cfg, plan);
	int64_t total = fixed_bytes_gguf(cfg);
	for (int i = 0; i < plan->n_layers; i++)
		total += layer_bytes_gguf(cfg, plan->bits[i], plan->group_size);
	return total;
}
