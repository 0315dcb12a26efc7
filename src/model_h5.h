/* model_h5.h: the lwq HDF5 model file (layout in man/lwq-format.5), read and written. */
#ifndef LWQ_MODEL_H5_H
#define LWQ_MODEL_H5_H

#include <stddef.h>
#include <stdint.h>

#include "model_config.h"
#include "numeric.h"
#include "status.h"

#define LWQ_FORMAT_NAME "lwq-model"
#define LWQ_FORMAT_MAJOR 1
#define LWQ_FORMAT_MINOR 0

/* Layout summary (authoritative text: man/lwq-format.5):
 *   /                          attrs: format, format_version [major, minor], architecture,
 *                              source, source_format, model_name, lwq_version, and every
 *                              model_config field under its Hugging Face config.json name
 *   /weights/embed             [vocab, hidden]
 *   /weights/final_norm        [hidden]
 *   /weights/lm_head           [vocab, hidden]   (absent when tied_embeddings = 1)
 *   /weights/layers/NNN/       NNN = zero-padded 3-digit layer index ("000", "001", ...)
 *        attn_norm, mlp_norm   [hidden]
 *        q k v o gate up down  [out, in]          row-major like Hugging Face
 *        q_bias k_bias v_bias  [out]              (only when qkv_bias = 1)
 *        q_norm k_norm         [head_dim]         (only when qk_norm = 1)
 *   Every weight dataset has attr "dtype" = "f32" | "f16" | "bf16"; f16 and bf16 are
 *   stored as 16-bit unsigned integers holding the raw bits (HDF5 1.10 has no half type).
 *   Datasets are chunked in bands of whole rows of about 1 MiB, uncompressed.
 *   /tokenizer                 group, attr "kind" = "hf-tokenizer-json" | "none";
 *        json                  uint8 [n] the raw tokenizer.json bytes
 *   /activations, /scores, /plans, /sweeps: written by capture, score, plan, sweep.
 */

/* Serial HDF5: use a model_file from one thread at a time, and do not open one path twice
   with different access in one process. Functions returning int give 0 on success and
   -1 with err filled ("FILE: problem"). */
struct model_file;

/* Name of a weight relative to /weights: "embed", "final_norm", "lm_head", or a layer
   tensor via weight_name(buf, layer, "q"). Returns buf. */
char *weight_name(char *buf, size_t len, int layer, const char *tensor);

/* ---- writing (import) ---- */

/* Creates a new model file at path (must not exist: the caller writes to a temp path
   and renames). Writes the root attributes from cfg. */
struct model_file *model_file_create(const char *path, const struct model_config *cfg,
				     const char *source, const char *model_name,
				     struct lwq_err *err);

/* Writes one weight (name relative to /weights, intermediate groups created), chunked so
   one tensor can be read on its own. data holds prod(dims) values of dtype dt. */
int model_file_write_weight(struct model_file *mf, const char *name, enum dtype dt,
			    const void *data, int rank, const int64_t *dims,
			    struct lwq_err *err);

/* ---- linked weights (import --link; src/model_h5_link.c) ---- */

/* Writes /weights/<name> as a contiguous dataset whose bytes are `bytes` bytes at
   `offset` in `file` (an absolute path), in the file type of dt, little-endian: HDF5
   external storage, nothing copied. bytes must equal prod(dims) x the size of dt. */
int model_file_link_weight(struct model_file *mf, const char *name, enum dtype dt, int rank,
			   const int64_t *dims, const char *file, uint64_t offset,
			   uint64_t bytes, struct lwq_err *err);
/* Records file's path, size and mtime under /linked_sources/NNN. */
int model_file_record_link_source(struct model_file *mf, const char *file,
				  struct lwq_err *err);
/* Number of recorded link sources (0 for a self-contained file). */
int model_file_link_sources(struct model_file *mf);
/* -1 with "FILE: problem" when a recorded source is missing or its size or mtime
   changed; model_file_open calls it, so no weight is ever read from a changed file. */
int model_file_check_link_sources(struct model_file *mf, struct lwq_err *err);

/* ---- opening and reading ---- */

/* Opens an existing lwq model file; rejects other formats and newer major versions. */
struct model_file *model_file_open(const char *path, int writable, struct lwq_err *err);
/* Closes (NULL is fine); -1 when HDF5 could not write what it still held (disk full):
   a file written through this handle is then incomplete. */
int model_file_close(struct model_file *mf);

const struct model_config *model_file_config(const struct model_file *mf);
const char *model_file_path(const struct model_file *mf);
/* Messages name `path` instead of the file actually open (a temp file or working copy). */
void model_file_set_display_path(struct model_file *mf, const char *path);
/* The file's format_version attribute (major is LWQ_FORMAT_MAJOR or older). */
void model_file_format_version(const struct model_file *mf, int *major, int *minor);
/* Root attrs "source" and "model_name" ("" when absent). */
const char *model_file_source(const struct model_file *mf);
const char *model_file_model_name(const struct model_file *mf);

struct tensor_info {
	enum dtype dtype;
	int rank;
	int64_t dims[4];
	int64_t count;             /* product of dims */
};

/* 0 and fills info when /weights/<name> exists; -1 with a message otherwise. */
int model_file_weight_info(struct model_file *mf, const char *name,
			   struct tensor_info *info, struct lwq_err *err);
