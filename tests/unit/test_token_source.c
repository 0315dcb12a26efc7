/* test_token_source.c: tokenizer.json reading, and load_tokens on text and ids files with every error. */

#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model_h5.h"
#include "read_file.h"
#include "scratch_dir.h"
#include "tap.h"
#include "token_source.h"
#include "tokenizer.h"
#include "tokenizer_json.h"

/* ---- a small tokenizer.json: printable ASCII, space and newline, three merges ---- */

enum { ID_SPACE = 94, ID_NEWLINE, ID_SP_T, ID_HE, ID_THE, ID_BOS, ID_EOS, N_IDS };

static json_t *base_json(int merges_as_pairs)
{
	json_t *vocab = json_object(), *merges = json_array();
	for (int c = '!'; c <= '~'; c++)
		json_object_set_new(vocab, (char[]){(char)c, 0}, json_integer(c - '!'));
	json_object_set_new(vocab, "\xc4\xa0", json_integer(ID_SPACE));   /* U+0120: byte ' ' */
	json_object_set_new(vocab, "\xc4\x8a", json_integer(ID_NEWLINE)); /* U+010A: byte '\n' */
	json_object_set_new(vocab, "\xc4\xa0t", json_integer(ID_SP_T));
	json_object_set_new(vocab, "he", json_integer(ID_HE));
	json_object_set_new(vocab, "\xc4\xa0the", json_integer(ID_THE));
	json_object_set_new(vocab, "<s>", json_integer(ID_BOS));
	static const char *const pairs[3][2] = {{"\xc4\xa0", "t"}, {"h", "e"}, {"\xc4\xa0t", "he"}};
	for (int i = 0; i < 3; i++) {
		char line[32];
		snprintf(line, sizeof line, "%s %s", pairs[i][0], pairs[i][1]);
		json_array_append_new(merges, merges_as_pairs
				      ? json_pack("[ss]", pairs[i][0], pairs[i][1])
				      : json_string(line));
	}
	/* "</s>" exists only as an added token, past the end of model.vocab. */
	return json_pack("{s:n, s:{s:s, s:b}, s:{s:s, s:o, s:o, s:n}, s:[{s:i, s:s, s:b}, "
			 "{s:i, s:s, s:b}], s:{s:s}}",
			 "normalizer",
			 "pre_tokenizer", "type", "ByteLevel", "add_prefix_space", 0,
			 "model", "type", "BPE", "vocab", vocab, "merges", merges, "unk_token",
			 "added_tokens", "id", ID_BOS, "content", "<s>", "special", 1,
			 "id", ID_EOS, "content", "</s>", "special", 1,
			 "post_processor", "type", "ByteLevel");
}

