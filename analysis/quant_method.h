/* quant_method.h: how a plan's bits become weights: the quantizer a run applies. */
#ifndef LWQ_QUANT_METHOD_H
#define LWQ_QUANT_METHOD_H

#include <stdint.h>

#include "status.h"

/* RTN: lwq's group-wise round-to-nearest (docs/method.md section 4), what `--format lwq`
   stores. GGUF: exactly the block types and codes `export --format gguf` writes for
   the plan (short-row fallbacks included). GPTQ: error-compensated rounding onto the
   RTN grid from calibration activations. GGUF_GPTQ: the same onto the GGUF block types,
   each block's scales fitted first, what `export --format gguf --method gptq` writes. */
enum quant_method {
	QUANT_RTN = 0,
	QUANT_GGUF,
	QUANT_GPTQ,
	QUANT_GGUF_GPTQ,
};

/* "rtn", "gguf", "gptq", "gguf-gptq". */
const char *quant_method_name(enum quant_method m);
/* Parses a name; returns 0 and sets *m, or -1 for an unknown name. */
int quant_method_parse(const char *name, enum quant_method *m);

/* 1 for the methods whose grids are GGUF's block types (GGUF, GGUF_GPTQ). */
int quant_method_is_gguf(enum quant_method m);

/* 1 when the method rounds each linear from its own weights alone (RTN, GGUF), so
   fake_quant_linear can apply it; 0 when it needs more (GPTQ: calibration inputs), in
   which case a run takes a layer quantizer from the caller (see layer_pass.h). */
int quant_method_weight_only(enum quant_method m);

/* Widths the method can store, and the message for one it cannot:
   "gguf stores 2, 3, 4, 5, 6 or 8 bits, not 7" (the same for gguf-gptq). bits 0
   (pruned) and >= 16 (as stored) are always accepted. */
int quant_method_check_bits(enum quant_method m, int bits, struct lwq_err *err);

/* Quantizes then dequantizes a row-major [rows, cols] linear in place at `bits`:
     RTN   rtn_fake_quant with groups of group_size;
     GGUF  each row encoded in gguf_type_for_bits(bits, cols) (Q2_K..Q6_K, Q8_0, or the
           Q4_0/Q5_0/Q8_0/F16 fallback for rows the 256-blocks do not divide) and decoded,
           the exporter's type choice and codes; group_size is not used.
   bits >= 16 leaves w as it is. Fails for GPTQ (not weight-only) and for widths the
   method cannot store. */
int fake_quant_linear(enum quant_method m, float *w, int64_t rows, int64_t cols, int bits,
		      int group_size, struct lwq_err *err);

#endif
