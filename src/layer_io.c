/* layer_io.c: one layer (or the embedding and head) read from the model file as f32. */
#include "layer_io.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


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

/* The embedding is read in bands of rows of about this size, each token's row copied
   out of the band that holds it: a 128k x 4096 table is 2 GiB as f32. */
#define EMBED_BAND_BYTES ((int64_t)32 << 20)

int embed_read_tokens(struct model_file *mf, const int32_t *ids, int64_t tokens, float *x,
		      struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	int64_t hidden = cfg->hidden, vocab = cfg->vocab;
	int64_t band = EMBED_BAND_BYTES / (hidden * (int64_t)sizeof(float));
	band = band < 1 ? 1 : band > vocab ? vocab : band;
	struct tensor_info info;
	if (model_file_weight_info(mf, "embed", &info, err) < 0)
		return -1;
	if (info.count != vocab * hidden)
		return lwq_err_set(err, "%s: /weights/embed holds %lld values, expected %lld",
				   model_file_path(mf), (long long)info.count,
				   (long long)(vocab * hidden));
	float *buf = malloc((size_t)(band * hidden) * sizeof *buf);
	if (!buf)
		return lwq_err_set(err, "%s: out of memory for the embedding",
				   model_file_path(mf));
	int rc = 0;
	for (int64_t v0 = 0; v0 < vocab && rc == 0; v0 += band) {
		int64_t nb = vocab - v0 < band ? vocab - v0 : band;
		rc = model_file_get_f32_rows(mf, "/weights/embed", v0, nb, buf, err);
		for (int64_t i = 0; rc == 0 && i < nb * hidden; i++)
			if (!isfinite(buf[i]))
				rc = lwq_err_set(err, "%s: NaN or infinity in weight embed",
						 model_file_path(mf));
		for (int64_t t = 0; t < tokens && rc == 0; t++)
			if (ids[t] >= v0 && ids[t] < v0 + nb)
				memcpy(x + t * hidden, buf + (ids[t] - v0) * hidden,
				       (size_t)hidden * sizeof *x);
	}
	free(buf);
	return rc;
}
