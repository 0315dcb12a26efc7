/* json_scan.h: a small, strict JSON scanner for the two big members of tokenizer.json
   (model.vocab and model.merges, hundreds of thousands of strings), which a general
   JSON library parses several times slower than the whole tokenizer needs to load. */
#ifndef LWQ_JSON_SCAN_H
#define LWQ_JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* The big members found in a copy of the text; strings point into `text`, unescaped in
   place and NUL-terminated. `rest` (rest_len bytes) is the document with both
   members' values replaced by {} and [], for the general parser. */
struct json_big_members {
	char *text, *rest;
	size_t len, rest_len;
	size_t cut_start[2], cut_end[2];
	int n_cuts;
	int has_vocab, has_merges;
	char **keys;               /* model.vocab: n_vocab keys and their values */
	int64_t *ids;
	int n_vocab;
	char **left, **right;      /* model.merges: "a b" strings (right NULL) or pairs */
	int n_merges, merges_are_pairs;
};

/* Fails (err: "tokenizer.json: byte N: problem") on malformed JSON inside the members;
   the rest is left to the general parser. */
int json_scan_big_members(const char *json, size_t len, struct json_big_members *out,
			  struct lwq_err *err);
void json_big_members_free(struct json_big_members *m);

#endif
