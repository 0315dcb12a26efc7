/* tokenizer_json.c: turns a Hugging Face tokenizer.json into a byte-level BPE tokenizer spec. */
#include "config.h"

#include "tokenizer_json.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct tokenizer_json {
	struct tokenizer_spec spec;
	json_t *root;              /* vocabulary and pair strings point into it */
	const char **vocab;
	const char **left, **right;
	char **merge_lines;        /* "a b" merges, split in place */
	int n_merge_lines;
	const char **added;
	int *added_ids;
};

static int unsupported(struct lwq_err *err, const char *what, const char *value)
{
	return lwq_err_set(err, "tokenizer.json: unsupported %s '%.100s'", what, value);
}

static const char *type_of(const json_t *obj)
{
	const char *type = json_string_value(json_object_get(obj, "type"));
	return type ? type : "(no type)";
}

/* Options whose non-default values change the result and are not implemented. */
static int reject_true(const json_t *obj, const char *key, const char *what,
		       struct lwq_err *err)
{
	if (json_is_true(json_object_get(obj, key)))
		return unsupported(err, what, key);
	return 0;
}

static int check_normalizer(const json_t *root, struct lwq_err *err)
{
	const json_t *norm = json_object_get(root, "normalizer");
	if (!norm || json_is_null(norm))
		return 0;
	if (!strcmp(type_of(norm), "Sequence") &&
	    json_array_size(json_object_get(norm, "normalizers")) == 0)
		return 0;
	return unsupported(err, "normalizer", type_of(norm));
}

static int read_pre_tokenizer(struct tokenizer_json *tj, struct lwq_err *err)
{
	const json_t *pre = json_object_get(tj->root, "pre_tokenizer");
	if (!pre || json_is_null(pre))
		return unsupported(err, "pre_tokenizer", "null");
	/* A sequence holding just ByteLevel is the same thing. */
	if (!strcmp(type_of(pre), "Sequence") &&
	    json_array_size(json_object_get(pre, "pretokenizers")) == 1)
		pre = json_array_get(json_object_get(pre, "pretokenizers"), 0);
	if (strcmp(type_of(pre), "ByteLevel"))
		return unsupported(err, "pre_tokenizer", type_of(pre));
	const json_t *use_regex = json_object_get(pre, "use_regex");
	if (json_is_false(use_regex))
		return unsupported(err, "ByteLevel option", "use_regex=false");
	/* The library's default for a missing add_prefix_space is true. */
	const json_t *prefix = json_object_get(pre, "add_prefix_space");
	tj->spec.add_prefix_space = prefix ? json_is_true(prefix) : 1;
	return 0;
}

static int vocab_extent(const json_t *vocab, const json_t *added, struct lwq_err *err)
{
	const char *key;
	json_t *value;
	size_t i;
	json_int_t max_id = -1;
	json_object_foreach((json_t *)vocab, key, value) {
		json_int_t id = json_integer_value(value);
		if (!json_is_integer(value) || id < 0 || id >= (1 << 30))
			return lwq_err_set(err, "tokenizer.json: vocab entry '%.100s' has a bad id", key);
		if (id > max_id)
			max_id = id;
	}
	json_array_foreach(added, i, value) {
		const json_t *id_value = json_object_get(value, "id");
		json_int_t id = json_integer_value(id_value);
		if (!json_is_integer(id_value) || id < 0 || id >= (1 << 30))
			return lwq_err_set(err, "tokenizer.json: added token %zu has a bad id", i);
		if (id > max_id)
			max_id = id;
	}
	if (max_id < 0)
		return lwq_err_set(err, "tokenizer.json: empty vocabulary");
	/* Tables are sized by the largest id: a few stray ids past the tokens defined are
	   fine, one id near 2^30 would ask for gigabytes. */
	size_t defined = json_object_size(vocab) + json_array_size(added);
	if ((size_t)max_id >= 2 * defined + 1024)
		return lwq_err_set(err, "tokenizer.json: ids reach %lld but only %zu tokens are "
				   "defined", (long long)max_id, defined);
	return (int)max_id + 1;
}

