/* export_lwq.c: a quantized lwq model file: each layer's linears RTN-quantized at the plan's
   width (codes, f16 scales and zeros), everything else copied as stored. One linear is
   in memory at a time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "export.h"
#include "import_tokenizer.h"
#include "gguf_quants.h"
#include "layer_io.h"
#include "plan_file.h"
#include "quant_rtn.h"

int export_kept_layers(const struct bit_plan *plan, const struct model_config *cfg)
{
	int kept = 0;
	if (!plan)
		return cfg->n_layers;
	for (int i = 0; i < plan->n_layers; i++)
		kept += plan->bits[i] != 0;
	return kept;
}

int export_check_plan(enum export_format format, const struct bit_plan *plan,
		      const struct model_config *cfg, struct lwq_err *err)
{
	if (!plan)
		return 0;
	for (int i = 0; i < plan->n_layers; i++) {
		int b = plan->bits[i];
		if (format == EXPORT_LWQ && b != 0 && b != 2 && b != 3 && b != 4 && b != 8)
			return lwq_err_set(err, "layer %d: the lwq format stores 2, 3, 4 or 8 bits, "
					   "not %d", i, b);
		if (format == EXPORT_GGUF && b != 0 && gguf_type_ideal_for_bits(b) < 0)
			return lwq_err_set(err, "layer %d: GGUF has no type for %d bits (2, 3, 4, "
					   "5, 6, 8)", i, b);
	}
	if (export_kept_layers(plan, cfg) == 0)
		return lwq_err_set(err, "the plan prunes every layer; nothing to export");
	if (format == EXPORT_LWQ && group_size_check(cfg, plan->group_size, err) < 0)
		return -1;
	return 0;
}

/* Packs one linear's codes and writes them with their scales and zeros as a group. */
static int store_codes(struct model_file *out, const char *to, int bits, int g, int64_t rows,
		       int64_t cols, const uint8_t *codes, const float *scales,
		       const float *zeros, int64_t *bytes, struct lwq_err *err)
{
	int64_t n = rows * cols, n_groups = rows * (cols / g);
	size_t n_packed = (size_t)((bits * n + 7) / 8);
	uint8_t *packed = malloc(n_packed);
	if (!packed)
		return lwq_err_set(err, "out of memory packing %s", to);
	pack_codes(codes, (size_t)n, bits, packed);
	int rc = model_file_write_quantized(out, to, bits, g, rows, cols, packed, scales, zeros,
					    err);
	*bytes += (int64_t)n_packed + 4 * n_groups;
	free(packed);
	return rc;
}

/* One linear: read as f32, quantize with RTN, write. */
static int write_linear(const struct export_job *job, struct model_file *out,
			const char *from, const char *to, int64_t rows, int64_t cols, int bits,
			int64_t *bytes, struct lwq_err *err)
{
	int g = job->plan->group_size;
	int64_t n = rows * cols, n_groups = rows * (cols / g);
	float *w = weight_read_alloc(job->src, from, n, err);
	uint8_t *codes = malloc((size_t)n);
	float *scales = malloc((size_t)n_groups * sizeof *scales);
	float *zeros = malloc((size_t)n_groups * sizeof *zeros);
	int rc = -1;
	if (!w)
		;
	else if (!codes || !scales || !zeros)
		lwq_err_set(err, "out of memory quantizing %s", from);
	else if (rtn_quantize(w, rows, cols, bits, g, codes, scales, zeros, err) != 0)
		lwq_err_prefix(err, from);
	else
		rc = store_codes(out, to, bits, g, rows, cols, codes, scales, zeros, bytes, err);
	free(w);
	free(codes);
	free(scales);
	free(zeros);
	return rc;
}

