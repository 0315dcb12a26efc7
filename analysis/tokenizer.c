/* tokenizer.c: builds the pipeline from its spec and runs it: added tokens, normalizers,
   pre-tokenizers, BPE, post-processor, in the order the Hugging Face library does. */
#include "tokenizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

/* Rust's Unicode \w, which the library's Whitespace pre-tokenizer and single_word use. */
#define WORD_CLASS "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\x{200C}\\x{200D}"
static const char gpt2_pattern[] =
	"'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
static const char whitespace_pattern[] = "[" WORD_CLASS "]+|[^" WORD_CLASS "\\s]+";

char *tok_copy_string(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *copy = malloc(n);
	if (copy)
		memcpy(copy, s, n);
	return copy;
}

/* GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the other 68
   are moved to U+0100 onwards in byte order, so every byte is a visible character. */
static void build_byte_alphabet(struct tokenizer *tok)
{
	uint32_t shifted = 0x100;
	for (int i = 0; i < 0x144; i++)
		tok->char_byte[i] = -1;
	for (int b = 0; b < 256; b++) {
		int printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
		tok->byte_char[b] = printable ? (uint32_t)b : shifted++;
		tok->char_byte[tok->byte_char[b]] = (int16_t)b;
	}
}

/* The single character of a Metaspace replacement or a Strip/CharDelimiterSplit content. */
static int one_char(const char *s, const char *where, uint32_t *cp, struct lwq_err *err)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || tok_utf8_invalid_at(s, n) != n || tok_utf8_next(s, n, cp) != n)
		return lwq_err_set(err, "%s: '%.20s' is not one character", where, s ? s : "");
	return 0;
}

static int out_of_memory(struct lwq_err *err)
{
	return lwq_err_set(err, "tokenizer: out of memory");
}

static int build_normalizers(struct tokenizer *tok, const struct tokenizer_spec *spec,
			     struct lwq_err *err)
{
	if (!(tok->norms = calloc((size_t)spec->n_normalizers + 1, sizeof *tok->norms)))
		return out_of_memory(err);
	for (int i = 0; i < spec->n_normalizers; i++) {
		struct tok_normalizer *n = &tok->norms[i];
		n->spec = spec->normalizers[i];
		tok->n_norms = i + 1;
		n->spec.content = tok_copy_string(spec->normalizers[i].content);
		n->spec.pattern.text = NULL;
		if (spec->normalizers[i].content && !n->spec.content)
			return out_of_memory(err);
		if (n->spec.kind == TOK_NORM_REPLACE) {
			char where[64];
			snprintf(where, sizeof where, "normalizer %d (Replace)", i);
			if (!n->spec.content)
				return lwq_err_set(err, "%s: no content", where);
			if (tok_regex_compile(&n->re, &spec->normalizers[i].pattern, where, err) < 0)
				return -1;
		}
		if (n->spec.kind == TOK_NORM_PREPEND && !n->spec.content)
			return lwq_err_set(err, "normalizer %d (Prepend): no prepend", i);
	}
	return 0;
}

static int build_pre(struct tokenizer *tok, const struct tokenizer_spec *spec, struct lwq_err *err)
{
	if (!(tok->pre = calloc((size_t)spec->n_pre + 1, sizeof *tok->pre)))
		return out_of_memory(err);
	for (int i = 0; i < spec->n_pre; i++) {
		struct tok_pre *p = &tok->pre[i];
		char where[64];
		p->spec = spec->pre[i];
		p->spec.pattern.text = NULL;
		p->spec.replacement = NULL;
		tok->n_pre = i + 1;
		struct tok_pattern builtin = {NULL, 1};
		switch (p->spec.kind) {
		case TOK_PRE_SPLIT:
			snprintf(where, sizeof where, "pre_tokenizer %d (Split)", i);
			if (tok_regex_compile(&p->re, &spec->pre[i].pattern, where, err) < 0)
				return -1;
			break;
		case TOK_PRE_BYTE_LEVEL:
			builtin.text = p->spec.use_regex ? gpt2_pattern : NULL;
			break;
		case TOK_PRE_WHITESPACE:
			builtin.text = whitespace_pattern;
			break;
		case TOK_PRE_METASPACE:
		case TOK_PRE_CHAR_DELIMITER:
			snprintf(where, sizeof where, "pre_tokenizer %d (%s)", i,
				 p->spec.kind == TOK_PRE_METASPACE ? "Metaspace" : "CharDelimiterSplit");
			if (one_char(spec->pre[i].replacement, where, &p->replacement, err) < 0)
				return -1;
			memcpy(p->replacement_utf8, spec->pre[i].replacement,
			       strlen(spec->pre[i].replacement) + 1);
			break;
		default:
			break;
		}
		if (builtin.text && tok_regex_compile(&p->re, &builtin, "pre_tokenizer", err) < 0)
			return -1;
	}
	return 0;
}

