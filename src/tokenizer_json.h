/* tokenizer_json.h: reads a Hugging Face tokenizer.json into a struct tokenizer_spec. */
#ifndef LWQ_TOKENIZER_JSON_H
#define LWQ_TOKENIZER_JSON_H

#include <stddef.h>

#include "status.h"
#include "tokenizer.h"

/* The parsed file; owns every string the spec points to. */
struct tokenizer_json;

/* Accepts byte-level BPE: no normalizer, a ByteLevel pre-tokenizer, a BPE model (merges
   as "a b" strings or ["a", "b"] pairs) and a ByteLevel or TemplateProcessing ("<s> $A")
   post-processor. Anything else fails with "tokenizer.json: unsupported ... 'X'". */
struct tokenizer_json *tokenizer_json_parse(const char *json, size_t len, struct lwq_err *err);
const struct tokenizer_spec *tokenizer_json_spec(const struct tokenizer_json *tj);
void tokenizer_json_free(struct tokenizer_json *tj);

/* Parse and build the tokenizer in one step. */
struct tokenizer *tokenizer_from_json(const char *json, size_t len, struct lwq_err *err);

#endif
