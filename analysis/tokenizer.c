/* tokenizer.c: byte-level BPE encoding that reproduces the Hugging Face tokenizers library. */
#include "tokenizer.h"

#include <stdlib.h>
#include <string.h>

#include "pretokenize.h"

/* GPT-2's byte alphabet reaches U+0143; reverse lookups index code points below this. */
#define BYTE_ALPHABET_END 0x144

struct str_slot {
	const char *key;           /* NULL: empty slot */
	size_t len;
	int32_t id;
};

struct pair_slot {
	uint64_t key;              /* left id << 32 | right id */
	int32_t rank;              /* -1: empty slot */
	int32_t new_id;
};

struct added_token {
	char *text;
	size_t len;
	int32_t id;
};

struct tokenizer {
	int n_tokens;
	char **vocab;              /* id -> byte-level string; NULL for unused ids */
	struct str_slot *index;    /* byte-level string -> id */
	size_t index_mask;
	struct pair_slot *merges;  /* (left, right) -> rank and merged id */
	size_t merges_mask;
	int32_t byte_ids[256];     /* id of each byte's one-character token, -1 when absent */
	struct added_token *added;
	int n_added;
	unsigned char added_first[256]; /* bytes that start some added token */
	int add_prefix_space;
	int add_bos_id;
	int unk_id;
	int fuse_unk;
	uint32_t char_of_byte[256];
	int16_t byte_of_char[BYTE_ALPHABET_END];
};

/* ---- byte-level alphabet ------------------------------------------------- */

/* GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the other 68
   are moved to U+0100 onwards in byte order, so every byte is a visible character. */
static void build_byte_alphabet(struct tokenizer *tok)
{
	uint32_t shifted = 0x100;
	for (int i = 0; i < BYTE_ALPHABET_END; i++)
		tok->byte_of_char[i] = -1;
	for (int b = 0; b < 256; b++) {
		int printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
		tok->char_of_byte[b] = printable ? (uint32_t)b : shifted++;
		tok->byte_of_char[tok->char_of_byte[b]] = (int16_t)b;
	}
}

/* UTF-8 encoding of a code point below U+0800 (all the byte alphabet needs). */
static size_t utf8_encode_small(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	out[0] = (char)(0xC0 | (cp >> 6));
	out[1] = (char)(0x80 | (cp & 0x3F));
	return 2;
}

/* ---- hash tables -------------------------------------------------------------- */

static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static uint64_t hash_pair(uint64_t key)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdull;
	key ^= key >> 33;
	return key;
}

static size_t table_size_for(size_t n)
{
	size_t size = 16;
	while (size < 2 * n)
		size *= 2;
	return size;
}

static int index_find(const struct tokenizer *tok, const char *s, size_t len)
{
	size_t i = hash_bytes(s, len) & tok->index_mask;
	for (; tok->index[i].key; i = (i + 1) & tok->index_mask)
		if (tok->index[i].len == len && memcmp(tok->index[i].key, s, len) == 0)
			return tok->index[i].id;
	return -1;
}

/* A later duplicate string replaces an earlier one, like a map built from the list. */
static void index_put(struct tokenizer *tok, const char *s, int32_t id)
{
	size_t len = strlen(s), i = hash_bytes(s, len) & tok->index_mask;
	for (; tok->index[i].key; i = (i + 1) & tok->index_mask)
		if (tok->index[i].len == len && memcmp(tok->index[i].key, s, len) == 0)
			break;
	tok->index[i] = (struct str_slot){s, len, id};
}

static const struct pair_slot *merge_find(const struct tokenizer *tok, int32_t left, int32_t right)
{
	uint64_t key = (uint64_t)(uint32_t)left << 32 | (uint32_t)right;
	size_t i = hash_pair(key) & tok->merges_mask;
	for (; tok->merges[i].rank >= 0; i = (i + 1) & tok->merges_mask)
		if (tok->merges[i].key == key)
			return &tok->merges[i];
	return NULL;
}

