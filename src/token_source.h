/* token_source.h: calibration/evaluation tokens from --text or --ids, checked against the model. */
#ifndef LWQ_TOKEN_SOURCE_H
#define LWQ_TOKEN_SOURCE_H

#include <stdint.h>

#include "model_h5.h"
#include "status.h"
#include "tokenizer.h"

/* Loads the tokenizer stored in the model file (/tokenizer). Fails clearly when the
   file carries none. */
struct tokenizer *tokenizer_from_model(struct model_file *mf, struct lwq_err *err);

/* Token ids for a run: exactly one of text_path (UTF-8, tokenized with the model's
   tokenizer) or ids_path (little-endian int32). Skips `offset` tokens, then returns the
   next windows * seq_len ids in a malloc'd *ids. Errors (one line, naming the file):
   empty text, too few tokens ("has N tokens after offset O, need W x L = X"), ids outside
   [0, vocab), unreadable file, ids file size not a multiple of 4. */
int load_tokens(struct model_file *mf, const char *text_path, const char *ids_path,
		int64_t offset, int windows, int seq_len, int32_t **ids, struct lwq_err *err);

/* As load_tokens, taking every full window after the offset (at most max_windows; fails
   with "has N tokens after offset O, fewer than one window of L" when there is none) and
   setting *windows to their count. A text is tokenized once for both counting and ids. */
int load_tokens_all_windows(struct model_file *mf, const char *text_path,
			    const char *ids_path, int64_t offset, int seq_len, int max_windows,
			    int *windows, int32_t **ids, struct lwq_err *err);

#endif
