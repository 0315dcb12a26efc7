/* layer_io.c: one layer (or the embedding and head) read from the model file as f32. */
#include "layer_io.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>


static int read_tensor(struct model_file *mf, int layer, const char *tensor, float *dst,
		       int64_t count, struct lwq_err *err)
{
	char name[64];
	weight_name(name, sizeof name, layer, tensor);
	return model_file_read_weight_f32(mf, name, dst, count, err);
}

int layer_weights_read(struct model_file *mf, int layer, struct layer_weights *lw,
		       struct lwq_err *err)
{
	static const char *const bias_names[3] = { "q_bias", "k_bias", "v_bias" };
	const struct model_config *cfg = model_file_config(mf);
	for (int k = 0; k < LIN_COUNT; k++) {
		int64_t rows, cols;
		linear_shape(cfg, (enum linear_kind)k, &rows, &cols);
		if (read_tensor(mf, layer, linear_names[k], lw->lin[k], rows * cols, err) < 0)
			return -1;
	}
	if (read_tensor(mf, layer, "attn_norm", lw->attn_norm, cfg->hidden, err) < 0 ||
	    read_tensor(mf, layer, "mlp_norm", lw->mlp_norm, cfg->hidden, err) < 0)
		return -1;
	for (int b = 0; b < 3 && cfg->qkv_bias; b++) {
		int64_t n = (int64_t)(b == 0 ? cfg->n_heads : cfg->n_kv_heads) * cfg->head_dim;
		if (read_tensor(mf, layer, bias_names[b], lw->bias[b], n, err) < 0)
			return -1;
	}
	if (cfg->qk_norm &&
	    (read_tensor(mf, layer, "q_norm", lw->q_norm, cfg->head_dim, err) < 0 ||
	     read_tensor(mf, layer, "k_norm", lw->k_norm, cfg->head_dim, err) < 0))
		return -1;
	return 0;
}

int layer_weights_quantize(const struct model_config *cfg, struct layer_weights *lw,
			   enum quant_method method, int bits, int group_size,
			   struct lwq_err *err)
{
	if (bits >= 16)
		return 0;
	for (int k = 0; k < LIN_COUNT; k++) {
		int64_t rows, cols;
		linear_shape(cfg, (enum linear_kind)k, &rows, &cols);
		if (fake_quant_linear(method, lw->lin[k], rows, cols, bits, group_size, err) < 0)
			return lwq_err_prefix(err, linear_names[k]);
	}
	return 0;
}

int layer_weights_load(struct model_file *mf, int layer, struct layer_weights *lw,
		       struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	if (layer_weights_read(mf, layer, lw, err) < 0)
		return -1;
	const char *bad = layer_weights_nonfinite(cfg, lw);
	if (bad)
		return lwq_err_set(err, "%s: layer %d: NaN or infinity in weight %s",
				   model_file_path(mf), layer, bad);
	return 0;
}

float *weight_read_alloc(struct model_file *mf, const char *name, int64_t count,
			 struct lwq_err *err)
{
	float *v = malloc((size_t)count * sizeof(float));
	if (!v)
		return lwq_err_set(err, "%s: out of memory for /weights/%s", model_file_path(mf),
				   name), NULL;
	if (model_file_read_weight_f32(mf, name, v, count, err) < 0) {
		free(v);
		return NULL;
	}
	for (int64_t i = 0; i < count; i++)
		if (!isfinite(v[i])) {
			free(v);
			return lwq_err_set(err, "%s: NaN or infinity in weight %s",
					   model_file_path(mf), name), NULL;
		}
	return v;
}

float *head_read_alloc(struct model_file *mf, struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	int64_t count = (int64_t)cfg->vocab * cfg->hidden;
	return weight_read_alloc(mf, cfg->tied_embeddings ? "embed" : "lm_head", count, err);
}