/* A repeated pair keeps its last rank, as the library's merge map does. */
static void merge_put(struct tokenizer *tok, int32_t left, int32_t right, int32_t rank,
		      int32_t new_id)
{
	uint64_t key = (uint64_t)(uint32_t)left << 32 | (uint32_t)right;
	size_t i = hash_pair(key) & tok->merges_mask;
	for (; tok->merges[i].rank >= 0; i = (i + 1) & tok->merges_mask)
		if (tok->merges[i].key == key)
			break;
	tok->merges[i] = (struct pair_slot){key, rank, new_id};
}

static char *copy_string(const char *s)
{
	size_t n = strlen(s) + 1;
	char *copy = malloc(n);
	if (copy)
		memcpy(copy, s, n);
	return copy;
}

/* ---- construction ----------------------------------------------------------------- */

static int load_vocab(struct tokenizer *tok, const struct tokenizer_spec *spec,
		      struct lwq_err *err)
{
	tok->n_tokens = spec->n_tokens;
	tok->vocab = calloc((size_t)spec->n_tokens, sizeof *tok->vocab);
	tok->index_mask = table_size_for((size_t)spec->n_tokens) - 1;
	tok->index = calloc(tok->index_mask + 1, sizeof *tok->index);
	if (!tok->vocab || !tok->index)
		return lwq_err_set(err, "tokenizer: out of memory");
	for (int id = 0; id < spec->n_tokens; id++) {
		if (!spec->vocab[id])
			continue;
		if (!(tok->vocab[id] = copy_string(spec->vocab[id])))
			return lwq_err_set(err, "tokenizer: out of memory");
		index_put(tok, tok->vocab[id], id);
	}
	for (int b = 0; b < 256; b++) {
		char one[2];
		size_t n = utf8_encode_small(tok->char_of_byte[b], one);
		tok->byte_ids[b] = index_find(tok, one, n);
	}
	return 0;
}

static int token_id(const struct tokenizer *tok, const char *s, int merge, struct lwq_err *err)
{
	int id = index_find(tok, s, strlen(s));
	if (id < 0)
		lwq_err_set(err, "tokenizer: merge %d: token '%.100s' not in the vocabulary",
			    merge, s);
	return id;
}

static int load_merges(struct tokenizer *tok, const struct tokenizer_spec *spec,
		       struct lwq_err *err)
{
	tok->merges_mask = table_size_for((size_t)spec->n_merges) - 1;
	tok->merges = malloc((tok->merges_mask + 1) * sizeof *tok->merges);
	if (!tok->merges)
		return lwq_err_set(err, "tokenizer: out of memory");
	for (size_t i = 0; i <= tok->merges_mask; i++)
		tok->merges[i].rank = -1;
	for (int r = 0; r < spec->n_merges; r++) {
		const char *left = spec->merges_left[r], *right = spec->merges_right[r];
		size_t nl = strlen(left), nr = strlen(right);
		char *joined = malloc(nl + nr + 1);
		if (!joined)
			return lwq_err_set(err, "tokenizer: out of memory");
		memcpy(joined, left, nl);
		memcpy(joined + nl, right, nr + 1);
		int l = token_id(tok, left, r, err), rt = l < 0 ? -1 : token_id(tok, right, r, err);
		int id = rt < 0 ? -1 : token_id(tok, joined, r, err);
		free(joined);
		if (id < 0)
			return -1;
		merge_put(tok, l, rt, r, id);
	}
	return 0;
}

