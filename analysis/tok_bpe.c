/* tok_bpe.c: the BPE model: vocabulary and merge tables, and the library's merge_word /
   Word::merge_all on one pre-token (byte_fallback, unk/fuse_unk, ignore_merges,
   continuing-subword prefix and end-of-word suffix). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

struct tok_bpe_symbol {
	int32_t id;
	int32_t prev, next;        /* neighbours still alive, -1 at the ends */
	int alive;                 /* 0 once merged into its left neighbour */
};

/* A possible merge of the symbol at pos with its right neighbour. */
struct tok_bpe_candidate {
	int32_t rank, pos, new_id;
};

/* ---- hash tables ------------------------------------------------------------------- */

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

int32_t tok_bpe_find(const struct tok_bpe *bpe, const char *s, size_t len)
{
	size_t i = hash_bytes(s, len) & bpe->index_mask;
	for (; bpe->index[i].key; i = (i + 1) & bpe->index_mask)
		if (bpe->index[i].len == len && memcmp(bpe->index[i].key, s, len) == 0)
			return bpe->index[i].id;
	return -1;
}

/* A later duplicate string replaces an earlier one, like a map built from the list. */
static void index_put(struct tok_bpe *bpe, const char *s, int32_t id)
{
	size_t len = strlen(s), i = hash_bytes(s, len) & bpe->index_mask;
	for (; bpe->index[i].key; i = (i + 1) & bpe->index_mask)
		if (bpe->index[i].len == len && memcmp(bpe->index[i].key, s, len) == 0)
			break;
	if (!bpe->index[i].key)
		bpe->n_entries++;
	bpe->index[i] = (struct tok_str_slot){s, (uint32_t)len, id};
}

static const struct tok_pair_slot *merge_find(const struct tok_bpe *bpe, int32_t left,
					      int32_t right)
{
	uint64_t key = (uint64_t)(uint32_t)left << 32 | (uint32_t)right;
	size_t i = hash_pair(key) & bpe->merges_mask;
	for (; bpe->merges[i].rank >= 0; i = (i + 1) & bpe->merges_mask)
		if (bpe->merges[i].key == key)
			return &bpe->merges[i];
	return NULL;
}

/* A repeated pair keeps its last rank, as the library's merge map does. */
static void merge_put(struct tok_bpe *bpe, int32_t left, int32_t right, int32_t rank,
		      int32_t new_id)
{
	uint64_t key = (uint64_t)(uint32_t)left << 32 | (uint32_t)right;
	size_t i = hash_pair(key) & bpe->merges_mask;
	for (; bpe->merges[i].rank >= 0; i = (i + 1) & bpe->merges_mask)
		if (bpe->merges[i].key == key)
			break;
	bpe->merges[i] = (struct tok_pair_slot){key, rank, new_id};
}

/* ---- construction ------------------------------------------------------------------- */

static int load_vocab(struct tok_bpe *bpe, const struct tokenizer_spec *spec,
		      struct lwq_err *err)
{
	bpe->n_slots = spec->n_tokens;
	bpe->vocab = calloc((size_t)spec->n_tokens + 1, sizeof *bpe->vocab);
	bpe->index_mask = table_size_for((size_t)spec->n_tokens) - 1;
	bpe->index = calloc(bpe->index_mask + 1, sizeof *bpe->index);
	if (!bpe->vocab || !bpe->index)
		return lwq_err_set(err, "tokenizer: out of memory");
	for (int id = 0; id < spec->n_tokens; id++) {
		if (!spec->vocab[id])
			continue;
		if (!(bpe->vocab[id] = tok_copy_string(spec->vocab[id])))
			return lwq_err_set(err, "tokenizer: out of memory");
		index_put(bpe, bpe->vocab[id], id);
	}
	for (int b = 0; b < 256; b++) {
		char code[8];
		snprintf(code, sizeof code, "<0x%02X>", b);
		bpe->byte_tokens[b] = tok_bpe_find(bpe, code, strlen(code));
	}
	return 0;
}

static int32_t merge_token(const struct tok_bpe *bpe, const char *s, size_t len, int rank,
			   struct lwq_err *err)
{
	int32_t id = tok_bpe_find(bpe, s, len);
	if (id < 0)
		lwq_err_set(err, "model.merges[%d]: token '%.*s' is not in the vocabulary", rank,
			    (int)(len > 100 ? 100 : len), s);
	return id;
}

