/* tok_pretokenize.c: the pre-tokenizers (ByteLevel, Split, Metaspace, Digits, Punctuation,
   Whitespace, WhitespaceSplit, CharDelimiterSplit) cutting and rewriting the pieces. */
#include <string.h>

#include "tok_internal.h"

static int push_piece(struct tok_pieces *list, size_t off, size_t len, size_t head)
{
	if (len == 0)              /* the library drops empty splits */
		return 0;
	if (tok_grow((void **)&list->v, &list->cap, list->n + 1, sizeof *list->v) < 0)
		return -1;
	list->v[list->n++] = (struct tok_piece){off, len, head < len ? head : len};
	return 0;
}

/* Appends the kept spans of piece p as new pieces. */
static int push_spans(struct tok_encoder *enc, const struct tok_spans *spans,
		      struct tok_piece p)
{
	for (size_t i = 0; i < spans->n; i++) {
		const struct tok_span *sp = &spans->v[i];
		size_t head = p.head > sp->start ? p.head - sp->start : 0;
		if (!sp->is_match &&
		    push_piece(&enc->next, p.off + sp->start, sp->end - sp->start, head) < 0)
			return -1;
	}
	return 0;
}

/* Copies prefix + arena[off, off + len) to the end of the arena; returns its offset. */
static int arena_copy(struct tok_encoder *enc, const char *prefix, size_t off, size_t len,
		      size_t *new_off)
{
	size_t plen = strlen(prefix);
	if (tok_buf_reserve(&enc->arena, plen + len) < 0)
		return -1;
	*new_off = enc->arena.len;
	memcpy(enc->arena.data + enc->arena.len, prefix, plen);
	memcpy(enc->arena.data + enc->arena.len + plen, enc->arena.data + off, len);
	enc->arena.len += plen + len;
	return 0;
}

static int byte_level_map(struct tok_encoder *enc, size_t first)
{
	const struct tokenizer *tok = enc->tok;
	for (size_t i = first; i < enc->next.n; i++) {
		struct tok_piece *p = &enc->next.v[i];
		if (tok_buf_reserve(&enc->arena, 2 * p->len) < 0)
			return -1;
		const unsigned char *src = (const unsigned char *)enc->arena.data + p->off;
		char *dst = enc->arena.data + enc->arena.len;
		size_t n = 0, head = 0;
		for (size_t k = 0; k < p->len; k++) {
			n += tok_utf8_put(tok->byte_char[src[k]], dst + n);
			head = k < p->head ? n : head;
		}
		p->head = head;
		p->off = enc->arena.len;
		p->len = n;
		enc->arena.len += n;
	}
	return 0;
}

static int byte_level(struct tok_encoder *enc, const struct tok_pre *pre, struct tok_piece p)
{
	size_t first = enc->next.n;
	if (pre->spec.add_prefix_space && enc->arena.data[p.off] != ' ') {
		if (arena_copy(enc, " ", p.off, p.len, &p.off) < 0)
			return -1;
		p.len++;
		p.head += p.head > 0;  /* the space takes the first character's place */
	}
	if (pre->spec.use_regex) {
		if (tok_find_regex(&enc->matcher, &pre->re, enc->arena.data + p.off, p.len, 0,
				   &enc->spans) < 0)
			return -1;
		tok_apply_behavior(&enc->spans, TOK_SPLIT_ISOLATED);
		if (push_spans(enc, &enc->spans, p) < 0)
			return -1;
	} else if (push_piece(&enc->next, p.off, p.len, p.head) < 0) {
		return -1;
	}
	return byte_level_map(enc, first);
}

static int is_char(uint32_t cp, const void *arg)
{
	return cp == *(const uint32_t *)arg;
}

/* Spaces become the replacement, which is prepended as the scheme says; with split,
   each replacement starts a new piece (MergedWithNext). */
