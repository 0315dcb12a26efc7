/* tokenizer_json_pipeline.c: tokenizer.json's normalizer, pre_tokenizer, post_processor
   and decoder into the engine's lists (Sequences flattened), refusing what it lacks. */

#include <stdlib.h>
#include <string.h>

#include "tokenizer_json_internal.h"

static int grow(void **p, size_t *cap, size_t need, size_t elem, struct lwq_err *err)
{
	if (need <= *cap)
		return 0;
	size_t cap2 = *cap ? *cap * 2 : 8;
	while (cap2 < need)
		cap2 *= 2;
	void *q = realloc(*p, cap2 * elem);
	if (!q)
		return lwq_err_set(err, "tokenizer.json: out of memory");
	*p = q;
	*cap = cap2;
	return 0;
}

/* Appends the `elem`-byte item to a growing array of *n items. */
static int append(void **p, size_t *cap, int *n, const void *item, size_t elem,
		  struct lwq_err *err)
{
	if (grow(p, cap, (size_t)*n + 1, elem, err) < 0)
		return -1;
	memcpy((char *)*p + (size_t)*n * elem, item, elem);
	(*n)++;
	return 0;
}

typedef int (*tj_reader)(struct tokenizer_json *tj, const json_t *node, struct lwq_err *err);

/* Every node of a Sequence's `key` array through `read`, in order (Sequences flatten). */
static int read_sequence(struct tokenizer_json *tj, const json_t *node, const char *key,
			 tj_reader read, struct lwq_err *err)
{
	size_t i;
	const json_t *item;
	json_array_foreach(json_object_get(node, key), i, item)
		if (read(tj, item, err) < 0)
			return -1;
	return 0;
}

static int flag(const json_t *obj, const char *key, int fallback)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_boolean(v) ? json_is_true(v) : fallback;
}