static int load_added(struct tokenizer *tok, const struct tokenizer_spec *spec,
		      struct lwq_err *err)
{
	tok->added = calloc((size_t)spec->n_added + 1, sizeof *tok->added);
	if (!tok->added)
		return lwq_err_set(err, "tokenizer: out of memory");
	for (int i = 0; i < spec->n_added; i++) {
		const char *text = spec->added[i];
		if (!text[0])
			return lwq_err_set(err, "tokenizer: added token %d is empty", i);
		if (spec->added_ids[i] < 0 || spec->added_ids[i] >= spec->n_tokens)
			return lwq_err_set(err, "tokenizer: added token '%.100s' has id %d outside [0, %d)",
					   text, spec->added_ids[i], spec->n_tokens);
		if (!(tok->added[i].text = copy_string(text)))
			return lwq_err_set(err, "tokenizer: out of memory");
		tok->added[i].len = strlen(text);
		tok->added[i].id = spec->added_ids[i];
		tok->added_first[(unsigned char)text[0]] = 1;
		tok->n_added = i + 1;
	}
	return 0;
}

static int check_id(int id, int n_tokens, const char *what, struct lwq_err *err)
{
	if (id < -1 || id >= n_tokens)
		return lwq_err_set(err, "tokenizer: %s id %d outside [0, %d)", what, id, n_tokens);
	return 0;
}

struct tokenizer *tokenizer_new(const struct tokenizer_spec *spec, struct lwq_err *err)
{
	if (spec->n_tokens <= 0) {
		lwq_err_set(err, "tokenizer: empty vocabulary");
		return NULL;
	}
	struct tokenizer *tok = calloc(1, sizeof *tok);
	if (!tok) {
		lwq_err_set(err, "tokenizer: out of memory");
		return NULL;
	}
	build_byte_alphabet(tok);
	tok->add_prefix_space = spec->add_prefix_space;
	tok->add_bos_id = spec->add_bos_id;
	tok->fuse_unk = spec->fuse_unk;
	tok->unk_id = -1;
	if (load_vocab(tok, spec, err) < 0 || load_merges(tok, spec, err) < 0 ||
	    load_added(tok, spec, err) < 0 ||
	    check_id(tok->add_bos_id, tok->n_tokens, "BOS", err) < 0)
		goto fail;
	if (spec->unk_token && (tok->unk_id = index_find(tok, spec->unk_token,
							 strlen(spec->unk_token))) < 0) {
		lwq_err_set(err, "tokenizer: unknown-token '%.100s' not in the vocabulary",
			    spec->unk_token);
		goto fail;
	}
	return tok;
fail:
	tokenizer_free(tok);
	return NULL;
}

void tokenizer_free(struct tokenizer *tok)
{
	if (!tok)
		return;
	if (tok->vocab)
		for (int i = 0; i < tok->n_tokens; i++)
			free(tok->vocab[i]);
	for (int i = 0; i < tok->n_added; i++)
		free(tok->added[i].text);
	free(tok->vocab);
	free(tok->index);
	free(tok->merges);
	free(tok->added);
	free(tok);
}

int tokenizer_vocab_size(const struct tokenizer *tok)
{
	return tok->n_tokens;
}

/* ---- encoding ------------------------------------------------------------------ */

struct bpe_symbol {
	int32_t id;
	int32_t prev, next;        /* neighbours still alive, -1 at the ends */
	int alive;                 /* 0 once merged into its left neighbour */
};

/* A possible merge of the symbol at pos with its right neighbour. */
struct bpe_candidate {
	int32_t rank, pos, new_id;
};

/* Scratch space reused across pre-tokens, and the growing output. */
struct encoder {
	const struct tokenizer *tok;
	struct bpe_symbol *sym;
	size_t sym_cap;
	struct bpe_candidate *heap;
	size_t heap_n, heap_cap;
	int32_t *ids;
	size_t n_ids, ids_cap;
	char *spaced;              /* a segment with the prefix space added */
	size_t spaced_cap;
};

static int grow(void **buf, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t cap2 = *cap ? *cap : 64;
	while (cap2 < need)
		cap2 *= 2;
	void *p = realloc(*buf, cap2 * elem);
	if (!p)
		return -1;
	*buf = p;
	*cap = cap2;
	return 0;
}

static int emit_id(struct encoder *enc, int32_t id)
{
	if (grow((void **)&enc->ids, &enc->ids_cap, enc->n_ids + 1, sizeof *enc->ids) < 0)
		return -1;
	enc->ids[enc->n_ids++] = id;
	return 0;
}

