/* imatrix_file.c: llama.cpp's importance-matrix file from the activations capture measured. */
#include "imatrix_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "forward.h"
#include "gguf_names.h"
#include "layout.h"

struct out_buf {
	char *data;
	size_t len, cap;
	int failed;
};

static void put(struct out_buf *b, const void *p, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1 << 16;
		while (cap < b->len + n)
			cap *= 2;
		char *d = realloc(b->data, cap);
		if (!d) {
			b->failed = 1;
			return;
		}
		b->data = d, b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

/* Little-endian int32, as llama.cpp writes its ints on the machines it runs on. */
static void put_i32(struct out_buf *b, int32_t v)
{
	uint8_t le[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			  (uint8_t)(v >> 24) };
	put(b, le, 4);
}

static void put_f32(struct out_buf *b, float v)
{
	uint32_t u;
	memcpy(&u, &v, 4);
	put_i32(b, (int32_t)u);
}

static int entry(struct model_file *mf, struct out_buf *b, int layer, int k, int64_t cols,
		 double scale, int32_t ncall, float *sq, struct lwq_err *err)
{
	char path[128], name[96];
	snprintf(path, sizeof path, "%s/%03d/%s", ACT_INPUT_SQ, layer,
		 input_site_names[linear_input_site((enum linear_kind)k)]);
	if (model_file_get_f32(mf, path, sq, cols, err) < 0)
		return -1;
	int len = snprintf(name, sizeof name, "blk.%d.%s.weight", layer, gguf_linear_names[k]);
	put_i32(b, len);
	put(b, name, (size_t)len);
	put_i32(b, ncall);
	put_i32(b, (int32_t)cols);
	for (int64_t c = 0; c < cols; c++)
		put_f32(b, (float)(sq[c] * scale));
	return 0;
}

static int read_capture(struct model_file *mf, int64_t *n_tokens, int64_t *windows,
			char *source, size_t len, struct lwq_err *err)
{
	char probe[128];
	snprintf(probe, sizeof probe, "%s/000/attn", ACT_INPUT_SQ);
	if (!model_file_exists(mf, probe) ||
	    model_file_get_attr_i64(mf, ACT_GROUP, "n_tokens", n_tokens) < 0 ||
	    model_file_get_attr_i64(mf, ACT_GROUP, "windows", windows) < 0 || *n_tokens < 1 ||
	    *windows < 1 || *windows > INT32_MAX)
		return lwq_err_set(err, "%s: no activation statistics for an importance matrix: "
				   "run lwq capture on it first", model_file_path(mf));
	if (model_file_get_attr_str(mf, ACT_GROUP, "source", source, len) < 0)
		snprintf(source, len, "lwq capture");
	return 0;
}

int importance_available(struct model_file *mf)
{
	char probe[128];
	int64_t n_tokens;
	snprintf(probe, sizeof probe, "%s/000/attn", ACT_INPUT_SQ);
	return model_file_exists(mf, probe) &&
	       model_file_get_attr_i64(mf, ACT_GROUP, "n_tokens", &n_tokens) == 0 && n_tokens > 0;
}

int importance_read(struct model_file *mf, int layer, int k, int64_t cols, float *w,
		    struct lwq_err *err)
{
	char path[128];
	int64_t n_tokens;
	snprintf(path, sizeof path, "%s/%03d/%s", ACT_INPUT_SQ, layer,
		 input_site_names[linear_input_site((enum linear_kind)k)]);
	if (!model_file_exists(mf, path) ||
	    model_file_get_attr_i64(mf, ACT_GROUP, "n_tokens", &n_tokens) < 0 || n_tokens < 1)
		return 0;
	if (model_file_get_f32(mf, path, w, cols, err) < 0)
		return -1;
	double mean = 0;
	for (int64_t c = 0; c < cols; c++) {
		w[c] = (float)(w[c] / (double)n_tokens);
		mean += w[c] / (double)cols;
	}
	for (int64_t c = 0; c < cols; c++)
		w[c] += (float)(1e-3 * mean) + 1e-30f;
	return 1;
}

int imatrix_write(struct model_file *mf, const char *path, int overwrite, struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	int64_t n_tokens, windows;
	char source[4200];
	if (read_capture(mf, &n_tokens, &windows, source, sizeof source, err) < 0)
		return -1;
	int widest = cfg->intermediate > cfg->hidden ? cfg->intermediate : cfg->hidden;
	if (cfg->n_heads * cfg->head_dim > widest)
		widest = cfg->n_heads * cfg->head_dim;
	float *sq = malloc((size_t)widest * sizeof(float));
	struct out_buf b = { 0 };
	int rc = sq ? 0 : lwq_err_set(err, "out of memory");
	/* llama-quantize divides the stored values by the call count: store mean x^2 times it */
	double scale = (double)windows / (double)n_tokens;
	put_i32(&b, cfg->n_layers * LIN_COUNT);
	for (int l = 0; l < cfg->n_layers && rc == 0; l++)
		for (int k = 0; k < LIN_COUNT && rc == 0; k++) {
			int64_t rows, cols;
			linear_shape(cfg, (enum linear_kind)k, &rows, &cols);
			rc = entry(mf, &b, l, k, cols, scale, (int32_t)windows, sq, err);
		}
	put_i32(&b, (int32_t)windows);
	put_i32(&b, (int32_t)strlen(source));
	put(&b, source, strlen(source));
	if (rc == 0 && b.failed)
		rc = lwq_err_set(err, "out of memory");
	if (rc == 0)
		rc = atomic_write_file(path, b.data, b.len, overwrite, err);
	free(sq);
	free(b.data);
	return rc;
}
