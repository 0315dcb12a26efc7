/* tok_normalize.c: the normalizers (Unicode forms via utf8proc, Lowercase, Strip,
   StripAccents, Prepend, Replace), applied in order to one piece of text. */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "tok_internal.h"

static int is_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

static int unicode_form(enum tok_normalizer_kind kind, const char *in, size_t n,
			struct tok_buf *out)
{
	/* ASCII text is the same in every normalization form. */
	if (is_ascii(in, n))
		return tok_buf_put(out, in, n);
	int options = UTF8PROC_STABLE;
	switch (kind) {
	case TOK_NORM_NFC: options |= UTF8PROC_COMPOSE; break;
	case TOK_NORM_NFD: options |= UTF8PROC_DECOMPOSE; break;
	case TOK_NORM_NFKC: options |= UTF8PROC_COMPOSE | UTF8PROC_COMPAT; break;
	default: options |= UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT; break;
	}
	utf8proc_uint8_t *mapped = NULL;
	utf8proc_ssize_t len = utf8proc_map((const utf8proc_uint8_t *)in, (utf8proc_ssize_t)n,
					    &mapped, (utf8proc_option_t)options);
	if (len < 0)
		return -1;
	int rc = tok_buf_put(out, (const char *)mapped, (size_t)len);
	free(mapped);
	return rc;
}

static int lowercase(const char *in, size_t n, struct tok_buf *out)
{
	if (tok_buf_reserve(out, 3 * n) < 0)   /* a character at most triples its bytes */
		return -1;
	for (size_t pos = 0; pos < n;) {
		unsigned char c = (unsigned char)in[pos];
		if (c < 0x80) {
			out->data[out->len++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			pos++;
			continue;
		}
		uint32_t cp;
		pos += tok_utf8_next(in + pos, n - pos, &cp);
		out->len += tok_lowercase(cp, out->data + out->len);
	}
	out->data[out->len] = '\0';
	return 0;
}

static int strip(const struct tok_normalizer_spec *spec, const char *in, size_t n,
		 struct tok_buf *out)
{
	size_t start = 0, end = n;
	while (spec->strip_left && start < end) {
		uint32_t cp;
		size_t len = tok_utf8_next(in + start, end - start, &cp);
		if (!tok_is_white_space(cp))
			break;
		start += len;
	}
	while (spec->strip_right && end > start) {
		size_t back = end - 1;
		while (back > start && ((unsigned char)in[back] & 0xC0) == 0x80)
			back--;
		uint32_t cp;
		tok_utf8_next(in + back, end - back, &cp);
		if (!tok_is_white_space(cp))
			break;
		end = back;
	}
	return tok_buf_put(out, in + start, end - start);
}

static int strip_accents(const char *in, size_t n, struct tok_buf *out)
{
	for (size_t pos = 0; pos < n;) {
		uint32_t cp;
		size_t len = tok_utf8_next(in + pos, n - pos, &cp);
		if (!tok_is_nonspacing_mark(cp) && tok_buf_put(out, in + pos, len) < 0)
			return -1;
		pos += len;
	}
	return 0;
}

static int replace(struct tok_encoder *enc, const struct tok_normalizer *norm, const char *in,
		   size_t n, struct tok_buf *out)
{
	struct tok_spans *spans = &enc->spans2;
	if (tok_find_regex(&enc->matcher, &norm->re, in, n, 0, spans) < 0)
		return -1;
	size_t content_len = strlen(norm->spec.content);
	for (size_t i = 0; i < spans->n; i++) {
		const struct tok_span *sp = &spans->v[i];
		int rc = sp->is_match ? tok_buf_put(out, norm->spec.content, content_len)
				      : tok_buf_put(out, in + sp->start, sp->end - sp->start);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int apply(struct tok_encoder *enc, const struct tok_normalizer *norm, const char *in,
		 size_t n, struct tok_buf *out)
{
	switch (norm->spec.kind) {
	case TOK_NORM_NFC:
	case TOK_NORM_NFD:
	case TOK_NORM_NFKC:
	case TOK_NORM_NFKD:
		return unicode_form(norm->spec.kind, in, n, out);
	case TOK_NORM_LOWERCASE:
		return lowercase(in, n, out);
	case TOK_NORM_STRIP:
		return strip(&norm->spec, in, n, out);
	case TOK_NORM_STRIP_ACCENTS:
		return strip_accents(in, n, out);
	case TOK_NORM_PREPEND:
		if (n && tok_buf_put(out, norm->spec.content, strlen(norm->spec.content)) < 0)
			return -1;
		return tok_buf_put(out, in, n);
	case TOK_NORM_REPLACE:
		return replace(enc, norm, in, n, out);
	}
	return -1;
}

/* The new head: how many leading bytes of the output come from the first `head`
   bytes of the input (the library's alignments, for the first character only). */
static size_t head_after(struct tok_encoder *enc, const struct tok_normalizer *norm,
			 const char *in, size_t n, size_t head, const struct tok_buf *out)
{
	struct tok_buf prefix = {0};
	size_t result = 0;
	if (head == 0)
		return 0;
	switch (norm->spec.kind) {
	case TOK_NORM_PREPEND:
		return n ? strlen(norm->spec.content) + head : 0;
	case TOK_NORM_STRIP: {
		size_t dropped = 0;
		while (norm->spec.strip_left && dropped < n) {
			uint32_t cp;
			size_t len = tok_utf8_next(in + dropped, n - dropped, &cp);
			if (!tok_is_white_space(cp))
				break;
			dropped += len;
		}
		result = dropped >= head ? 0 : head - dropped;
		return result < out->len ? result : out->len;
	}
	case TOK_NORM_REPLACE: {
		const struct tok_spans *spans = &enc->spans2;   /* as replace() left them */
		size_t content_len = strlen(norm->spec.content);
		for (size_t i = 0; i < spans->n && spans->v[i].start < head; i++) {
			const struct tok_span *sp = &spans->v[i];
			result += sp->is_match ? content_len
				  : (sp->end < head ? sp->end : head) - sp->start;
		}
		return result;
	}
	default:
		/* the others map characters one by one: apply them to the head alone */
		if (apply(enc, norm, in, head, &prefix) == 0)
			result = prefix.len;
		tok_buf_free(&prefix);
		return result;
	}
}

size_t tok_first_char_len(const char *s, size_t n)
{
	uint32_t cp;
	return n ? tok_utf8_next(s, n, &cp) : 0;
}

int tok_normalize(struct tok_encoder *enc, const struct tok_normalizer *norms, int count,
		  const char *in, size_t n, struct tok_buf *out, size_t *head)
{
	out->len = 0;
	if (tok_buf_put(out, in, n) < 0)
		return -1;
	for (int i = 0; i < count; i++) {
		enc->scratch.len = 0;
		if (tok_buf_reserve(&enc->scratch, 0) < 0 ||
		    apply(enc, &norms[i], out->data, out->len, &enc->scratch) < 0)
			return -1;
		if (head)
			*head = head_after(enc, &norms[i], out->data, out->len, *head, &enc->scratch);
		struct tok_buf swap = *out;
		*out = enc->scratch;
		enc->scratch = swap;
	}
	return 0;
}
