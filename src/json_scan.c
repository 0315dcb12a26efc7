/* json_scan.c: the strict JSON scanner for tokenizer.json's model.vocab and model.merges
   (see json_scan.h). */
#include "json_scan.h"

#include <stdlib.h>
#include <string.h>

struct scan {
	char *t;
	size_t pos, n;
	struct lwq_err *err;
};

static int fail(struct scan *s, const char *what)
{
	return lwq_err_set(s->err, "tokenizer.json: byte %zu: %s", s->pos, what);
}

static void ws(struct scan *s)
{
	while (s->pos < s->n && (s->t[s->pos] == ' ' || s->t[s->pos] == '\t' ||
				 s->t[s->pos] == '\n' || s->t[s->pos] == '\r'))
		s->pos++;
}

static int expect(struct scan *s, char c)
{
	ws(s);
	if (s->pos >= s->n || s->t[s->pos] != c)
		return fail(s, c == ':' ? "expected ':'" : "unexpected character");
	s->pos++;
	return 0;
}

static int hex4(struct scan *s, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++, s->pos++) {
		char c = s->pos < s->n ? s->t[s->pos] : 0;
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
		      : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return fail(s, "bad \\u escape");
		*v = *v * 16 + (unsigned)d;
	}
	return 0;
}

static size_t put_utf8(unsigned cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 when invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t need = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
		    : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
	if (need == 0 || need > n)
		return 0;
	for (size_t k = 1; k < need; k++) {
		unsigned char lo = 0x80, hi = 0xBF;
		if (k == 1) {
			lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
			hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
		}
		if (p[k] < lo || p[k] > hi)
			return 0;
	}
	return need;
}

/* A string, unescaped in place and NUL-terminated; *out points at it. */
static int string(struct scan *s, char **out)
{
	if (expect(s, '"') < 0)
		return -1;
	char *w = s->t + s->pos;
	*out = w;
	while (s->pos < s->n) {
		unsigned char c = (unsigned char)s->t[s->pos];
		if (c == '"') {
			s->pos++;
			*w = '\0';
			return 0;
		}
		if (c < 0x20)
			return fail(s, "control character in a string");
		if (c != '\\') {
			size_t len = utf8_len((const unsigned char *)s->t + s->pos, s->n - s->pos);
			if (len == 0)
				return fail(s, "invalid UTF-8 in a string");
			memmove(w, s->t + s->pos, len);
			w += len;
			s->pos += len;
			continue;
		}
		s->pos++;
		char e = s->pos < s->n ? s->t[s->pos++] : 0;
		static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
		const char *k = e ? strchr(from, e) : NULL;
		if (k) {
			*w++ = to[k - from];
			continue;
		}
		unsigned cp, lo;
		if (e != 'u' || hex4(s, &cp) < 0)
			return e == 'u' ? -1 : fail(s, "bad escape");
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (s->pos + 1 >= s->n || s->t[s->pos] != '\\' || s->t[s->pos + 1] != 'u')
				return fail(s, "lone surrogate");
			s->pos += 2;
			if (hex4(s, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
				return fail(s, "bad surrogate pair");
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		} else if ((cp >= 0xDC00 && cp <= 0xDFFF) || cp == 0) {
			return fail(s, cp ? "lone surrogate" : "\\u0000 in a string");
		}
		w += put_utf8(cp, w);
	}
	return fail(s, "unterminated string");
}

static int skip_value(struct scan *s, int depth);

static int skip_container(struct scan *s, char close, int depth)
{
	s->pos++;
	ws(s);
	if (s->pos < s->n && s->t[s->pos] == close) {
		s->pos++;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			char *key;
			if (string(s, &key) < 0 || expect(s, ':') < 0)
				return -1;
		}
		if (skip_value(s, depth + 1) < 0)
			return -1;
		ws(s);
		if (s->pos < s->n && s->t[s->pos] == ',') {
			s->pos++;
			continue;
		}
		return expect(s, close);
	}
}

static int skip_value(struct scan *s, int depth)
{
	ws(s);
	if (s->pos >= s->n)
		return fail(s, "unexpected end");
	if (depth > 64)
		return fail(s, "nested too deeply");
	char c = s->t[s->pos], *str;
	if (c == '"')
		return string(s, &str);
	if (c == '{' || c == '[')
		return skip_container(s, c == '{' ? '}' : ']', depth);
	size_t start = s->pos;
	while (s->pos < s->n && strchr("-+.0123456789eEtrufalsn", s->t[s->pos]))
		s->pos++;
	return s->pos > start ? 0 : fail(s, "unexpected character");
}

static int grow(void **p, int *cap, int need, size_t elem, struct scan *s)
{
	if (need <= *cap)
		return 0;
	int cap2 = *cap ? *cap * 2 : 1024;
	void *q = realloc(*p, (size_t)cap2 * elem);
	if (!q)
		return fail(s, "out of memory");
	*p = q;
	*cap = cap2;
	return 0;
}

