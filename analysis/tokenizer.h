/* tokenizer.h: byte-level BPE (Hugging Face tokenizers semantics) on in-memory tables. */
#ifndef LWQ_TOKENIZER_H
#define LWQ_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

struct tokenizer;

/* Built by src/tokenizer_json.c from the tokenizer.json bytes stored in the model file.
   vocab: n_tokens strings (byte-level alphabet, e.g. "Ġthe"), index = id.
   merges: n_merges pairs "left right" in priority order (rank = index).
   added: special tokens (matched verbatim before BPE), with their ids.
   add_bos_id: id the post-processor prepends, or -1 (ByteLevel post-processor adds none).
   unk_token: token for bytes missing from the vocabulary, or NULL to drop them (the
   library's behaviour without unk); fuse_unk: consecutive unknown bytes give one token.
   vocab may hold NULL for unused ids. tokenizer_new copies what it keeps. */
struct tokenizer_spec {
	const char *const *vocab;
	int n_tokens;
	const char *const *merges_left;
	const char *const *merges_right;
	int n_merges;
	const char *const *added;
	const int *added_ids;
	int n_added;
	int add_prefix_space;      /* pre-tokenizer option */
	int add_bos_id;
	const char *unk_token;
	int fuse_unk;
};

struct tokenizer *tokenizer_new(const struct tokenizer_spec *spec, struct lwq_err *err);
void tokenizer_free(struct tokenizer *tok);

/* Encodes UTF-8 text of length len. *ids is malloc'd; *n_ids its length. */
int tokenizer_encode(const struct tokenizer *tok, const char *text, size_t len,
		     int32_t **ids, size_t *n_ids, struct lwq_err *err);
/* Decodes one id to UTF-8 bytes (for display); returns bytes written (< cap). */
size_t tokenizer_decode_token(const struct tokenizer *tok, int32_t id, char *buf, size_t cap);
int tokenizer_vocab_size(const struct tokenizer *tok);

#endif
