/* tok_split.c: patterns (PCRE2 regexes, literals, character classes) and how a split
   treats what they match, as the library's Pattern and NormalizedString::split do. */
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

/* Oniguruma's Unicode \w (the library's regex engine) is Alphabetic, marks, decimal
   digits and connector punctuation; outside a class it also takes the Latin-1
   superscripts and fractions. PCRE2's \w lacks the marks, so \w, \W, \b and \B are
   spelled out before compiling. */
#define ONIG_WORD_IN_CLASS "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}"
#define ONIG_WORD ONIG_WORD_IN_CLASS "\\x{B2}\\x{B3}\\x{B9}\\x{BC}-\\x{BE}"

static const char *word_escape(char c, int in_class)
{
	if (in_class)
		return c == 'w' ? ONIG_WORD_IN_CLASS : NULL;
	switch (c) {
	case 'w': return "[" ONIG_WORD "]";
	case 'W': return "[^" ONIG_WORD "]";
	case 'b': return "(?:(?<=[" ONIG_WORD "])(?![" ONIG_WORD "])|(?<![" ONIG_WORD "])(?=["
			 ONIG_WORD "]))";
	case 'B': return "(?:(?<=[" ONIG_WORD "])(?=[" ONIG_WORD "])|(?<![" ONIG_WORD "])(?!["
			 ONIG_WORD "]))";
	}
	return NULL;
}

/* The pattern with Oniguruma's word escapes; NULL (and *bad set) when one cannot be
   expressed (\W, \b inside a class). */
static char *translate(const char *pattern, struct tok_buf *out, int *bad)
{
	int in_class = 0;
	*bad = 0;
	for (const char *p = pattern; *p; p++) {
		if (*p == '\\' && p[1]) {
			const char *rewrite = word_escape(p[1], in_class);
			if (!rewrite && in_class && strchr("WbB", p[1])) {
				*bad = 1;
				return NULL;
			}
			if (tok_buf_put(out, rewrite ? rewrite : p, rewrite ? strlen(rewrite) : 2) < 0)
				return NULL;
			p++;
			continue;
		}
		if (*p == '[' && !in_class) {
			in_class = 1;
			if (tok_buf_put(out, p, 1) < 0)
				return NULL;
			/* a ']' right after '[' or '[^' is a literal */
			if (p[1] == '^' && tok_buf_put(out, ++p, 1) < 0)
				return NULL;
			if (p[1] == ']' && tok_buf_put(out, ++p, 1) < 0)
				return NULL;
			continue;
		}
		if (*p == ']' && in_class)
			in_class = 0;
		if (tok_buf_put(out, p, 1) < 0)
			return NULL;
	}
	if (tok_buf_reserve(out, 0) < 0)
		return NULL;
	out->data[out->len] = '\0';
	return out->data;
}

int tok_regex_compile(struct tok_regex *re, const struct tok_pattern *pattern,
		      const char *where, struct lwq_err *err)
{
	*re = (struct tok_regex){0};
	if (!pattern->is_regex) {
		re->literal_len = strlen(pattern->text);
		if (!(re->literal = malloc(re->literal_len + 1)))
			return lwq_err_set(err, "tokenizer: out of memory");
		memcpy(re->literal, pattern->text, re->literal_len + 1);
		return 0;
	}
	int code, bad;
	PCRE2_SIZE offset;
	struct tok_buf translated = {0};
	if (!translate(pattern->text, &translated, &bad)) {
		tok_buf_free(&translated);
		return bad ? lwq_err_set(err, "%s: regex '%.80s': \\W, \\b or \\B inside a "
					 "character class is not supported", where, pattern->text)
			   : lwq_err_set(err, "tokenizer: out of memory");
	}
	/* Oniguruma's default (Ruby) syntax: ^ and $ match at every line. */
	re->code = pcre2_compile((PCRE2_SPTR)translated.data, PCRE2_ZERO_TERMINATED,
				 PCRE2_UTF | PCRE2_UCP | PCRE2_MULTILINE, &code, &offset, NULL);
	int translated_differs = strcmp(translated.data, pattern->text) != 0;
	tok_buf_free(&translated);
	if (!re->code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof msg);
		/* an offset into the rewritten pattern would mislead */
		if (translated_differs)
			return lwq_err_set(err, "%s: invalid regex '%.80s': %s", where, pattern->text,
					   (const char *)msg);
		return lwq_err_set(err, "%s: invalid regex '%.80s': %s at offset %zu", where,
				   pattern->text, (const char *)msg, (size_t)offset);
	}
	/* Without JIT (not built for this CPU) the interpreter gives the same matches. */
	pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE);
	return 0;
}

void tok_regex_free(struct tok_regex *re)
{
	pcre2_code_free(re->code);
	free(re->literal);
	*re = (struct tok_regex){0};
}

int tok_matcher_init(struct tok_matcher *m)
{
	*m = (struct tok_matcher){0};
	m->md = pcre2_match_data_create(4, NULL);
	m->mctx = pcre2_match_context_create(NULL);
	/* Long runs of one class (whitespace, digits) need more than the default 32 KiB. */
	m->jit_stack = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, NULL);
	if (!m->md || !m->mctx || !m->jit_stack)
		return -1;
	pcre2_jit_stack_assign(m->mctx, NULL, m->jit_stack);
	return 0;
}