/* Reads /weights/<name> converted to f32 into dst (count values, must equal the size). */
int model_file_read_weight_f32(struct model_file *mf, const char *name, float *dst,
			       int64_t count, struct lwq_err *err);
/* Reads the stored bytes as they are (f16/bf16 as raw 16-bit words). */
int model_file_read_weight_raw(struct model_file *mf, const char *name, void *dst,
			       size_t bytes, struct lwq_err *err);

/* ---- quantized weights (lwq export --format lwq; src/model_h5_quant.c) ----
   model_file_weight_info and model_file_read_weight_f32 dequantize them transparently. */

/* Writes /weights/<name> as a group: "codes" uint8 [ceil(bits*rows*cols/8)] (the
   row-major codes packed with pack_codes), "scales" and "zeros" f16 [rows, cols/group_size],
   attrs bits, group_size, rows, cols and quantizer = "rtn-asym". scales and zeros are
   stored as f16, so they must be f16 values already (rtn_quantize's are). */
int model_file_write_quantized(struct model_file *mf, const char *name, int bits,
			       int group_size, int64_t rows, int64_t cols, const uint8_t *packed,
			       const float *scales, const float *zeros, struct lwq_err *err);
/* Sets the root attributes quantized = 1 and format_version [1, 1]: minor version 1 is
   the first whose weights may be quantized groups. */
#define LWQ_FORMAT_MINOR_QUANTIZED 1
int model_file_mark_quantized(struct model_file *mf, struct lwq_err *err);
/* Width of /weights/<name>: 0 for a plain dataset, its bits when quantized, -1 when absent. */
int model_file_weight_bits(struct model_file *mf, const char *name);
/* Call before any other model_file function when writing may fail half-way (disk full):
   HDF5 1.10 crashes in its exit-time cleanup if a file could not be closed, so this
   turns that cleanup off (every file must then be closed explicitly, as lwq does). */
void model_file_no_exit_cleanup(void);
/* Copies the attributes of from_path in src that to_path in dst does not have yet. */
int model_file_copy_attrs(struct model_file *src, const char *from_path,
			  struct model_file *dst, const char *to_path, struct lwq_err *err);

/* ---- generic datasets and attributes (activations, scores, plans, sweeps) ----
   path is absolute ("/scores/lim"); intermediate groups are created; an existing
   dataset at path is replaced. */
int model_file_exists(struct model_file *mf, const char *path);
int model_file_delete(struct model_file *mf, const char *path);
/* Moves (renames) the object at `from` to `to` (which must not exist), e.g. to swap in a
   group written under a temporary name. */
int model_file_rename(struct model_file *mf, const char *from, const char *to,
		      struct lwq_err *err);
int model_file_put_f32(struct model_file *mf, const char *path, const float *data,
		       int rank, const int64_t *dims, struct lwq_err *err);
int model_file_put_f16(struct model_file *mf, const char *path, const float *data,
		       int rank, const int64_t *dims, struct lwq_err *err);
int model_file_put_i32(struct model_file *mf, const char *path, const int32_t *data,
		       int rank, const int64_t *dims, struct lwq_err *err);
int model_file_put_bytes(struct model_file *mf, const char *path, const void *data,
			 size_t n, struct lwq_err *err);
/* Shape of any dataset; -1 when absent. */
int model_file_dataset_info(struct model_file *mf, const char *path,
			    struct tensor_info *info, struct lwq_err *err);
/* Reads a whole dataset (f32, f16-as-float or integer) converted to f32 / i32. */
int model_file_get_f32(struct model_file *mf, const char *path, float *dst, int64_t count,
		       struct lwq_err *err);
int model_file_get_i32(struct model_file *mf, const char *path, int32_t *dst, int64_t count,
		       struct lwq_err *err);
/* Reads rows [row0, row0+nrows) of a 2-D or 3-D dataset along its first dimension. */
int model_file_get_f32_rows(struct model_file *mf, const char *path, int64_t row0,
			    int64_t nrows, float *dst, struct lwq_err *err);
/* Reads a uint8 dataset into a malloc'd, NUL-terminated buffer (*n excludes the NUL). */
int model_file_get_bytes(struct model_file *mf, const char *path, char **out, size_t *n,
			 struct lwq_err *err);

/* Attributes on a group or dataset at path ("/" for the root). Group is created if
   missing when setting. Getters return -1 when absent. */
int model_file_set_attr_str(struct model_file *mf, const char *path, const char *name,
			    const char *value, struct lwq_err *err);
int model_file_set_attr_f64(struct model_file *mf, const char *path, const char *name,
			    double value, struct lwq_err *err);
int model_file_set_attr_i64(struct model_file *mf, const char *path, const char *name,
			    int64_t value, struct lwq_err *err);
int model_file_get_attr_str(struct model_file *mf, const char *path, const char *name,
			    char *buf, size_t len);
int model_file_get_attr_f64(struct model_file *mf, const char *path, const char *name,
			    double *value);
int model_file_get_attr_i64(struct model_file *mf, const char *path, const char *name,
			    int64_t *value);

/* Names of the direct children of a group (malloc'd array of malloc'd strings, sorted);
   free with model_file_free_names. Returns count, or -1. */
int model_file_list(struct model_file *mf, const char *path, char ***names);
void model_file_free_names(char **names, int n);

/* Flushes everything to disk. */
int model_file_flush(struct model_file *mf, struct lwq_err *err);

#endif