static int vocab(struct scan *s, struct json_big_members *m)
{
	int cap = 0, cap2 = 0;
	if (expect(s, '{') < 0)
		return -1;
	ws(s);
	if (s->pos < s->n && s->t[s->pos] == '}')
		return s->pos++, 0;
	for (;;) {
		char *key, *end;
		if (string(s, &key) < 0 || expect(s, ':') < 0)
			return -1;
		ws(s);
		long long id = strtoll(s->t + s->pos, &end, 10);
		if (end == s->t + s->pos || *end == '.' || *end == 'e' || *end == 'E')
			return fail(s, "a vocab value is not an integer");
		s->pos = (size_t)(end - s->t);
		if (grow((void **)&m->keys, &cap, m->n_vocab + 1, sizeof *m->keys, s) < 0 ||
		    grow((void **)&m->ids, &cap2, m->n_vocab + 1, sizeof *m->ids, s) < 0)
			return -1;
		m->keys[m->n_vocab] = key;
		m->ids[m->n_vocab++] = id;
		ws(s);
		if (s->pos < s->n && s->t[s->pos] == ',') {
			s->pos++;
			continue;
		}
		return expect(s, '}');
	}
}

static int merges(struct scan *s, struct json_big_members *m)
{
	int cap = 0, cap2 = 0;
	if (expect(s, '[') < 0)
		return -1;
	ws(s);
	if (s->pos < s->n && s->t[s->pos] == ']')
		return s->pos++, 0;
	for (;;) {
		char *a = NULL, *b = NULL;
		ws(s);
		if (s->pos < s->n && s->t[s->pos] == '[') {
			s->pos++;
			if (string(s, &a) < 0 || expect(s, ',') < 0 || string(s, &b) < 0 ||
			    expect(s, ']') < 0)
				return -1;
			m->merges_are_pairs = 1;
		} else if (string(s, &a) < 0) {
			return -1;
		}
		if (grow((void **)&m->left, &cap, m->n_merges + 1, sizeof *m->left, s) < 0 ||
		    grow((void **)&m->right, &cap2, m->n_merges + 1, sizeof *m->right, s) < 0)
			return -1;
		m->left[m->n_merges] = a;
		m->right[m->n_merges++] = b;
		ws(s);
		if (s->pos < s->n && s->t[s->pos] == ',') {
			s->pos++;
			continue;
		}
		return expect(s, ']');
	}
}

/* Marks text[start, end) to be replaced by an empty container in rest. */
static void blank(struct json_big_members *m, size_t start, size_t end)
{
	int k = m->n_cuts++;
	m->cut_start[k] = start;
	m->cut_end[k] = end;
}

/* rest: the text without the members' values (each becomes {} or []), so the general
   parser does not even skip over them. */
static void build_rest(struct json_big_members *m, const char *json)
{
	size_t from = 0, used = 0;
	for (int k = 0; k < m->n_cuts; k++) {
		size_t s = m->cut_start[k];
		memcpy(m->rest + used, json + from, s - from);
		used += s - from;
		m->rest[used++] = json[s];
		m->rest[used++] = json[s] == '{' ? '}' : ']';
		from = m->cut_end[k];
	}
	memcpy(m->rest + used, json + from, m->len - from);
	m->rest_len = used + m->len - from;
	m->rest[m->rest_len] = '\0';
}

static int model(struct scan *s, struct json_big_members *m)
{
	s->pos++;                  /* '{' */
	ws(s);
	if (s->pos < s->n && s->t[s->pos] == '}')
		return s->pos++, 0;
	for (;;) {
		char *key;
		if (string(s, &key) < 0 || expect(s, ':') < 0)
			return -1;
		ws(s);
		size_t start = s->pos;
		char c = s->pos < s->n ? s->t[s->pos] : 0;
		int rc;
		if (!strcmp(key, "vocab") && c == '{' && !m->has_vocab) {
			rc = vocab(s, m);
			m->has_vocab = 1;
			blank(m, start, s->pos);
		} else if (!strcmp(key, "merges") && c == '[' && !m->has_merges) {
			rc = merges(s, m);
			m->has_merges = 1;
			blank(m, start, s->pos);
		} else {
			rc = skip_value(s, 1);
		}
		if (rc < 0)
			return -1;
		ws(s);
		if (s->pos < s->n && s->t[s->pos] == ',') {
			s->pos++;
			continue;
		}
		return expect(s, '}');
	}
}

int json_scan_big_members(const char *json, size_t len, struct json_big_members *out,
			  struct lwq_err *err)
{
	memset(out, 0, sizeof *out);
	out->text = malloc(len + 1);
	out->rest = malloc(len + 1);
	if (!out->text || !out->rest)
		return lwq_err_set(err, "tokenizer.json: out of memory");
	memcpy(out->text, json, len);
	out->text[len] = '\0';
	out->len = len;
	struct scan s = { out->text, 0, len, err };
	build_rest(out, json);     /* until the members are found: the whole text */
	ws(&s);
	if (s.pos >= len || s.t[s.pos] != '{')
		return 0;          /* not an object: the general parser says why */
	s.pos++;
	ws(&s);
	if (s.pos < len && s.t[s.pos] == '}')
		return 0;
	for (;;) {
		char *key;
		if (string(&s, &key) < 0 || expect(&s, ':') < 0)
			return -1;
		ws(&s);
		int rc = !strcmp(key, "model") && s.pos < len && s.t[s.pos] == '{'
			 ? model(&s, out) : skip_value(&s, 1);
		if (rc < 0)
			return -1;
		ws(&s);
		if (s.pos < len && s.t[s.pos] == ',') {
			s.pos++;
			continue;
		}
		if (expect(&s, '}') < 0)
			return -1;
		build_rest(out, json);
		return 0;
	}
}

void json_big_members_free(struct json_big_members *m)
{
	free(m->text);
	free(m->rest);
	free(m->keys);
	free(m->ids);
	free(m->left);
	free(m->right);
	memset(m, 0, sizeof *m);
}
