/* export_gguf.c: a GGUF v3 file llama.cpp runs: every tensor is declared first (so the
   header with all offsets is written up front), then each one is read, converted and
   written in turn, so memory holds one linear (or a band of embedding rows) at a time. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "blas_kernels.h"
#include "export_gguf.h"
#include "gguf_names.h"
#include "imatrix_file.h"
#include "layer_io.h"
#include "parallel.h"

#define ROW_CHUNK_VALUES (4 << 20)     /* embedding rows converted per step */

enum item_kind { ITEM_LINEAR, ITEM_VECTOR, ITEM_ROWS, ITEM_ROPE_FREQS };

struct gguf_item {
	char name[64];             /* GGUF tensor name */
	char source[64];           /* weight name relative to /weights */
	enum item_kind kind;
	int type;
	int64_t rows, cols;        /* ne[1] and ne[0]; rows == 0 for a 1-D tensor */
	int permute_heads;         /* q and k: heads whose rows are reordered for RoPE */
	int layer, linear;         /* a linear's source layer and kind (importance weights) */
	int last_of_layer;         /* progress: a layer is done after this item */
};

struct item_list {
	struct gguf_item *items;
	int n, cap;
	int type_counts[GGUF_TYPE_Q6_K + 1];
};

static struct gguf_item *add_item(struct item_list *l, enum item_kind kind, int type,
				  const char *source, int64_t rows, int64_t cols,
				  const char *fmt, int index)
{
	if (l->n == l->cap) {
		int cap = l->cap ? 2 * l->cap : 64;
		struct gguf_item *grown = realloc(l->items, (size_t)cap * sizeof *grown);
		if (!grown)
			return NULL;
		l->items = grown, l->cap = cap;
	}
	struct gguf_item *it = &l->items[l->n++];
	memset(it, 0, sizeof *it);
	snprintf(it->name, sizeof it->name, fmt, index);
	snprintf(it->source, sizeof it->source, "%s", source ? source : "");
	it->kind = kind, it->type = type, it->rows = rows, it->cols = cols;
	return it;
}

/* The tensors of kept layer `layer`, written as block `index`. */
/* Qwen2's q/k/v biases and Qwen3's per-head q/k norms, as llama.cpp names them. */
static int add_attention_extras(struct item_list *l, const struct model_config *cfg, int layer,
				int index)
{
	static const char *const biases[3] = { "q_bias", "k_bias", "v_bias" };
	static const char *const bias_names[3] = { "blk.%d.attn_q.bias", "blk.%d.attn_k.bias",
						   "blk.%d.attn_v.bias" };
	char src[64];
	for (int b = 0; b < 3 && cfg->qkv_bias; b++) {
		int n = (b == 0 ? cfg->n_heads : cfg->n_kv_heads) * cfg->head_dim;
		weight_name(src, sizeof src, layer, biases[b]);
		if (!add_item(l, ITEM_VECTOR, GGUF_TYPE_F32, src, 0, n, bias_names[b], index))
			return -1;
	}
	if (cfg->qk_norm) {
		weight_name(src, sizeof src, layer, "q_norm");
		if (!add_item(l, ITEM_VECTOR, GGUF_TYPE_F32, src, 0, cfg->head_dim,
			      "blk.%d.attn_q_norm.weight", index))
			return -1;
		weight_name(src, sizeof src, layer, "k_norm");
		if (!add_item(l, ITEM_VECTOR, GGUF_TYPE_F32, src, 0, cfg->head_dim,
			      "blk.%d.attn_k_norm.weight", index))
			return -1;
	}
	return 0;
}

static int add_layer(struct item_list *l, const struct export_job *job, int layer, int index,
		     struct export_stats *stats)
{
	const struct model_config *cfg = model_file_config(job->src);
	int bits = job->f16 ? 16 : job->plan->bits[layer];
	char src[64], fmt[64];
	struct gguf_item *it;
	weight_name(src, sizeof src, layer, "attn_norm");
	if (!add_item(l, ITEM_VECTOR, GGUF_TYPE_F32, src, 0, cfg->hidden, "blk.%d.attn_norm.weight", index))
		return -1;
	for (int k = 0; k < LIN_COUNT; k++) {
		int64_t rows, cols;
		linear_shape(cfg, (enum linear_kind)k, &rows, &cols);
		int type = gguf_linear_type(cfg, (enum linear_kind)k, bits);
		if (type != gguf_type_ideal_for_bits(bits)) {
			stats->n_fallback++;
			stats->fallback_bits[bits <= 8 ? bits : 0] = 1;
		}
		if (k == LIN_GATE) {
			weight_name(src, sizeof src, layer, "mlp_norm");
			if (!add_item(l, ITEM_VECTOR, GGUF_TYPE_F32, src, 0, cfg->hidden,
				      "blk.%d.ffn_norm.weight", index))
				return -1;
		}
		weight_name(src, sizeof src, layer, linear_names[k]);
		snprintf(fmt, sizeof fmt, "blk.%%d.%s.weight", gguf_linear_names[k]);
		if (!(it = add_item(l, ITEM_LINEAR, type, src, rows, cols, fmt, index)))
			return -1;
		/* llama.cpp's llama rotates adjacent pairs; qwen2/qwen3 rotate halves as
		   Hugging Face does */
		if (!strcmp(gguf_arch_name(cfg), "llama"))
			it->permute_heads = k == LIN_Q ? cfg->n_heads
					    : k == LIN_K ? cfg->n_kv_heads : 0;
		it->layer = layer, it->linear = k;
		l->type_counts[type]++;
		if (k == LIN_V && add_attention_extras(l, cfg, layer, index) != 0)
			return -1;
	}
	it->last_of_layer = 1;
	return 0;
}

