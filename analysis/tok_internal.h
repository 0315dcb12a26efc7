/* tok_internal.h: what the tokenizer's stages (tok_*.c) share: buffers, spans, compiled parts. */
#ifndef LWQ_TOK_INTERNAL_H
#define LWQ_TOK_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "tokenizer.h"

/* ---- growable byte buffer ---------------------------------------------------------- */

struct tok_buf {
	char *data;
	size_t len, cap;
};

int tok_buf_reserve(struct tok_buf *b, size_t extra);
int tok_buf_put(struct tok_buf *b, const char *s, size_t n);
void tok_buf_free(struct tok_buf *b);
/* Grows *p (an array of elem-sized items with *cap slots) to hold need items. */
int tok_grow(void **p, size_t *cap, size_t need, size_t elem);

/* ---- UTF-8 and character classes (tok_unicode.c) ------------------------------------ */

/* Decodes the character at s (valid UTF-8, n > 0 bytes left); returns its length. */
size_t tok_utf8_next(const char *s, size_t n, uint32_t *cp);
size_t tok_utf8_put(uint32_t cp, char *out);
/* Offset of the first byte that is not part of valid UTF-8, or len when all is valid. */
size_t tok_utf8_invalid_at(const char *s, size_t len);
int tok_is_white_space(uint32_t cp);   /* Unicode White_Space (Rust char::is_whitespace) */
int tok_is_numeric(uint32_t cp);       /* Nd, Nl, No (char::is_numeric) */
int tok_is_punctuation(uint32_t cp);   /* ASCII punctuation or a P* category */
int tok_is_nonspacing_mark(uint32_t cp);
/* Full lower-case mapping of one character (char::to_lowercase); returns bytes written. */
size_t tok_lowercase(uint32_t cp, char *out);

/* ---- patterns and splits (tok_split.c) -------------------------------------------------- */

/* A compiled pattern: a PCRE2 regex, or a literal string. */
struct tok_regex {
	pcre2_code *code;          /* NULL for a literal */
	char *literal;
	size_t literal_len;
};

int tok_regex_compile(struct tok_regex *re, const struct tok_pattern *pattern,
		      const char *where, struct lwq_err *err);
void tok_regex_free(struct tok_regex *re);

/* A part of a string: [start, end), and whether the pattern matched it. */
struct tok_span {
	size_t start, end;
	int is_match;
};

struct tok_spans {
	struct tok_span *v;
	size_t n, cap;
};

/* Per-encoder matching state (match data, JIT stack). */
struct tok_matcher {
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit_stack;
};

int tok_matcher_init(struct tok_matcher *m);
void tok_matcher_free(struct tok_matcher *m);

/* Cuts s into spans covering it, matched parts flagged (the library's find_matches).
   invert swaps the flags. */
int tok_find_regex(struct tok_matcher *m, const struct tok_regex *re, const char *s, size_t n,
		   int invert, struct tok_spans *out);
/* Each character for which pred is true is its own match. */
int tok_find_chars(const char *s, size_t n, int (*pred)(uint32_t cp, const void *arg),
		   const void *arg, struct tok_spans *out);
/* Applies a split behaviour to the spans in place; what is left are the pieces to keep. */
void tok_apply_behavior(struct tok_spans *spans, enum tok_split_behavior behavior);

/* ---- compiled stages ------------------------------------------------------------------ */

struct tok_normalizer {
	struct tok_normalizer_spec spec;   /* strings owned (copied) */
	struct tok_regex re;               /* Replace */
};

struct tok_pre {
	struct tok_pre_spec spec;
	struct tok_regex re;               /* Split; ByteLevel with its regex; Whitespace */
	uint32_t replacement;              /* Metaspace / CharDelimiterSplit character */
	char replacement_utf8[5];
};

struct tok_decoder {
	struct tok_decoder_spec spec;
	struct tok_regex re;               /* Replace */
	uint32_t character;                /* Strip content, Metaspace replacement */
};

/* One piece of text on its way through the pre-tokenizers: bytes [off, off + len) of
   the encoder's arena; its first `head` bytes come from the text's first character
   (which is what Metaspace's prepend_scheme "first" asks about). */
struct tok_piece {
	size_t off, len;
	size_t head;
};

struct tok_pieces {
	struct tok_piece *v;
	size_t n, cap;
};

struct tok_encoder;

/* tok_normalize.c: runs the normalizers over in[0, n) into out (out->len reset).
   *head: in, the bytes of `in` that come from the text's first character; out, those
   of `out` (what the library's alignments give). */
int tok_normalize(struct tok_encoder *enc, const struct tok_normalizer *norms, int count,
		  const char *in, size_t n, struct tok_buf *out, size_t *head);
