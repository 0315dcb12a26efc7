/* test_tokenizer.c: byte-level BPE on hand-made vocabularies, and against the Hugging Face output. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "read_file.h"
#include "tap.h"
#include "tokenizer.h"
#include "tokenizer_json.h"

/* ---- pre-tokenizer: expected splits worked out by hand from the pattern ---- */

/* The text with control characters and bytes that never occur in UTF-8 escaped, to
   keep a TAP line one readable line. */
static const char *printable(const char *s, char *buf, size_t cap)
{
	size_t used = 0;
	for (; *s && used + 5 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		int escape = c < 0x20 || c == 0xC0 || c == 0xC1 || c >= 0xF5;
		used += (size_t)snprintf(buf + used, cap - used, escape ? "\\x%02x" : "%c", c);
	}
	buf[used] = '\0';
	return buf;
}

struct joined {
	char text[512];
	size_t used;
};

static int join_piece(void *ctx, const char *piece, size_t len, int32_t added_id)
{
	struct joined *j = ctx;
	(void)added_id;
	j->used += (size_t)snprintf(j->text + j->used, sizeof j->text - j->used, "%s%.*s",
				    j->used ? "|" : "", (int)len, piece);
	return 0;
}

/* The GPT-2 pattern through a Split pre-tokenizer (the text stays raw bytes). */
static struct tokenizer *gpt2_splitter(void)
{
	static const char *const vocab[] = {"a"};
	struct tok_pre_spec pre = {.kind = TOK_PRE_SPLIT, .behavior = TOK_SPLIT_ISOLATED,
		.pattern = {"'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|"
			    "\\s+(?!\\S)|\\s+", 1}};
	struct tokenizer_spec spec = {.vocab = vocab, .n_tokens = 1, .pre = &pre, .n_pre = 1};
	struct lwq_err err = { "" };
	return tokenizer_new(&spec, &err);
}

/* pieces: the expected pre-tokens joined by '|' (none of the inputs contain '|'). */
static void check_split(const char *text, const char *pieces, const char *what)
{
	static struct tokenizer *tok;
	char shown[1024];
	struct joined got = {"", 0};
	struct lwq_err err = { "" };
	if (!tok)
		tok = gpt2_splitter();
	int rc = tok ? tokenizer_pieces(tok, text, strlen(text), join_piece, &got, &err) : -1;
	ok(rc == 0 && strcmp(got.text, pieces) == 0, "pre-tokens: %s (got \"%s\")", what,
	   printable(got.text, shown, sizeof shown));
}

static void test_pretokenizer(void)
{
	check_split("Hello world", "Hello| world", "words take the space before them");
	check_split("a   b", "a|  | b", "\\s+(?!\\S) leaves the last space to the word");
	check_split("a\n\nb", "a|\n|\n|b", "a newline is never a word's prefix");
	check_split("a \n b", "a| \n| b", "mixed whitespace run before a word");
	check_split("end  ", "end|  ", "whitespace at the end stays whole");
	check_split("x\ty", "x|\t|y", "a single tab before a word is its own token");
	check_split("I'm they're it's we've you'll he'd don't",
		    "I|'m| they|'re| it|'s| we|'ve| you|'ll| he|'d| don|'t", "contractions");
	check_split("'S 'x", "'|S| '|x", "contractions are lower-case only");
	check_split("''s", "''|s", "a punctuation run swallows the apostrophe");
	check_split("abc123 4.5", "abc|123| 4|.|5", "digits split from letters");
	check_split("x!!! ?", "x|!!!| ?", "punctuation runs");
	check_split("h\xc3\xa9llo w\xc3\xb6rld", "h\xc3\xa9llo| w\xc3\xb6rld", "Latin-1 letters");
	check_split("\xce\x9a\xce\xb1\xce\xbb\xce\xb7 \xce\xba\xcf\x8c\xcf\x83\xce\xbc\xce\xb5",
		    "\xce\x9a\xce\xb1\xce\xbb\xce\xb7| \xce\xba\xcf\x8c\xcf\x83\xce\xbc\xce\xb5",
		    "Greek letters");
	/* U+6570 U+5B57 (Lo), U+0663 U+0664 (Nd), U+216B (Nl) */
	check_split("\xe6\x95\xb0\xe5\xad\x97\xd9\xa3\xd9\xa4 \xe2\x85\xab",
		    "\xe6\x95\xb0\xe5\xad\x97|\xd9\xa3\xd9\xa4| \xe2\x85\xab",
		    "CJK letters, Arabic-Indic digits, Roman numeral");
	check_split("e\xcc\x81t\xc3\xa9", "e|\xcc\x81|t\xc3\xa9", "a combining mark (Mn) is not a letter");
	check_split("\xc2\xbd of", "\xc2\xbd| of", "vulgar fraction (No) is a number");
	check_split("a\xc2\xa0" "b", "a|\xc2\xa0|b", "no-break space is whitespace, not a prefix");
	check_split("a\x1c" "b", "a|\x1c|b", "U+001C is not White_Space");
	check_split("a\xe2\x80\x8b" "b", "a|\xe2\x80\x8b|b", "zero-width space is not White_Space");
	check_split("hi \xf0\x9f\x98\x80\xf0\x9f\x98\x80!", "hi| \xf0\x9f\x98\x80\xf0\x9f\x98\x80!",
		    "emoji and punctuation form one run");
	check_split(" ", " ", "a lone space");
}