static int metaspace(struct tok_encoder *enc, const struct tok_pre *pre, struct tok_piece p)
{
	const char *rep = pre->replacement_utf8;
	size_t rep_len = strlen(rep), spaces = 0;
	for (size_t k = 0; k < p.len; k++)
		spaces += enc->arena.data[p.off + k] == ' ';
	if (tok_buf_reserve(&enc->arena, p.len + spaces * rep_len + rep_len) < 0)
		return -1;
	const char *src = enc->arena.data + p.off;
	char *dst = enc->arena.data + enc->arena.len;
	size_t n = 0, head = 0;
	int starts_with_rep = p.len >= rep_len && memcmp(src, rep, rep_len) == 0;
	starts_with_rep |= src[0] == ' ';
	if (!starts_with_rep && (pre->spec.prepend_scheme == TOK_PREPEND_ALWAYS ||
				 (pre->spec.prepend_scheme == TOK_PREPEND_FIRST && p.head > 0))) {
		memcpy(dst, rep, rep_len);
		n = rep_len;
	}
	for (size_t k = 0; k < p.len; k++) {
		if (src[k] == ' ') {
			memcpy(dst + n, rep, rep_len);
			n += rep_len;
		} else {
			dst[n++] = src[k];
		}
		head = k < p.head ? n : head;
	}
	p.off = enc->arena.len;
	p.len = n;
	p.head = head;
	enc->arena.len += n;
	if (!pre->spec.split)
		return push_piece(&enc->next, p.off, p.len, p.head);
	if (tok_find_chars(enc->arena.data + p.off, p.len, is_char, &pre->replacement,
			   &enc->spans) < 0)
		return -1;
	tok_apply_behavior(&enc->spans, TOK_SPLIT_MERGED_WITH_NEXT);
	return push_spans(enc, &enc->spans, p);
}

static int is_numeric(uint32_t cp, const void *arg)
{
	(void)arg;
	return tok_is_numeric(cp);
}

static int is_punctuation(uint32_t cp, const void *arg)
{
	(void)arg;
	return tok_is_punctuation(cp);
}

static int is_white_space(uint32_t cp, const void *arg)
{
	(void)arg;
	return tok_is_white_space(cp);
}

static int split_chars(struct tok_encoder *enc, struct tok_piece p,
		       int (*pred)(uint32_t, const void *), const void *arg,
		       enum tok_split_behavior behavior)
{
	if (tok_find_chars(enc->arena.data + p.off, p.len, pred, arg, &enc->spans) < 0)
		return -1;
	tok_apply_behavior(&enc->spans, behavior);
	return push_spans(enc, &enc->spans, p);
}

static int split_regex(struct tok_encoder *enc, const struct tok_pre *pre, struct tok_piece p,
		       int invert, enum tok_split_behavior behavior)
{
	if (tok_find_regex(&enc->matcher, &pre->re, enc->arena.data + p.off, p.len, invert,
			   &enc->spans) < 0)
		return -1;
	tok_apply_behavior(&enc->spans, behavior);
	return push_spans(enc, &enc->spans, p);
}

static int apply(struct tok_encoder *enc, const struct tok_pre *pre, struct tok_piece p)
{
	switch (pre->spec.kind) {
	case TOK_PRE_BYTE_LEVEL:
		return byte_level(enc, pre, p);
	case TOK_PRE_SPLIT:
		return split_regex(enc, pre, p, pre->spec.invert, pre->spec.behavior);
	case TOK_PRE_WHITESPACE:
		return split_regex(enc, pre, p, 1, TOK_SPLIT_REMOVED);
	case TOK_PRE_METASPACE:
		return metaspace(enc, pre, p);
	case TOK_PRE_DIGITS:
		return split_chars(enc, p, is_numeric, NULL, pre->spec.individual_digits
				   ? TOK_SPLIT_ISOLATED : TOK_SPLIT_CONTIGUOUS);
	case TOK_PRE_PUNCTUATION:
		return split_chars(enc, p, is_punctuation, NULL, pre->spec.behavior);
	case TOK_PRE_WHITESPACE_SPLIT:
		return split_chars(enc, p, is_white_space, NULL, TOK_SPLIT_REMOVED);
	case TOK_PRE_CHAR_DELIMITER:
		return split_chars(enc, p, is_char, &pre->replacement, TOK_SPLIT_REMOVED);
	}
	return -1;
}

int tok_pretokenize(struct tok_encoder *enc, const struct tok_pre *pre, int count)
{
	for (int i = 0; i < count; i++) {
		enc->next.n = 0;
		for (size_t k = 0; k < enc->pieces.n; k++)
			if (apply(enc, &pre[i], enc->pieces.v[k]) < 0)
				return -1;
		struct tok_pieces swap = enc->pieces;
		enc->pieces = enc->next;
		enc->next = swap;
	}
	return 0;
}
