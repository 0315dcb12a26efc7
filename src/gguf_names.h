/* gguf_names.h: how lwq's layer tensors are named and typed in llama.cpp's GGUF files. */
#ifndef LWQ_GGUF_NAMES_H
#define LWQ_GGUF_NAMES_H

#include "gguf_quants.h"
#include "model_config.h"

/* llama.cpp's names for the seven linears, in enum linear_kind order:
   attn_q attn_k attn_v attn_output ffn_gate ffn_up ffn_down ("blk.N.<name>.weight"). */
extern const char *const gguf_linear_names[LIN_COUNT];

/* The GGUF type of linear `kind` of a layer planned at `bits` (gguf_type_for_bits on the
   linear's row length); -1 when GGUF has no type for that width. */
static inline int gguf_linear_type(const struct model_config *cfg, enum linear_kind kind,
				   int bits)
{
	int64_t rows, cols;
	linear_shape(cfg, kind, &rows, &cols);
	return gguf_type_for_bits(bits, cols);
}

#endif