static int build_decoders(struct tokenizer *tok, const struct tokenizer_spec *spec,
			  struct lwq_err *err)
{
	tok->has_decoder = spec->has_decoder;
	if (!(tok->decoders = calloc((size_t)spec->n_decoders + 1, sizeof *tok->decoders)))
		return out_of_memory(err);
	for (int i = 0; i < spec->n_decoders; i++) {
		struct tok_decoder *d = &tok->decoders[i];
		char where[64];
		d->spec = spec->decoders[i];
		d->spec.pattern.text = NULL;
		tok->n_decoders = i + 1;
		d->spec.content = tok_copy_string(spec->decoders[i].content);
		d->spec.replacement = tok_copy_string(spec->decoders[i].replacement);
		if ((spec->decoders[i].content && !d->spec.content) ||
		    (spec->decoders[i].replacement && !d->spec.replacement))
			return out_of_memory(err);
		snprintf(where, sizeof where, "decoder %d", i);
		if (d->spec.kind == TOK_DEC_REPLACE &&
		    (!d->spec.content ||
		     tok_regex_compile(&d->re, &spec->decoders[i].pattern, where, err) < 0))
			return d->spec.content ? -1 : lwq_err_set(err, "%s (Replace): no content", where);
		if (d->spec.kind == TOK_DEC_STRIP &&
		    one_char(d->spec.content, where, &d->character, err) < 0)
			return -1;
		if (d->spec.kind == TOK_DEC_METASPACE &&
		    one_char(d->spec.replacement, where, &d->character, err) < 0)
			return -1;
	}
	return 0;
}

/* ---- added tokens -------------------------------------------------------------------- */

static int32_t added_find(const struct tokenizer *tok, const char *content)
{
	for (int i = 0; i < tok->n_added; i++)
		if (!strcmp(tok->added[i].content, content))
			return i;
	return -1;
}

int32_t tokenizer_token_id(const struct tokenizer *tok, const char *token)
{
	int32_t i = added_find(tok, token);
	return i >= 0 ? tok->added[i].id : tok_bpe_find(&tok->bpe, token, strlen(token));
}

/* What a normalized added token is searched as: its content through the normalizers. */
static int normalized_form(struct tokenizer *tok, struct tok_added *a, struct lwq_err *err)
{
	struct tok_buf out = {0};
	int rc = tok_normalize(tok->enc, tok->norms, tok->n_norms, a->content,
			       strlen(a->content), &out, NULL);
	if (rc < 0) {
		tok_buf_free(&out);
		return out_of_memory(err);
	}
	a->match = out.data ? out.data : tok_copy_string("");
	a->match_len = out.len;
	return a->match ? 0 : out_of_memory(err);
}

static int by_length(const void *pa, const void *pb)
{
	const struct tok_added *a = *(const struct tok_added *const *)pa;
	const struct tok_added *b = *(const struct tok_added *const *)pb;
	return a->match_len < b->match_len ? 1 : a->match_len > b->match_len ? -1 : 0;
}

static int build_set(struct tokenizer *tok, struct tok_added_set *set, int normalized,
		     struct lwq_err *err)
{
	for (int i = 0; i < tok->n_added; i++) {
		const struct tok_added *a = &tok->added[i];
		unsigned char first = (unsigned char)a->match[0];
		if (a->normalized != normalized || a->match_len == 0)
			continue;
		const struct tok_added **grown = realloc(set->by_first[first],
			(size_t)(set->count[first] + 1) * sizeof *grown);
		if (!grown)
			return out_of_memory(err);
		set->by_first[first] = grown;
		grown[set->count[first]++] = a;
		set->total++;
	}
	for (int b = 0; b < 256; b++)
		if (set->count[b] > 1)
			qsort(set->by_first[b], (size_t)set->count[b], sizeof *set->by_first[b],
			      by_length);
	return 0;
}

/* Ids as the library's add_tokens gives them: the existing id of a known string, else
   the next id from the model's vocabulary size on; a repeated string updates its flags. */