/* ---- BPE on a small vocabulary: every byte, plus merged tokens ---- */

/* GPT-2's bytes_to_unicode, written the way its reference code builds it. */
static void byte_alphabet(char out[256][3])
{
	int cps[256], listed[256] = {0}, n = 0;
	for (int b = '!'; b <= '~'; b++)
		listed[b] = 1;
	for (int b = 0xA1; b <= 0xAC; b++)
		listed[b] = 1;
	for (int b = 0xAE; b <= 0xFF; b++)
		listed[b] = 1;
	for (int b = 0; b < 256; b++)
		cps[b] = listed[b] ? b : 256 + n++;
	for (int b = 0; b < 256; b++) {
		int cp = cps[b];
		if (cp < 0x80)
			snprintf(out[b], 3, "%c", cp);
		else
			snprintf(out[b], 3, "%c%c", 0xC0 | (cp >> 6), 0x80 | (cp & 0x3F));
	}
}

/* Raw bytes -> byte-level string ("the" stays, " the" becomes "\xc4\xa0the"). */
static void to_byte_level(const char *raw, char *out, size_t cap)
{
	static char alphabet[256][3];
	if (!alphabet['a'][0])
		byte_alphabet(alphabet);
	out[0] = '\0';
	for (; *raw; raw++)
		strncat(out, alphabet[(unsigned char)*raw], cap - strlen(out) - 1);
}

#define MAX_TOKENS 512

/* Ids 0..255 are the bytes, then the specials, then one token per merge. */
struct small_vocab {
	char text[MAX_TOKENS][32];
	const char *vocab[MAX_TOKENS];
	char left[64][32], right[64][32];
	const char *lp[64], *rp[64];
	struct tok_added_spec added[4];
	struct tok_pre_spec pre;
	struct tok_decoder_spec decoder;
	int32_t bos;
	struct tokenizer_spec spec;
};

static void small_vocab_init(struct small_vocab *sv)
{
	memset(sv, 0, sizeof *sv);
	for (int b = 0; b < 256; b++) {
		char raw[2] = {(char)b, 0};
		if (b == 0)
			snprintf(sv->text[0], 32, "\xc4\x80"); /* byte 0 is U+0100 */
		else
			to_byte_level(raw, sv->text[b], 32);
		sv->vocab[b] = sv->text[b];
	}
	sv->spec.vocab = sv->vocab;
	sv->spec.n_tokens = 256;
	sv->spec.merges_left = sv->lp;
	sv->spec.merges_right = sv->rp;
	sv->spec.added = sv->added;
	sv->pre = (struct tok_pre_spec){.kind = TOK_PRE_BYTE_LEVEL, .use_regex = 1};
	sv->spec.pre = &sv->pre;
	sv->spec.n_pre = 1;
	sv->decoder = (struct tok_decoder_spec){.kind = TOK_DEC_BYTE_LEVEL};
	sv->spec.decoders = &sv->decoder;
	sv->spec.n_decoders = 1;
	sv->spec.has_decoder = 1;
}

static int add_token(struct small_vocab *sv, const char *byte_level)
{
	int id = sv->spec.n_tokens++;
	snprintf(sv->text[id], sizeof sv->text[id], "%.31s", byte_level);
	sv->vocab[id] = sv->text[id];
	return id;
}

