/* layer_io.h: one layer (or the embedding and head) read from the model file as f32. */
#ifndef LWQ_LAYER_IO_H
#define LWQ_LAYER_IO_H

#include <stdint.h>

#include "forward.h"
#include "model_h5.h"
#include "quant_method.h"
#include "status.h"

/* Reads layer `layer`'s linears, norms and (when qkv_bias) biases into lw, which
   layer_weights_new made for the file's config. */
int layer_weights_read(struct model_file *mf, int layer, struct layer_weights *lw,
		       struct lwq_err *err);

/* Fake-quantizes the seven linears in place with a weight-only method (fake_quant_linear:
   RTN with groups of group_size, or GGUF's block types); bits >= 16 leaves them as they
   are. Errors name the linear ("q: ..."). */
int layer_weights_quantize(const struct model_config *cfg, struct layer_weights *lw,
			   enum quant_method method, int bits, int group_size,
			   struct lwq_err *err);

/* Reads layer `layer` as stored, checking that every value is finite ("FILE: layer 7:
   NaN or infinity in weight q"). */
int layer_weights_load(struct model_file *mf, int layer, struct layer_weights *lw,
		       struct lwq_err *err);

/* A whole weight (relative to /weights) as a malloc'd f32 array of exactly `count` values,
   checked finite. NULL with a message otherwise. */
float *weight_read_alloc(struct model_file *mf, const char *name, int64_t count,
			 struct lwq_err *err);

/* x[t] = embed[ids[t]] for `tokens` ids in [0, vocab), the embedding read in bands of
   rows (never whole), each band checked finite. */
int embed_read_tokens(struct model_file *mf, const int32_t *ids, int64_t tokens, float *x,
		      struct lwq_err *err);

#endif
