/* import_map.c: which tensors a Llama-family model has, and whether a checkpoint matches. */
#include "import_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_h5.h"

static void add(struct expected_tensor *t, int layer, const char *tensor, const char *hf,
		int64_t rows, int64_t cols)
{
	memset(t, 0, sizeof *t);
	t->layer = layer;
	snprintf(t->tensor, sizeof t->tensor, "%s", tensor);
	if (layer >= 0)
		weight_name(t->name, sizeof t->name, layer, tensor);
	else
		snprintf(t->name, sizeof t->name, "%s", tensor);
	if (layer >= 0)
		snprintf(t->hf_name, sizeof t->hf_name, "model.layers.%d.%s", layer, hf);
	else
		snprintf(t->hf_name, sizeof t->hf_name, "%s", hf);
	t->rank = cols > 0 ? 2 : 1;
	t->dims[0] = rows;
	t->dims[1] = cols > 0 ? cols : 0;
	t->count = rows * (cols > 0 ? cols : 1);
}

static const char *const hf_linear[LIN_COUNT] = {
	"self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight",
	"self_attn.o_proj.weight", "mlp.gate_proj.weight", "mlp.up_proj.weight",
	"mlp.down_proj.weight",
};

static int add_layer(struct expected_tensor *t, const struct model_config *cfg, int layer)
{
	static const char *const bias_names[3] = { "q_bias", "k_bias", "v_bias" };
	static const char *const hf_bias[3] = {
		"self_attn.q_proj.bias", "self_attn.k_proj.bias", "self_attn.v_proj.bias",
	};
	int n = 0;
	add(&t[n++], layer, "attn_norm", "input_layernorm.weight", cfg->hidden, 0);
	for (int k = 0; k < LIN_COUNT; k++) {
		int64_t rows, cols;
		linear_shape(cfg, (enum linear_kind)k, &rows, &cols);
		add(&t[n++], layer, linear_names[k], hf_linear[k], rows, cols);
		if (k == LIN_V && cfg->qkv_bias)
			for (int b = 0; b < 3; b++) {
				linear_shape(cfg, (enum linear_kind)b, &rows, &cols);
				add(&t[n++], layer, bias_names[b], hf_bias[b], rows, 0);
			}
		if (k == LIN_V && cfg->qk_norm) {
			add(&t[n++], layer, "q_norm", "self_attn.q_norm.weight", cfg->head_dim, 0);
			add(&t[n++], layer, "k_norm", "self_attn.k_norm.weight", cfg->head_dim, 0);
		}
		if (k == LIN_O)
			add(&t[n++], layer, "mlp_norm", "post_attention_layernorm.weight",
			    cfg->hidden, 0);
	}
	return n;
}

int expected_tensors(const struct model_config *cfg, struct expected_tensor **out)
{
	int per_layer = 2 + LIN_COUNT + (cfg->qkv_bias ? 3 : 0) + (cfg->qk_norm ? 2 : 0);
	int total = 3 + cfg->n_layers * per_layer;
	struct expected_tensor *t = calloc((size_t)total, sizeof *t);
	if (!t)
		return -1;
	int n = 0;
	add(&t[n++], -1, "embed", "model.embed_tokens.weight", cfg->vocab, cfg->hidden);
	for (int layer = 0; layer < cfg->n_layers; layer++)
		n += add_layer(t + n, cfg, layer);
	add(&t[n++], -1, "final_norm", "model.norm.weight", cfg->hidden, 0);
	if (!cfg->tied_embeddings)
		add(&t[n++], -1, "lm_head", "lm_head.weight", cfg->vocab, cfg->hidden);
	*out = t;
	return n;
}

static void format_shape(char *buf, size_t len, int rank, const int64_t *dims)
{
	size_t used = (size_t)snprintf(buf, len, "[");
	for (int i = 0; i < rank && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%lld", i ? ", " : "",
					 (long long)dims[i]);
	if (used < len)
		snprintf(buf + used, len - used, "]");
}

static int check_one(const struct safetensors *st, const struct st_tensor *t,
		     const struct expected_tensor *w, struct lwq_err *err)
{
	const char *file = safetensors_shard_path(st, t);
	if (t->dtype < 0)
		return lwq_err_set(err, "%s: tensor '%s' has dtype %s (supported: F32, F16, BF16)",
				   file, t->name, t->dtype_name);
	int same = t->rank == w->rank;
	for (int i = 0; same && i < w->rank; i++)
		same = t->shape[i] == w->dims[i];
	if (!same) {
		char got[96], want[96];
		format_shape(got, sizeof got, t->rank, t->shape);
		format_shape(want, sizeof want, w->rank, w->dims);
		return lwq_err_set(err, "%s: tensor '%s' has shape %s but config.json implies %s",
				   file, t->name, got, want);
	}
	return 0;
}

/* Tensors a checkpoint may carry that lwq rebuilds or does not need. */
static int ignorable(const char *name, const struct model_config *cfg)
{
	size_t n = strlen(name);
	const char *inv = "rotary_emb.inv_freq";
	if (n >= strlen(inv) && strcmp(name + n - strlen(inv), inv) == 0)
		return 1;
	return cfg->tied_embeddings && strcmp(name, "lm_head.weight") == 0;
}

int check_safetensors(const struct safetensors *st, const char *dir,
		      const struct model_config *cfg, const struct expected_tensor *want,
		      int n_want, struct lwq_err *err)
{
	char *used = calloc((size_t)st->n_tensors + 1, 1);
	if (!used)
		return lwq_err_set(err, "%s: out of memory", dir);
	int missing = 0, first_missing = -1, rc = 0;
	for (int i = 0; i < n_want && rc == 0; i++) {
		const struct st_tensor *t = safetensors_find(st, want[i].hf_name);
		if (!t) {
			if (missing++ == 0)
				first_missing = i;
			continue;
		}
		used[t - st->tensors] = 1;
		rc = check_one(st, t, &want[i], err);
	}
	if (rc == 0 && missing > 0)
		rc = lwq_err_set(err, "%s: tensor '%s' is missing%s (%d of %d expected tensors "
				 "absent)", dir, want[first_missing].hf_name,
				 missing > 1 ? " among others" : "", missing, n_want);
	int extra = 0, first_extra = -1;
	for (int i = 0; i < st->n_tensors; i++)
		if (!used[i] && !ignorable(st->tensors[i].name, cfg) && extra++ == 0)
			first_extra = i;
	if (rc == 0 && extra > 0)
		rc = lwq_err_set(err, "%s: unexpected tensor '%s'%s: not part of a %s with this "
				 "config.json", safetensors_shard_path(st, &st->tensors[first_extra]),
				 st->tensors[first_extra].name,
				 extra > 1 ? " (and others)" : "", cfg->architecture);
	free(used);
	return rc;
}