/* Adds the merge of two raw strings (next rank) and its result token; returns the id. */
static int add_merge(struct small_vocab *sv, const char *left, const char *right)
{
	int r = sv->spec.n_merges++;
	char joined[64];
	to_byte_level(left, sv->left[r], 32);
	to_byte_level(right, sv->right[r], 32);
	sv->lp[r] = sv->left[r];
	sv->rp[r] = sv->right[r];
	snprintf(joined, sizeof joined, "%s%s", sv->left[r], sv->right[r]);
	return add_token(sv, joined);
}

static int add_special(struct small_vocab *sv, const char *text)
{
	int id = add_token(sv, text), i = sv->spec.n_added++;
	sv->added[i] = (struct tok_added_spec){.content = sv->text[id], .special = 1};
	return id;
}

/* Encodes text and compares with the expected ids (terminated by -2). */
static void check_ids(const struct small_vocab *sv, const char *text, const int *want,
		      const char *what)
{
	struct lwq_err err = { "" };
	struct tokenizer *tok = tokenizer_new(&sv->spec, &err);
	int32_t *ids = NULL;
	size_t n = 0, n_want = 0;
	while (want[n_want] != -2)
		n_want++;
	int rc = tok ? tokenizer_encode(tok, text, strlen(text), 1, &ids, &n, &err) : -1;
	int same = rc == 0 && n == n_want;
	for (size_t i = 0; same && i < n; i++)
		same = ids[i] == want[i];
	ok(same, "encode: %s (%zu ids%s%s)", what, n, rc < 0 ? ", error: " : "",
	   rc < 0 ? err.msg : "");
	free(ids);
	tokenizer_free(tok);
}

#define IDS(...) ((const int[]){__VA_ARGS__, -2})

static void test_merge_priority(void)
{
	struct small_vocab sv;
	small_vocab_init(&sv);
	int bc = add_merge(&sv, "b", "c");
	int ab = add_merge(&sv, "a", "b");
	int a_bc = add_merge(&sv, "a", "bc");
	check_ids(&sv, "abc", IDS(a_bc), "lower rank merges first (b c before a b)");
	check_ids(&sv, "abd", IDS(ab, 'd'), "a b applies when b c cannot");

	small_vocab_init(&sv);
	ab = add_merge(&sv, "a", "b");
	bc = add_merge(&sv, "b", "c");
	check_ids(&sv, "abc", IDS(ab, 'c'), "a b first leaves c alone without an 'ab c' merge");
	(void)bc;

	small_vocab_init(&sv);
	int aa = add_merge(&sv, "a", "a");
	check_ids(&sv, "aaa", IDS(aa, 'a'), "equal ranks merge leftmost first");
	int aaaa = add_merge(&sv, "aa", "aa");
	check_ids(&sv, "aaaaa", IDS(aaaa, 'a'), "merged tokens merge again");
}

static void test_words_and_specials(void)
{
	struct small_vocab sv;
	small_vocab_init(&sv);
	int sp_t = add_merge(&sv, " ", "t");
	int he = add_merge(&sv, "h", "e");
	int the = add_merge(&sv, " t", "he");
	int s = add_special(&sv, "<s>");
	int s_long = add_special(&sv, "<s>>");
	check_ids(&sv, " the the", IDS(the, the), "space-prefixed words");
	check_ids(&sv, "the", IDS('t', he), "no merge across the missing space");
	check_ids(&sv, "x  the", IDS('x', ' ', the), "the run's last space joins the word");
	check_ids(&sv, "<s> the<s>", IDS(s, the, s), "special tokens matched verbatim");
	check_ids(&sv, "t<s>he", IDS('t', s, he), "a special token splits a word");
	check_ids(&sv, "<s>> t", IDS(s_long, sp_t), "longest special token wins");
	check_ids(&sv, "<s", IDS('<', 's'), "partial special token is plain text");

	sv.pre.add_prefix_space = 1;
	check_ids(&sv, "the<s>the", IDS(the, s, the), "add_prefix_space on every segment");
	check_ids(&sv, " the", IDS(the), "add_prefix_space keeps an existing space");
	sv.pre.add_prefix_space = 0;
	sv.bos = s;
	sv.spec.prefix_ids = &sv.bos;
	sv.spec.n_prefix = 1;
	check_ids(&sv, " the", IDS(s, the), "post-processor BOS prepended");
}

