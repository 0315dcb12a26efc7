/* gguf_read.h: a GGUF v3 reader (metadata, tensor infos, tensor data), used by the tests. */
#ifndef LWQ_GGUF_READ_H
#define LWQ_GGUF_READ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gguf_write.h"
#include "status.h"

struct gguf_kv {
	char *key;
	int type;                  /* enum gguf_value_type */
	int array_type;            /* element type when type == GGUF_VT_ARRAY */
	uint64_t n;                /* array length */
	uint64_t u;                /* unsigned integers and bool */
	int64_t i;                 /* signed integers (also set for unsigned ones) */
	double f;                  /* floats */
	char *str;                 /* strings */
	char **strs;               /* string arrays */
	int64_t *ints;             /* integer arrays, widened */
};

struct gguf_tensor {
	char *name;
	int type;
	int n_dims;
	int64_t ne[4];
	int64_t n_elems;
	uint64_t offset;           /* relative to the data section */
	size_t bytes;
};

struct gguf_file {
	FILE *f;
	char path[4096];
	uint32_t version, alignment;
	uint64_t file_size, data_start;
	int n_kv, n_tensors;
	struct gguf_kv *kv;
	struct gguf_tensor *tensors;
};

/* Parses and validates the header, metadata and tensor infos (bounds, alignment,
   known types, data inside the file). */
struct gguf_file *gguf_open(const char *path, struct lwq_err *err);
void gguf_close(struct gguf_file *g);

const struct gguf_kv *gguf_find_kv(const struct gguf_file *g, const char *key);
/* Integer value of a scalar integer key, or string of a string key; -1 when absent or
   of another kind. */
int gguf_get_int(const struct gguf_file *g, const char *key, int64_t *value);
const char *gguf_get_str(const struct gguf_file *g, const char *key);
/* Index of a tensor by name, or -1. */
int gguf_find_tensor(const struct gguf_file *g, const char *name);

/* Reads tensor i's stored bytes (bytes must equal its size), or its values as f32. */
int gguf_read_tensor_raw(struct gguf_file *g, int i, void *dst, size_t bytes,
			 struct lwq_err *err);
int gguf_read_tensor_f32(struct gguf_file *g, int i, float *dst, int64_t count,
			 struct lwq_err *err);

#endif
