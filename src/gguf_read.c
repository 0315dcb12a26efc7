/* gguf_read.c: GGUF v3 parsing that trusts no length or offset without checking it against
   the file size, so a truncated or corrupt file gives one clear error. */
#include "gguf_read.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gguf_quants.h"

struct reader {
	FILE *f;
	uint64_t pos, size;
	int bad;
};

static int rd_bytes(struct reader *r, void *dst, uint64_t n)
{
	if (r->bad || n > r->size - r->pos || (n && fread(dst, 1, (size_t)n, r->f) != n)) {
		r->bad = 1;
		return -1;
	}
	r->pos += n;
	return 0;
}

static uint64_t rd_uint(struct reader *r, int bytes)
{
	uint8_t le[8] = { 0 };
	uint64_t v = 0;
	if (rd_bytes(r, le, (uint64_t)bytes) < 0)
		return 0;
	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)le[i] << (8 * i);
	return v;
}

static char *rd_str(struct reader *r)
{
	uint64_t n = rd_uint(r, 8);
	if (r->bad || n > r->size - r->pos) {
		r->bad = 1;
		return NULL;
	}
	char *s = malloc((size_t)n + 1);
	if (!s || rd_bytes(r, s, n) < 0) {
		free(s);
		r->bad = 1;
		return NULL;
	}
	s[n] = '\0';
	return s;
}

static int scalar_size(int type)
{
	switch (type) {
	case GGUF_VT_UINT8: case GGUF_VT_INT8: case GGUF_VT_BOOL: return 1;
	case GGUF_VT_UINT16: case GGUF_VT_INT16: return 2;
	case GGUF_VT_UINT32: case GGUF_VT_INT32: case GGUF_VT_FLOAT32: return 4;
	case GGUF_VT_UINT64: case GGUF_VT_INT64: case GGUF_VT_FLOAT64: return 8;
	default: return 0;
	}
}

static int is_signed(int type)
{
	return type == GGUF_VT_INT8 || type == GGUF_VT_INT16 || type == GGUF_VT_INT32 ||
	       type == GGUF_VT_INT64;
}

/* Reads one scalar of `type` into the numeric fields of kv. */
static void rd_scalar(struct reader *r, int type, struct gguf_kv *kv)
{
	int size = scalar_size(type);
	uint64_t raw = rd_uint(r, size);
	kv->u = raw;
	kv->i = (int64_t)raw;
	if (is_signed(type) && size < 8 && (raw >> (8 * size - 1)) & 1)
		kv->i = (int64_t)(raw | ~((UINT64_C(1) << (8 * size)) - 1));
	if (type == GGUF_VT_FLOAT32) {
		uint32_t u = (uint32_t)raw;
		float f;
		memcpy(&f, &u, sizeof f);
		kv->f = f;
	} else if (type == GGUF_VT_FLOAT64) {
		memcpy(&kv->f, &raw, sizeof kv->f);
	}
}

static int rd_array(struct reader *r, struct gguf_kv *kv)
{
	kv->array_type = (int)rd_uint(r, 4);
	kv->n = rd_uint(r, 8);
	int size = scalar_size(kv->array_type);
	/* every element takes at least one byte (strings at least eight) */
	if (r->bad || kv->n > r->size - r->pos)
		return -1;
	if (kv->array_type == GGUF_VT_STRING) {
		kv->strs = calloc(kv->n ? (size_t)kv->n : 1, sizeof *kv->strs);
		for (uint64_t k = 0; kv->strs && k < kv->n && !r->bad; k++)
			kv->strs[k] = rd_str(r);
		return kv->strs && !r->bad ? 0 : -1;
	}
	if (size == 0 || kv->array_type == GGUF_VT_FLOAT32 || kv->array_type == GGUF_VT_FLOAT64)
		return -1; /* nested and float arrays: not used by lwq's files */
	kv->ints = malloc((kv->n ? (size_t)kv->n : 1) * sizeof *kv->ints);
	for (uint64_t k = 0; kv->ints && k < kv->n && !r->bad; k++) {
		struct gguf_kv one = { 0 };
		rd_scalar(r, kv->array_type, &one);
		kv->ints[k] = one.i;
	}
	return kv->ints && !r->bad ? 0 : -1;
}