static void test_unknown_bytes(void)
{
	struct small_vocab sv;
	small_vocab_init(&sv);
	int unk = add_special(&sv, "<unk>");
	sv.vocab[0xC3] = NULL;          /* both bytes of "é" leave the vocabulary */
	sv.vocab[0xA9] = NULL;
	check_ids(&sv, "a\xc3\xa9" "b", IDS('a', 'b'), "missing bytes dropped without unk");
	sv.spec.unk_token = "<unk>";
	check_ids(&sv, "a\xc3\xa9" "b", IDS('a', unk, unk, 'b'), "missing bytes become unk");
	sv.spec.fuse_unk = 1;
	check_ids(&sv, "a\xc3\xa9" "b", IDS('a', unk, 'b'), "fuse_unk joins consecutive unks");
}

static void test_decode_and_errors(void)
{
	struct small_vocab sv;
	struct lwq_err err = { "" };
	char buf[64], shown[256];
	small_vocab_init(&sv);
	char the_nl[32];
	to_byte_level(" the\n", the_nl, sizeof the_nl);
	int the = add_token(&sv, the_nl);
	add_merge(&sv, "a", "b");
	int s = add_special(&sv, "<s>");
	struct tokenizer *tok = tokenizer_new(&sv.spec, &err);
	ok(tok != NULL, "small tokenizer builds");
	if (tok) {
		tokenizer_decode_token(tok, the, buf, sizeof buf);
		ok(strcmp(buf, " the\n") == 0, "decode maps the byte alphabet back (\"%s\")",
		   printable(buf, shown, sizeof shown));
		tokenizer_decode_token(tok, s, buf, sizeof buf);
		ok(strcmp(buf, "<s>") == 0, "decode of a special token is its text");
		tokenizer_decode_token(tok, 0, buf, sizeof buf);
		ok(buf[0] == '\0', "byte 0 decodes to a NUL byte");
		ok(tokenizer_decode_token(tok, the, buf, 3) == 2 && strcmp(buf, " t") == 0,
		   "decode truncates to the buffer");
		ok(tokenizer_decode_token(tok, 99999, buf, sizeof buf) == 0 && !buf[0],
		   "decode of an id out of range is empty");
		ok(tokenizer_vocab_size(tok) == sv.spec.n_tokens, "vocab size");
		tokenizer_free(tok);
	}
	snprintf(sv.left[0], 32, "zz");
	tok = tokenizer_new(&sv.spec, &err);
	ok(!tok && strstr(err.msg, "model.merges[0]: token 'zz' is not in the vocabulary"),
	   "merge of an unknown token rejected: %s", tok ? "(built)" : err.msg);
	tokenizer_free(tok);
}

/* ---- random words: heap BPE against the textbook merge loop ---- */

/* GPT-2's reference loop: find the lowest-rank adjacent pair, merge every occurrence
   left to right, repeat. Works on strings, independent of the tokenizer's ids. */
static int reference_bpe(const struct small_vocab *sv, const char *word, int *out)
{
	char parts[64][32];
	int n = 0;
	for (; *word; word++)
		to_byte_level((char[]){*word, 0}, parts[n++], 32);
	for (;;) {
		int best = -1;
		for (int i = 0; i + 1 < n; i++)
			for (int r = 0; r < sv->spec.n_merges; r++)
				if (!strcmp(parts[i], sv->lp[r]) && !strcmp(parts[i + 1], sv->rp[r]) &&
				    (best < 0 || r < best))
					best = r;
		if (best < 0)
			break;
		int m = 0;
		for (int i = 0; i < n; i++, m++) {
			if (i + 1 < n && !strcmp(parts[i], sv->lp[best]) &&
			    !strcmp(parts[i + 1], sv->rp[best])) {
				char joined[64];
				snprintf(joined, sizeof joined, "%s%s", parts[i], parts[i + 1]);
				snprintf(parts[m], 32, "%.31s", joined);
				i++;
			} else if (m != i) {
				memcpy(parts[m], parts[i], 32);
			}
		}
		n = m;
	}
	for (int i = 0; i < n; i++)
		for (int id = 0; id < sv->spec.n_tokens; id++)
			if (sv->vocab[id] && !strcmp(sv->vocab[id], parts[i]))
				out[i] = id;
	return n;
}