static char *dump(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

/* Encodes text with a tokenizer.json; returns the count, fills ids (at most 16). */
static int encode_with(const char *json, const char *text, int32_t *out, struct lwq_err *err)
{
	struct tokenizer *tok = tokenizer_from_json(json, strlen(json), err);
	int32_t *ids = NULL;
	size_t n = 0;
	if (!tok || tokenizer_encode(tok, text, strlen(text), 1, &ids, &n, err) < 0) {
		tokenizer_free(tok);
		return -1;
	}
	for (size_t i = 0; i < n && i < 16; i++)
		out[i] = ids[i];
	free(ids);
	tokenizer_free(tok);
	return (int)n;
}

static void test_json_accepts(void)
{
	struct lwq_err err = { "" };
	int32_t a[16], b[16];
	char *strings = dump(base_json(0)), *pairs = dump(base_json(1));
	int na = encode_with(strings, " the the</s>!", a, &err);
	int nb = encode_with(pairs, " the the</s>!", b, &err);
	ok(na == 4 && a[0] == ID_THE && a[1] == ID_THE && a[2] == ID_EOS && a[3] == '!' - '!',
	   "merges as \"a b\" strings: %d ids", na);
	ok(nb == na && memcmp(a, b, sizeof a[0] * (size_t)na) == 0,
	   "merges as [\"a\", \"b\"] pairs give the same ids");

	struct tokenizer_json *tj = tokenizer_json_parse(strings, strlen(strings), &err);
	const struct tokenizer_spec *spec = tj ? tokenizer_json_spec(tj) : NULL;
	/* model.vocab ends before "</s>", which only added_tokens names */
	ok(spec && spec->n_tokens == N_IDS - 1 && spec->n_merges == 3 && spec->n_prefix == 0 &&
	   spec->n_pre == 1 && spec->pre[0].kind == TOK_PRE_BYTE_LEVEL &&
	   !spec->pre[0].add_prefix_space && spec->n_added == 2 && !spec->unk_token,
	   "spec fields read");
	tokenizer_json_free(tj);

	struct tokenizer *tok = tokenizer_from_json(strings, strlen(strings), &err);
	char piece[16] = "";
	if (tok)
		tokenizer_decode_token(tok, ID_EOS, piece, sizeof piece);
	ok(tok && tokenizer_vocab_size(tok) == N_IDS && !strcmp(piece, "</s>"),
	   "an added token past model.vocab gets its id and text");
	tokenizer_free(tok);

	json_t *j = base_json(0);
	json_object_set_new(json_object_get(j, "pre_tokenizer"), "add_prefix_space", json_true());
	json_object_set_new(j, "post_processor", json_pack(
		"{s:s, s:[{s:{s:s, s:i}}, {s:{s:s, s:i}}], s:{s:{s:s, s:[i], s:[s]}}}",
		"type", "TemplateProcessing", "single", "SpecialToken", "id", "<s>", "type_id", 0,
		"Sequence", "id", "A", "type_id", 0,
		"special_tokens", "<s>", "id", "<s>", "ids", ID_BOS, "tokens", "<s>"));
	char *bos = dump(j);
	na = encode_with(bos, "the", a, &err);
	ok(na == 2 && a[0] == ID_BOS && a[1] == ID_THE,
	   "TemplateProcessing \"<s> $A\" prepends BOS; add_prefix_space adds the space");
	free(bos);

	j = base_json(0);
	json_object_set_new(j, "post_processor", json_pack("{s:s, s:[{s:s}]}", "type", "Sequence",
							   "processors", "type", "ByteLevel"));
	char *seq = dump(j);
	ok(encode_with(seq, " the", a, &err) == 1 && a[0] == ID_THE,
	   "a Sequence of ByteLevel post-processors adds nothing");
	free(seq);
	free(strings);
	free(pairs);
}

/* Applies one change to the base file and expects the parse to fail with `want`. */
static void expect_reject(const char *path, const char *key, json_t *value, const char *want)
{
	struct lwq_err err = {{0}};
	json_t *j = base_json(0), *parent = j;
	char buf[64];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *part = strtok(buf, "."); part; part = strtok(NULL, "."))
		parent = json_is_array(parent) ? json_array_get(parent, (size_t)atoi(part))
					       : json_object_get(parent, part);
	json_object_set_new(parent, key, value);
	char *text = dump(j);
	struct tokenizer *tok = tokenizer_from_json(text, strlen(text), &err);
	ok(!tok && strstr(err.msg, want), "rejects %s%s%s: %s", path[0] ? path : "", path[0] ? "." : "",
	   key, tok ? "(accepted)" : err.msg);
	tokenizer_free(tok);
	free(text);
}

static void test_json_rejects(void)
{
	struct lwq_err err = { "" };
	expect_reject("", "model", json_pack("{s:s, s:[]}", "type", "Unigram", "vocab"),
		      "tokenizer.json: unsupported model type 'Unigram'");
	expect_reject("model", "type", json_string("WordPiece"),
		      "tokenizer.json: unsupported model type 'WordPiece'");
	expect_reject("", "normalizer", json_pack("{s:s}", "type", "BertNormalizer"),
		      "tokenizer.json: unsupported normalizer 'BertNormalizer'");
	expect_reject("", "pre_tokenizer", json_pack("{s:s}", "type", "BertPreTokenizer"),
		      "tokenizer.json: unsupported pre_tokenizer 'BertPreTokenizer'");
	expect_reject("", "pre_tokenizer", json_pack("{s:s, s:{s:s}, s:s}", "type", "Split",
						      "pattern", "Regex", "a", "behavior", "Sideways"),
		      "unsupported Split behavior 'Sideways'");
	expect_reject("", "pre_tokenizer", json_pack("{s:s, s:s, s:s}", "type", "Metaspace",
						      "replacement", "_", "prepend_scheme", "sometimes"),
		      "unsupported Metaspace prepend_scheme 'sometimes'");
	expect_reject("", "decoder", json_pack("{s:s}", "type", "WordPiece"),
		      "unsupported decoder 'WordPiece'");
	expect_reject("model", "dropout", json_real(0.1), "unsupported BPE option 'dropout'");
	expect_reject("", "truncation", json_pack("{s:i}", "max_length", 8),
		      "unsupported setting 'truncation'");
	expect_reject("", "post_processor", json_pack("{s:s}", "type", "Unknown"),
		      "unsupported post_processor 'Unknown'");
	expect_reject("", "post_processor", json_pack(
		"{s:s, s:[{s:{s:s}}, {s:{s:s}}]}", "type", "TemplateProcessing", "single",
		"Sequence", "id", "A", "Sequence", "id", "B"),
		"more than the one sequence $A");
	expect_reject("", "pre_tokenizer", json_pack("{s:s, s:{s:s}, s:s}", "type", "Split",
						      "pattern", "Regex", "(a", "behavior", "Isolated"),
		      "pre_tokenizer 0 (Split): invalid regex '(a': missing closing parenthesis "
		      "at offset 2");
	expect_reject("model", "merges", json_pack("[s]", "he"), "merge 0 'he' is not 'left right'");
	expect_reject("model", "merges", json_pack("[s]", "x q"),
		      "model.merges[0]: token 'xq' is not in the vocabulary");
	expect_reject("model", "vocab", json_pack("{s:i, s:i}", "a", 3, "b", 3), "vocab id 3 used twice");

	const char *broken = "{\"model\": ";
	ok(!tokenizer_from_json(broken, strlen(broken), &err) &&
	   !strncmp(err.msg, "tokenizer.json: line 1:", 23), "invalid JSON: %s", err.msg);
}