static int build_added(struct tokenizer *tok, const struct tokenizer_spec *spec,
		       struct lwq_err *err)
{
	int32_t next_id = tok->bpe.n_entries;
	if (!(tok->added = calloc((size_t)spec->n_added + 1, sizeof *tok->added)))
		return out_of_memory(err);
	for (int i = 0; i < spec->n_added; i++) {
		const struct tok_added_spec *s = &spec->added[i];
		if (!s->content || !s->content[0])
			continue;
		int32_t at = added_find(tok, s->content);
		struct tok_added *a = at >= 0 ? &tok->added[at] : &tok->added[tok->n_added];
		if (at < 0) {
			int32_t id = tok_bpe_find(&tok->bpe, s->content, strlen(s->content));
			if (!(a->content = tok_copy_string(s->content)))
				return out_of_memory(err);
			a->id = id >= 0 ? id : next_id++;
			tok->n_added++;
		}
		a->special = s->special;
		a->lstrip = s->lstrip;
		a->rstrip = s->rstrip;
		a->single_word = s->single_word;
		a->normalized = s->normalized;
		if (a->id >= tok->vocab_size)
			tok->vocab_size = a->id + 1;
	}
	for (int i = 0; i < tok->n_added; i++) {
		struct tok_added *a = &tok->added[i];
		free(a->match);
		a->match = NULL;
		if (a->normalized && tok->n_norms) {
			if (normalized_form(tok, a, err) < 0)
				return -1;
		} else if (!(a->match = tok_copy_string(a->content))) {
			return out_of_memory(err);
		} else {
			a->match_len = strlen(a->match);
		}
	}
	return build_set(tok, &tok->raw_set, 0, err) < 0 ? -1
	       : build_set(tok, &tok->normalized_set, 1, err);
}

static int copy_ids(int32_t **dst, const int32_t *src, int n, int vocab_size,
		    struct lwq_err *err)
{
	if (!(*dst = malloc(((size_t)n + 1) * sizeof **dst)))
		return out_of_memory(err);
	for (int i = 0; i < n; i++) {
		if (src[i] < 0 || src[i] >= vocab_size)
			return lwq_err_set(err, "post_processor: special token id %d outside [0, %d)",
					   src[i], vocab_size);
		(*dst)[i] = src[i];
	}
	return 0;
}

static struct tok_encoder *encoder_new(const struct tokenizer *tok)
{
	struct tok_encoder *enc = calloc(1, sizeof *enc);
	if (!enc)
		return NULL;
	enc->tok = tok;
	if (tok_matcher_init(&enc->matcher) < 0) {
		tok_matcher_free(&enc->matcher);
		free(enc);
		return NULL;
	}
	return enc;
}

static void encoder_free(struct tok_encoder *enc)
{
	if (!enc)
		return;
	tok_matcher_free(&enc->matcher);
	tok_buf_free(&enc->normalized);
	tok_buf_free(&enc->arena);
	tok_buf_free(&enc->scratch);
	free(enc->pieces.v);
	free(enc->next.v);
	free(enc->spans.v);
	free(enc->spans2.v);
	free(enc->raw_split.v);
	free(enc->norm_split.v);
	free(enc->raw_ids);
	free(enc->norm_ids);
	free(enc->sym);
	free(enc->heap);
	free(enc->ids);
	free(enc);
}

struct tokenizer *tokenizer_new(const struct tokenizer_spec *spec, struct lwq_err *err)
{
	struct tokenizer *tok = calloc(1, sizeof *tok);
	if (!tok) {
		out_of_memory(err);
		return NULL;
	}
	build_byte_alphabet(tok);
	struct tok_pattern word = {"[" WORD_CLASS "]", 1};
	if (tok_regex_compile(&tok->word_char, &word, "tokenizer", err) < 0 ||
	    !(tok->enc = encoder_new(tok)) || tok_bpe_init(&tok->bpe, spec, err) < 0)
		goto fail;
	tok->vocab_size = tok->bpe.n_slots;
	if (build_normalizers(tok, spec, err) < 0 || build_pre(tok, spec, err) < 0 ||
	    build_decoders(tok, spec, err) < 0 || build_added(tok, spec, err) < 0)
		goto fail;
	if (tok->vocab_size == 0) {
		lwq_err_set(err, "tokenizer: empty vocabulary");
		goto fail;
	}
	if (copy_ids(&tok->prefix_ids, spec->prefix_ids, spec->n_prefix, tok->vocab_size, err) < 0 ||
	    copy_ids(&tok->suffix_ids, spec->suffix_ids, spec->n_suffix, tok->vocab_size, err) < 0)
		goto fail;
	tok->n_prefix = spec->n_prefix;
	tok->n_suffix = spec->n_suffix;
	return tok;
fail:
	if (!tok->enc && !err->msg[0])
		out_of_memory(err);
	tokenizer_free(tok);
	return NULL;
}

