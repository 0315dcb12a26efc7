/* tokenizer_json.c: a Hugging Face tokenizer.json into a tokenizer spec: the BPE model,
   the added tokens and the top level (the pipeline is read in tokenizer_json_pipeline.c). */

#include "tokenizer_json.h"

#include <stdlib.h>
#include <string.h>

#include "json_scan.h"
#include "tokenizer_json_internal.h"

#define LLAMA3_PATTERN "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|" \
	"\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
#define QWEN2_PATTERN "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|" \
	"\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
#define GPT2_PATTERN "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|" \
	"\\s+(?!\\S)|\\s+"

int tj_unsupported(struct lwq_err *err, const char *what, const char *value)
{
	return lwq_err_set(err, "tokenizer.json: unsupported %s '%.100s'", what, value);
}

const char *tj_type(const json_t *obj)
{
	const char *type = json_string_value(json_object_get(obj, "type"));
	return type ? type : "(no type)";
}

const char *tj_pattern_family(const char *pattern)
{
	if (!strcmp(pattern, LLAMA3_PATTERN))
		return "llama3";
	if (!strcmp(pattern, QWEN2_PATTERN))
		return "qwen2";
	if (!strcmp(pattern, GPT2_PATTERN))
		return "gpt2";
	return "custom";
}

/* ---- the BPE model ----------------------------------------------------------------------- */

/* model.vocab as the scanner found it; a file whose vocab the scanner did not take
   (not an object) is left to the general parser's view, which says what is wrong. */
static int vocab_extent(const struct json_big_members *big, const json_t *added,
			struct lwq_err *err)
{
	int64_t max_id = -1;
	for (int i = 0; i < big->n_vocab; i++) {
		int64_t id = big->ids[i];
		if (id < 0 || id >= (1 << 30))
			return lwq_err_set(err, "tokenizer.json: vocab entry '%.100s' has a bad id",
					   big->keys[i]);
		if (id > max_id)
			max_id = id;
	}
	if (max_id < 0)
		return lwq_err_set(err, "tokenizer.json: empty vocabulary");
	/* Tables are sized by the largest id: a few stray ids past the tokens defined are
	   fine, one id near 2^30 would ask for gigabytes. */
	size_t defined = (size_t)big->n_vocab + json_array_size(added);
	if ((size_t)max_id >= 2 * defined + 1024)
		return lwq_err_set(err, "tokenizer.json: ids reach %lld but only %zu tokens are "
				   "defined", (long long)max_id, defined);
	return (int)max_id + 1;
}

static int read_vocab(struct tokenizer_json *tj, const json_t *vocab, struct lwq_err *err)
{
	const struct json_big_members *big = &tj->big;
	if (!big->has_vocab)
		return lwq_err_set(err, "tokenizer.json: model.vocab is %s",
				   vocab ? "not an object" : "missing");
	int n = vocab_extent(big, json_object_get(tj->root, "added_tokens"), err);
	if (n < 0)
		return -1;
	if (!(tj->vocab = calloc((size_t)n, sizeof *tj->vocab)))
		return lwq_err_set(err, "tokenizer.json: out of memory");
	for (int i = 0; i < big->n_vocab; i++) {
		int64_t id = big->ids[i];
		if (tj->vocab[id])
			return lwq_err_set(err, "tokenizer.json: vocab id %d used twice ('%.100s', '%.100s')",
					   (int)id, tj->vocab[id], big->keys[i]);
		tj->vocab[id] = big->keys[i];
	}
	tj->spec.vocab = tj->vocab;
	tj->spec.n_tokens = n;
	return 0;
}

/* "left right" (the older format) split at its single space, in place. */
static int split_merge_line(struct tokenizer_json *tj, int r, char *line, struct lwq_err *err)
{
	char *space = strchr(line, ' ');
	if (!space || strchr(space + 1, ' '))
		return lwq_err_set(err, "tokenizer.json: merge %d '%.100s' is not 'left right'",
				   r, line);
	*space = '\0';
	tj->left[r] = line;
	tj->right[r] = space + 1;
	return 0;
}

