/* method_option.h: the --method and --score-from options shared by eval, sweep and score. */
#ifndef LWQ_METHOD_OPTION_H
#define LWQ_METHOD_OPTION_H

#include <stdio.h>

#include "options.h"
#include "quant_method.h"

/* The quantizers --method accepts, indexed by enum quant_method. */
extern const char *const method_option_names[];

/* --method into an int field holding an enum quant_method. */
#define METHOD_OPT(type, field) \
	OPT_CHOICE("method", 0, "METHOD", type, field, method_option_names, \
		   "how the plan's bits become weights: rtn (lwq's round-to-nearest with the " \
		   "plan's group size, as the lwq format stores them; default), gguf (the " \
		   "block types and codes of the GGUF export), gptq (error-compensated, " \
		   "from the captured windows) or gguf-gptq (gptq onto the GGUF block types)")

/* --score-from into an int field. */
#define SCORE_FROM_OPT(type, field) \
	OPT_INT("score-from", 0, "K", type, field, 0, 1 << 20, \
		"count only predictions at positions >= K of each window (default 0; " \
		"llama-perplexity scores the second half: 256 for windows of 512)")

/* What the positions scored are called in reports and JSON: "every prediction",
   "llama-perplexity (positions n/2..n-2)" or "positions K..n-2". */
const char *score_from_convention(int score_from, int seq_len, char *buf, size_t len);

#endif