static int load_merges(struct tok_bpe *bpe, const struct tokenizer_spec *spec,
		       struct lwq_err *err)
{
	size_t prefix_len = bpe->prefix ? strlen(bpe->prefix) : 0;
	char *joined = NULL;
	size_t joined_cap = 0;
	bpe->merges_mask = table_size_for((size_t)spec->n_merges) - 1;
	bpe->merges = malloc((bpe->merges_mask + 1) * sizeof *bpe->merges);
	if (!bpe->merges)
		return lwq_err_set(err, "tokenizer: out of memory");
	for (size_t i = 0; i <= bpe->merges_mask; i++)
		bpe->merges[i].rank = -1;
	for (int r = 0; r < spec->n_merges; r++) {
		const char *left = spec->merges_left[r], *right = spec->merges_right[r];
		size_t nl = strlen(left), nr = strlen(right);
		/* The merged token drops the right part's continuing-subword prefix. */
		size_t skip = prefix_len <= nr ? prefix_len : nr;
		if (tok_grow((void **)&joined, &joined_cap, nl + nr + 1, 1) < 0) {
			free(joined);
			return lwq_err_set(err, "tokenizer: out of memory");
		}
		memcpy(joined, left, nl);
		memcpy(joined + nl, right + skip, nr - skip);
		int32_t l = merge_token(bpe, left, nl, r, err);
		int32_t rt = l < 0 ? -1 : merge_token(bpe, right, nr, r, err);
		int32_t id = rt < 0 ? -1 : merge_token(bpe, joined, nl + nr - skip, r, err);
		if (id < 0) {
			free(joined);
			return -1;
		}
		merge_put(bpe, l, rt, r, id);
	}
	free(joined);
	return 0;
}

int tok_bpe_init(struct tok_bpe *bpe, const struct tokenizer_spec *spec, struct lwq_err *err)
{
	*bpe = (struct tok_bpe){0};
	bpe->unk_id = -1;
	bpe->fuse_unk = spec->fuse_unk;
	bpe->byte_fallback = spec->byte_fallback;
	bpe->ignore_merges = spec->ignore_merges;
	if ((spec->continuing_subword_prefix &&
	     !(bpe->prefix = tok_copy_string(spec->continuing_subword_prefix))) ||
	    (spec->end_of_word_suffix && !(bpe->suffix = tok_copy_string(spec->end_of_word_suffix))))
		return lwq_err_set(err, "tokenizer: out of memory");
	if (load_vocab(bpe, spec, err) < 0 || load_merges(bpe, spec, err) < 0)
		return -1;
	if (spec->unk_token &&
	    (bpe->unk_id = tok_bpe_find(bpe, spec->unk_token, strlen(spec->unk_token))) < 0)
		return lwq_err_set(err, "model.unk_token '%.100s' is not in the vocabulary",
				   spec->unk_token);
	return 0;
}

void tok_bpe_free(struct tok_bpe *bpe)
{
	if (bpe->vocab)
		for (int i = 0; i < bpe->n_slots; i++)
			free(bpe->vocab[i]);
	free(bpe->vocab);
	free(bpe->index);
	free(bpe->merges);
	free(bpe->prefix);
	free(bpe->suffix);
	*bpe = (struct tok_bpe){0};
}

/* ---- one word ------------------------------------------------------------------------ */

static int add_symbol(struct tok_encoder *enc, int32_t *count, int32_t id)
{
	if (tok_grow((void **)&enc->sym, &enc->sym_cap, (size_t)*count + 1, sizeof *enc->sym) < 0)
		return -1;
	enc->sym[*count] = (struct tok_bpe_symbol){id, *count - 1, *count + 1, 1};
	(*count)++;
	return 0;
}

/* The id of one character with the prefix/suffix it carries at its place in the word. */
static int32_t char_id(struct tok_encoder *enc, const char *c, size_t len, int first, int last)
{
	const struct tok_bpe *bpe = &enc->tok->bpe;
	if ((first || !bpe->prefix) && (!last || !bpe->suffix))
		return tok_bpe_find(bpe, c, len);
	struct tok_buf *b = &enc->scratch;
	b->len = 0;
	if ((!first && bpe->prefix && tok_buf_put(b, bpe->prefix, strlen(bpe->prefix)) < 0) ||
	    tok_buf_put(b, c, len) < 0 ||
	    (last && bpe->suffix && tok_buf_put(b, bpe->suffix, strlen(bpe->suffix)) < 0))
		return -2;
	return tok_bpe_find(bpe, b->data, b->len);
}