static void test_real_files(const char *data)
{
	static const char *const models[2] = {"lwq-demo-16L", "lwq-ref-24L"};
	static const int sizes[2][2] = {{2048, 1789}, {8192, 7933}};
	for (int m = 0; m < 2; m++) {
		char path[4096];
		size_t size = 0;
		struct lwq_err err = { "" };
		snprintf(path, sizeof path, "%s/models/%s/tokenizer.json", data, models[m]);
		char *json = read_file(path, &size);
		struct tokenizer_json *tj = json ? tokenizer_json_parse(json, size, &err) : NULL;
		const struct tokenizer_spec *spec = tj ? tokenizer_json_spec(tj) : NULL;
		ok(spec && spec->n_tokens == sizes[m][0] && spec->n_merges == sizes[m][1] &&
		   spec->n_added == 3 && spec->n_prefix == 0 && spec->n_pre == 1 &&
		   !spec->pre[0].add_prefix_space,
		   "%s: %d tokens, %d merges, 3 specials, no BOS, no prefix space", models[m],
		   spec ? spec->n_tokens : -1, spec ? spec->n_merges : -1);
		tokenizer_json_free(tj);
		free(json);
	}
}

/* ---- load_tokens on a tiny model file ---- */

static void write_bytes(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, n, f) != n)
		fprintf(stderr, "cannot write %s\n", path);
	if (f)
		fclose(f);
}

/* Little-endian int32 ids first, first+1, ... with an optional bad value at bad_pos. */
static void write_ids(const char *path, int n, int first, int bad_pos, int32_t bad)
{
	unsigned char *raw = malloc((size_t)n * 4);
	for (int i = 0; i < n; i++) {
		uint32_t v = (uint32_t)(i == bad_pos ? bad : first + i);
		for (int k = 0; k < 4; k++)
			raw[4 * i + k] = (unsigned char)(v >> (8 * k));
	}
	write_bytes(path, raw, (size_t)n * 4);
	free(raw);
}

static struct model_file *make_model(const char *name, int vocab, const char *tokenizer_json)
{
	struct model_config c;
	struct lwq_err err = { "" };
	memset(&c, 0, sizeof c);
	snprintf(c.architecture, sizeof c.architecture, "LlamaForCausalLM");
	c.n_layers = 1;
	c.hidden = 8;
	c.intermediate = 16;
	c.n_heads = 2;
	c.n_kv_heads = 2;
	c.head_dim = 4;
	c.vocab = vocab;
	c.rope_theta = 10000.0;
	snprintf(c.rope_scaling, sizeof c.rope_scaling, "none");
	c.norm_eps = 1e-5;
	c.bos_id = c.eos_id = -1;
	struct model_file *mf = model_file_create(scratch_path(name), &c, "", "tiny", &err);
	if (!mf) {
		printf("# %s\n", err.msg);
		return NULL;
	}
	if (tokenizer_json &&
	    (model_file_put_bytes(mf, "/tokenizer/json", tokenizer_json, strlen(tokenizer_json),
				  &err) < 0 ||
	     model_file_set_attr_str(mf, "/tokenizer", "kind", "hf-tokenizer-json", &err) < 0))
		printf("# %s\n", err.msg);
	return mf;
}

