/* safetensors.c: the safetensors container (8-byte little-endian header length, a JSON
   header, then raw little-endian tensor bytes), read defensively, tensor by tensor. */
#include "safetensors.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_read.h"

/* Headers are a few hundred bytes per tensor; anything past this is a damaged file. */
#define MAX_HEADER_BYTES (100u << 20)
/* Bounds the product of a shape (and so values x 8 bytes) far from overflowing. */
#define MAX_TENSOR_VALUES ((int64_t)1 << 40)

static const struct {
	const char *name;
	int size;
	int dtype;
} st_dtypes[] = {
	{ "F32", 4, DT_F32 }, { "F16", 2, DT_F16 }, { "BF16", 2, DT_BF16 },
	{ "F64", 8, -1 }, { "I64", 8, -1 }, { "U64", 8, -1 }, { "I32", 4, -1 },
	{ "U32", 4, -1 }, { "I16", 2, -1 }, { "U16", 2, -1 }, { "I8", 1, -1 },
	{ "U8", 1, -1 }, { "BOOL", 1, -1 }, { "F8_E4M3", 1, -1 }, { "F8_E5M2", 1, -1 },
};

static int lookup_dtype(const char *name, int *size, int *dtype)
{
	for (size_t i = 0; i < sizeof st_dtypes / sizeof st_dtypes[0]; i++)
		if (strcmp(name, st_dtypes[i].name) == 0) {
			*size = st_dtypes[i].size;
			*dtype = st_dtypes[i].dtype;
			return 0;
		}
	return -1;
}

static int add_shard(struct safetensors *st, const char *path, struct lwq_err *err)
{
	struct st_shard *grown = realloc(st->shards, (size_t)(st->n_shards + 1) * sizeof *grown);
	if (!grown)
		return lwq_err_set(err, "%s: out of memory", path);
	st->shards = grown;
	struct st_shard *sh = &st->shards[st->n_shards];
	struct stat sb;
	sh->path = strdup(path);
	sh->fd = open(path, O_RDONLY);
	if (!sh->path || sh->fd < 0 || fstat(sh->fd, &sb) != 0) {
		int e = errno;
		if (sh->fd >= 0)
			close(sh->fd);
		free(sh->path);
		return lwq_err_set(err, "%s: cannot open: %s", path, strerror(e));
	}
	sh->size = (uint64_t)sb.st_size;
	st->n_shards++;
	return 0;
}

/* Parses one header entry into t; data_start is where the byte buffer begins. */
static int parse_entry(const char *path, const char *name, json_t *entry,
		       uint64_t data_start, uint64_t data_bytes, struct st_tensor *t,
		       struct lwq_err *err)
{
	json_t *dtype = json_object_get(entry, "dtype");
	json_t *shape = json_object_get(entry, "shape");
	json_t *offsets = json_object_get(entry, "data_offsets");
	int elem, dt;
	if (!json_is_object(entry) || !json_is_string(dtype) || !json_is_array(shape) ||
	    !json_is_array(offsets) || json_array_size(offsets) != 2)
		return lwq_err_set(err, "%s: tensor '%s' lacks dtype, shape or data_offsets",
				   path, name);
	if (lookup_dtype(json_string_value(dtype), &elem, &dt) != 0)
		return lwq_err_set(err, "%s: tensor '%s' has unknown dtype '%s'", path, name,
				   json_string_value(dtype));
	snprintf(t->dtype_name, sizeof t->dtype_name, "%s", json_string_value(dtype));
	t->dtype = dt;
	t->rank = (int)json_array_size(shape);
	if (t->rank > ST_MAX_RANK)
		return lwq_err_set(err, "%s: tensor '%s' has rank %d", path, name, t->rank);
	t->count = 1;
	for (int i = 0; i < t->rank; i++) {
		json_t *d = json_array_get(shape, (size_t)i);
		json_int_t v = json_is_integer(d) ? json_integer_value(d) : -1;
		if (v < 0 || (v > 0 && t->count > MAX_TENSOR_VALUES / v))
			return lwq_err_set(err, "%s: tensor '%s' has a bad shape", path, name);
		t->shape[i] = v;
		t->count *= v;
	}
	json_t *b = json_array_get(offsets, 0), *e = json_array_get(offsets, 1);
	json_int_t begin = json_is_integer(b) ? json_integer_value(b) : -1;
	json_int_t end = json_is_integer(e) ? json_integer_value(e) : -1;
	if (begin < 0 || end < begin || (uint64_t)end > data_bytes)
		return lwq_err_set(err, "%s: tensor '%s' data_offsets [%lld, %lld] outside the "
				   "%llu data bytes (file truncated?)", path, name, (long long)begin, (long long)end,
				   (unsigned long long)data_bytes);
	t->bytes = (uint64_t)(end - begin);
	if (t->bytes != (uint64_t)t->count * (uint64_t)elem)
		return lwq_err_set(err, "%s: tensor '%s' spans %llu bytes but %s x %lld values "
				   "need %llu", path, name, (unsigned long long)t->bytes,
				   t->dtype_name, (long long)t->count,
				   (unsigned long long)((uint64_t)t->count * (uint64_t)elem));
	t->offset = data_start + (uint64_t)begin;
	t->name = strdup(name);
	return t->name ? 0 : lwq_err_set(err, "%s: out of memory", path);
}