/* The whole layer through GPTQ (it needs the layer at once), then each linear's codes. */
static int write_gptq_linears(const struct export_job *job, struct model_file *out,
			      int layer, int index, int64_t *bytes, struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(job->src);
	struct layer_weights *lw = layer_weights_new(cfg, err);
	int rc = lw ? layer_weights_load(job->src, layer, lw, err) : -1;
	if (rc == 0 && gptq_runner_layer(job->gptq, layer, lw, err) < 0) {
		char where[32];
		snprintf(where, sizeof where, "layer %d", layer);
		lwq_err_prefix(err, where);
		rc = lwq_err_prefix(err, model_file_path(job->src));
	}
	for (int k = 0; rc == 0 && k < LIN_COUNT; k++) {
		int64_t rows, cols;
		char to[64];
		linear_shape(cfg, (enum linear_kind)k, &rows, &cols);
		weight_name(to, sizeof to, index, linear_names[k]);
		const struct gptq_linear_codes *c = gptq_runner_codes(job->gptq, k);
		rc = store_codes(out, to, job->plan->bits[layer], job->plan->group_size, rows,
				 cols, c->codes, c->scales, c->zeros, bytes, err);
	}
	layer_weights_free(lw);
	return rc;
}

/* A weight copied as stored (its dtype kept), through memory: HDF5 1.10's H5Ocopy crashes
   when the disk fills up under it, a plain dataset write fails cleanly. */
static int copy_weight(const struct export_job *job, struct model_file *out, const char *from,
		       const char *to, int64_t *bytes, struct lwq_err *err)
{
	struct tensor_info info;
	if (model_file_weight_info(job->src, from, &info, err) != 0)
		return -1;
	size_t n = (size_t)info.count * dtype_size(info.dtype);
	void *data = malloc(n ? n : 1);
	if (!data)
		return lwq_err_set(err, "out of memory copying %s", from);
	int rc = model_file_read_weight_raw(job->src, from, data, n, err);
	if (rc == 0)
		rc = model_file_write_weight(out, to, info.dtype, data, info.rank, info.dims, err);
	free(data);
	*bytes += (int64_t)n;
	return rc;
}

static int copy_tokenizer(const struct export_job *job, struct model_file *out,
			  struct lwq_err *err)
{
	char kind[64] = "none", *json = NULL;
	size_t n = 0;
	model_file_get_attr_str(job->src, "/tokenizer", "kind", kind, sizeof kind);
	if (model_file_exists(job->src, "/tokenizer/json")) {
		if (model_file_get_bytes(job->src, "/tokenizer/json", &json, &n, err) != 0)
			return -1;
		int rc = model_file_put_bytes(out, "/tokenizer/json", json, n, err);
		free(json);
		if (rc != 0)
			return -1;
		/* what import decided (BOS per window) goes along with it */
		struct tokenizer_facts facts;
		int64_t bos;
		tokenizer_facts_load(job->src, &facts);
		if (model_file_get_attr_i64(job->src, "/tokenizer", "bos_id", &bos) == 0 &&
		    tokenizer_facts_store(out, &facts, err) != 0)
			return -1;
	}
	return model_file_set_attr_str(out, "/tokenizer", "kind", kind, err);
}

static int write_layer(const struct export_job *job, struct model_file *out, int layer,
		       int index, int64_t *bytes, struct lwq_err *err)
{
	static const char *const kept[] = { "attn_norm", "mlp_norm", "q_bias", "k_bias", "v_bias",
					    "q_norm", "k_norm" };
	const struct model_config *cfg = model_file_config(job->src);
	int bits = job->plan->bits[layer];
	char from[64], to[64], group[80];
	if (job->gptq && write_gptq_linears(job, out, layer, index, bytes, err) != 0)
		return -1;
	for (int k = 0; !job->gptq && k < LIN_COUNT; k++) {
		int64_t rows, cols;
		linear_shape(cfg, (enum linear_kind)k, &rows, &cols);
		weight_name(from, sizeof from, layer, linear_names[k]);
		weight_name(to, sizeof to, index, linear_names[k]);
		if (write_linear(job, out, from, to, rows, cols, bits, bytes, err) != 0)
			return -1;
	}
	for (size_t k = 0; k < sizeof kept / sizeof kept[0]; k++) {
		if ((k >= 2 && k < 5 && !cfg->qkv_bias) || (k >= 5 && !cfg->qk_norm))
			continue;
		weight_name(from, sizeof from, layer, kept[k]);
		weight_name(to, sizeof to, index, kept[k]);
		if (copy_weight(job, out, from, to, bytes, err) != 0)
			return -1;
	}
	snprintf(group, sizeof group, "/weights/layers/%03d", index);
	return model_file_set_attr_i64(out, group, "source_layer", layer, err);
}

