/* layer_io.h: one layer (or the embedding and head) read from the model file as f32. */
#ifndef LWQ_LAYER_IO_H
#define LWQ_LAYER_IO_H

#include <stdint.h>

#include "forward.h"
#include "model_h5.h"
#include "status.h"

/* Reads layer `layer`'s linears, norms and (when qkv_bias) biases into lw, which
   layer_weights_new made for the file's config. */
int layer_weights_read(struct model_file *mf, int layer, struct layer_weights *lw,
		       struct lwq_err *err);

/* Fake-quantizes the seven linears in place with RTN at `bits` (2, 3, 4, 8) and groups of
   group_size; bits >= 16 leaves them as they are. */
int layer_weights_quantize(const struct model_config *cfg, struct layer_weights *lw,
			   int bits, int group_size, struct lwq_err *err);

/* Reads layer `layer` ready for a run: weights, fake quantization at `bits` (or none when
   bits >= 16), and a check that every value is finite ("FILE: layer 7: NaN or infinity
   in weight q"). */
int layer_weights_load(struct model_file *mf, int layer, int bits, int group_size,
		       struct layer_weights *lw, struct lwq_err *err);

/* A whole weight (relative to /weights) as a malloc'd f32 array of exactly `count` values,
   checked finite. NULL with a message otherwise. */
float *weight_read_alloc(struct model_file *mf, const char *name, int64_t count,
			 struct lwq_err *err);

/* The LM head: /weights/lm_head, or the embedding when the model ties them. */
float *head_read_alloc(struct model_file *mf, struct lwq_err *err);

#endif
