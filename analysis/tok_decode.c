/* tok_decode.c: ids back to text through the decoders (ByteLevel, Metaspace, ByteFallback,
   Fuse, Strip, Replace), each working on the list of token strings as the library's do. */
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

/* A list of strings stored back to back. */
struct str_list {
	struct tok_buf text;
	size_t *off, *len;
	size_t n, cap_off, cap_len;
};

static int list_add(struct str_list *l, const char *s, size_t n)
{
	if (tok_grow((void **)&l->off, &l->cap_off, l->n + 1, sizeof *l->off) < 0 ||
	    tok_grow((void **)&l->len, &l->cap_len, l->n + 1, sizeof *l->len) < 0)
		return -1;
	l->off[l->n] = l->text.len;
	l->len[l->n] = n;
	l->n++;
	return tok_buf_put(&l->text, s, n);
}

/* Appends to the last string of l. */
static int list_extend(struct str_list *l, const char *s, size_t n)
{
	if (tok_buf_put(&l->text, s, n) < 0)
		return -1;
	l->len[l->n - 1] += n;
	return 0;
}

static void list_free(struct str_list *l)
{
	tok_buf_free(&l->text);
	free(l->off);
	free(l->len);
}

const char *tok_id_string(const struct tokenizer *tok, int32_t id)
{
	/* A normalized added token reads back as its normalized form, which the decoders
	   undo (the library's simple_id_to_token). */
	for (int i = 0; i < tok->n_added; i++)
		if (tok->added[i].id == id)
			return tok->added[i].normalized ? tok->added[i].match : tok->added[i].content;
	return id >= 0 && id < tok->bpe.n_slots ? tok->bpe.vocab[id] : NULL;
}

/* Bytes of the longest prefix of s that could start a valid sequence (at least 1):
   the "maximal subpart" one U+FFFD replaces, as Rust's from_utf8_lossy does. */
static size_t invalid_run(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t need = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
		    : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
	size_t k = 1;
	for (; k < need && k < n; k++) {
		unsigned char lo = 0x80, hi = 0xBF;
		if (k == 1) {
			lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
			hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
		}
		if (s[k] < lo || s[k] > hi)
			break;
	}
	return k;
}

static int put_lossy(struct tok_buf *out, const char *s, size_t n)
{
	while (n > 0) {
		size_t valid = tok_utf8_invalid_at(s, n);
		if (tok_buf_put(out, s, valid) < 0)
			return -1;
		s += valid;
		n -= valid;
		if (n == 0)
			break;
		size_t bad = invalid_run((const unsigned char *)s, n);
		if (tok_buf_put(out, "\xef\xbf\xbd", 3) < 0)
			return -1;
		s += bad;
		n -= bad;
	}
	return 0;
}