static int rd_kv(struct reader *r, struct gguf_kv *kv)
{
	kv->key = rd_str(r);
	kv->type = (int)rd_uint(r, 4);
	if (r->bad)
		return -1;
	if (kv->type == GGUF_VT_STRING) {
		kv->str = rd_str(r);
		return kv->str ? 0 : -1;
	}
	if (kv->type == GGUF_VT_ARRAY)
		return rd_array(r, kv);
	if (scalar_size(kv->type) == 0)
		return -1;
	rd_scalar(r, kv->type, kv);
	return r->bad ? -1 : 0;
}

static int rd_tensor(struct reader *r, struct gguf_tensor *t)
{
	t->name = rd_str(r);
	t->n_dims = (int)rd_uint(r, 4);
	if (r->bad || t->n_dims < 1 || t->n_dims > 4)
		return -1;
	t->n_elems = 1;
	for (int d = 0; d < t->n_dims; d++) {
		uint64_t ne = rd_uint(r, 8);
		if (ne == 0 || ne > (UINT64_C(1) << 40) / (uint64_t)t->n_elems)
			return -1;
		t->ne[d] = (int64_t)ne;
		t->n_elems *= (int64_t)ne;
	}
	t->type = (int)rd_uint(r, 4);
	t->offset = rd_uint(r, 8);
	if (r->bad || !gguf_type_known(t->type) || t->ne[0] % gguf_type_block_elems(t->type))
		return -1;
	t->bytes = gguf_row_bytes(t->type, t->n_elems);
	return 0;
}

static struct gguf_file *open_fail(struct gguf_file *g, struct lwq_err *err, const char *what)
{
	lwq_err_set(err, "%s: %s", g->path, what);
	gguf_close(g);
	return NULL;
}

static const char *check_tensors(struct gguf_file *g)
{
	for (int i = 0; i < g->n_tensors; i++) {
		struct gguf_tensor *t = &g->tensors[i];
		if (t->offset % g->alignment)
			return "tensor data offset is not aligned";
		if (t->offset > g->file_size - g->data_start ||
		    t->bytes > g->file_size - g->data_start - t->offset)
			return "tensor data extends past the end of the file (truncated?)";
	}
	return NULL;
}

static const char *read_body(struct gguf_file *g, struct reader *r)
{
	char magic[4];
	if (rd_bytes(r, magic, 4) < 0 || memcmp(magic, GGUF_MAGIC, 4) != 0)
		return "not a GGUF file (bad magic)";
	g->version = (uint32_t)rd_uint(r, 4);
	if (g->version != 3)
		return "unsupported GGUF version (need 3)";
	uint64_t n_tensors = rd_uint(r, 8), n_kv = rd_uint(r, 8);
	if (r->bad || n_tensors > r->size / 24 || n_kv > r->size / 12)
		return "header counts exceed the file size";
	g->kv = calloc(n_kv ? (size_t)n_kv : 1, sizeof *g->kv);
	g->tensors = calloc(n_tensors ? (size_t)n_tensors : 1, sizeof *g->tensors);
	if (!g->kv || !g->tensors)
		return "out of memory";
	for (uint64_t k = 0; k < n_kv; k++, g->n_kv++)
		if (rd_kv(r, &g->kv[k]) < 0) {
			g->n_kv++;
			return "bad or truncated metadata";
		}
	for (uint64_t k = 0; k < n_tensors; k++, g->n_tensors++)
		if (rd_tensor(r, &g->tensors[k]) < 0) {
			g->n_tensors++;
			return "bad or truncated tensor info";
		}
	int64_t align = GGUF_DEFAULT_ALIGNMENT;
	/* Bounded so it fits alignment's 32 bits (2^32 would become 0, a division by zero). */
	if (gguf_get_int(g, "general.alignment", &align) == 0 &&
	    (align <= 0 || align % 8 || align > (1 << 20)))
		return "general.alignment is not a multiple of 8 between 8 and 1 MiB";
	g->alignment = (uint32_t)align;
	g->data_start = (r->pos + g->alignment - 1) / g->alignment * g->alignment;
	if (g->data_start > g->file_size)
		return "file ends before its data section";
	return check_tensors(g);
}

