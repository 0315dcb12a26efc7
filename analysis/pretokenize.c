/* pretokenize.c: splits text into pre-tokens with the GPT-2 pattern, without a regex library. */
#include "pretokenize.h"

#include "unicode_tables.h"

enum char_class { CC_LETTER, CC_NUMBER, CC_SPACE, CC_OTHER };

static int in_ranges(const struct unicode_range *r, int count, uint32_t cp)
{
	int lo = 0, hi = count - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (cp < r[mid].lo)
			hi = mid - 1;
		else if (cp > r[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

int unicode_is_letter(uint32_t cp)
{
	return in_ranges(unicode_letters, unicode_letters_count, cp);
}

int unicode_is_number(uint32_t cp)
{
	return in_ranges(unicode_numbers, unicode_numbers_count, cp);
}

/* The White_Space property (what \s means for Oniguruma and Rust's regex on Unicode
   text). Not iswspace(), and not Python's str.isspace(), which adds U+001C..U+001F. */
int unicode_is_space(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20;
	return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
	       cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

static enum char_class class_of(uint32_t cp)
{
	if (cp < 0x80) {
		if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
			return CC_LETTER;
		if (cp >= '0' && cp <= '9')
			return CC_NUMBER;
		return unicode_is_space(cp) ? CC_SPACE : CC_OTHER;
	}
	if (cp == UTF8_INVALID)
		return CC_OTHER;
	if (unicode_is_space(cp))
		return CC_SPACE;
	if (unicode_is_letter(cp))
		return CC_LETTER;
	return unicode_is_number(cp) ? CC_NUMBER : CC_OTHER;
}

size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const uint32_t min_of_len[5] = {0, 0, 0x80, 0x800, 0x10000};
	size_t len;
	uint32_t c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		c &= 0x07;
	} else {
		*cp = UTF8_INVALID;
		return 1;
	}
	if (len > n)
		goto invalid;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto invalid;
		c = (c << 6) | (s[i] & 0x3F);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are not characters. */
	if (c < min_of_len[len] || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
		goto invalid;
	*cp = c;
	return len;
invalid:
	*cp = UTF8_INVALID;
	return 1;
}

static enum char_class class_at(const unsigned char *s, size_t len, size_t pos, size_t *next)
{
	uint32_t cp;
	*next = pos + utf8_decode(s + pos, len - pos, &cp);
	return class_of(cp);
}

/* Length of 's|'t|'re|'ve|'m|'ll|'d at s, or 0. */
static size_t contraction_len(const unsigned char *s, size_t n)
{
	if (n < 2 || s[0] != '\'')
		return 0;
	if (s[1] == 's' || s[1] == 't' || s[1] == 'm' || s[1] == 'd')
		return 2;
	if (n >= 3 && ((s[1] == 'r' && s[2] == 'e') || (s[1] == 'v' && s[2] == 'e') ||
		       (s[1] == 'l' && s[2] == 'l')))
		return 3;
	return 0;
}

/* End of the run of characters of class cc starting at pos (pos itself is of class cc). */
static size_t class_run_end(const unsigned char *s, size_t len, size_t pos, enum char_class cc)
{
	size_t next;
	while (pos < len && class_at(s, len, pos, &next) == cc)
		pos = next;
	return pos;
}

/* \s+(?!\S)|\s+ at pos (a whitespace character). The first alternative backtracks
   to leave the last whitespace character before a non-space to the next pre-token
   (so "  word" gives " " and " word"); it fails for a single whitespace character
   before a non-space, which the second alternative then takes alone. */
static size_t whitespace_end(const unsigned char *s, size_t len, size_t pos)
{
	size_t last = pos, next, count = 0;
	while (pos < len && class_at(s, len, pos, &next) == CC_SPACE) {
		last = pos;
		pos = next;
		count++;
	}
	if (pos == len || count == 1)
		return pos;
	return last;
}

size_t pretoken_end(const char *text, size_t len, size_t pos)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = contraction_len(s + pos, len - pos), next;
	if (n)
		return pos + n;
	/* ` ?` is greedy, and without the space the later alternatives cannot start on
	   a space anyway, so only the spaced form needs trying. */
	size_t start = (s[pos] == ' ' && pos + 1 < len) ? pos + 1 : pos;
	enum char_class cc = class_at(s, len, start, &next);
	if (cc != CC_SPACE)
		return class_run_end(s, len, next, cc);
	return whitespace_end(s, len, pos);
}