static int byte_level(const struct tokenizer *tok, const struct str_list *in,
		      struct str_list *out, struct tok_buf *bytes)
{
	bytes->len = 0;
	for (size_t i = 0; i < in->n; i++) {
		const char *s = in->text.data + in->off[i];
		size_t n = in->len[i], mark = bytes->len, pos = 0;
		int outside = 0;
		while (pos < n && !outside) {
			uint32_t cp;
			pos += tok_utf8_next(s + pos, n - pos, &cp);
			int byte = cp < 0x144 ? tok->char_byte[cp] : -1;
			char b = (char)byte;
			outside = byte < 0;
			if (!outside && tok_buf_put(bytes, &b, 1) < 0)
				return -1;
		}
		if (outside) {
			bytes->len = mark;   /* a character outside the alphabet: the raw bytes */
			if (tok_buf_put(bytes, s, n) < 0)
				return -1;
		}
	}
	if (list_add(out, "", 0) < 0)
		return -1;
	if (put_lossy(&out->text, bytes->data ? bytes->data : "", bytes->len) < 0)
		return -1;
	out->len[0] = out->text.len - out->off[0];
	return 0;
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10
	     : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int flush_bytes(struct str_list *out, struct tok_buf *bytes)
{
	if (bytes->len == 0)
		return 0;
	int rc = 0;
	if (tok_utf8_invalid_at(bytes->data, bytes->len) == bytes->len)
		rc = list_add(out, bytes->data, bytes->len);
	else
		for (size_t k = 0; rc == 0 && k < bytes->len; k++)
			rc = list_add(out, "\xef\xbf\xbd", 3);
	bytes->len = 0;
	return rc;
}

static int byte_fallback(const struct str_list *in, struct str_list *out, struct tok_buf *bytes)
{
	bytes->len = 0;
	for (size_t i = 0; i < in->n; i++) {
		const char *s = in->text.data + in->off[i];
		size_t n = in->len[i];
		int hi = n == 6 ? hex_digit(s[3]) : -1, lo = n == 6 ? hex_digit(s[4]) : -1;
		if (n == 6 && !memcmp(s, "<0x", 3) && s[5] == '>' && hi >= 0 && lo >= 0) {
			char b = (char)(hi * 16 + lo);
			if (tok_buf_put(bytes, &b, 1) < 0)
				return -1;
			continue;
		}
		if (flush_bytes(out, bytes) < 0 || list_add(out, s, n) < 0)
			return -1;
	}
	return flush_bytes(out, bytes);
}

static int metaspace(const struct tok_decoder *d, const struct str_list *in, struct str_list *out)
{
	const char *rep = d->spec.replacement;
	size_t rep_len = strlen(rep);
	for (size_t i = 0; i < in->n; i++) {
		const char *s = in->text.data + in->off[i];
		size_t n = in->len[i];
		if (list_add(out, "", 0) < 0)
			return -1;
		for (size_t pos = 0; pos < n;) {
			if (n - pos >= rep_len && memcmp(s + pos, rep, rep_len) == 0) {
				pos += rep_len;
				if ((i > 0 || d->spec.prepend_scheme == TOK_PREPEND_NEVER) &&
				    list_extend(out, " ", 1) < 0)
					return -1;
				continue;
			}
			uint32_t cp;
			size_t len = tok_utf8_next(s + pos, n - pos, &cp);
			if (list_extend(out, s + pos, len) < 0)
				return -1;
			pos += len;
		}
	}
	return 0;
}

/* Up to start leading and stop trailing copies of the character, from each token. */
static int strip(const struct tok_decoder *d, const struct str_list *in, struct str_list *out)
{
	const char *c = d->spec.content;
	size_t clen = strlen(c);
	for (size_t i = 0; i < in->n; i++) {
		const char *s = in->text.data + in->off[i];
		size_t begin = 0, end = in->len[i];
		for (int k = 0; k < d->spec.start && end - begin >= clen &&
				memcmp(s + begin, c, clen) == 0; k++)
			begin += clen;
		for (int k = 0; k < d->spec.stop && end - begin >= clen &&
				memcmp(s + end - clen, c, clen) == 0; k++)
			end -= clen;
		if (list_add(out, s + begin, end - begin) < 0)
			return -1;
	}
	return 0;
}

static int replace(struct tok_matcher *m, const struct tok_decoder *d, const struct str_list *in,
		   struct str_list *out, struct tok_spans *spans)
{
	size_t clen = strlen(d->spec.content);
	for (size_t i = 0; i < in->n; i++) {
		const char *s = in->text.data + in->off[i];
		if (tok_find_regex(m, &d->re, s, in->len[i], 0, spans) < 0 || list_add(out, "", 0) < 0)
			return -1;
		for (size_t k = 0; k < spans->n; k++) {
			const struct tok_span *sp = &spans->v[k];
			int rc = sp->is_match ? list_extend(out, d->spec.content, clen)
					      : list_extend(out, s + sp->start, sp->end - sp->start);
			if (rc < 0)
				return -1;
		}
	}
	return 0;
}

static int apply(const struct tokenizer *tok, struct tok_matcher *m, const struct tok_decoder *d,
		 const struct str_list *in, struct str_list *out, struct tok_buf *bytes,
		 struct tok_spans *spans)
{
	switch (d->spec.kind) {
	case TOK_DEC_BYTE_LEVEL:
		return byte_level(tok, in, out, bytes);
	case TOK_DEC_METASPACE:
		return metaspace(d, in, out);
	case TOK_DEC_BYTE_FALLBACK:
		return byte_fallback(in, out, bytes);
	case TOK_DEC_FUSE:
		if (list_add(out, "", 0) < 0)
			return -1;
		for (size_t i = 0; i < in->n; i++)
			if (list_extend(out, in->text.data + in->off[i], in->len[i]) < 0)
				return -1;
		return 0;
	case TOK_DEC_STRIP:
		return strip(d, in, out);
	case TOK_DEC_REPLACE:
		return replace(m, d, in, out, spans);
	}
	return -1;
}

int tok_decode_ids(const struct tokenizer *tok, const int32_t *ids, size_t n, struct tok_buf *out,
		   struct lwq_err *err)
{
	struct str_list a = {0}, b = {0};
	struct tok_buf bytes = {0};
	struct tok_spans spans = {0};
	struct tok_matcher m;
	int rc = tok_matcher_init(&m);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const char *s = ids[i] >= 0 && ids[i] < tok->vocab_size ? tok_id_string(tok, ids[i])
									: NULL;
		if (!s) {
			tok_matcher_free(&m);
			list_free(&a);
			return lwq_err_set(err, "id %d at position %zu is not in the vocabulary "
					   "(%d ids)", ids[i], i, tok->vocab_size);
		}
		rc = list_add(&a, s, strlen(s));
	}
	for (int k = 0; rc == 0 && k < tok->n_decoders; k++) {
		b.n = 0;
		b.text.len = 0;
		rc = apply(tok, &m, &tok->decoders[k], &a, &b, &bytes, &spans);
		struct str_list swap = a;
		a = b;
		b = swap;
	}
	out->len = 0;
	for (size_t i = 0; rc == 0 && i < a.n; i++) {
		if (!tok->has_decoder && i > 0)
			rc = tok_buf_put(out, " ", 1);
		if (rc == 0)
			rc = tok_buf_put(out, a.text.data + a.off[i], a.len[i]);
	}
	if (rc == 0)
		rc = tok_buf_reserve(out, 0);
	if (rc == 0)
		out->data[out->len] = '\0';
	list_free(&a);
	list_free(&b);
	tok_buf_free(&bytes);
	free(spans.v);
	tok_matcher_free(&m);
	return rc < 0 ? lwq_err_set(err, "tokenizer: out of memory") : 0;
}
