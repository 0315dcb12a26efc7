/* tokenizer_json.h: reads a Hugging Face tokenizer.json into a struct tokenizer_spec. */
#ifndef LWQ_TOKENIZER_JSON_H
#define LWQ_TOKENIZER_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "tokenizer.h"

/* The parsed file; owns every string the spec points to. */
struct tokenizer_json;

/* Accepts the components the engine implements (see tokenizer.h): normalizers NFC, NFD,
   NFKC, NFKD, Lowercase, Strip, StripAccents, Prepend, Replace, Sequence; pre-tokenizers
   ByteLevel, Split, Metaspace, Digits, Punctuation, Whitespace, WhitespaceSplit,
   CharDelimiterSplit, Sequence; a BPE model; post-processors TemplateProcessing,
   BertProcessing, RobertaProcessing, ByteLevel, Sequence; decoders ByteLevel, Metaspace,
   ByteFallback, Fuse, Strip, Replace, Sequence. Anything else fails with one line
   "tokenizer.json: unsupported KIND 'X'" (or naming the option). */
struct tokenizer_json *tokenizer_json_parse(const char *json, size_t len, struct lwq_err *err);
const struct tokenizer_spec *tokenizer_json_spec(const struct tokenizer_json *tj);
void tokenizer_json_free(struct tokenizer_json *tj);

/* The id tokenizer.json gives added token k (spec->added[k]). */
int32_t tokenizer_json_added_id(const struct tokenizer_json *tj, int k);

/* A short description for `lwq info`: "byte-level BPE", "SentencePiece-style BPE"... and
   the pre-tokenizer pattern family ("gpt2", "llama3", "qwen2", "custom", "none"). */
const char *tokenizer_json_kind(const struct tokenizer_json *tj);
const char *tokenizer_json_pattern_family(const struct tokenizer_json *tj);

/* Builds the tokenizer of a parsed file (errors start with "tokenizer.json: "); added
   tokens whose ids the file states differently from the library's are refused. */
struct tokenizer *tokenizer_from_parsed(const struct tokenizer_json *tj, struct lwq_err *err);

/* Parse and build the tokenizer in one step (errors start with "tokenizer.json: "). */
struct tokenizer *tokenizer_from_json(const char *json, size_t len, struct lwq_err *err);

#endif