static int build_items(struct item_list *l, const struct export_job *job,
		       struct export_stats *stats)
{
	const struct model_config *cfg = model_file_config(job->src);
	int emb = job->embed_f32 ? GGUF_TYPE_F32 : GGUF_TYPE_F16;
	if (!add_item(l, ITEM_ROWS, emb, "embed", cfg->vocab, cfg->hidden, "token_embd.weight", 0))
		return -1;
	if (strcmp(cfg->rope_scaling, "llama3") == 0 &&
	    !add_item(l, ITEM_ROPE_FREQS, GGUF_TYPE_F32, NULL, 0, cfg->head_dim / 2,
		      "rope_freqs.weight", 0))
		return -1;
	for (int i = 0, index = 0; i < cfg->n_layers; i++)
		if ((job->f16 || job->plan->bits[i] != 0) && add_layer(l, job, i, index++, stats) != 0)
			return -1;
	if (!add_item(l, ITEM_VECTOR, GGUF_TYPE_F32, "final_norm", 0, cfg->hidden,
		      "output_norm.weight", 0))
		return -1;
	if (!cfg->tied_embeddings &&
	    !add_item(l, ITEM_ROWS, emb, "lm_head", cfg->vocab, cfg->hidden, "output.weight", 0))
		return -1;
	return 0;
}

/* Hugging Face keeps the two halves of each head apart (rotate_half); llama.cpp's llama
   architecture rotates adjacent pairs. Row (h, j * hd/2 + i) moves to (h, 2i + j); rows
   of row_size bytes each. */
static void permute_rope_rows(const void *src, void *dst, int64_t rows, size_t row_size,
			      int heads)
{
	int64_t hd = rows / heads, half = hd / 2;
	for (int64_t h = 0; h < heads; h++)
		for (int64_t i = 0; i < half; i++)
			for (int64_t j = 0; j < 2; j++)
				memcpy((char *)dst + (size_t)(h * hd + 2 * i + j) * row_size,
				       (const char *)src + (size_t)(h * hd + j * half + i) * row_size,
				       row_size);
}

/* Llama 3.1's per-frequency RoPE divisors (rope_scaling type "llama3"). */
static void llama3_rope_factors(const struct model_config *cfg, float *f)
{
	double ctx = cfg->rope_original_max_pos > 0 ? cfg->rope_original_max_pos : 8192;
	double low_wavelen = ctx / cfg->rope_low_freq_factor;
	double high_wavelen = ctx / cfg->rope_high_freq_factor;
	for (int i = 0; i < cfg->head_dim / 2; i++) {
		double freq = pow(cfg->rope_theta, -2.0 * i / cfg->head_dim);
		double wavelen = 2 * 3.14159265358979323846 / freq;
		if (wavelen < high_wavelen) {
			f[i] = 1.0f;
		} else if (wavelen > low_wavelen) {
			f[i] = (float)cfg->rope_factor;
		} else {
			double smooth = (ctx / wavelen - cfg->rope_low_freq_factor) /
					(cfg->rope_high_freq_factor - cfg->rope_low_freq_factor);
			f[i] = (float)(1.0 / ((1 - smooth) / cfg->rope_factor + smooth));
		}
	}
}

struct row_job {
	const struct gguf_item *it;
	const float *v, *imp;
	uint8_t *out;
	size_t row_bytes;
};

static void quantize_rows(void *ctx, int64_t r0, int64_t r1)
{
	const struct row_job *j = ctx;
	for (int64_t r = r0; r < r1; r++)
		gguf_quantize_row_weighted(j->it->type, j->v + r * j->it->cols, j->imp, j->it->cols,
					   j->out + (size_t)r * j->row_bytes);
}

/* Converts rows x cols floats to the item's type and appends them to the file; with
   importance weights imp[cols], each block's scales are fitted to them. Rows are
   independent, so they are quantized on all threads with the same bytes as on one. */
