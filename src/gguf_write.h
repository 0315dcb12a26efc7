/* gguf_write.h: a streaming GGUF v3 writer (metadata and tensor infos first, then data). */
#ifndef LWQ_GGUF_WRITE_H
#define LWQ_GGUF_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define GGUF_MAGIC "GGUF"
#define GGUF_VERSION 3
#define GGUF_DEFAULT_ALIGNMENT 32

/* Metadata value types (GGUF spec). */
enum gguf_value_type {
	GGUF_VT_UINT8 = 0, GGUF_VT_INT8 = 1, GGUF_VT_UINT16 = 2, GGUF_VT_INT16 = 3,
	GGUF_VT_UINT32 = 4, GGUF_VT_INT32 = 5, GGUF_VT_FLOAT32 = 6, GGUF_VT_BOOL = 7,
	GGUF_VT_STRING = 8, GGUF_VT_ARRAY = 9, GGUF_VT_UINT64 = 10, GGUF_VT_INT64 = 11,
	GGUF_VT_FLOAT64 = 12,
};

struct gguf_writer;

/* Writes general.alignment = alignment (a multiple of 8) as the first key. */
struct gguf_writer *gguf_writer_new(uint32_t alignment);
void gguf_writer_free(struct gguf_writer *w);

/* Metadata, kept in the order added. */
void gguf_kv_str(struct gguf_writer *w, const char *key, const char *value);
void gguf_kv_u32(struct gguf_writer *w, const char *key, uint32_t value);
void gguf_kv_f32(struct gguf_writer *w, const char *key, float value);
void gguf_kv_bool(struct gguf_writer *w, const char *key, int value);
void gguf_kv_str_array(struct gguf_writer *w, const char *key, const char *const *values,
		       uint64_t n);
void gguf_kv_f32_array(struct gguf_writer *w, const char *key, const float *values, uint64_t n);
void gguf_kv_i32_array(struct gguf_writer *w, const char *key, const int32_t *values,
		       uint64_t n);

/* Declares a tensor (ne[0] is the innermost, contiguous dimension, as in ggml) of a
   type from gguf_quants.h. Tensors must later be written in the order declared.
   Returns its index, or -1 with err set (bad name, shape not a multiple of the block). */
int gguf_add_tensor(struct gguf_writer *w, const char *name, int type, int n_dims,
		    const int64_t *ne, struct lwq_err *err);
/* Bytes of tensor i's data, and the size the whole file will have. */
size_t gguf_tensor_bytes(const struct gguf_writer *w, int i);
uint64_t gguf_file_bytes(const struct gguf_writer *w);

/* Creates path and writes header, metadata, tensor infos and padding. */
int gguf_write_begin(struct gguf_writer *w, const char *path, struct lwq_err *err);
/* Appends n bytes of tensor data; a tensor may arrive in several pieces. Alignment
   padding is added when a tensor's last byte has arrived. */
int gguf_write_data(struct gguf_writer *w, const void *data, size_t n, struct lwq_err *err);
/* Checks every declared byte was written, then flushes and closes the file. */
int gguf_write_end(struct gguf_writer *w, struct lwq_err *err);

#endif
