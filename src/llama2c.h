/* llama2c.h: reads a llama2.c checkpoint (legacy .bin: 7 int32 header, f32 weights). */
#ifndef LWQ_LLAMA2C_H
#define LWQ_LLAMA2C_H

#include <stdint.h>

#include "model_config.h"
#include "status.h"

struct llama2c;

/* Opens path, checks the header and that the file size matches it exactly. The config
   is reported as LlamaForCausalLM, rope_theta 10000, rms_norm_eps 1e-5. */
struct llama2c *llama2c_open(const char *path, struct lwq_err *err);
void llama2c_close(struct llama2c *l);
const struct model_config *llama2c_config(const struct llama2c *l);

/* Reads one tensor by its lwq name ("embed", "final_norm", "lm_head", or with layer >= 0:
   "attn_norm", "mlp_norm", "q", "k", "v", "o", "gate", "up", "down") into dst, in the
   Hugging Face convention: [out, in] rows, and q/k rows of each head reordered from
   llama2.c's interleaved RoPE pairs to rotate_half order (even rows, then odd rows).
   count must equal the tensor's size. */
int llama2c_read(struct llama2c *l, int layer, const char *tensor, float *dst,
		 int64_t count, struct lwq_err *err);

/* The reordering llama2c_read applies to q and k: HF row h*hd + j takes llama2.c row
   h*hd + 2j for j < hd/2, and row h*hd + 2(j - hd/2) + 1 otherwise. */
int64_t llama2c_source_row(int64_t hf_row, int head_dim);

#endif