static void test_random_words(void)
{
	struct small_vocab sv;
	struct lwq_err err = { "" };
	unsigned seed = 12345;
	int failures = 0, words = 0;
	for (int round = 0; round < 20; round++) {
		small_vocab_init(&sv);
		/* merges in training order: each joins two existing tokens into a new one */
		char tokens[64][16] = {"a", "b", "c"};
		int n_tok = 3;
		while (sv.spec.n_merges < 40) {
			seed = seed * 1103515245u + 12345u;
			int x = (int)(seed >> 8) % n_tok, y = (int)(seed >> 20) % n_tok;
			char joined[32];
			snprintf(joined, sizeof joined, "%s%s", tokens[x], tokens[y]);
			int exists = strlen(joined) > 8;
			for (int t = 0; t < n_tok && !exists; t++)
				exists = !strcmp(tokens[t], joined);
			if (exists)
				continue;
			add_merge(&sv, tokens[x], tokens[y]);
			snprintf(tokens[n_tok++], 16, "%s", joined);
		}
		struct tokenizer *tok = tokenizer_new(&sv.spec, &err);
		for (int w = 0; tok && w < 50; w++, words++) {
			char word[40];
			int len = 1 + (int)((seed >> 16) % 30), want[64];
			for (int i = 0; i < len; i++) {
				seed = seed * 1103515245u + 12345u;
				word[i] = "abc"[(seed >> 16) % 3];
			}
			word[len] = '\0';
			int n_want = reference_bpe(&sv, word, want);
			int32_t *ids = NULL;
			size_t n = 0;
			int same = tokenizer_encode(tok, word, (size_t)len, 0, &ids, &n, &err) == 0 &&
				   (int)n == n_want;
			for (int i = 0; same && i < n_want; i++)
				same = ids[i] == want[i];
			if (!same && failures++ == 0)
				printf("# first difference on '%s'\n", word);
			free(ids);
		}
		tokenizer_free(tok);
	}
	ok(failures == 0 && words == 1000, "%d random words agree with the reference loop (%d differ)",
	   words, failures);
}

/* ---- the Hugging Face library's own output on real text ---- */

static int32_t le32(const unsigned char *b)
{
	return (int32_t)((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
			 (uint32_t)b[3] << 24);
}

static void show_context(const struct tokenizer *tok, const int32_t *ids, size_t n, size_t at)
{
	char piece[64], shown[256];
	printf("#  context:");
	for (size_t i = at > 5 ? at - 5 : 0; i < at + 5 && i < n; i++) {
		tokenizer_decode_token(tok, ids[i], piece, sizeof piece);
		printf(" %s[%d '%s']", i == at ? ">" : "", ids[i],
		       printable(piece, shown, sizeof shown));
	}
	printf("\n");
}

static void test_heldout(const char *data, const char *model)
{
	char path[4096];
	size_t n_json = 0, n_text = 0, n_ref = 0, n_ids = 0;
	struct lwq_err err = { "" };
	snprintf(path, sizeof path, "%s/models/%s/tokenizer.json", data, model);
	char *json = read_file(path, &n_json);
	snprintf(path, sizeof path, "%s/models/%s/heldout.txt", data, model);
	char *text = read_file(path, &n_text);
	snprintf(path, sizeof path, "%s/models/%s/heldout.ids.i32", data, model);
	unsigned char *ref = (unsigned char *)read_file(path, &n_ref);
	struct tokenizer *tok = json ? tokenizer_from_json(json, n_json, &err) : NULL;
	int32_t *ids = NULL;
	ok(tok != NULL, "%s: tokenizer.json loads%s%s", model, tok ? "" : ": ", tok ? "" : err.msg);
	if (tok && text && ref && tokenizer_encode(tok, text, n_text, 1, &ids, &n_ids, &err) == 0) {
		size_t n_cmp = n_ref / 4, match = 0;
		while (match < n_cmp && match < n_ids && ids[match] == le32(ref + 4 * match))
			match++;
		ok(n_cmp == 40960 && match == n_cmp, "%s: %zu/%zu ids match the library (%zu tokens "
		   "in all)", model, match, n_cmp, n_ids);
		if (match < n_cmp) {
			printf("#  first mismatch at %zu: reference id %d\n", match,
			       le32(ref + 4 * match));
			show_context(tok, ids, n_ids, match);
		}
	} else {
		ok(0, "%s: heldout text encoded", model);
	}
	free(ids);
	tokenizer_free(tok);
	free(json);
	free(text);
	free(ref);
}

int main(void)
{
	test_pretokenizer();
	test_merge_priority();
	test_words_and_specials();
	test_unknown_bytes();
	test_decode_and_errors();
	test_random_words();
	const char *data = tap_shared_data();
	if (data) {
		test_heldout(data, "lwq-demo-16L");
		test_heldout(data, "lwq-ref-24L");
	} else {
		printf("# shared data absent: Hugging Face comparison skipped\n");
	}
	return tap_done();
}