void tok_matcher_free(struct tok_matcher *m)
{
	pcre2_match_data_free(m->md);
	pcre2_match_context_free(m->mctx);
	pcre2_jit_stack_free(m->jit_stack);
	*m = (struct tok_matcher){0};
}

static int push_span(struct tok_spans *out, size_t start, size_t end, int is_match)
{
	if (tok_grow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v) < 0)
		return -1;
	out->v[out->n++] = (struct tok_span){start, end, is_match};
	return 0;
}

/* The next match at or after pos: [*ms, *me), or 0 when there is none. */
static int next_match(struct tok_matcher *m, const struct tok_regex *re, const char *s,
		      size_t n, size_t pos, size_t *ms, size_t *me)
{
	if (!re->code) {
		if (re->literal_len == 0 || pos + re->literal_len > n)
			return 0;
		for (size_t at = pos; at + re->literal_len <= n; at++) {
			const char *hit = memchr(s + at, re->literal[0], n - re->literal_len + 1 - at);
			if (!hit)
				return 0;
			at = (size_t)(hit - s);
			if (memcmp(hit, re->literal, re->literal_len) == 0) {
				*ms = at;
				*me = at + re->literal_len;
				return 1;
			}
		}
		return 0;
	}
	int rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, pos, PCRE2_NO_UTF_CHECK, m->md,
			     m->mctx);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc < 0)
		return -1;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
	*ms = ov[0];
	*me = ov[1];
	return 1;
}

int tok_find_regex(struct tok_matcher *m, const struct tok_regex *re, const char *s, size_t n,
		   int invert, struct tok_spans *out)
{
	out->n = 0;
	if (n == 0)
		return push_span(out, 0, 0, invert);
	/* Matches as the library's find_iter gives them: an empty match right where the
	   previous match ended is skipped, one character on. */
	size_t prev = 0, pos = 0, last_end = 0;
	int have_last = 0;
	while (pos <= n) {
		size_t ms, me;
		int found = next_match(m, re, s, n, pos, &ms, &me);
		if (found < 0)
			return -1;
		if (!found)
			break;
		if (ms == me && have_last && last_end == me) {
			if (pos >= n)
				break;
			uint32_t cp;
			pos += tok_utf8_next(s + pos, n - pos, &cp);
			continue;
		}
		if (prev != ms && push_span(out, prev, ms, invert) < 0)
			return -1;
		if (push_span(out, ms, me, !invert) < 0)
			return -1;
		prev = pos = last_end = me;
		have_last = 1;
	}
	if (prev != n && push_span(out, prev, n, invert) < 0)
		return -1;
	return 0;
}

int tok_find_chars(const char *s, size_t n, int (*pred)(uint32_t cp, const void *arg),
		   const void *arg, struct tok_spans *out)
{
	out->n = 0;
	if (n == 0)
		return push_span(out, 0, 0, 0);
	size_t last = 0;
	for (size_t pos = 0; pos < n;) {
		uint32_t cp;
		size_t len = tok_utf8_next(s + pos, n - pos, &cp);
		if (pred(cp, arg)) {
			if (last < pos && push_span(out, last, pos, 0) < 0)
				return -1;
			if (push_span(out, pos, pos + len, 1) < 0)
				return -1;
			last = pos + len;
		}
		pos += len;
	}
	if (n > last && push_span(out, last, n, 0) < 0)
		return -1;
	return 0;
}

/* The spans left keep is_match = 1 when they are to be removed (Removed), 0 otherwise. */
void tok_apply_behavior(struct tok_spans *spans, enum tok_split_behavior behavior)
{
	struct tok_span *v = spans->v;
	size_t n = spans->n, out = 0;
	int previous_match = 0;
	switch (behavior) {
	case TOK_SPLIT_REMOVED:
		return;
	case TOK_SPLIT_ISOLATED:
		for (size_t i = 0; i < n; i++)
			v[i].is_match = 0;
		return;
	case TOK_SPLIT_CONTIGUOUS:
		for (size_t i = 0; i < n; i++) {
			int is_match = v[i].is_match;
			if (is_match == previous_match && out > 0)
				v[out - 1].end = v[i].end;
			else
				v[out++] = (struct tok_span){v[i].start, v[i].end, 0};
			previous_match = is_match;
		}
		break;
	case TOK_SPLIT_MERGED_WITH_PREVIOUS:
		for (size_t i = 0; i < n; i++) {
			int is_match = v[i].is_match;
			if (is_match && !previous_match && out > 0)
				v[out - 1].end = v[i].end;
			else
				v[out++] = (struct tok_span){v[i].start, v[i].end, 0};
			previous_match = is_match;
		}
		break;
	case TOK_SPLIT_MERGED_WITH_NEXT: {
		/* Walked from the end, building the result backwards at the top of v. */
		size_t top = n;
		for (size_t k = n; k-- > 0;) {
			int is_match = v[k].is_match;
			struct tok_span span = v[k];
			if (is_match && !previous_match && top < n)
				v[top].start = span.start;
			else
				v[--top] = (struct tok_span){span.start, span.end, 0};
			previous_match = is_match;
		}
		memmove(v, v + top, (n - top) * sizeof *v);
		out = n - top;
		break;
	}
	}
	spans->n = out;
}