/* Runs load_tokens and expects failure with a message containing want. */
static void expect_fail(struct model_file *mf, const char *text, const char *ids, int64_t offset,
			int windows, int seq_len, const char *want, const char *what)
{
	struct lwq_err err = {{0}};
	int32_t *out = (int32_t *)&err;        /* must come back NULL */
	int rc = load_tokens(mf, text, ids, offset, windows, seq_len, &out, &err);
	ok(rc < 0 && out == NULL && strstr(err.msg, want), "%s: %s", what, err.msg);
}

static void test_load_from_text(const char *json)
{
	struct model_file *mf = make_model("tok.h5", N_IDS, json);
	struct model_file *bare = make_model("bare.h5", N_IDS, NULL);
	struct model_file *small = make_model("small.h5", ID_THE, json);
	if (!mf || !bare || !small) {
		ok(0, "tiny model files created");
		return;
	}
	const char *text = scratch_path("text.txt"), *empty = scratch_path("empty.txt");
	write_bytes(text, " the the the the the the the the the the the the", 48); /* 12 tokens */
	write_bytes(empty, "", 0);
	int32_t *ids = NULL;
	struct lwq_err err = { "" };
	int rc = load_tokens(mf, text, NULL, 2, 2, 5, &ids, &err);
	int all_the = rc == 0;
	for (int i = 0; all_the && i < 10; i++)
		all_the = ids[i] == ID_THE;
	ok(all_the, "text: 2 windows of 5 after offset 2%s%s", rc ? ": " : "", rc ? err.msg : "");
	free(ids);

	char want[512];
	snprintf(want, sizeof want, "%s: has 12 tokens after offset 0, need 5 x 3 = 15", text);
	expect_fail(mf, text, NULL, 0, 5, 3, want, "too few text tokens");
	snprintf(want, sizeof want, "%s: has 0 tokens after offset 20, need 1 x 1 = 1", text);
	expect_fail(mf, text, NULL, 20, 1, 1, want, "offset past the end");
	snprintf(want, sizeof want, "%s: empty text", empty);
	expect_fail(mf, empty, NULL, 0, 1, 1, want, "empty text");
	expect_fail(mf, scratch_path("absent.txt"), NULL, 0, 1, 1, "absent.txt: cannot open: No such file or directory",
		    "missing text file");
	expect_fail(mf, scratch_dir("tokens"), NULL, 0, 1, 1, "Is a directory", "a directory as text");
	expect_fail(bare, text, NULL, 0, 1, 1, "bare.h5: the model file carries no tokenizer",
		    "model without a tokenizer");
	snprintf(want, sizeof want, "%s: token id %d at position 0 is outside [0, %d)", text,
		 ID_THE, ID_THE);
	expect_fail(small, text, NULL, 0, 1, 1, want, "tokenizer ids past the model's vocabulary");
	expect_fail(mf, text, text, 0, 1, 1, "exactly one of --text and --ids", "both sources");
	expect_fail(mf, NULL, NULL, 0, 1, 1, "exactly one of --text and --ids", "no source");
	expect_fail(mf, text, NULL, -1, 1, 1, "out of range", "negative offset");
	expect_fail(mf, text, NULL, 0, 0, 1, "out of range", "zero windows");
	model_file_close(mf);
	model_file_close(bare);
	model_file_close(small);
}

