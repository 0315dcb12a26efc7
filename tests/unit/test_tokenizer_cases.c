/* test_tokenizer_cases.c: one tokenizer.json component or option per case (Digits,
   Punctuation, Whitespace, Metaspace schemes, Split behaviours and invert, Unicode forms,
   Lowercase, Strip, merges as strings, fuse_unk, byte_fallback, ignore_merges, subword
   prefix and suffix, added-token options, post-processors) on three texts, against the
   ids and decoded text of the Hugging Face library stored in tokenizer_cases.json. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "tokenizer.h"
#include "tokenizer_json.h"

static int same_ids(const int32_t *ids, size_t n, const json_t *want)
{
	if (json_array_size(want) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (ids[i] != json_integer_value(json_array_get(want, i)))
			return 0;
	return 1;
}

/* The case's tokenizer.json: its components plus the shared vocabulary and merges. */
static char *case_json(const json_t *doc, const json_t *c)
{
	json_t *t = json_deep_copy(json_object_get(c, "tokenizer"));
	json_t *model = json_object_get(t, "model");
	const char *key = json_string_value(json_object_get(c, "vocab"));
	json_object_set(model, "vocab", json_object_get(json_object_get(doc, "vocabs"), key));
	const json_t *pairs = json_object_get(json_object_get(doc, "merges"), key), *pair;
	json_t *merges = json_array();
	size_t i;
	json_array_foreach(pairs, i, pair) {
		if (json_is_true(json_object_get(c, "merges_as_strings"))) {
			char line[256];
			snprintf(line, sizeof line, "%s %s", json_string_value(json_array_get(pair, 0)),
				 json_string_value(json_array_get(pair, 1)));
			json_array_append_new(merges, json_string(line));
		} else {
			json_array_append(merges, (json_t *)pair);
		}
	}
	json_object_set_new(model, "merges", merges);
	char *s = json_dumps(t, JSON_COMPACT);
	json_decref(t);
	return s;
}

static void run_case(const json_t *doc, const json_t *c)
{
	const char *name = json_string_value(json_object_get(c, "name"));
	char *json = case_json(doc, c);
	struct lwq_err err = { "" };
	struct tokenizer *tok = tokenizer_from_json(json, strlen(json), &err);
	free(json);
	if (!ok(tok != NULL, "%s: loads%s%s", name, tok ? "" : ": ", err.msg))
		return;
	const json_t *texts = json_object_get(doc, "texts");
	int good_ids = 1, good_text = 1;
	for (size_t k = 0; k < json_array_size(texts); k++) {
		const char *text = json_string_value(json_array_get(texts, k));
		for (int special = 0; special < 2; special++) {
			int32_t *ids = NULL;
			size_t n = 0;
			const json_t *want = json_array_get(
				json_object_get(c, special ? "special" : "plain"), k);
			int rc = tokenizer_encode(tok, text, strlen(text), special, &ids, &n, &err);
			if (rc < 0 || !same_ids(ids, n, want)) {
				if (good_ids)
					printf("# %s: text %zu%s differs\n", name, k,
					       special ? " (special)" : "");
				good_ids = 0;
			}
			if (rc == 0 && special) {
				char *back = NULL;
				size_t len = 0;
				const char *want_text = json_string_value(
					json_array_get(json_object_get(c, "decoded"), k));
				if (tokenizer_decode(tok, ids, n, &back, &len, &err) < 0 ||
				    strlen(want_text) != len || memcmp(back, want_text, len) != 0)
					good_text = 0;
				free(back);
			}
			free(ids);
		}
	}
	ok(good_ids, "%s: ids equal the library's, plain and with special tokens", name);
	ok(good_text, "%s: decoding gives the library's text", name);
	tokenizer_free(tok);
}

int main(void)
{
	char path[4096];
	json_error_t jerr;
	snprintf(path, sizeof path, "%s/tests/unit/tokenizer_cases.json",
		 getenv("TOP_SRCDIR") ? getenv("TOP_SRCDIR") : ".");
	json_t *doc = json_load_file(path, 0, &jerr);
	if (!ok(doc != NULL, "%s loads%s%s", path, doc ? "" : ": ", doc ? "" : jerr.text))
		return tap_done();
	size_t i;
	const json_t *c;
	json_array_foreach(json_object_get(doc, "cases"), i, c)
		run_case(doc, c);
	ok(json_array_size(json_object_get(doc, "cases")) >= 30, "%zu cases",
	   json_array_size(json_object_get(doc, "cases")));
	json_decref(doc);
	return tap_done();
}
