/* safetensors.h: reads Hugging Face .safetensors files (one file or an indexed set of
   shards), validating the header and reading one tensor at a time. */
#ifndef LWQ_SAFETENSORS_H
#define LWQ_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "numeric.h"
#include "status.h"

#define ST_MAX_RANK 8

struct st_tensor {
	char *name;
	char dtype_name[16];       /* as written in the header: "BF16", "I64", ... */
	int dtype;                 /* enum dtype, or -1 when the dtype is not F32/F16/BF16 */
	int rank;
	int64_t shape[ST_MAX_RANK];
	int64_t count;             /* product of shape */
	uint64_t offset;           /* absolute byte offset in its shard */
	uint64_t bytes;
	int shard;
};

struct st_shard {
	char *path;
	int fd;
	uint64_t size;
	uint64_t data_start;       /* 8 + header length: where the byte buffer begins */
};

struct safetensors {
	struct st_shard *shards;
	int n_shards;
	struct st_tensor *tensors;
	int n_tensors;
};

/* Opens one .safetensors file. Validates: header length within the file, valid JSON,
   every entry's dtype, shape and data_offsets (in range, size = dtype x shape), and that
   the tensors fill the byte buffer exactly: no overlaps, no gaps, nothing after the last
   (a wrong header length would otherwise shift every tensor). Unknown dtype names are errors; known non-float dtypes (I64, ...) are
   accepted here with dtype = -1 so the caller can say which tensor is unusable. */
struct safetensors *safetensors_open_file(const char *path, struct lwq_err *err);
/* Opens a model directory: model.safetensors.index.json (weight_map naming shards) if
   present, else model.safetensors. */
struct safetensors *safetensors_open_dir(const char *dir, struct lwq_err *err);
void safetensors_close(struct safetensors *st);

const struct st_tensor *safetensors_find(const struct safetensors *st, const char *name);
const char *safetensors_shard_path(const struct safetensors *st, const struct st_tensor *t);
/* Reads the tensor's bytes (t->bytes of them, little-endian as stored) into dst. */
int safetensors_read(const struct safetensors *st, const struct st_tensor *t, void *dst,
		     struct lwq_err *err);

#endif