/* One symbol per character (merge_word): known characters, else their <0xNN> byte
   tokens with byte_fallback, else the unknown token (consecutive ones fused). */
static int32_t initial_symbols(struct tok_encoder *enc, const char *w, size_t n)
{
	const struct tok_bpe *bpe = &enc->tok->bpe;
	int32_t count = 0, pending_unk = 0;
	for (size_t pos = 0; pos < n;) {
		uint32_t cp;
		size_t len = tok_utf8_next(w + pos, n - pos, &cp);
		int32_t id = char_id(enc, w + pos, len, pos == 0, pos + len == n);
		if (id == -2)
			return -1;
		if (id >= 0) {
			if (pending_unk && add_symbol(enc, &count, bpe->unk_id) < 0)
				return -1;
			pending_unk = 0;
			if (add_symbol(enc, &count, id) < 0)
				return -1;
		} else {
			int fell_back = 0;
			if (bpe->byte_fallback) {
				/* The bytes of the looked-up string, prefix and suffix included. */
				const char *s = w + pos;
				size_t sn = len;
				if ((pos != 0 && bpe->prefix) || (pos + len == n && bpe->suffix)) {
					s = enc->scratch.data;
					sn = enc->scratch.len;
				}
				fell_back = 1;
				for (size_t k = 0; k < sn; k++)
					fell_back &= bpe->byte_tokens[(unsigned char)s[k]] >= 0;
				for (size_t k = 0; fell_back && k < sn; k++)
					if (add_symbol(enc, &count, bpe->byte_tokens[(unsigned char)s[k]]) < 0)
						return -1;
			}
			if (!fell_back && bpe->unk_id >= 0) {
				if (pending_unk && !bpe->fuse_unk &&
				    add_symbol(enc, &count, bpe->unk_id) < 0)
					return -1;
				pending_unk = 1;
			}
		}
		pos += len;
	}
	if (pending_unk && add_symbol(enc, &count, bpe->unk_id) < 0)
		return -1;
	if (count)
		enc->sym[count - 1].next = -1;
	return count;
}

/* Lowest rank first; among equal ranks the leftmost, as the library's queue orders them. */
static int candidate_before(const struct tok_bpe_candidate *a, const struct tok_bpe_candidate *b)
{
	return a->rank < b->rank || (a->rank == b->rank && a->pos < b->pos);
}

static int heap_push(struct tok_encoder *enc, struct tok_bpe_candidate c)
{
	if (tok_grow((void **)&enc->heap, &enc->heap_cap, enc->heap_n + 1, sizeof c) < 0)
		return -1;
	size_t i = enc->heap_n++;
	while (i > 0 && candidate_before(&c, &enc->heap[(i - 1) / 2])) {
		enc->heap[i] = enc->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	enc->heap[i] = c;
	return 0;
}

static struct tok_bpe_candidate heap_pop(struct tok_encoder *enc)
{
	struct tok_bpe_candidate top = enc->heap[0], last = enc->heap[--enc->heap_n];
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

static int push_candidate(struct tok_encoder *enc, int32_t pos)
{
	int32_t next = enc->sym[pos].next;
	if (next < 0)
		return 0;
	const struct tok_pair_slot *m = merge_find(&enc->tok->bpe, enc->sym[pos].id,
						   enc->sym[next].id);
	if (!m)
		return 0;
	return heap_push(enc, (struct tok_bpe_candidate){m->rank, pos, m->new_id});
}

int tok_bpe_word(struct tok_encoder *enc, const char *word, size_t n)
{
	const struct tok_bpe *bpe = &enc->tok->bpe;
	if (n == 0)
		return 0;
	if (bpe->ignore_merges) {
		int32_t whole = tok_bpe_find(bpe, word, n);
		if (whole >= 0)
			return tok_emit(enc, whole);
	}
	int32_t count = initial_symbols(enc, word, n);
	if (count < 0)
		return -1;
	enc->heap_n = 0;
	for (int32_t i = 0; i + 1 < count; i++)
		if (push_candidate(enc, i) < 0)
			return -1;
	while (enc->heap_n) {
		struct tok_bpe_candidate top = heap_pop(enc);
		struct tok_bpe_symbol *left = &enc->sym[top.pos];
		if (!left->alive || left->next < 0)
			continue;
		struct tok_bpe_symbol *right = &enc->sym[left->next];
		const struct tok_pair_slot *m = merge_find(bpe, left->id, right->id);
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
		if (enc->sym[i].alive && tok_emit(enc, enc->sym[i].id) < 0)
			return -1;
	return 0;
}