static int write_values(struct gguf_writer *w, const struct gguf_item *it, const float *v,
			int64_t rows, const float *imp, struct export_stats *stats,
			struct lwq_err *err)
{
	size_t row_bytes = gguf_row_bytes(it->type, it->cols);
	uint8_t *out = malloc(row_bytes * (size_t)rows);
	if (!out)
		return lwq_err_set(err, "out of memory converting %s", it->name);
	struct row_job job = { it, v, imp, out, row_bytes };
	parallel_rows(blas_thread_count(), rows, quantize_rows, &job);
	int rc = gguf_write_data(w, out, row_bytes * (size_t)rows, err);
	stats->tensor_bytes += (int64_t)(row_bytes * (size_t)rows);
	free(out);
	return rc;
}

static int write_rows(struct gguf_writer *w, const struct export_job *job,
		      const struct gguf_item *it, struct export_stats *stats, struct lwq_err *err)
{
	char path[80];
	int64_t band = ROW_CHUNK_VALUES / it->cols > 0 ? ROW_CHUNK_VALUES / it->cols : 1;
	float *buf = malloc((size_t)(band * it->cols) * sizeof *buf);
	int rc = buf ? 0 : lwq_err_set(err, "out of memory reading %s", it->source);
	snprintf(path, sizeof path, "/weights/%s", it->source);
	for (int64_t r0 = 0; rc == 0 && r0 < it->rows; r0 += band) {
		int64_t n = it->rows - r0 < band ? it->rows - r0 : band;
		rc = model_file_get_f32_rows(job->src, path, r0, n, buf, err);
		for (int64_t i = 0; rc == 0 && i < n * it->cols; i++)
			if (!isfinite(buf[i]))
				rc = lwq_err_set(err, "%s: NaN or infinity in weight %s",
						 model_file_path(job->src), it->source);
		if (rc == 0)
			rc = write_values(w, it, buf, n, NULL, stats, err);
	}
	free(buf);
	return rc;
}

/* GPTQ: a layer is quantized when its first linear (q) comes up; each linear then
   writes the rows the runner encoded. GPTQ rounds every row on its own (one Hessian for
   all), so reordering the encoded q and k rows for RoPE equals quantizing them
   reordered. */
static int write_gptq_linear(struct gguf_writer *w, const struct export_job *job,
			     const struct gguf_item *it, struct layer_weights *lw,
			     struct export_stats *stats, struct lwq_err *err)
{
	if (it->linear == LIN_Q) {
		if (layer_weights_load(job->src, it->layer, lw, err) < 0)
			return -1;
		if (gptq_runner_layer(job->gptq, it->layer, lw, err) < 0) {
			char where[32];
			snprintf(where, sizeof where, "layer %d", it->layer);
			lwq_err_prefix(err, where);
			return lwq_err_prefix(err, model_file_path(job->src));
		}
	}
	int type;
	const uint8_t *rows = gptq_runner_gguf_rows(job->gptq, it->linear, &type);
	size_t bytes = gguf_row_bytes(it->type, it->cols) * (size_t)it->rows;
	if (type != it->type)
		return lwq_err_set(err, "%s: GPTQ wrote %s, the file declares %s", it->name,
				   gguf_type_name(type), gguf_type_name(it->type));
	uint8_t *permuted = NULL;
	if (it->permute_heads) {
		if (!(permuted = malloc(bytes)))
			return lwq_err_set(err, "out of memory permuting %s", it->source);
		permute_rope_rows(rows, permuted, it->rows, gguf_row_bytes(it->type, it->cols),
				  it->permute_heads);
	}
	int rc = gguf_write_data(w, permuted ? permuted : rows, bytes, err);
	stats->tensor_bytes += (int64_t)bytes;
	free(permuted);
	return rc;
}