void tokenizer_free(struct tokenizer *tok)
{
	if (!tok)
		return;
	tok_bpe_free(&tok->bpe);
	for (int i = 0; i < tok->n_norms; i++) {
		free((char *)tok->norms[i].spec.content);
		tok_regex_free(&tok->norms[i].re);
	}
	for (int i = 0; i < tok->n_pre; i++)
		tok_regex_free(&tok->pre[i].re);
	for (int i = 0; i < tok->n_decoders; i++) {
		free((char *)tok->decoders[i].spec.content);
		free((char *)tok->decoders[i].spec.replacement);
		tok_regex_free(&tok->decoders[i].re);
	}
	for (int i = 0; i < tok->n_added; i++) {
		free(tok->added[i].content);
		free(tok->added[i].match);
	}
	for (int b = 0; b < 256; b++) {
		free(tok->raw_set.by_first[b]);
		free(tok->normalized_set.by_first[b]);
	}
	free(tok->norms);
	free(tok->pre);
	free(tok->decoders);
	free(tok->added);
	free(tok->prefix_ids);
	free(tok->suffix_ids);
	tok_regex_free(&tok->word_char);
	encoder_free(tok->enc);
	free(tok);
}

int tokenizer_vocab_size(const struct tokenizer *tok)
{
	return tok->vocab_size;
}

/* ---- encoding ------------------------------------------------------------------------ */

int tok_emit(struct tok_encoder *enc, int32_t id)
{
	if (tok_grow((void **)&enc->ids, &enc->ids_cap, enc->n_ids + 1, sizeof *enc->ids) < 0)
		return -1;
	enc->ids[enc->n_ids++] = id;
	return 0;
}

/* Pre-tokenizers and BPE on one piece of normalized text. */
static int encode_piece(struct tok_encoder *enc, const char *s, size_t n, size_t head)
{
	const struct tokenizer *tok = enc->tok;
	enc->arena.len = 0;
	enc->pieces.n = 0;
	if (tok_buf_put(&enc->arena, s, n) < 0 ||
	    tok_grow((void **)&enc->pieces.v, &enc->pieces.cap, 1, sizeof *enc->pieces.v) < 0)
		return -1;
	enc->pieces.v[enc->pieces.n++] = (struct tok_piece){0, n, head < n ? head : n};
	if (tok_pretokenize(enc, tok->pre, tok->n_pre) < 0)
		return -1;
	for (size_t i = 0; i < enc->pieces.n; i++) {
		const struct tok_piece *p = &enc->pieces.v[i];
		if (enc->piece_fn && (enc->piece_rc = enc->piece_fn(enc->piece_ctx, enc->arena.data +
								   p->off, p->len, -1)))
			return -1;
		if (!enc->piece_fn && tok_bpe_word(enc, enc->arena.data + p->off, p->len) < 0)
			return -1;
	}
	return 0;
}

/* An added token found in the text (at s, n bytes). */
static int emit_added(struct tok_encoder *enc, int32_t id, const char *s, size_t n)
{
	if (enc->piece_fn)
		return (enc->piece_rc = enc->piece_fn(enc->piece_ctx, s, n, id)) ? -1 : 0;
	return tok_emit(enc, id);
}

/* A segment of raw text between added tokens: normalized, then searched for the
   added tokens that match normalized text. at_start: it begins the text. */