static int read_vocab(struct tokenizer_json *tj, const json_t *vocab, struct lwq_err *err)
{
	const char *key;
	json_t *value;
	if (!json_is_object(vocab))
		return lwq_err_set(err, "tokenizer.json: model.vocab is not an object");
	int n = vocab_extent(vocab, json_object_get(tj->root, "added_tokens"), err);
	if (n < 0)
		return -1;
	if (!(tj->vocab = calloc((size_t)n, sizeof *tj->vocab)))
		return lwq_err_set(err, "tokenizer.json: out of memory");
	json_object_foreach((json_t *)vocab, key, value) {
		json_int_t id = json_integer_value(value);
		if (tj->vocab[id])
			return lwq_err_set(err, "tokenizer.json: vocab id %d used twice ('%.100s', '%.100s')",
					   (int)id, tj->vocab[id], key);
		tj->vocab[id] = key;
	}
	tj->spec.vocab = tj->vocab;
	tj->spec.n_tokens = n;
	return 0;
}

/* "left right" (the older format) split at its single space, in a private copy. */
static int split_merge_line(struct tokenizer_json *tj, int r, const char *line,
			    struct lwq_err *err)
{
	char *copy = strdup(line), *space = copy ? strchr(copy, ' ') : NULL;
	if (!copy)
		return lwq_err_set(err, "tokenizer.json: out of memory");
	tj->merge_lines[tj->n_merge_lines++] = copy;
	if (!space || space == copy || !space[1] || strchr(space + 1, ' '))
		return lwq_err_set(err, "tokenizer.json: merge %d '%.100s' is not 'left right'",
				   r, line);
	*space = '\0';
	tj->left[r] = copy;
	tj->right[r] = space + 1;
	return 0;
}

static int read_merges(struct tokenizer_json *tj, const json_t *merges, struct lwq_err *err)
{
	size_t r, n = json_array_size(merges);
	const json_t *item;
	if (!json_is_array(merges))
		return lwq_err_set(err, "tokenizer.json: model.merges is not an array");
	tj->left = calloc(n + 1, sizeof *tj->left);
	tj->right = calloc(n + 1, sizeof *tj->right);
	tj->merge_lines = calloc(n + 1, sizeof *tj->merge_lines);
	if (!tj->left || !tj->right || !tj->merge_lines)
		return lwq_err_set(err, "tokenizer.json: out of memory");
	json_array_foreach(merges, r, item) {
		if (json_is_string(item)) {
			if (split_merge_line(tj, (int)r, json_string_value(item), err) < 0)
				return -1;
			continue;
		}
		tj->left[r] = json_string_value(json_array_get(item, 0));
		tj->right[r] = json_string_value(json_array_get(item, 1));
		if (json_array_size(item) != 2 || !tj->left[r] || !tj->right[r])
			return lwq_err_set(err, "tokenizer.json: merge %zu is not a pair of strings", r);
	}
	tj->spec.merges_left = tj->left;
	tj->spec.merges_right = tj->right;
	tj->spec.n_merges = (int)n;
	return 0;
}

static int check_bpe_options(const json_t *model, struct lwq_err *err)
{
	static const char *const prefixes[] = {"continuing_subword_prefix", "end_of_word_suffix"};
	for (size_t i = 0; i < 2; i++) {
		const char *value = json_string_value(json_object_get(model, prefixes[i]));
		if (value && value[0])
			return unsupported(err, "BPE option", prefixes[i]);
	}
	if (json_number_value(json_object_get(model, "dropout")) > 0.0)
		return unsupported(err, "BPE option", "dropout");
	if (reject_true(model, "byte_fallback", "BPE option", err) < 0 ||
	    reject_true(model, "ignore_merges", "BPE option", err) < 0)
		return -1;
	return 0;
}

static int read_model(struct tokenizer_json *tj, struct lwq_err *err)
{
	const json_t *model = json_object_get(tj->root, "model");
	if (!json_is_object(model))
		return lwq_err_set(err, "tokenizer.json: no model");
	/* Files written before the "type" tag existed hold a bare BPE model. */
	if (json_object_get(model, "type") && strcmp(type_of(model), "BPE"))
		return unsupported(err, "model type", type_of(model));
	if (check_bpe_options(model, err) < 0 ||
	    read_vocab(tj, json_object_get(model, "vocab"), err) < 0 ||
	    read_merges(tj, json_object_get(model, "merges"), err) < 0)
		return -1;
	tj->spec.unk_token = json_string_value(json_object_get(model, "unk_token"));
	tj->spec.fuse_unk = json_is_true(json_object_get(model, "fuse_unk"));
	return 0;
}

