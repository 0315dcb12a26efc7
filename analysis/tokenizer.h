/* tokenizer.h: a tokenizer.json pipeline (normalizers, pre-tokenizers, BPE, added tokens,
   post-processor, decoders) with the Hugging Face tokenizers library's semantics. */
#ifndef LWQ_TOKENIZER_H
#define LWQ_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

struct tokenizer;

/* A pattern as tokenizer.json gives it: {"String": ...} (literal) or {"Regex": ...}. */
struct tok_pattern {
	const char *text;
	int is_regex;
};

enum tok_normalizer_kind {
	TOK_NORM_NFC, TOK_NORM_NFD, TOK_NORM_NFKC, TOK_NORM_NFKD,
	TOK_NORM_LOWERCASE, TOK_NORM_STRIP, TOK_NORM_STRIP_ACCENTS,
	TOK_NORM_PREPEND, TOK_NORM_REPLACE
};

struct tok_normalizer_spec {
	enum tok_normalizer_kind kind;
	struct tok_pattern pattern;   /* Replace */
	const char *content;          /* Prepend: prefix; Replace: replacement */
	int strip_left, strip_right;  /* Strip */
};

enum tok_pre_kind {
	TOK_PRE_BYTE_LEVEL, TOK_PRE_SPLIT, TOK_PRE_METASPACE, TOK_PRE_DIGITS,
	TOK_PRE_PUNCTUATION, TOK_PRE_WHITESPACE, TOK_PRE_WHITESPACE_SPLIT,
	TOK_PRE_CHAR_DELIMITER
};

/* What a split does with the matched parts (SplitDelimiterBehavior). */
enum tok_split_behavior {
	TOK_SPLIT_REMOVED, TOK_SPLIT_ISOLATED, TOK_SPLIT_MERGED_WITH_PREVIOUS,
	TOK_SPLIT_MERGED_WITH_NEXT, TOK_SPLIT_CONTIGUOUS
};

enum tok_prepend_scheme { TOK_PREPEND_ALWAYS, TOK_PREPEND_FIRST, TOK_PREPEND_NEVER };

struct tok_pre_spec {
	enum tok_pre_kind kind;
	struct tok_pattern pattern;        /* Split */
	enum tok_split_behavior behavior;  /* Split, Punctuation */
	int invert;                        /* Split */
	int add_prefix_space, use_regex;   /* ByteLevel */
	const char *replacement;           /* Metaspace (one character), CharDelimiterSplit */
	enum tok_prepend_scheme prepend_scheme;
	int split;                         /* Metaspace */
	int individual_digits;             /* Digits */
};

enum tok_decoder_kind {
	TOK_DEC_BYTE_LEVEL, TOK_DEC_METASPACE, TOK_DEC_BYTE_FALLBACK, TOK_DEC_FUSE,
	TOK_DEC_STRIP, TOK_DEC_REPLACE
};

struct tok_decoder_spec {
	enum tok_decoder_kind kind;
	struct tok_pattern pattern;        /* Replace */
	const char *content;               /* Replace: replacement; Strip: the character */
	int start, stop;                   /* Strip */
	const char *replacement;           /* Metaspace */
	enum tok_prepend_scheme prepend_scheme;
};

/* One entry of tokenizer.json's added_tokens, in file order. */
struct tok_added_spec {
	const char *content;
	int special, lstrip, rstrip, single_word, normalized;
};

/* The whole pipeline. Strings are borrowed: tokenizer_new copies what it keeps.
   vocab: the BPE model's vocabulary, n_tokens slots indexed by id (NULL for ids the model
   does not use). merges: n_merges pairs in priority order. Added tokens get ids as the
   library gives them: the model's id for a string it has, otherwise the next free id
   from the model's vocabulary size on. prefix_ids/suffix_ids: what the post-processor
   puts around a single sequence when special tokens are asked for. */
struct tokenizer_spec {
	const char *const *vocab;
	int n_tokens;
	const char *const *merges_left;
	const char *const *merges_right;
	int n_merges;
	const char *unk_token;             /* NULL: none */
	int fuse_unk, byte_fallback, ignore_merges;
	const char *continuing_subword_prefix, *end_of_word_suffix; /* NULL: none */

	const struct tok_normalizer_spec *normalizers;
	int n_normalizers;
	const struct tok_pre_spec *pre;
	int n_pre;
	const struct tok_decoder_spec *decoders;
	int n_decoders;
	int has_decoder;                   /* 0: decoding joins tokens with spaces */
	const struct tok_added_spec *added;
	int n_added;
	const int32_t *prefix_ids, *suffix_ids;
	int n_prefix, n_suffix;
};

/* Compiles the pipeline. Fails with one line naming the component: an invalid regex
   (PCRE2's message and offset), a merge naming a token the vocabulary lacks, ... */
struct tokenizer *tokenizer_new(const struct tokenizer_spec *spec, struct lwq_err *err);
void tokenizer_free(struct tokenizer *tok);

/* Encodes UTF-8 text of length len (fails with the byte offset of the first invalid
   sequence). add_special: apply the post-processor (Hugging Face add_special_tokens).
   *ids is malloc'd; *n_ids its length. Not safe to call on one tokenizer from two threads. */
int tokenizer_encode(struct tokenizer *tok, const char *text, size_t len, int add_special,
		     int32_t **ids, size_t *n_ids, struct lwq_err *err);

/* What encode would give BPE, piece by piece: fn gets each pre-token (normalized and
   pre-tokenized text, added_id -1) and each added token (its text, added_id its id), in
   order. A non-zero return from fn stops the walk and is returned. */
typedef int (*tokenizer_piece_fn)(void *ctx, const char *piece, size_t len, int32_t added_id);
int tokenizer_pieces(struct tokenizer *tok, const char *text, size_t len, tokenizer_piece_fn fn,
		     void *ctx, struct lwq_err *err);

/* Decodes ids through the decoders into malloc'd UTF-8 (*text, *len, NUL-terminated).
   Fails on an id outside [0, tokenizer_vocab_size). */
int tokenizer_decode(const struct tokenizer *tok, const int32_t *ids, size_t n_ids,
		     char **text, size_t *len, struct lwq_err *err);

/* One id's text, decoded alone (for display); returns bytes written (< cap). */
size_t tokenizer_decode_token(const struct tokenizer *tok, int32_t id, char *buf, size_t cap);

/* One past the largest id of the model's vocabulary and the added tokens. */
int tokenizer_vocab_size(const struct tokenizer *tok);
/* The id of a token string (added tokens first, then the model), or -1. */
int32_t tokenizer_token_id(const struct tokenizer *tok, const char *token);

#endif