static int read_merges(struct tokenizer_json *tj, const json_t *merges, struct lwq_err *err)
{
	const struct json_big_members *big = &tj->big;
	int n = big->n_merges;
	if (merges && !big->has_merges)
		return lwq_err_set(err, "tokenizer.json: model.merges is not an array");
	tj->left = calloc((size_t)n + 1, sizeof *tj->left);
	tj->right = calloc((size_t)n + 1, sizeof *tj->right);
	if (!tj->left || !tj->right)
		return lwq_err_set(err, "tokenizer.json: out of memory");
	for (int r = 0; r < n; r++) {
		if (!big->right[r]) {
			if (split_merge_line(tj, r, big->left[r], err) < 0)
				return -1;
			continue;
		}
		tj->left[r] = big->left[r];
		tj->right[r] = big->right[r];
	}
	tj->spec.merges_left = tj->left;
	tj->spec.merges_right = tj->right;
	tj->spec.n_merges = n;
	return 0;
}

static const char *optional_string(const json_t *model, const char *key)
{
	return json_string_value(json_object_get(model, key));
}

static int read_model(struct tokenizer_json *tj, struct lwq_err *err)
{
	const json_t *model = json_object_get(tj->root, "model");
	if (!json_is_object(model))
		return lwq_err_set(err, "tokenizer.json: no model");
	/* Files written before the "type" tag existed hold a bare BPE model. */
	if (json_object_get(model, "type") && strcmp(tj_type(model), "BPE"))
		return tj_unsupported(err, "model type", tj_type(model));
	if (json_number_value(json_object_get(model, "dropout")) > 0.0)
		return tj_unsupported(err, "BPE option", "dropout");
	if (read_vocab(tj, json_object_get(model, "vocab"), err) < 0 ||
	    read_merges(tj, json_object_get(model, "merges"), err) < 0)
		return -1;
	tj->spec.unk_token = optional_string(model, "unk_token");
	tj->spec.fuse_unk = json_is_true(json_object_get(model, "fuse_unk"));
	tj->spec.byte_fallback = json_is_true(json_object_get(model, "byte_fallback"));
	tj->spec.ignore_merges = json_is_true(json_object_get(model, "ignore_merges"));
	tj->spec.continuing_subword_prefix = optional_string(model, "continuing_subword_prefix");
	tj->spec.end_of_word_suffix = optional_string(model, "end_of_word_suffix");
	return 0;
}

static int read_added(struct tokenizer_json *tj, struct lwq_err *err)
{
	const json_t *added = json_object_get(tj->root, "added_tokens"), *item;
	size_t i, n = json_array_size(added);
	if (added && !json_is_array(added) && !json_is_null(added))
		return lwq_err_set(err, "tokenizer.json: added_tokens is not an array");
	tj->added = calloc(n + 1, sizeof *tj->added);
	tj->added_ids = calloc(n + 1, sizeof *tj->added_ids);
	if (!tj->added || !tj->added_ids)
		return lwq_err_set(err, "tokenizer.json: out of memory");
	json_array_foreach(added, i, item) {
		const char *content = json_string_value(json_object_get(item, "content"));
		const json_t *id = json_object_get(item, "id");
		if (!content)
			return lwq_err_set(err, "tokenizer.json: added token %zu has no content", i);
		if (!json_is_integer(id) || json_integer_value(id) < 0 ||
		    json_integer_value(id) >= (1 << 30))
			return lwq_err_set(err, "tokenizer.json: added token %zu has a bad id", i);
		struct tok_added_spec *a = &tj->added[i];
		a->content = content;
		a->special = json_is_true(json_object_get(item, "special"));
		a->lstrip = json_is_true(json_object_get(item, "lstrip"));
		a->rstrip = json_is_true(json_object_get(item, "rstrip"));
		a->single_word = json_is_true(json_object_get(item, "single_word"));
		/* The library's default: special tokens are not normalized, others are. */
		const json_t *normalized = json_object_get(item, "normalized");
		a->normalized = json_is_boolean(normalized) ? json_is_true(normalized) : !a->special;
		tj->added_ids[i] = (int32_t)json_integer_value(id);
	}
	tj->spec.added = tj->added;
	tj->spec.n_added = (int)n;
	return 0;
}

/* Truncation and padding change what encode returns; lwq tokenizes whole texts. */
static int check_top_level(const json_t *root, struct lwq_err *err)
{
	static const char *const changes_ids[] = {"truncation", "padding"};
	for (size_t i = 0; i < 2; i++) {
		const json_t *v = json_object_get(root, changes_ids[i]);
		if (v && !json_is_null(v))
			return tj_unsupported(err, "setting", changes_ids[i]);
	}
	return 0;
}