/* Root attributes and /plans/export that say how the file was made. */
static int write_provenance(const struct export_job *job, struct model_file *out,
			    struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(job->src);
	const struct bit_plan *plan = job->plan;
	char *json = plan_to_json(plan, cfg);
	if (!json)
		return lwq_err_set(err, "cannot serialize the plan");
	int rc = model_file_put_bytes(out, "/plans/export", json, strlen(json), err);
	free(json);
	if (rc == 0)
		rc = model_file_copy_attrs(job->src, "/", out, "/", err) |
		     model_file_mark_quantized(out, err) |
		     model_file_set_attr_str(out, "/", "quantizer", job->gptq ? "gptq" : "rtn-asym",
					     err) |
		     model_file_set_attr_i64(out, "/", "quant_group_size", plan->group_size, err) |
		     model_file_set_attr_str(out, "/", "plan_order", plan->order, err) |
		     model_file_set_attr_f64(out, "/", "plan_avg_bits", plan_avg_bits(cfg, plan), err) |
		     model_file_set_attr_i64(out, "/", "plan_bytes", plan_bytes(cfg, plan), err) |
		     model_file_set_attr_i64(out, "/", "source_layers", cfg->n_layers, err) |
		     model_file_set_attr_str(out, "/", "quantized_from", model_file_path(job->src), err);
	return rc ? -1 : 0;
}

static int write_rest(const struct export_job *job, struct model_file *out, int64_t *bytes,
		      struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(job->src);
	if (copy_weight(job, out, "embed", "embed", bytes, err) != 0 ||
	    copy_weight(job, out, "final_norm", "final_norm", bytes, err) != 0)
		return -1;
	if (!cfg->tied_embeddings && copy_weight(job, out, "lm_head", "lm_head", bytes, err) != 0)
		return -1;
	if (model_file_exists(job->src, "/tokenizer") && copy_tokenizer(job, out, err) != 0)
		return -1;
	return write_provenance(job, out, err);
}

int export_lwq(const struct export_job *job, struct export_stats *stats, struct lwq_err *err)
{
	struct model_config cfg = *model_file_config(job->src);
	const struct bit_plan *plan = job->plan;
	memset(stats, 0, sizeof *stats);
	cfg.n_layers = export_kept_layers(plan, &cfg);
	struct tensor_info tok = { .count = 0 };
	model_file_dataset_info(job->src, "/tokenizer/json", &tok, NULL);
	/* HDF5 cannot recover from a disk that fills up under it: refuse up front. */
	if (atomic_check_space(job->out, (uint64_t)(plan_bytes(model_file_config(job->src), plan) + tok.count), err) != 0)
		return -1;
	struct model_file *out = model_file_create(job->path, &cfg, model_file_source(job->src),
						   model_file_model_name(job->src), err);
	if (!out)
		return -1;
	int rc = 0;
	for (int i = 0, index = 0; rc == 0 && i < plan->n_layers; i++) {
		char label[32];
		snprintf(label, sizeof label, "layer %d", i);
		if (plan->bits[i] != 0)
			rc = write_layer(job, out, i, index++, &stats->tensor_bytes, err);
		progress_step(job->progress, label, 0);
	}
	if (rc == 0)
		rc = write_rest(job, out, &stats->tensor_bytes, err);
	progress_step(job->progress, "embeddings", 0);
	if (rc == 0)
		rc = model_file_flush(out, err);
	if (model_file_close(out) != 0 && rc == 0)
		rc = lwq_err_set(err, "%s: cannot finish writing (disk full or file size limit)",
				 job->out);
	stats->n_layers_out = cfg.n_layers;
	return rc;
}