/* Lowest rank first; among equal ranks the leftmost, as the library's queue orders them. */
static int candidate_before(const struct bpe_candidate *a, const struct bpe_candidate *b)
{
	return a->rank < b->rank || (a->rank == b->rank && a->pos < b->pos);
}

static int heap_push(struct encoder *enc, struct bpe_candidate c)
{
	if (grow((void **)&enc->heap, &enc->heap_cap, enc->heap_n + 1, sizeof c) < 0)
		return -1;
	size_t i = enc->heap_n++;
	while (i > 0 && candidate_before(&c, &enc->heap[(i - 1) / 2])) {
		enc->heap[i] = enc->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	enc->heap[i] = c;
	return 0;
}

static struct bpe_candidate heap_pop(struct encoder *enc)
{
	struct bpe_candidate top = enc->heap[0], last = enc->heap[--enc->heap_n];
	size_t i = 0, n = enc->heap_n;
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= n)
			break;
		if (child + 1 < n && candidate_before(&enc->heap[child + 1], &enc->heap[child]))
			child++;
		if (!candidate_before(&enc->heap[child], &last))
			break;
		enc->heap[i] = enc->heap[child];
		i = child;
	}
	if (n)
		enc->heap[i] = last;
	return top;
}

static int push_candidate(struct encoder *enc, int32_t pos)
{
	int32_t next = enc->sym[pos].next;
	if (next < 0)
		return 0;
	const struct pair_slot *m = merge_find(enc->tok, enc->sym[pos].id, enc->sym[next].id);
	if (!m)
		return 0;
	return heap_push(enc, (struct bpe_candidate){m->rank, pos, m->new_id});
}

/* One symbol per byte. Bytes missing from the vocabulary are dropped, or become the
   unknown token (consecutive ones fused into one when fuse_unk is set). */
static int initial_symbols(struct encoder *enc, const unsigned char *s, size_t n)
{
	const struct tokenizer *tok = enc->tok;
	int32_t count = 0;
	int last_was_unknown = 0;
	if (grow((void **)&enc->sym, &enc->sym_cap, n, sizeof *enc->sym) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int32_t id = tok->byte_ids[s[i]];
		int unknown = id < 0;
		if (unknown && (tok->unk_id < 0 || (tok->fuse_unk && last_was_unknown)))
			continue;
		enc->sym[count] = (struct bpe_symbol){unknown ? tok->unk_id : id, count - 1,
						      count + 1, 1};
		count++;
		last_was_unknown = unknown;
	}
	if (count)
		enc->sym[count - 1].next = -1;
	return count;
}

/* Applies merges by rank until none applies (the library's Word::merge_all), then
   appends the resulting ids. */
static int encode_word(struct encoder *enc, const char *word, size_t n)
{
	int32_t count = initial_symbols(enc, (const unsigned char *)word, n);
	if (count < 0)
		return -1;
	enc->heap_n = 0;
	for (int32_t i = 0; i + 1 < count; i++)
		if (push_candidate(enc, i) < 0)
			return -1;
	while (enc->heap_n) {
		struct bpe_candidate top = heap_pop(enc);
		struct bpe_symbol *left = &enc->sym[top.pos];
		if (!left->alive || left->next < 0)
			continue;
		struct bpe_symbol *right = &enc->sym[left->next];
		const struct pair_slot *m = merge_find(enc->tok, left->id, right->id);
		if (!m || m->new_id != top.new_id)
			continue;              /* stale: a neighbour changed since it was queued */
		left->id = top.new_id;
		left->next = right->next;
		right->alive = 0;
		if (left->next >= 0)
			enc->sym[left->next].prev = top.pos;
		if ((left->prev >= 0 && push_candidate(enc, left->prev) < 0) ||
		    push_candidate(enc, top.pos) < 0)
			return -1;
	}
	for (int32_t i = 0; i < count; i++)
		if (enc->sym[i].alive && emit_id(enc, enc->sym[i].id) < 0)
			return -1;
	return 0;
}

