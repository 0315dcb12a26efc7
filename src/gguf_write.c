/* gguf_write.c: GGUF v3 writing in one pass: the header with every tensor's offset is
   known before any data exists, so tensors are quantized and written one at a time. */
#include "gguf_write.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gguf_quants.h"

struct byte_buf {
	uint8_t *data;
	size_t len, cap;
	int failed;                /* an allocation failed; reported at write time */
};

struct tensor_decl {
	size_t bytes;
	uint64_t offset;           /* relative to the start of the data section */
};

struct gguf_writer {
	uint32_t alignment;
	uint64_t n_kv;
	struct byte_buf kv;        /* serialized key-value pairs */
	struct byte_buf infos;     /* serialized tensor infos */
	struct tensor_decl *tensors;
	int n_tensors, cap_tensors;
	uint64_t data_bytes;       /* data section size, padded */
	FILE *f;
	char path[4096];
	int current;               /* tensor receiving data */
	size_t current_done;
};

/* ---- little-endian serialization ---- */

static void buf_put(struct byte_buf *b, const void *src, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *grown = realloc(b->data, cap);
		if (!grown) {
			b->failed = 1;
			return;
		}
		b->data = grown, b->cap = cap;
	}
	memcpy(b->data + b->len, src, n);
	b->len += n;
}

static void buf_uint(struct byte_buf *b, uint64_t v, int bytes)
{
	uint8_t le[8];
	for (int i = 0; i < bytes; i++)
		le[i] = (uint8_t)(v >> (8 * i));
	buf_put(b, le, (size_t)bytes);
}

static void buf_str(struct byte_buf *b, const char *s)
{
	size_t n = strlen(s);
	buf_uint(b, n, 8);
	buf_put(b, s, n);
}

static uint32_t f32_bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	return u;
}

static void kv_key(struct gguf_writer *w, const char *key, uint32_t type)
{
	buf_str(&w->kv, key);
	buf_uint(&w->kv, type, 4);
	w->n_kv++;
}

void gguf_kv_str(struct gguf_writer *w, const char *key, const char *value)
{
	kv_key(w, key, GGUF_VT_STRING);
	buf_str(&w->kv, value);
}

void gguf_kv_u32(struct gguf_writer *w, const char *key, uint32_t value)
{
	kv_key(w, key, GGUF_VT_UINT32);
	buf_uint(&w->kv, value, 4);
}

void gguf_kv_f32(struct gguf_writer *w, const char *key, float value)
{
	kv_key(w, key, GGUF_VT_FLOAT32);
	buf_uint(&w->kv, f32_bits(value), 4);
}

void gguf_kv_bool(struct gguf_writer *w, const char *key, int value)
{
	kv_key(w, key, GGUF_VT_BOOL);
	buf_uint(&w->kv, value ? 1 : 0, 1);
}

void gguf_kv_str_array(struct gguf_writer *w, const char *key, const char *const *values,
		       uint64_t n)
{
	kv_key(w, key, GGUF_VT_ARRAY);
	buf_uint(&w->kv, GGUF_VT_STRING, 4);
	buf_uint(&w->kv, n, 8);
	for (uint64_t i = 0; i < n; i++)
		buf_str(&w->kv, values[i]);
}

void gguf_kv_i32_array(struct gguf_writer *w, const char *key, const int32_t *values,
		       uint64_t n)
{
	kv_key(w, key, GGUF_VT_ARRAY);
	buf_uint(&w->kv, GGUF_VT_INT32, 4);
	buf_uint(&w->kv, n, 8);
	for (uint64_t i = 0; i < n; i++)
		buf_uint(&w->kv, (uint32_t)values[i], 4);
}

void gguf_kv_f32_array(struct gguf_writer *w, const char *key, const float *values, uint64_t n)
{
	kv_key(w, key, GGUF_VT_ARRAY);
	buf_uint(&w->kv, GGUF_VT_FLOAT32, 4);
	buf_uint(&w->kv, n, 8);
	for (uint64_t i = 0; i < n; i++) {
		uint32_t bits;
		memcpy(&bits, &values[i], 4);
		buf_uint(&w->kv, bits, 4);
	}
}

struct gguf_writer *gguf_writer_new(uint32_t alignment)
{
	struct gguf_writer *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->alignment = alignment;
	w->current = 0;
	gguf_kv_u32(w, "general.alignment", alignment);
	return w;
}