struct gguf_file *gguf_open(const char *path, struct lwq_err *err)
{
	struct gguf_file *g = calloc(1, sizeof *g);
	if (!g) {
		lwq_err_set(err, "%s: out of memory", path);
		return NULL;
	}
	snprintf(g->path, sizeof g->path, "%s", path);
	g->f = fopen(path, "rb");
	if (!g->f) {
		lwq_err_set(err, "%s: %s", path, strerror(errno));
		gguf_close(g);
		return NULL;
	}
	if (fseek(g->f, 0, SEEK_END) != 0 || ftell(g->f) < 0)
		return open_fail(g, err, "cannot determine the file size");
	g->file_size = (uint64_t)ftell(g->f);
	rewind(g->f);
	struct reader r = { g->f, 0, g->file_size, 0 };
	const char *problem = read_body(g, &r);
	return problem ? open_fail(g, err, problem) : g;
}

static void free_kv(struct gguf_kv *kv)
{
	free(kv->key);
	free(kv->str);
	for (uint64_t k = 0; kv->strs && k < kv->n; k++)
		free(kv->strs[k]);
	free(kv->strs);
	free(kv->ints);
}

void gguf_close(struct gguf_file *g)
{
	if (!g)
		return;
	if (g->f)
		fclose(g->f);
	for (int i = 0; i < g->n_kv; i++)
		free_kv(&g->kv[i]);
	for (int i = 0; i < g->n_tensors; i++)
		free(g->tensors[i].name);
	free(g->kv);
	free(g->tensors);
	free(g);
}

const struct gguf_kv *gguf_find_kv(const struct gguf_file *g, const char *key)
{
	for (int i = 0; i < g->n_kv; i++)
		if (g->kv[i].key && strcmp(g->kv[i].key, key) == 0)
			return &g->kv[i];
	return NULL;
}

int gguf_get_int(const struct gguf_file *g, const char *key, int64_t *value)
{
	const struct gguf_kv *kv = gguf_find_kv(g, key);
	if (!kv || kv->type == GGUF_VT_STRING || kv->type == GGUF_VT_ARRAY ||
	    kv->type == GGUF_VT_FLOAT32 || kv->type == GGUF_VT_FLOAT64)
		return -1;
	*value = kv->i;
	return 0;
}

const char *gguf_get_str(const struct gguf_file *g, const char *key)
{
	const struct gguf_kv *kv = gguf_find_kv(g, key);
	return kv && kv->type == GGUF_VT_STRING ? kv->str : NULL;
}

int gguf_find_tensor(const struct gguf_file *g, const char *name)
{
	for (int i = 0; i < g->n_tensors; i++)
		if (strcmp(g->tensors[i].name, name) == 0)
			return i;
	return -1;
}

int gguf_read_tensor_raw(struct gguf_file *g, int i, void *dst, size_t bytes,
			 struct lwq_err *err)
{
	if (i < 0 || i >= g->n_tensors || bytes != g->tensors[i].bytes)
		return lwq_err_set(err, "%s: bad tensor index or size", g->path);
	uint64_t at = g->data_start + g->tensors[i].offset;
	if (fseek(g->f, (long)at, SEEK_SET) != 0 || fread(dst, 1, bytes, g->f) != bytes)
		return lwq_err_set(err, "%s: cannot read tensor %s", g->path, g->tensors[i].name);
	return 0;
}

int gguf_read_tensor_f32(struct gguf_file *g, int i, float *dst, int64_t count,
			 struct lwq_err *err)
{
	if (i < 0 || i >= g->n_tensors || count != g->tensors[i].n_elems)
		return lwq_err_set(err, "%s: bad tensor index or element count", g->path);
	void *raw = malloc(g->tensors[i].bytes ? g->tensors[i].bytes : 1);
	if (!raw)
		return lwq_err_set(err, "%s: out of memory", g->path);
	int rc = gguf_read_tensor_raw(g, i, raw, g->tensors[i].bytes, err);
	if (rc == 0)
		gguf_dequantize_row(g->tensors[i].type, raw, count, dst);
	free(raw);
	return rc;
}