static void test_load_from_ids(void)
{
	struct model_file *mf = make_model("ids.h5", 1000, NULL);
	if (!mf) {
		ok(0, "tiny model file created");
		return;
	}
	const char *good = scratch_path("good.i32"), *bad = scratch_path("bad.i32");
	const char *neg = scratch_path("neg.i32"), *odd = scratch_path("odd.i32");
	write_ids(good, 100, 0, -1, 0);
	write_ids(bad, 100, 0, 57, 1000);
	write_ids(neg, 100, 0, 3, -5);
	write_bytes(odd, "\1\0\0\0\2", 5);
	int32_t *ids = NULL;
	struct lwq_err err = { "" };
	int rc = load_tokens(mf, NULL, good, 10, 3, 4, &ids, &err);
	int in_order = rc == 0;
	for (int i = 0; in_order && i < 12; i++)
		in_order = ids[i] == 10 + i;
	ok(in_order, "ids: 3 windows of 4 after offset 10%s%s", rc ? ": " : "", rc ? err.msg : "");
	free(ids);
	rc = load_tokens(mf, NULL, good, 0, 10, 10, &ids, &err);
	ok(rc == 0 && ids[0] == 0 && ids[99] == 99, "ids: exactly the whole file");
	free(ids);

	char want[512];
	snprintf(want, sizeof want, "%s: has 90 tokens after offset 10, need 10 x 10 = 100", good);
	expect_fail(mf, NULL, good, 10, 10, 10, want, "too few ids");
	snprintf(want, sizeof want, "%s: token id 1000 at position 57 is outside [0, 1000)", bad);
	expect_fail(mf, NULL, bad, 50, 2, 5, want, "id past the vocabulary, absolute position");
	rc = load_tokens(mf, NULL, bad, 0, 5, 10, &ids, &err);
	ok(rc == 0 && ids[49] == 49, "a bad id outside the selected range does not matter");
	free(ids);
	snprintf(want, sizeof want, "%s: token id -5 at position 3 is outside [0, 1000)", neg);
	expect_fail(mf, NULL, neg, 0, 1, 10, want, "negative id");
	snprintf(want, sizeof want, "%s: size 5 is not a multiple of 4", odd);
	expect_fail(mf, NULL, odd, 0, 1, 1, want, "ids file size");
	expect_fail(mf, NULL, scratch_path("none.i32"), 0, 1, 1, "none.i32: cannot open: No such file or directory",
		    "missing ids file");

	/* A 4 GiB sparse file: only the requested window may be read. */
	const char *huge = scratch_path("huge.i32");
	int fd = open(huge, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0 && ftruncate(fd, (off_t)1 << 32) == 0) {
		rc = load_tokens(mf, NULL, huge, ((int64_t)1 << 30) - 8, 2, 4, &ids, &err);
		ok(rc == 0 && ids[7] == 0, "reads 8 ids at the end of a 4 GiB file%s%s",
		   rc ? ": " : "", rc ? err.msg : "");
		free(ids);
	} else {
		ok(1, "# SKIP no sparse 4 GiB file here");
	}
	if (fd >= 0)
		close(fd);
	unlink(huge);
	model_file_close(mf);
}

/* load_tokens_all_windows: every full window after the offset, the same ids as
   load_tokens asked for that many, and the one-line error when not even one fits. */
static void test_every_window(const char *json)
{
	struct model_file *mf = make_model("every.h5", N_IDS, json);
	if (!mf) {
		ok(0, "tiny model file created");
		return;
	}
	const char *text = scratch_path("every.txt"), *idsf = scratch_path("every.i32");
	write_bytes(text, " the the the the the the the the the the the the", 48); /* 12 tokens */
	write_ids(idsf, 100, 0, -1, 0);
	struct lwq_err err = { "" };
	int32_t *all = NULL, *some = NULL;
	int w = -1;
	int rc = load_tokens_all_windows(mf, text, NULL, 2, 3, 1 << 20, &w, &all, &err);
	int rc2 = load_tokens(mf, text, NULL, 2, 3, 3, &some, &err);
	ok(rc == 0 && rc2 == 0 && w == 3 && memcmp(all, some, 9 * sizeof *all) == 0,
	   "text: 10 tokens after offset 2 make 3 windows of 3, as load_tokens reads them");
	free(all);
	free(some);
	rc = load_tokens_all_windows(mf, text, NULL, 2, 3, 2, &w, &all, &err);
	ok(rc == 0 && w == 2, "text: at most max_windows");
	free(all);
	char want[512];
	snprintf(want, sizeof want, "%s: has 10 tokens after offset 2, fewer than one window of 11",
		 text);
	all = (int32_t *)&err;
	rc = load_tokens_all_windows(mf, text, NULL, 2, 11, 1 << 20, &w, &all, &err);
	ok(rc < 0 && all == NULL && strcmp(err.msg, want) == 0, "text: no full window: %s",
	   err.msg);

	rc = load_tokens_all_windows(mf, NULL, idsf, 10, 7, 1 << 20, &w, &all, &err);
	int in_order = rc == 0 && w == 12;
	for (int i = 0; in_order && i < 12 * 7; i++)
		in_order = all[i] == 10 + i;
	ok(in_order, "ids: 90 after offset 10 make 12 windows of 7, in order");
	free(all);
	snprintf(want, sizeof want, "%s: has 0 tokens after offset 200, fewer than one window of 7",
		 idsf);
	rc = load_tokens_all_windows(mf, NULL, idsf, 200, 7, 1 << 20, &w, &all, &err);
	ok(rc < 0 && strcmp(err.msg, want) == 0, "ids: offset past the end: %s", err.msg);
	model_file_close(mf);
}

int main(void)
{
	test_json_accepts();
	test_json_rejects();
	const char *data = tap_shared_data();
	if (data)
		test_real_files(data);
	scratch_dir("tokens");
	char *json = dump(base_json(0));
	test_load_from_text(json);
	test_load_from_ids();
	test_every_window(json);
	free(json);
	scratch_dir_remove();
	return tap_done();
}
