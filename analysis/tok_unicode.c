/* tok_unicode.c: UTF-8, the character classes the tokenizer's stages test, and buffers. */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "tok_internal.h"

int tok_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t cap2 = *cap ? *cap : 64;
	while (cap2 < need)
		cap2 *= 2;
	void *q = realloc(*p, cap2 * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = cap2;
	return 0;
}

int tok_buf_reserve(struct tok_buf *b, size_t extra)
{
	return tok_grow((void **)&b->data, &b->cap, b->len + extra + 1, 1);
}

int tok_buf_put(struct tok_buf *b, const char *s, size_t n)
{
	if (tok_buf_reserve(b, n) < 0)
		return -1;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

void tok_buf_free(struct tok_buf *b)
{
	free(b->data);
	*b = (struct tok_buf){0};
}

size_t tok_utf8_next(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	if (u[0] < 0x80 || n < 2) {
		*cp = u[0];
		return 1;
	}
	if (u[0] < 0xE0) {
		*cp = (uint32_t)(u[0] & 0x1F) << 6 | (u[1] & 0x3F);
		return 2;
	}
	if (u[0] < 0xF0 || n < 4) {
		*cp = (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
		return 3;
	}
	*cp = (uint32_t)(u[0] & 0x07) << 18 | (uint32_t)(u[1] & 0x3F) << 12 |
	      (uint32_t)(u[2] & 0x3F) << 6 | (u[3] & 0x3F);
	return 4;
}

size_t tok_utf8_put(uint32_t cp, char *out)
{
	return (size_t)utf8proc_encode_char((utf8proc_int32_t)cp, (utf8proc_uint8_t *)out);
}

size_t tok_utf8_invalid_at(const char *s, size_t len)
{
	size_t pos = 0;
	while (pos < len) {
		if ((unsigned char)s[pos] < 0x80) {
			pos++;
			continue;
		}
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + pos,
						      (utf8proc_ssize_t)(len - pos), &cp);
		if (n <= 0)
			return pos;
		pos += (size_t)n;
	}
	return len;
}

int tok_is_white_space(uint32_t cp)
{
	return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 ||
	       cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
	       cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

int tok_is_numeric(uint32_t cp)
{
	utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
	return c == UTF8PROC_CATEGORY_ND || c == UTF8PROC_CATEGORY_NL || c == UTF8PROC_CATEGORY_NO;
}

int tok_is_punctuation(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= 0x21 && cp <= 0x2F) || (cp >= 0x3A && cp <= 0x40) ||
		       (cp >= 0x5B && cp <= 0x60) || (cp >= 0x7B && cp <= 0x7E);
	utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
	return c >= UTF8PROC_CATEGORY_PC && c <= UTF8PROC_CATEGORY_PO;
}

int tok_is_nonspacing_mark(uint32_t cp)
{
	return utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_MN;
}

size_t tok_lowercase(uint32_t cp, char *out)
{
	/* The one character whose full lower-case mapping is two characters (SpecialCasing). */
	if (cp == 0x130) {
		memcpy(out, "i\xcc\x87", 3);
		return 3;
	}
	return tok_utf8_put((uint32_t)utf8proc_tolower((utf8proc_int32_t)cp), out);
}