struct tokenizer_json *tokenizer_json_parse(const char *json, size_t len, struct lwq_err *err)
{
	json_error_t jerr;
	struct tokenizer_json *tj = calloc(1, sizeof *tj);
	if (!tj) {
		lwq_err_set(err, "tokenizer.json: out of memory");
		return NULL;
	}
	/* The big members by the fast scanner, the rest by jansson; on malformed JSON
	   jansson reads the whole text, to say where with its line number. */
	struct lwq_err scan_err;
	int scanned = json_scan_big_members(json, len, &tj->big, &scan_err) == 0;
	tj->root = scanned ? json_loadb(tj->big.rest, tj->big.rest_len, 0, &jerr)
			   : json_loadb(json, len, 0, &jerr);
	if (!scanned && tj->root) {
		json_decref(tj->root);
		tj->root = NULL;
		*err = scan_err;
		goto fail;
	}
	if (!tj->root) {
		lwq_err_set(err, "tokenizer.json: line %d: %s", jerr.line, jerr.text);
		goto fail;
	}
	if (!json_is_object(tj->root)) {
		lwq_err_set(err, "tokenizer.json: not a JSON object");
		goto fail;
	}
	if (check_top_level(tj->root, err) < 0 || read_model(tj, err) < 0 ||
	    read_added(tj, err) < 0 ||
	    tj_read_normalizer(tj, json_object_get(tj->root, "normalizer"), err) < 0 ||
	    tj_read_pre_tokenizer(tj, json_object_get(tj->root, "pre_tokenizer"), err) < 0 ||
	    tj_read_processor(tj, json_object_get(tj->root, "post_processor"), err) < 0 ||
	    tj_read_decoder(tj, json_object_get(tj->root, "decoder"), err) < 0)
		goto fail;
	return tj;
fail:
	tokenizer_json_free(tj);
	return NULL;
}

const struct tokenizer_spec *tokenizer_json_spec(const struct tokenizer_json *tj)
{
	return &tj->spec;
}

int32_t tokenizer_json_added_id(const struct tokenizer_json *tj, int k)
{
	return tj->added_ids[k];
}

const char *tokenizer_json_kind(const struct tokenizer_json *tj)
{
	for (int i = 0; i < tj->spec.n_pre; i++)
		if (tj->spec.pre[i].kind == TOK_PRE_BYTE_LEVEL)
			return "byte-level BPE";
	if (tj->spec.byte_fallback)
		return "SentencePiece-style BPE";
	return "BPE";
}

const char *tokenizer_json_pattern_family(const struct tokenizer_json *tj)
{
	return tj->pattern_family ? tj->pattern_family : "none";
}

void tokenizer_json_free(struct tokenizer_json *tj)
{
	if (!tj)
		return;
	json_big_members_free(&tj->big);
	free(tj->vocab);
	free(tj->left);
	free(tj->right);
	free(tj->added);
	free(tj->added_ids);
	free(tj->norms);
	free(tj->pre);
	free(tj->decoders);
	free(tj->prefix);
	free(tj->suffix);
	json_decref(tj->root);
	free(tj);
}

struct tokenizer *tokenizer_from_parsed(const struct tokenizer_json *tj, struct lwq_err *err)
{
	struct tokenizer *tok = tokenizer_new(&tj->spec, err);
	/* The library gives added tokens ids by their place (and only warns when the file
	   says otherwise); a file that disagrees with itself is refused. */
	for (int k = 0; tok && k < tj->spec.n_added; k++) {
		const char *content = tj->added[k].content;
		int32_t id = content[0] ? tokenizer_token_id(tok, content) : tj->added_ids[k];
		if (id != tj->added_ids[k]) {
			lwq_err_set(err, "added token '%.100s' has id %d, but the vocabulary gives it "
				    "%d", content, tj->added_ids[k], id);
			tokenizer_free(tok);
			tok = NULL;
		}
	}
	if (!tok && strncmp(err->msg, "tokenizer.json: ", 16))
		lwq_err_prefix(err, "tokenizer.json");
	return tok;
}

struct tokenizer *tokenizer_from_json(const char *json, size_t len, struct lwq_err *err)
{
	struct tokenizer_json *tj = tokenizer_json_parse(json, len, err);
	if (!tj)
		return NULL;
	struct tokenizer *tok = tokenizer_from_parsed(tj, err);
	tokenizer_json_free(tj);
	return tok;
}
