/* tok_added.c: finding added tokens in text, leftmost-longest, with single_word, lstrip
   and rstrip as the library's AddedVocabulary::find_matches applies them. */
#include <string.h>

#include "tok_internal.h"

/* Rust's Unicode \w: Alphabetic, marks, decimal digits, connectors, joiners. */
static int is_word_char(const struct tokenizer *tok, struct tok_matcher *m, const char *s,
			size_t n)
{
	int rc = pcre2_match(tok->word_char.code, (PCRE2_SPTR)s, n, 0,
			     PCRE2_ANCHORED | PCRE2_NO_UTF_CHECK, m->md, m->mctx);
	return rc > 0;
}

static int ends_with_word(struct tok_encoder *enc, const char *s, size_t n)
{
	if (n == 0)
		return 0;
	size_t back = n - 1;
	while (back > 0 && ((unsigned char)s[back] & 0xC0) == 0x80)
		back--;
	return is_word_char(enc->tok, &enc->matcher, s + back, n - back);
}

static int starts_with_word(struct tok_encoder *enc, const char *s, size_t n)
{
	return n > 0 && is_word_char(enc->tok, &enc->matcher, s, n);
}

/* Start of the run of white space that ends s. */
static size_t space_leftmost_at_end(const char *s, size_t n)
{
	size_t start = n;
	while (start > 0) {
		size_t back = start - 1;
		while (back > 0 && ((unsigned char)s[back] & 0xC0) == 0x80)
			back--;
		uint32_t cp;
		tok_utf8_next(s + back, start - back, &cp);
		if (!tok_is_white_space(cp))
			break;
		start = back;
	}
	return start;
}

/* Length of the run of white space that starts s. */
static size_t space_rightmost_at_start(const char *s, size_t n)
{
	size_t end = 0;
	while (end < n) {
		uint32_t cp;
		size_t len = tok_utf8_next(s + end, n - end, &cp);
		if (!tok_is_white_space(cp))
			break;
		end += len;
	}
	return end;
}

/* The longest added token at pos, or NULL. */
static const struct tok_added *match_at(const struct tok_added_set *set, const char *s,
					size_t n, size_t pos)
{
	unsigned char first = (unsigned char)s[pos];
	for (int i = 0; i < set->count[first]; i++) {
		const struct tok_added *a = set->by_first[first][i];
		if (a->match_len <= n - pos && memcmp(s + pos, a->match, a->match_len) == 0)
			return a;      /* buckets are sorted longest first */
	}
	return NULL;
}

static int push(struct tok_spans *out, int32_t **ids, size_t *cap,
		size_t start, size_t end, int32_t id)
{
	if (tok_grow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v) < 0 ||
	    tok_grow((void **)ids, cap, out->n + 1, sizeof **ids) < 0)
		return -1;
	(*ids)[out->n] = id;
	out->v[out->n++] = (struct tok_span){start, end, id >= 0};
	return 0;
}

int tok_added_split(struct tok_encoder *enc, const struct tok_added_set *set, const char *s,
		    size_t n, struct tok_spans *out, int32_t **ids, size_t *ids_cap)
{
	size_t start_offset = 0;
	out->n = 0;
	for (size_t pos = 0; set->total && pos < n;) {
		const struct tok_added *a = set->count[(unsigned char)s[pos]]
					    ? match_at(set, s, n, pos) : NULL;
		if (!a) {
			pos++;
			continue;
		}
		size_t start = pos, stop = pos + a->match_len;
		pos = stop;            /* the search resumes after the match, kept or not */
		if (a->single_word &&
		    ((start > 0 && ends_with_word(enc, s, start)) ||
		     (stop < n && starts_with_word(enc, s + stop, n - stop))))
			continue;
		if (a->lstrip) {
			size_t new_start = space_leftmost_at_end(s, start);
			start = new_start > start_offset ? new_start : start_offset;
		}
		if (a->rstrip)
			stop += space_rightmost_at_start(s + stop, n - stop);
		if (start_offset < start && push(out, ids, ids_cap, start_offset, start, -1) < 0)
			return -1;
		if (push(out, ids, ids_cap, start, stop, a->id) < 0)
			return -1;
		start_offset = stop;
	}
	if (start_offset != n && push(out, ids, ids_cap, start_offset, n, -1) < 0)
		return -1;
	return 0;
}