/* Bytes of the first character of s (0 when n is 0). */
size_t tok_first_char_len(const char *s, size_t n);
/* tok_pretokenize.c: runs the pre-tokenizers over enc's pieces (in the arena). */
int tok_pretokenize(struct tok_encoder *enc, const struct tok_pre *pre, int count);

/* Hash tables of the BPE model (tok_bpe.c). */
struct tok_str_slot {
	const char *key;           /* NULL: empty slot */
	uint32_t len;
	int32_t id;
};

struct tok_pair_slot {
	uint64_t key;              /* left id << 32 | right id */
	int32_t rank;              /* -1: empty slot */
	int32_t new_id;
};

struct tok_bpe {
	char **vocab;              /* id -> string; NULL for unused ids */
	int n_slots;               /* ids [0, n_slots) */
	int n_entries;             /* strings in the vocabulary (the library's vocab size) */
	struct tok_str_slot *index;
	size_t index_mask;
	struct tok_pair_slot *merges;
	size_t merges_mask;
	int32_t unk_id;            /* -1: none */
	int fuse_unk, byte_fallback, ignore_merges;
	char *prefix, *suffix;     /* continuing-subword prefix, end-of-word suffix; NULL: none */
	int32_t byte_tokens[256];  /* id of "<0xNN>", -1 when missing */
};

int tok_bpe_init(struct tok_bpe *bpe, const struct tokenizer_spec *spec, struct lwq_err *err);
void tok_bpe_free(struct tok_bpe *bpe);
int32_t tok_bpe_find(const struct tok_bpe *bpe, const char *s, size_t len);
/* BPE on one pre-token; appends ids to enc's output. */
int tok_bpe_word(struct tok_encoder *enc, const char *word, size_t n);

/* Added tokens (tok_added.c). */
struct tok_added {
	char *content;             /* as written */
	char *match;               /* what is searched: the normalized content when normalized */
	size_t match_len;
	int32_t id;
	int special, lstrip, rstrip, single_word, normalized;
};

/* Added tokens of one kind (normalized or not), bucketed by first byte, longest first. */
struct tok_added_set {
	const struct tok_added **by_first[256];
	int count[256];
	int total;
};

/* Cuts s into spans, matched ones being added tokens (*ids[i] >= 0), as the library's
   AddedVocabulary::find_matches does with a leftmost-longest automaton. */
int tok_added_split(struct tok_encoder *enc, const struct tok_added_set *set, const char *s,
		    size_t n, struct tok_spans *out, int32_t **ids, size_t *ids_cap);

struct tokenizer {
	struct tok_bpe bpe;
	struct tok_normalizer *norms;
	int n_norms;
	struct tok_pre *pre;
	int n_pre;
	struct tok_decoder *decoders;
	int n_decoders, has_decoder;
	struct tok_added *added;
	int n_added;
	struct tok_added_set raw_set, normalized_set;
	int32_t *prefix_ids, *suffix_ids;
	int n_prefix, n_suffix;
	int vocab_size;
	uint32_t byte_char[256];   /* GPT-2's byte alphabet */
	int16_t char_byte[0x144];
	struct tok_regex word_char;        /* one character of Rust's Unicode \w */
	struct tok_encoder *enc;   /* scratch reused by tokenizer_encode */
};

/* Scratch space for one encode call. */
struct tok_encoder {
	const struct tokenizer *tok;
	struct tok_matcher matcher;
	struct tok_buf normalized;         /* one segment between added tokens, normalized */
	struct tok_buf arena;              /* one piece and its rewritten pre-tokens */
	struct tok_buf scratch;
	struct tok_pieces pieces, next;
	struct tok_spans spans, spans2;
	struct tok_spans raw_split, norm_split;   /* added tokens in raw / normalized text */
	int32_t *raw_ids, *norm_ids;
	size_t raw_ids_cap, norm_ids_cap;
	/* BPE */
	struct tok_bpe_symbol *sym;
	size_t sym_cap;
	struct tok_bpe_candidate *heap;
	size_t heap_n, heap_cap;
	/* output: ids, or pre-tokens given to piece_fn */
	tokenizer_piece_fn piece_fn;
	void *piece_ctx;
	int piece_rc;
	int32_t *ids;
	size_t n_ids, ids_cap;
};

int tok_emit(struct tok_encoder *enc, int32_t id);

/* Decoders (tok_decode.c). */
int tok_decode_ids(const struct tokenizer *tok, const int32_t *ids, size_t n, struct tok_buf *out,
		   struct lwq_err *err);
const char *tok_id_string(const struct tokenizer *tok, int32_t id);
/* A malloc'd copy of s (NULL for NULL or out of memory). */
char *tok_copy_string(const char *s);

#endif
