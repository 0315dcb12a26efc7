/* imatrix_file.h: llama.cpp's importance-matrix file from the activations capture measured. */
#ifndef LWQ_IMATRIX_FILE_H
#define LWQ_IMATRIX_FILE_H

#include "model_h5.h"
#include "status.h"

/* The root attribute of /activations recording the last imatrix written from them, so
   that plan --emit llama-quantize can pass it on. */
#define IMATRIX_PATH_ATTR "imatrix_file"

/* Writes path (atomically; overwrite as for outputs) in the binary layout
   llama-quantize --imatrix reads: int32 entry count; per entry int32 name length, the
   name ("blk.N.attn_q.weight" ...), int32 call count, int32 value count, f32 values;
   then int32 chunk count and int32 length + bytes of the dataset name. One entry per
   linear of every layer (source numbering, as in an F16 export), values the mean of x^2
   of each input column over the captured tokens times the call count (llama-quantize
   divides by it), calls and chunks = captured windows. Fails with "run lwq capture"
   when the file has no /activations/input_sq. */
int imatrix_write(struct model_file *mf, const char *path, int overwrite, struct lwq_err *err);

/* Importance weights of linear k of layer `layer` (cols of them): the mean of x^2 of each
   input column over the captured tokens, plus a floor of 1e-3 of their average so no
   value is ignored entirely. Returns 1 when filled, 0 when the model has no statistics
   for that linear (w untouched), -1 on a read error (err set). */
int importance_read(struct model_file *mf, int layer, int k, int64_t cols, float *w,
		    struct lwq_err *err);
/* 1 when the model carries capture's per-column statistics. */
int importance_available(struct model_file *mf);

#endif