void gguf_writer_free(struct gguf_writer *w)
{
	if (!w)
		return;
	if (w->f)
		fclose(w->f);
	free(w->kv.data);
	free(w->infos.data);
	free(w->tensors);
	free(w);
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

int gguf_add_tensor(struct gguf_writer *w, const char *name, int type, int n_dims,
		    const int64_t *ne, struct lwq_err *err)
{
	if (strlen(name) == 0 || strlen(name) >= 64)
		return lwq_err_set(err, "tensor name '%s' must have 1 to 63 bytes", name);
	if (!gguf_type_known(type) || n_dims < 1 || n_dims > 4)
		return lwq_err_set(err, "%s: bad type %d or rank %d", name, type, n_dims);
	int64_t count = 1;
	for (int i = 0; i < n_dims; i++) {
		if (ne[i] <= 0)
			return lwq_err_set(err, "%s: dimension %d is %lld", name, i, (long long)ne[i]);
		count *= ne[i];
	}
	if (ne[0] % gguf_type_block_elems(type) != 0)
		return lwq_err_set(err, "%s: row of %lld values is not a multiple of the %s "
				   "block (%d)", name, (long long)ne[0], gguf_type_name(type),
				   gguf_type_block_elems(type));
	if (w->n_tensors == w->cap_tensors) {
		int cap = w->cap_tensors ? 2 * w->cap_tensors : 64;
		struct tensor_decl *grown = realloc(w->tensors, (size_t)cap * sizeof *grown);
		if (!grown)
			return lwq_err_set(err, "out of memory");
		w->tensors = grown, w->cap_tensors = cap;
	}
	struct tensor_decl *t = &w->tensors[w->n_tensors];
	t->bytes = gguf_row_bytes(type, count);
	t->offset = w->data_bytes;
	w->data_bytes = align_up(w->data_bytes + t->bytes, w->alignment);
	buf_str(&w->infos, name);
	buf_uint(&w->infos, (uint64_t)n_dims, 4);
	for (int i = 0; i < n_dims; i++)
		buf_uint(&w->infos, (uint64_t)ne[i], 8);
	buf_uint(&w->infos, (uint64_t)type, 4);
	buf_uint(&w->infos, t->offset, 8);
	return w->n_tensors++;
}

size_t gguf_tensor_bytes(const struct gguf_writer *w, int i)
{
	return i >= 0 && i < w->n_tensors ? w->tensors[i].bytes : 0;
}

static uint64_t header_bytes(const struct gguf_writer *w)
{
	return 4 + 4 + 8 + 8 + w->kv.len + w->infos.len;
}

uint64_t gguf_file_bytes(const struct gguf_writer *w)
{
	return align_up(header_bytes(w), w->alignment) + w->data_bytes;
}

static int write_fail(struct gguf_writer *w, struct lwq_err *err)
{
	int e = errno;
	lwq_err_set(err, "%s: write failed: %s", w->path, e ? strerror(e) : "disk full?");
	if (w->f)
		fclose(w->f);
	w->f = NULL;
	return -1;
}

static int write_zeros(struct gguf_writer *w, uint64_t n, struct lwq_err *err)
{
	static const uint8_t zeros[64];
	while (n > 0) {
		size_t k = n > sizeof zeros ? sizeof zeros : (size_t)n;
		if (fwrite(zeros, 1, k, w->f) != k)
			return write_fail(w, err);
		n -= k;
	}
	return 0;
}

int gguf_write_begin(struct gguf_writer *w, const char *path, struct lwq_err *err)
{
	if (w->kv.failed || w->infos.failed)
		return lwq_err_set(err, "%s: out of memory building the GGUF header", path);
	snprintf(w->path, sizeof w->path, "%s", path);
	w->f = fopen(path, "wb");
	if (!w->f)
		return lwq_err_set(err, "%s: cannot create: %s", path, strerror(errno));
	struct byte_buf head = { 0 };
	buf_put(&head, GGUF_MAGIC, 4);
	buf_uint(&head, GGUF_VERSION, 4);
	buf_uint(&head, (uint64_t)w->n_tensors, 8);
	buf_uint(&head, w->n_kv, 8);
	int bad = head.failed || fwrite(head.data, 1, head.len, w->f) != head.len ||
		  fwrite(w->kv.data, 1, w->kv.len, w->f) != w->kv.len ||
		  (w->infos.len && fwrite(w->infos.data, 1, w->infos.len, w->f) != w->infos.len);
	free(head.data);
	if (bad)
		return write_fail(w, err);
	uint64_t h = header_bytes(w);
	w->current = 0;
	w->current_done = 0;
	return write_zeros(w, align_up(h, w->alignment) - h, err);
}

int gguf_write_data(struct gguf_writer *w, const void *data, size_t n, struct lwq_err *err)
{
	if (!w->f)
		return lwq_err_set(err, "%s: not open for writing", w->path);
	if (w->current >= w->n_tensors ||
	    w->current_done + n > w->tensors[w->current].bytes)
		return lwq_err_set(err, "%s: more tensor data than declared", w->path);
	if (n && fwrite(data, 1, n, w->f) != n)
		return write_fail(w, err);
	w->current_done += n;
	struct tensor_decl *t = &w->tensors[w->current];
	if (w->current_done == t->bytes) {
		uint64_t end = t->offset + t->bytes;
		if (write_zeros(w, align_up(end, w->alignment) - end, err) < 0)
			return -1;
		w->current++;
		w->current_done = 0;
	}
	return 0;
}

int gguf_write_end(struct gguf_writer *w, struct lwq_err *err)
{
	if (!w->f)
		return lwq_err_set(err, "%s: not open for writing", w->path);
	if (w->current != w->n_tensors) {
		fclose(w->f);
		w->f = NULL;
		return lwq_err_set(err, "%s: only %d of %d tensors were written", w->path,
				   w->current, w->n_tensors);
	}
	errno = 0;
	int bad = fflush(w->f) != 0 || ferror(w->f);
	int closed = fclose(w->f) == 0;
	w->f = NULL;
	if (bad || !closed)
		return lwq_err_set(err, "%s: write failed: %s", w->path,
				   errno ? strerror(errno) : "disk full?");
	return 0;
}
