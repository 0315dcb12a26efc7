/* quant_method.h: how a plan's bits become weights: the quantizer a run applies. */
#ifndef LWQ_QUANT_METHOD_H
#define LWQ_QUANT_METHOD_H

/* RTN: lwq's group-wise round-to-nearest (method.md section 4), what `--format lwq`
   stores. GGUF: exactly the block types and codes `export --format gguf` writes for
   the plan (short-row fallbacks included). GPTQ: error-compensated rounding onto the
   RTN grid from calibration activations. */
enum quant_method {
	QUANT_RTN = 0,
	QUANT_GGUF,
	QUANT_GPTQ,
};

/* "rtn", "gguf", "gptq". */
const char *quant_method_name(enum quant_method m);
/* Parses a name; returns 0 and sets *m, or -1 for an unknown name. */
int quant_method_parse(const char *name, enum quant_method *m);

#endif
