/* tokenizer_json_internal.h: the parsed tokenizer.json shared by the model reader
   (tokenizer_json.c) and the pipeline reader (tokenizer_json_pipeline.c). */
#ifndef LWQ_TOKENIZER_JSON_INTERNAL_H
#define LWQ_TOKENIZER_JSON_INTERNAL_H

#include <jansson.h>

#include "json_scan.h"

#include "tokenizer_json.h"

struct tokenizer_json {
	struct tokenizer_spec spec;
	json_t *root;              /* every string of the spec points into it */
	const char **vocab;
	const char **left, **right;
	struct json_big_members big;   /* model.vocab and model.merges, scanned */
	struct tok_added_spec *added;
	int32_t *added_ids;
	struct tok_normalizer_spec *norms;
	size_t cap_norms;
	struct tok_pre_spec *pre;
	size_t cap_pre;
	struct tok_decoder_spec *decoders;
	size_t cap_decoders;
	int32_t *prefix, *suffix;
	size_t cap_prefix, cap_suffix;
	const char *pattern_family;
};

int tj_unsupported(struct lwq_err *err, const char *what, const char *value);
const char *tj_type(const json_t *obj);
/* "gpt2", "llama3", "qwen2" for the Split regexes those families use, else "custom". */
const char *tj_pattern_family(const char *pattern);

/* tokenizer_json_pipeline.c */
int tj_read_normalizer(struct tokenizer_json *tj, const json_t *node, struct lwq_err *err);
int tj_read_pre_tokenizer(struct tokenizer_json *tj, const json_t *node, struct lwq_err *err);
int tj_read_processor(struct tokenizer_json *tj, const json_t *node, struct lwq_err *err);
int tj_read_decoder(struct tokenizer_json *tj, const json_t *node, struct lwq_err *err);

#endif
