/* run_tokens.h: token options shared by eval and capture (--text/--ids, offset, windows). */
#ifndef LWQ_RUN_TOKENS_H
#define LWQ_RUN_TOKENS_H

#include <stdint.h>

#include "model_h5.h"
#include "options.h"
#include "status.h"

struct run_tokens {
	const char *text_path, *ids_path;
	int64_t offset;
	int windows;               /* 0: as many full windows as the tokens allow */
	int seq_len;
	int threads;               /* --threads (capture, eval): BLAS threads, 0 = default */
	int windows_defaulted;     /* set by run_tokens_load when it chose `windows` */
	int max_windows;           /* cap on the windows chosen by default; 0: no cap */
};

/* The table entries of the shared token options, for a verb whose options struct `type`
   holds a struct run_tokens named `member`; `windows_help` says the verb's default. */
#define RUN_TOKENS_OPTS(type, member, windows_help) \
	OPT_STR("text", 't', "FILE", type, member.text_path, \
		"UTF-8 text, tokenized with the model's tokenizer"), \
	OPT_STR("ids", 'i', "FILE.i32", type, member.ids_path, "token ids, little-endian int32"), \
	OPT_INT("offset", 'O', "N", type, member.offset, 0, INT64_MAX, \
		"skip the first N tokens (default 0)"), \
	OPT_INT("windows", 'w', "W", type, member.windows, 1, 1 << 20, windows_help), \
	OPT_INT("seq-len", 'L', "L", type, member.seq_len, 2, 1 << 20, \
		"tokens per window (default 512)")
/* --threads, for the verbs that run the forward pass. */
#define RUN_TOKENS_THREADS(type, member) \
	OPT_INT("threads", 'T', "N", type, member.threads, 1, 1024, \
		"BLAS threads (default: OPENBLAS_NUM_THREADS or all cores)")

/* Checks that exactly one source was given (usage error otherwise): 0 or exit status. */
int run_tokens_check(const char *verb, const struct run_tokens *rt);

/* After options_parse: the MODEL.h5 operand into *model, then run_tokens_check; when
   all is well, applies --threads to BLAS. */
int run_tokens_finish(const char *verb, int argc, char **argv, const struct run_tokens *rt,
		      const char **model);

/* Loads the run's ids (windows * seq_len of them). With windows == 0, takes every full
   window after the offset (at least one), sets windows and windows_defaulted; a text is
   tokenized once for both. */
int run_tokens_load(struct model_file *mf, struct run_tokens *rt, int32_t **ids,
		    struct lwq_err *err);

/* A note on stderr (not under --quiet) when windows are longer than the positions the
   model was trained for: the run is valid, but its figures describe extrapolation. */
void run_tokens_warn_length(const char *verb, struct model_file *mf,
			    const struct run_tokens *rt);

/* The token range [*begin, *end) capture took its activations from, when they came from
   the same file as rt's source: 1, else 0 (no activations, or another file). */
int run_tokens_calibration(struct model_file *mf, const struct run_tokens *rt,
			   int64_t *begin, int64_t *end);

/* "text:PATH" or "ids:PATH", for the record in the model file and in JSON. */
const char *run_tokens_source(const struct run_tokens *rt, char *buf, size_t len);

#endif