static int read_added(struct tokenizer_json *tj, struct lwq_err *err)
{
	static const char *const options[] = {"lstrip", "rstrip", "single_word"};
	const json_t *added = json_object_get(tj->root, "added_tokens"), *item;
	size_t i, n = json_array_size(added);
	tj->added = calloc(n + 1, sizeof *tj->added);
	tj->added_ids = calloc(n + 1, sizeof *tj->added_ids);
	if (!tj->added || !tj->added_ids)
		return lwq_err_set(err, "tokenizer.json: out of memory");
	json_array_foreach(added, i, item) {
		const char *content = json_string_value(json_object_get(item, "content"));
		if (!content || !content[0])
			return lwq_err_set(err, "tokenizer.json: added token %zu has no content", i);
		for (size_t k = 0; k < 3; k++)
			if (reject_true(item, options[k], "added-token option", err) < 0)
				return -1;
		tj->added[i] = content;
		tj->added_ids[i] = (int)json_integer_value(json_object_get(item, "id"));
		if (!tj->vocab[tj->added_ids[i]])
			tj->vocab[tj->added_ids[i]] = content;
	}
	tj->spec.added = tj->added;
	tj->spec.added_ids = tj->added_ids;
	tj->spec.n_added = (int)n;
	return 0;
}

/* TemplateProcessing: "$A" alone adds nothing; "<special> $A" prepends that token. */
static int read_template(struct tokenizer_json *tj, const json_t *proc, struct lwq_err *err)
{
	const json_t *single = json_object_get(proc, "single");
	size_t n = json_array_size(single);
	const json_t *seq = json_object_get(json_array_get(single, n ? n - 1 : 0), "Sequence");
	const char *seq_id = json_string_value(json_object_get(seq, "id"));
	if (n < 1 || n > 2 || !seq_id || strcmp(seq_id, "A"))
		return unsupported(err, "post_processor template", "single");
	if (n == 1)
		return 0;
	const char *name = json_string_value(json_object_get(
		json_object_get(json_array_get(single, 0), "SpecialToken"), "id"));
	const json_t *ids = json_object_get(json_object_get(json_object_get(proc, "special_tokens"),
							    name ? name : ""), "ids");
	if (!name || json_array_size(ids) != 1)
		return unsupported(err, "post_processor template", "single");
	json_int_t bos = json_integer_value(json_array_get(ids, 0));
	if (bos < 0 || bos >= tj->spec.n_tokens)
		return lwq_err_set(err, "tokenizer.json: post_processor token '%.100s' has a bad id",
				   name);
	tj->spec.add_bos_id = (int)bos;
	return 0;
}

static int read_processor(struct tokenizer_json *tj, const json_t *proc, struct lwq_err *err)
{
	size_t i;
	const json_t *item;
	if (!proc || json_is_null(proc) || !strcmp(type_of(proc), "ByteLevel"))
		return 0;
	if (!strcmp(type_of(proc), "TemplateProcessing"))
		return read_template(tj, proc, err);
	if (strcmp(type_of(proc), "Sequence"))
		return unsupported(err, "post_processor", type_of(proc));
	json_array_foreach(json_object_get(proc, "processors"), i, item)
		if (read_processor(tj, item, err) < 0)
			return -1;
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
	tj->spec.add_bos_id = -1;
	tj->root = json_loadb(json, len, 0, &jerr);
	if (!tj->root) {
		lwq_err_set(err, "tokenizer.json: line %d: %s", jerr.line, jerr.text);
		goto fail;
	}
	if (!json_is_object(tj->root)) {
		lwq_err_set(err, "tokenizer.json: not a JSON object");
		goto fail;
	}
	if (check_normalizer(tj->root, err) < 0 || read_pre_tokenizer(tj, err) < 0 ||
	    read_model(tj, err) < 0 || read_added(tj, err) < 0 ||
	    read_processor(tj, json_object_get(tj->root, "post_processor"), err) < 0)
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

void tokenizer_json_free(struct tokenizer_json *tj)
{
	if (!tj)
		return;
	for (int i = 0; i < tj->n_merge_lines; i++)
		free(tj->merge_lines[i]);
	free(tj->merge_lines);
	free(tj->vocab);
	free(tj->left);
	free(tj->right);
	free(tj->added);
	free(tj->added_ids);
	json_decref(tj->root);
	free(tj);
}

struct tokenizer *tokenizer_from_json(const char *json, size_t len, struct lwq_err *err)
{
	struct tokenizer_json *tj = tokenizer_json_parse(json, len, err);
	if (!tj)
		return NULL;
	struct tokenizer *tok = tokenizer_new(&tj->spec, err);
	tokenizer_json_free(tj);
	return tok;
}
