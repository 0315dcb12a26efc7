/* run_tokens.h: token options shared by eval and capture (--text/--ids, offset, windows). */
#ifndef LWQ_RUN_TOKENS_H
#define LWQ_RUN_TOKENS_H

#include <stdint.h>

#include "model_h5.h"
#include "status.h"

struct run_tokens {
	const char *text_path, *ids_path;
	int64_t offset;
	int windows;               /* 0: as many full windows as the tokens allow */
	int seq_len;
	int threads;               /* -j/--threads (capture, eval): BLAS threads, 0 = default */
	int windows_defaulted;     /* set by run_tokens_load when it chose `windows` */
};

/* Handles one getopt result for the shared options: 1 when it was one of them, 0 when
   not, -1 (message printed, usage status) when its value is bad. */
int run_tokens_option(const char *verb, int opt, const char *arg, struct run_tokens *rt);

/* getopt_long entries for the shared options (codes 't', 'i', 'O', 'w', 'L'). */
#define RUN_TOKENS_LONGOPTS \
	{ "text", required_argument, NULL, 't' }, \
	{ "ids", required_argument, NULL, 'i' }, \
	{ "offset", required_argument, NULL, 'O' }, \
	{ "windows", required_argument, NULL, 'w' }, \
	{ "seq-len", required_argument, NULL, 'L' }

/* Checks that exactly one source was given (usage error otherwise): 0 or exit status. */
int run_tokens_check(const char *verb, const struct run_tokens *rt);

/* The `default:` of a getopt loop in verbs that run tokens through the model (capture,
   eval): the shared token options, -j/--threads N and -h/--help (prints help); anything
   else is an unknown or incomplete option. Returns 0 when handled, -1 after printing the
   help, or EXIT_USAGE (message printed). */
int run_tokens_verb_option(const char *verb, int opt, char **argv, const char *help,
			   struct run_tokens *rt);
/* After the getopt loop: the MODEL.h5 operand into *model, then run_tokens_check; when
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

/* "text:PATH" or "ids:PATH", for the record in the model file and in JSON. */
const char *run_tokens_source(const struct run_tokens *rt, char *buf, size_t len);

#endif