static const char *string_of(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* {"String": "..."} or {"Regex": "..."} */
static int read_pattern(const json_t *obj, const char *where, struct tok_pattern *p,
			struct lwq_err *err)
{
	const json_t *pattern = json_object_get(obj, "pattern");
	const char *s = json_string_value(json_object_get(pattern, "String"));
	p->is_regex = 0;
	if (!s && (s = json_string_value(json_object_get(pattern, "Regex"))))
		p->is_regex = 1;
	if (!s)
		return lwq_err_set(err, "tokenizer.json: %s: pattern is neither {\"String\"} nor "
				   "{\"Regex\"}", where);
	p->text = s;
	return 0;
}

static int read_behavior(const json_t *obj, const char *where, enum tok_split_behavior fallback,
			 enum tok_split_behavior *out, struct lwq_err *err)
{
	static const char *const names[] = {"Removed", "Isolated", "MergedWithPrevious",
					    "MergedWithNext", "Contiguous"};
	const char *s = string_of(obj, "behavior");
	*out = fallback;
	if (!s)
		return 0;
	for (int i = 0; i < 5; i++)
		if (!strcmp(s, names[i])) {
			*out = (enum tok_split_behavior)i;
			return 0;
		}
	char what[64];
	snprintf(what, sizeof what, "%s behavior", where);
	return tj_unsupported(err, what, s);
}

/* prepend_scheme, or the older add_prefix_space (false = never); default always. */
static int read_prepend_scheme(const json_t *obj, enum tok_prepend_scheme *out,
			       struct lwq_err *err)
{
	const char *s = string_of(obj, "prepend_scheme");
	*out = TOK_PREPEND_ALWAYS;
	if (s && !strcmp(s, "first"))
		*out = TOK_PREPEND_FIRST;
	else if (s && !strcmp(s, "never"))
		*out = TOK_PREPEND_NEVER;
	else if (s && strcmp(s, "always"))
		return tj_unsupported(err, "Metaspace prepend_scheme", s);
	if (!flag(obj, "add_prefix_space", 1)) {
		if (s && *out != TOK_PREPEND_NEVER)
			return lwq_err_set(err, "tokenizer.json: Metaspace add_prefix_space=false "
					   "contradicts prepend_scheme '%s'", s);
		*out = TOK_PREPEND_NEVER;
	}
	return 0;
}

/* ---- normalizers ------------------------------------------------------------------------ */

int tj_read_normalizer(struct tokenizer_json *tj, const json_t *node, struct lwq_err *err)
{
	static const struct { const char *name; enum tok_normalizer_kind kind; } simple[] = {
		{"NFC", TOK_NORM_NFC}, {"NFD", TOK_NORM_NFD}, {"NFKC", TOK_NORM_NFKC},
		{"NFKD", TOK_NORM_NFKD}, {"Lowercase", TOK_NORM_LOWERCASE},
		{"StripAccents", TOK_NORM_STRIP_ACCENTS}, {"Strip", TOK_NORM_STRIP},
		{"Prepend", TOK_NORM_PREPEND}, {"Replace", TOK_NORM_REPLACE}};
	if (!node || json_is_null(node))
		return 0;
	const char *type = tj_type(node);
	if (!strcmp(type, "Sequence"))
		return read_sequence(tj, node, "normalizers", tj_read_normalizer, err);
	struct tok_normalizer_spec n = {0};
	size_t k = 0;
	while (k < sizeof simple / sizeof simple[0] && strcmp(type, simple[k].name))
		k++;
	if (k == sizeof simple / sizeof simple[0])
		return tj_unsupported(err, "normalizer", type);
	n.kind = simple[k].kind;
	if (n.kind == TOK_NORM_STRIP) {
		n.strip_left = flag(node, "strip_left", 1);
		n.strip_right = flag(node, "strip_right", 1);
	} else if (n.kind == TOK_NORM_PREPEND) {
		if (!(n.content = string_of(node, "prepend")))
			return lwq_err_set(err, "tokenizer.json: Prepend normalizer without 'prepend'");
	} else if (n.kind == TOK_NORM_REPLACE) {
		if (read_pattern(node, "Replace normalizer", &n.pattern, err) < 0)
			return -1;
		if (!(n.content = string_of(node, "content")))
			return lwq_err_set(err, "tokenizer.json: Replace normalizer without 'content'");
	}
	if (append((void **)&tj->norms, &tj->cap_norms, &tj->spec.n_normalizers, &n, sizeof n,
		   err) < 0)
		return -1;
	tj->spec.normalizers = tj->norms;
	return 0;
}

/* ---- pre-tokenizers ---------------------------------------------------------------------- */

static int read_byte_level(const json_t *node, struct tok_pre_spec *p)
{
	p->kind = TOK_PRE_BYTE_LEVEL;
	p->add_prefix_space = flag(node, "add_prefix_space", 1);
	p->use_regex = flag(node, "use_regex", 1);
	return 0;
}

static int read_one_pre(struct tokenizer_json *tj, const json_t *node, const char *type,
			struct tok_pre_spec *p, struct lwq_err *err)
{
	if (!strcmp(type, "ByteLevel"))
		return read_byte_level(node, p);
	if (!strcmp(type, "Split")) {
		p->kind = TOK_PRE_SPLIT;
		p->invert = flag(node, "invert", 0);
		if (!string_of(node, "behavior"))
			return lwq_err_set(err, "tokenizer.json: Split pre_tokenizer without 'behavior'");
		if (read_pattern(node, "Split pre_tokenizer", &p->pattern, err) < 0 ||
		    read_behavior(node, "Split", TOK_SPLIT_ISOLATED, &p->behavior, err) < 0)
			return -1;
		tj->pattern_family = tj_pattern_family(p->pattern.text);
		return 0;
	}
	if (!strcmp(type, "Metaspace")) {
		p->kind = TOK_PRE_METASPACE;
		p->split = flag(node, "split", 1);
		if (!(p->replacement = string_of(node, "replacement")))
			return lwq_err_set(err, "tokenizer.json: Metaspace without 'replacement'");
		return read_prepend_scheme(node, &p->prepend_scheme, err);
	}
	if (!strcmp(type, "Digits")) {
		p->kind = TOK_PRE_DIGITS;
		p->individual_digits = flag(node, "individual_digits", 0);
		return 0;
	}
	if (!strcmp(type, "Punctuation")) {
		p->kind = TOK_PRE_PUNCTUATION;
		return read_behavior(node, "Punctuation", TOK_SPLIT_ISOLATED, &p->behavior, err);
	}
	if (!strcmp(type, "Whitespace")) {
		p->kind = TOK_PRE_WHITESPACE;
		return 0;
	}
	if (!strcmp(type, "WhitespaceSplit")) {
		p->kind = TOK_PRE_WHITESPACE_SPLIT;
		return 0;
	}
	if (!strcmp(type, "CharDelimiterSplit")) {
		p->kind = TOK_PRE_CHAR_DELIMITER;
		if (!(p->replacement = string_of(node, "delimiter")))
			return lwq_err_set(err, "tokenizer.json: CharDelimiterSplit without 'delimiter'");
		return 0;
	}
	return tj_unsupported(err, "pre_tokenizer", type);
}

int tj_read_pre_tokenizer(struct tokenizer_json *tj, const json_t *node, struct lwq_err *err)
{
	if (!node || json_is_null(node))
		return 0;
	const char *type = tj_type(node);
	if (!strcmp(type, "Sequence"))
		return read_sequence(tj, node, "pretokenizers", tj_read_pre_tokenizer, err);
	struct tok_pre_spec p = {0};
	if (read_one_pre(tj, node, type, &p, err) < 0)
		return -1;
	if (p.kind == TOK_PRE_BYTE_LEVEL && p.use_regex && !tj->pattern_family)
		tj->pattern_family = "gpt2";
	if (append((void **)&tj->pre, &tj->cap_pre, &tj->spec.n_pre, &p, sizeof p, err) < 0)
		return -1;
	tj->spec.pre = tj->pre;
	return 0;
}

/* ---- post-processors ----------------------------------------------------------------------- */

static int add_ids(int32_t **list, size_t *cap, int *n, const json_t *ids, struct lwq_err *err)
{
	size_t i;
	const json_t *id;
	json_array_foreach(ids, i, id) {
		if (!json_is_integer(id))
			return lwq_err_set(err, "tokenizer.json: post_processor: a special token id is "
					   "not an integer");
		int32_t value = (int32_t)json_integer_value(id);
		if (append((void **)list, cap, n, &value, sizeof value, err) < 0)
			return -1;
	}
	return 0;
}

/* Ids the processor adds around the sequence, wrapped around what earlier ones added. */
static int wrap(struct tokenizer_json *tj, const int32_t *before, int n_before,
		const int32_t *after, int n_after, struct lwq_err *err)
{
	int n = tj->spec.n_prefix;
	if (grow((void **)&tj->prefix, &tj->cap_prefix, (size_t)(n + n_before) + 1,
		 sizeof *tj->prefix, err) < 0)
		return -1;
	memmove(tj->prefix + n_before, tj->prefix, (size_t)n * sizeof *tj->prefix);
	memcpy(tj->prefix, before, (size_t)n_before * sizeof *before);
	tj->spec.n_prefix = n + n_before;
	for (int i = 0; i < n_after; i++) {
		if (grow((void **)&tj->suffix, &tj->cap_suffix, (size_t)tj->spec.n_suffix + 1,
			 sizeof *tj->suffix, err) < 0)
			return -1;
		tj->suffix[tj->spec.n_suffix++] = after[i];
	}
	tj->spec.prefix_ids = tj->prefix;
	tj->spec.suffix_ids = tj->suffix;
	return 0;
}

static int read_template(struct tokenizer_json *tj, const json_t *proc, struct lwq_err *err)
{
	const json_t *single = json_object_get(proc, "single"), *item;
	const json_t *specials = json_object_get(proc, "special_tokens");
	int32_t *ids[2] = {NULL, NULL};
	size_t caps[2] = {0, 0}, i;
	int counts[2] = {0, 0}, side = 0, rc = 0;
	if (!json_is_array(single))
		return lwq_err_set(err, "tokenizer.json: TemplateProcessing without 'single'");
	json_array_foreach(single, i, item) {
		const json_t *seq = json_object_get(item, "Sequence");
		const char *name = string_of(json_object_get(item, "SpecialToken"), "id");
		if (seq) {
			const char *which = string_of(seq, "id");
			if (side == 1 || !which || strcmp(which, "A")) {
				rc = tj_unsupported(err, "TemplateProcessing single template",
						    "more than the one sequence $A");
				break;
			}
			side = 1;
			continue;
		}
		const json_t *tokens = json_object_get(json_object_get(specials, name ? name : ""),
						       "ids");
		if (!name || !json_is_array(tokens)) {
			rc = lwq_err_set(err, "tokenizer.json: TemplateProcessing: special token "
					 "'%.100s' is not in special_tokens", name ? name : "?");
			break;
		}
		if ((rc = add_ids(&ids[side], &caps[side], &counts[side], tokens, err)) < 0)
			break;
	}
	if (rc == 0 && side == 0)
		rc = tj_unsupported(err, "TemplateProcessing single template", "without $A");
	if (rc == 0)
		rc = wrap(tj, ids[0], counts[0], ids[1], counts[1], err);
	free(ids[0]);
	free(ids[1]);
	return rc;
}

/* BertProcessing and RobertaProcessing: [cls] $A [sep], each given as [token, id]. */
static int read_cls_sep(struct tokenizer_json *tj, const json_t *proc, struct lwq_err *err)
{
	const json_t *cls = json_array_get(json_object_get(proc, "cls"), 1);
	const json_t *sep = json_array_get(json_object_get(proc, "sep"), 1);
	if (!json_is_integer(cls) || !json_is_integer(sep))
		return lwq_err_set(err, "tokenizer.json: %s without cls/sep [token, id] pairs",
				   tj_type(proc));
	int32_t before = (int32_t)json_integer_value(cls), after = (int32_t)json_integer_value(sep);
	return wrap(tj, &before, 1, &after, 1, err);
}

int tj_read_processor(struct tokenizer_json *tj, const json_t *node, struct lwq_err *err)
{
	if (!node || json_is_null(node))
		return 0;
	const char *type = tj_type(node);
	if (!strcmp(type, "ByteLevel"))
		return 0;          /* it changes offsets only */
	if (!strcmp(type, "TemplateProcessing"))
		return read_template(tj, node, err);
	if (!strcmp(type, "BertProcessing") || !strcmp(type, "RobertaProcessing"))
		return read_cls_sep(tj, node, err);
	if (strcmp(type, "Sequence"))
		return tj_unsupported(err, "post_processor", type);
	return read_sequence(tj, node, "processors", tj_read_processor, err);
}

/* ---- decoders ---------------------------------------------------------------------------- */

static int read_one_decoder(const json_t *node, const char *type, struct tok_decoder_spec *d,
			    struct lwq_err *err)
{
	if (!strcmp(type, "ByteLevel")) {
		d->kind = TOK_DEC_BYTE_LEVEL;
	} else if (!strcmp(type, "ByteFallback")) {
		d->kind = TOK_DEC_BYTE_FALLBACK;
	} else if (!strcmp(type, "Fuse")) {
		d->kind = TOK_DEC_FUSE;
	} else if (!strcmp(type, "Metaspace")) {
		d->kind = TOK_DEC_METASPACE;
		if (!(d->replacement = string_of(node, "replacement")))
			return lwq_err_set(err, "tokenizer.json: Metaspace decoder without 'replacement'");
		return read_prepend_scheme(node, &d->prepend_scheme, err);
	} else if (!strcmp(type, "Strip")) {
		d->kind = TOK_DEC_STRIP;
		d->content = string_of(node, "content");
		d->start = (int)json_integer_value(json_object_get(node, "start"));
		d->stop = (int)json_integer_value(json_object_get(node, "stop"));
		if (!d->content || d->start < 0 || d->stop < 0)
			return lwq_err_set(err, "tokenizer.json: Strip decoder needs content, start, stop");
	} else if (!strcmp(type, "Replace")) {
		d->kind = TOK_DEC_REPLACE;
		if (read_pattern(node, "Replace decoder", &d->pattern, err) < 0)
			return -1;
		if (!(d->content = string_of(node, "content")))
			return lwq_err_set(err, "tokenizer.json: Replace decoder without 'content'");
	} else {
		return tj_unsupported(err, "decoder", type);
	}
	return 0;
}

int tj_read_decoder(struct tokenizer_json *tj, const json_t *node, struct lwq_err *err)
{
	if (!node || json_is_null(node))
		return 0;
	tj->spec.has_decoder = 1;
	const char *type = tj_type(node);
	if (!strcmp(type, "Sequence"))
		return read_sequence(tj, node, "decoders", tj_read_decoder, err);
	struct tok_decoder_spec d = {0};
	if (read_one_decoder(node, type, &d, err) < 0)
		return -1;
	if (append((void **)&tj->decoders, &tj->cap_decoders, &tj->spec.n_decoders, &d, sizeof d,
		   err) < 0)
		return -1;
	tj->spec.decoders = tj->decoders;
	return 0;
}
