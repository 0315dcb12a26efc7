/* size_target.h: what a plan's sizes count: lwq's own storage or the GGUF file's tensors. */
#ifndef LWQ_SIZE_TARGET_H
#define LWQ_SIZE_TARGET_H

#include <stdint.h>

#include "model_config.h"
#include "plan.h"

/* LWQ: packed RTN codes plus an f16 scale and zero per group (layer_bytes_rtn), the rest
   at 16 bits (fixed_bytes). GGUF: the bytes `lwq export --format gguf` gives the tensors
   (metadata and the tokenizer not counted): each linear in its block type, short-row
   fallbacks included (gguf_type_for_bits), the two norms of a kept layer in F32, token
   embedding and output in F16, the final norm in F32. */
enum size_target { SIZE_LWQ = 0, SIZE_GGUF };

/* "lwq", "gguf"; parse returns -1 for anything else. */
const char *size_target_name(enum size_target t);
int size_target_parse(const char *name, enum size_target *t);

/* One layer's bytes at `bits` (0: a dropped layer, 0 bytes); -1 when the target has no
   storage for that width. group_size is only used by LWQ. */
int64_t layer_bytes_gguf(const struct model_config *cfg, int bits, int group_size);
int64_t fixed_bytes_gguf(const struct model_config *cfg);
int64_t layer_bytes_for(const struct model_config *cfg, enum size_target t, int bits,
			int group_size);
int64_t fixed_bytes_for(const struct model_config *cfg, enum size_target t);
/* Total bytes of a plan in the target. */
int64_t plan_bytes_for(const struct model_config *cfg, enum size_target t,
		       const struct bit_plan *plan);

#endif
