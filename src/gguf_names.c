/* gguf_names.c: llama.cpp's tensor names for lwq's seven layer linears. */
#include "gguf_names.h"

const char *const gguf_linear_names[LIN_COUNT] = {
	"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down",
};