static int encode_segment(struct tok_encoder *enc, const char *s, size_t n, int at_start)
{
	const struct tokenizer *tok = enc->tok;
	size_t head = at_start ? tok_first_char_len(s, n) : 0;
	if (tok->n_norms) {
		if (tok_normalize(enc, tok->norms, tok->n_norms, s, n, &enc->normalized, &head) < 0)
			return -1;
		s = enc->normalized.data;
		n = enc->normalized.len;
	}
	if (!tok->normalized_set.total)
		return n ? encode_piece(enc, s, n, head) : 0;
	if (tok_added_split(enc, &tok->normalized_set, s, n, &enc->norm_split, &enc->norm_ids,
			    &enc->norm_ids_cap) < 0)
		return -1;
	for (size_t i = 0; i < enc->norm_split.n; i++) {
		const struct tok_span *sp = &enc->norm_split.v[i];
		int rc = enc->norm_ids[i] >= 0
			 ? emit_added(enc, enc->norm_ids[i], s + sp->start, sp->end - sp->start)
			 : sp->end > sp->start
			 ? encode_piece(enc, s + sp->start, sp->end - sp->start,
					head > sp->start ? head - sp->start : 0)
			 : 0;
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int emit_all(struct tok_encoder *enc, const int32_t *ids, int n)
{
	for (int i = 0; i < n; i++)
		if (tok_emit(enc, ids[i]) < 0)
			return -1;
	return 0;
}

int tokenizer_encode(struct tokenizer *tok, const char *text, size_t len, int add_special,
		     int32_t **ids, size_t *n_ids, struct lwq_err *err)
{
	size_t bad = tok_utf8_invalid_at(text, len);
	if (bad < len)
		return lwq_err_set(err, "not valid UTF-8 at byte offset %zu", bad);
	struct tok_encoder *enc = tok->enc;
	enc->ids = NULL;
	enc->n_ids = enc->ids_cap = 0;
	int rc = add_special ? emit_all(enc, tok->prefix_ids, tok->n_prefix) : 0;
	if (rc == 0)
		rc = tok_added_split(enc, &tok->raw_set, text, len, &enc->raw_split, &enc->raw_ids,
				     &enc->raw_ids_cap);
	for (size_t i = 0; rc == 0 && i < enc->raw_split.n; i++) {
		const struct tok_span *sp = &enc->raw_split.v[i];
		rc = enc->raw_ids[i] >= 0 ? emit_added(enc, enc->raw_ids[i], text + sp->start,
						       sp->end - sp->start)
		     : sp->end > sp->start ? encode_segment(enc, text + sp->start,
							    sp->end - sp->start, sp->start == 0)
		     : 0;
	}
	if (rc == 0 && add_special)
		rc = emit_all(enc, tok->suffix_ids, tok->n_suffix);
	if (rc < 0) {
		free(enc->ids);
		enc->ids = NULL;
		return lwq_err_set(err, "tokenizer: out of memory");
	}
	*ids = enc->ids ? enc->ids : malloc(sizeof **ids);
	*n_ids = enc->n_ids;
	enc->ids = NULL;
	return *ids ? 0 : lwq_err_set(err, "tokenizer: out of memory");
}

int tokenizer_pieces(struct tokenizer *tok, const char *text, size_t len, tokenizer_piece_fn fn,
		     void *ctx, struct lwq_err *err)
{
	int32_t *ids = NULL;
	size_t n = 0;
	tok->enc->piece_fn = fn;
	tok->enc->piece_ctx = ctx;
	tok->enc->piece_rc = 0;
	int rc = tokenizer_encode(tok, text, len, 0, &ids, &n, err);
	int stopped = tok->enc->piece_rc;
	tok->enc->piece_fn = NULL;
	free(ids);
	return stopped ? stopped : rc;
}

/* ---- decoding ------------------------------------------------------------------------- */

int tokenizer_decode(const struct tokenizer *tok, const int32_t *ids, size_t n_ids,
		     char **text, size_t *len, struct lwq_err *err)
{
	struct tok_buf out = {0};
	if (tok_decode_ids(tok, ids, n_ids, &out, err) < 0) {
		tok_buf_free(&out);
		return -1;
	}
	*text = out.data;
	*len = out.len;
	return 0;
}

size_t tokenizer_decode_token(const struct tokenizer *tok, int32_t id, char *buf, size_t cap)
{
	struct tok_buf out = {0};
	struct lwq_err err = { "" };
	size_t n = 0;
	if (cap == 0)
		return 0;
	if (tok_decode_ids(tok, &id, 1, &out, &err) == 0) {
		n = out.len < cap - 1 ? out.len : cap - 1;
		/* never cut a character in two */
		while (n > 0 && n < out.len && ((unsigned char)out.data[n] & 0xC0) == 0x80)
			n--;
		memcpy(buf, out.data, n);
	}
	buf[n] = '\0';
	tok_buf_free(&out);
	return n;
}