static int write_item(struct gguf_writer *w, const struct export_job *job,
		      const struct gguf_item *it, struct layer_weights *lw,
		      struct export_stats *stats, struct lwq_err *err)
{
	int64_t rows = it->rows ? it->rows : 1, n = rows * it->cols;
	if (it->kind == ITEM_ROWS)
		return write_rows(w, job, it, stats, err);
	if (it->kind == ITEM_LINEAR && job->gptq)
		return write_gptq_linear(w, job, it, lw, stats, err);
	float *v = it->kind == ITEM_ROPE_FREQS ? malloc((size_t)n * sizeof *v)
					       : weight_read_alloc(job->src, it->source, n, err);
	if (!v)
		return it->kind == ITEM_ROPE_FREQS ? lwq_err_set(err, "out of memory") : -1;
	if (it->kind == ITEM_ROPE_FREQS)
		llama3_rope_factors(model_file_config(job->src), v);
	if (it->permute_heads) {
		float *p = malloc((size_t)n * sizeof *p);
		if (!p) {
			free(v);
			return lwq_err_set(err, "out of memory permuting %s", it->source);
		}
		permute_rope_rows(v, p, it->rows, (size_t)it->cols * sizeof *v, it->permute_heads);
		free(v);
		v = p;
	}
	/* activation-aware: a linear's block scales weigh each input column by its mean
	   x^2 over the calibration tokens, when capture measured them (the rows' order does
	   not matter, so q and k permuted for RoPE keep their columns) */
	float *imp = NULL;
	int rc = 0;
	if (it->kind == ITEM_LINEAR && it->type != GGUF_TYPE_F16 && job->importance) {
		imp = malloc((size_t)it->cols * sizeof *imp);
		rc = imp ? importance_read(job->src, it->layer, it->linear, it->cols, imp, err)
			 : lwq_err_set(err, "out of memory");
		if (rc == 0) {           /* no statistics for this linear */
			free(imp);
			imp = NULL;
		}
	}
	if (rc >= 0)
		rc = write_values(w, it, v, rows, imp, stats, err);
	free(imp);
	free(v);
	return rc;
}

static int declare_items(struct gguf_writer *w, const struct item_list *l, struct lwq_err *err)
{
	for (int i = 0; i < l->n; i++) {
		const struct gguf_item *it = &l->items[i];
		int64_t ne[2] = { it->cols, it->rows };
		if (gguf_add_tensor(w, it->name, it->type, it->rows ? 2 : 1, ne, err) < 0)
			return -1;
	}
	return 0;
}

static int main_type(const struct item_list *l)
{
	int best = GGUF_TYPE_F16;
	for (int t = 0; t <= GGUF_TYPE_Q6_K; t++)
		if (l->type_counts[t] > l->type_counts[best])
			best = t;
	return best;
}

static int check_architecture(const struct model_config *cfg, const char *path,
			      struct lwq_err *err)
{
	int qwen = strcmp(gguf_arch_name(cfg), "llama") != 0;
	if ((cfg->qkv_bias && strcmp(gguf_arch_name(cfg), "qwen2") != 0) ||
	    (cfg->qk_norm && strcmp(gguf_arch_name(cfg), "qwen3") != 0))
		return lwq_err_set(err, "%s: GGUF export has no llama.cpp architecture for %s with "
				   "these attention options", path, cfg->architecture);
	if (qwen && strcmp(cfg->rope_scaling, "none") != 0 && cfg->rope_scaling[0])
		return lwq_err_set(err, "%s: RoPE scaling '%s' has no GGUF export for %s", path,
				   cfg->rope_scaling, cfg->architecture);
	if (strcmp(cfg->rope_scaling, "none") != 0 && strcmp(cfg->rope_scaling, "linear") != 0 &&
	    strcmp(cfg->rope_scaling, "llama3") != 0 && cfg->rope_scaling[0])
		return lwq_err_set(err, "%s: RoPE scaling '%s' has no GGUF export", path,
				   cfg->rope_scaling);
	return 0;
}

int export_gguf(const struct export_job *job, struct export_stats *stats, struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(job->src);
	struct item_list l = { 0 };
	memset(stats, 0, sizeof *stats);
	if (check_architecture(cfg, model_file_path(job->src), err) != 0)
		return -1;
	struct gguf_writer *w = gguf_writer_new(GGUF_DEFAULT_ALIGNMENT);
	int rc = w ? 0 : lwq_err_set(err, "out of memory");
	if (rc == 0 && build_items(&l, job, stats) != 0)
		rc = lwq_err_set(err, "out of memory");
	stats->n_layers_out = export_kept_layers(job->f16 ? NULL : job->plan, cfg);
	if (rc == 0)
		rc = gguf_export_metadata(w, job, stats->n_layers_out, main_type(&l), err);
	if (rc == 0)
		rc = declare_items(w, &l, err);
	if (rc == 0)
		rc = atomic_check_space(job->out, gguf_file_bytes(w), err);
	struct layer_weights *lw = NULL;
	if (rc == 0 && job->gptq && !(lw = layer_weights_new(cfg, err)))
		rc = -1;
	if (rc == 0)
		rc = gguf_write_begin(w, job->path, err);
	for (int i = 0, block = 0; rc == 0 && i < l.n; i++) {
		rc = write_item(w, job, &l.items[i], lw, stats, err);
		if (l.items[i].last_of_layer) {
			char label[32];
			snprintf(label, sizeof label, "block %d", block++);
			progress_step(job->progress, label, 0);
		}
	}
	if (rc == 0)
		rc = gguf_write_end(w, err);
	progress_step(job->progress, "embeddings", 0);
	layer_weights_free(lw);
	gguf_writer_free(w);
	free(l.items);
	return rc;
}