static int compare_offset(const void *a, const void *b)
{
	const struct st_tensor *x = *(const struct st_tensor *const *)a;
	const struct st_tensor *y = *(const struct st_tensor *const *)b;
	if (x->shard != y->shard)
		return x->shard < y->shard ? -1 : 1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* The shard's byte buffer from `at` to its end belongs to no tensor; 0 when empty. */
static int check_no_tail(const struct st_shard *sh, uint64_t at, struct lwq_err *err)
{
	if (at == sh->size)
		return 0;
	return lwq_err_set(err, "%s: the last %llu bytes of the data belong to no tensor "
			   "(wrong header length or data_offsets?)", sh->path,
			   (unsigned long long)(sh->size - at));
}

/* Tensors of one shard must fill its byte buffer exactly, in some order: no shared
   bytes, no gaps, nothing left over (as the format requires). Zero-size tensors take
   no room. */
static int check_layout(const struct safetensors *st, struct lwq_err *err)
{
	int n = st->n_tensors;
	const struct st_tensor **order = malloc((size_t)(n > 0 ? n : 1) * sizeof *order);
	if (!order)
		return lwq_err_set(err, "out of memory");
	for (int i = 0; i < n; i++)
		order[i] = &st->tensors[i];
	qsort(order, (size_t)n, sizeof *order, compare_offset);
	int rc = 0, shard = 0;
	uint64_t at = st->n_shards > 0 ? st->shards[0].data_start : 0;
	const struct st_tensor *prev = NULL;
	for (int i = 0; i < n && rc == 0; i++) {
		const struct st_tensor *t = order[i];
		if (t->bytes == 0)
			continue;
		for (; shard < t->shard && rc == 0; shard++, prev = NULL) {
			rc = check_no_tail(&st->shards[shard], at, err);
			at = st->shards[shard + 1].data_start;
		}
		const char *path = st->shards[t->shard].path;
		if (rc == 0 && t->offset < at)
			rc = lwq_err_set(err, "%s: tensors '%s' and '%s' overlap", path,
					 prev ? prev->name : "?", t->name);
		else if (rc == 0 && t->offset > at)
			rc = lwq_err_set(err, "%s: %llu bytes before tensor '%s' belong to no tensor "
					 "(wrong header length or data_offsets?)", path,
					 (unsigned long long)(t->offset - at), t->name);
		at = t->offset + t->bytes;
		prev = t;
	}
	for (; shard < st->n_shards && rc == 0; shard++) {
		rc = check_no_tail(&st->shards[shard], at, err);
		if (shard + 1 < st->n_shards)
			at = st->shards[shard + 1].data_start;
	}
	free(order);
	return rc;
}

static int append_tensors(struct safetensors *st, const char *path, json_t *header,
			  uint64_t data_start, uint64_t data_bytes, struct lwq_err *err)
{
	size_t extra = json_object_size(header);
	struct st_tensor *grown = realloc(st->tensors,
					  (st->n_tensors + extra + 1) * sizeof *grown);
	if (!grown)
		return lwq_err_set(err, "%s: out of memory", path);
	st->tensors = grown;
	const char *name;
	json_t *entry;
	json_object_foreach(header, name, entry) {
		if (strcmp(name, "__metadata__") == 0)
			continue;
		if (safetensors_find(st, name))
			return lwq_err_set(err, "%s: tensor '%s' appears twice", path, name);
		struct st_tensor *t = &st->tensors[st->n_tensors];
		memset(t, 0, sizeof *t);
		t->shard = st->n_shards - 1;
		if (parse_entry(path, name, entry, data_start, data_bytes, t, err) != 0)
			return -1;
		st->n_tensors++;
	}
	return 0;
}

/* Reads and checks the header of the shard just added, appending its tensors. */
static int parse_shard(struct safetensors *st, struct lwq_err *err)
{
	const struct st_shard *sh = &st->shards[st->n_shards - 1];
	uint8_t len_bytes[8];
	if (sh->size < 8 || pread_full(sh->fd, len_bytes, 8, 0) != 0)
		return lwq_err_set(err, "%s: too short for a safetensors file (%llu bytes)",
				   sh->path, (unsigned long long)sh->size);
	uint64_t header_len = 0;
	for (int i = 7; i >= 0; i--)
		header_len = header_len << 8 | len_bytes[i];
	if (header_len > sh->size - 8)
		return lwq_err_set(err, "%s: header length %llu exceeds file size %llu", sh->path,
				   (unsigned long long)header_len, (unsigned long long)sh->size);
	if (header_len > MAX_HEADER_BYTES || header_len < 2)
		return lwq_err_set(err, "%s: implausible header length %llu", sh->path,
				   (unsigned long long)header_len);
	char *text = malloc(header_len);
	if (!text)
		return lwq_err_set(err, "%s: out of memory", sh->path);
	if (pread_full(sh->fd, text, header_len, 8) != 0) {
		free(text);
		return lwq_err_set(err, "%s: cannot read the header", sh->path);
	}
	json_error_t jerr;
	json_t *header = json_loadb(text, header_len, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	if (!json_is_object(header)) {
		json_decref(header);
		return lwq_err_set(err, "%s: header is not a JSON object (%s)", sh->path,
				   header ? "other JSON value" : jerr.text);
	}
	st->shards[st->n_shards - 1].data_start = 8 + header_len;
	int rc = append_tensors(st, sh->path, header, 8 + header_len,
				sh->size - 8 - header_len, err);
	json_decref(header);
	return rc;
}

struct safetensors *safetensors_open_file(const char *path, struct lwq_err *err)
{
	struct safetensors *st = calloc(1, sizeof *st);
	if (!st) {
		lwq_err_set(err, "%s: out of memory", path);
		return NULL;
	}
	if (add_shard(st, path, err) != 0 || parse_shard(st, err) != 0 ||
	    check_layout(st, err) != 0) {
		safetensors_close(st);
		return NULL;
	}
	return st;
}

/* Opens each shard the index names once, then checks every mapped tensor is there. */
static int open_indexed(struct safetensors *st, const char *dir, const char *index_path,
			struct lwq_err *err)
{
	json_error_t jerr;
	json_t *index = json_load_file(index_path, 0, &jerr);
	json_t *map = json_object_get(index, "weight_map");
	int rc = 0;
	if (!json_is_object(map))
		rc = lwq_err_set(err, "%s: %s", index_path,
				 index ? "no weight_map object" : jerr.text);
	const char *name;
	json_t *file;
	json_object_foreach(map, name, file) {
		if (rc != 0)
			break;
		const char *shard = json_string_value(file);
		char path[4096];
		if (!shard || strchr(shard, '/')) {
			rc = lwq_err_set(err, "%s: bad shard name for '%s'", index_path, name);
			break;
		}
		snprintf(path, sizeof path, "%s/%s", dir, shard);
		int k = 0;
		while (k < st->n_shards && strcmp(st->shards[k].path, path) != 0)
			k++;
		if (k == st->n_shards) {
			struct stat sb;
			if (stat(path, &sb) != 0)
				rc = lwq_err_set(err, "%s: shard '%s' (named in %s) is missing",
						 path, shard, "model.safetensors.index.json");
			else
				rc = add_shard(st, path, err) || parse_shard(st, err);
		}
		if (rc == 0) {
			const struct st_tensor *t = safetensors_find(st, name);
			if (!t || t->shard != k)
				rc = lwq_err_set(err, "%s: tensor '%s' named in the index is not in it",
						 path, name);
		}
	}
	json_decref(index);
	return rc ? -1 : check_layout(st, err);
}

struct safetensors *safetensors_open_dir(const char *dir, struct lwq_err *err)
{
	char path[4096];
	struct stat sb;
	snprintf(path, sizeof path, "%s/model.safetensors.index.json", dir);
	if (stat(path, &sb) != 0) {
		snprintf(path, sizeof path, "%s/model.safetensors", dir);
		if (stat(path, &sb) != 0) {
			lwq_err_set(err, "%s: no model.safetensors or model.safetensors.index.json",
				    dir);
			return NULL;
		}
		return safetensors_open_file(path, err);
	}
	struct safetensors *st = calloc(1, sizeof *st);
	if (!st) {
		lwq_err_set(err, "%s: out of memory", dir);
		return NULL;
	}
	if (open_indexed(st, dir, path, err) != 0) {
		safetensors_close(st);
		return NULL;
	}
	return st;
}

void safetensors_close(struct safetensors *st)
{
	if (!st)
		return;
	for (int i = 0; i < st->n_shards; i++) {
		close(st->shards[i].fd);
		free(st->shards[i].path);
	}
	for (int i = 0; i < st->n_tensors; i++)
		free(st->tensors[i].name);
	free(st->shards);
	free(st->tensors);
	free(st);
}

const struct st_tensor *safetensors_find(const struct safetensors *st, const char *name)
{
	for (int i = 0; i < st->n_tensors; i++)
		if (strcmp(st->tensors[i].name, name) == 0)
			return &st->tensors[i];
	return NULL;
}

const char *safetensors_shard_path(const struct safetensors *st, const struct st_tensor *t)
{
	return st->shards[t->shard].path;
}

int safetensors_read(const struct safetensors *st, const struct st_tensor *t, void *dst,
		     struct lwq_err *err)
{
	const struct st_shard *sh = &st->shards[t->shard];
	if (pread_full(sh->fd, dst, (size_t)t->bytes, t->offset) != 0)
		return lwq_err_set(err, "%s: cannot read tensor '%s' (file changed or truncated?)",
				   sh->path, t->name);
	return 0;
}