/* Text between added tokens: optional prefix space, pre-tokens, BPE on each. */
static int encode_segment(struct encoder *enc, const char *s, size_t n)
{
	if (n == 0)
		return 0;
	if (enc->tok->add_prefix_space && s[0] != ' ') {
		if (grow((void **)&enc->spaced, &enc->spaced_cap, n + 1, 1) < 0)
			return -1;
		enc->spaced[0] = ' ';
		memcpy(enc->spaced + 1, s, n);
		s = enc->spaced;
		n++;
	}
	for (size_t pos = 0; pos < n;) {
		size_t end = pretoken_end(s, n, pos);
		if (encode_word(enc, s + pos, end - pos) < 0)
			return -1;
		pos = end;
	}
	return 0;
}

/* The longest added token starting at pos, or NULL. */
static const struct added_token *added_at(const struct tokenizer *tok, const char *text,
					  size_t len, size_t pos)
{
	const struct added_token *best = NULL;
	if (!tok->added_first[(unsigned char)text[pos]])
		return NULL;
	for (int i = 0; i < tok->n_added; i++) {
		const struct added_token *a = &tok->added[i];
		if (a->len <= len - pos && (!best || a->len > best->len) &&
		    memcmp(text + pos, a->text, a->len) == 0)
			best = a;
	}
	return best;
}

static void encoder_free(struct encoder *enc)
{
	free(enc->sym);
	free(enc->heap);
	free(enc->spaced);
}

/* Added tokens are found first, leftmost-longest, on the raw text; the text between
   them goes through the pre-tokenizer and BPE. */
int tokenizer_encode(const struct tokenizer *tok, const char *text, size_t len,
		     int32_t **ids, size_t *n_ids, struct lwq_err *err)
{
	struct encoder enc = {.tok = tok};
	size_t segment = 0, pos = 0;
	int rc = tok->add_bos_id >= 0 ? emit_id(&enc, tok->add_bos_id) : 0;
	while (rc == 0 && pos < len) {
		const struct added_token *a = added_at(tok, text, len, pos);
		if (!a) {
			pos++;
			continue;
		}
		rc = encode_segment(&enc, text + segment, pos - segment);
		if (rc == 0)
			rc = emit_id(&enc, a->id);
		pos += a->len;
		segment = pos;
	}
	if (rc == 0)
		rc = encode_segment(&enc, text + segment, len - segment);
	encoder_free(&enc);
	if (rc < 0) {
		free(enc.ids);
		return lwq_err_set(err, "tokenizer: out of memory");
	}
	*ids = enc.ids;
	*n_ids = enc.n_ids;
	return 0;
}

/* ---- decoding ------------------------------------------------------------------- */

static const struct added_token *added_with_id(const struct tokenizer *tok, int32_t id)
{
	for (int i = 0; i < tok->n_added; i++)
		if (tok->added[i].id == id)
			return &tok->added[i];
	return NULL;
}

size_t tokenizer_decode_token(const struct tokenizer *tok, int32_t id, char *buf, size_t cap)
{
	size_t out = 0;
	if (cap == 0)
		return 0;
	const struct added_token *a = id >= 0 && id < tok->n_tokens ? added_with_id(tok, id) : NULL;
	const char *s = a ? a->text : id >= 0 && id < tok->n_tokens ? tok->vocab[id] : NULL;
	size_t n = s ? strlen(s) : 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		int byte = !a && cp < BYTE_ALPHABET_END ? tok->byte_of_char[cp] : -1;
		size_t width = byte >= 0 ? 1 : len;
		if (out + width >= cap)
			break;
		if (byte >= 0)
			buf[out] = (char)byte;
		else
			memcpy(buf + out, s + i, len);
		out += width;
		i += len;
	}
	buf[out] = '\0';
	return out;
}
