/* test_tokenizer_vectors.c: real tokenizer.json files of three families against the ids
   the Hugging Face library gives for three texts, plain and with special tokens. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "read_file.h"
#include "tap.h"
#include "tokenizer.h"
#include "tokenizer_json.h"

static int32_t le32(const unsigned char *b)
{
	return (int32_t)((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
			 (uint32_t)b[3] << 24);
}

static void show_context(const struct tokenizer *tok, const int32_t *ids, size_t n,
			 const unsigned char *ref, size_t n_ref, size_t at)
{
	char piece[64];
	printf("#  ours:");
	for (size_t i = at > 4 ? at - 4 : 0; i < at + 4 && i < n; i++) {
		tokenizer_decode_token(tok, ids[i], piece, sizeof piece);
		printf(" %s%d'%s'", i == at ? ">" : "", ids[i], piece);
	}
	printf("\n#  reference:");
	for (size_t i = at > 4 ? at - 4 : 0; i < at + 4 && i < n_ref; i++) {
		tokenizer_decode_token(tok, le32(ref + 4 * i), piece, sizeof piece);
		printf(" %s%d'%s'", i == at ? ">" : "", le32(ref + 4 * i), piece);
	}
	printf("\n");
}

/* Encodes TEXT with NAME's tokenizer and compares with NAME/TEXT.KIND.i32. */
static void check_text(const char *data, const char *name, struct tokenizer *tok,
		       const char *text_name, int special)
{
	char path[4096];
	size_t n_text = 0, n_ref = 0, n_ids = 0;
	struct lwq_err err = { "" };
	snprintf(path, sizeof path, "%s/tokenizers/texts/%s.txt", data, text_name);
	char *text = read_file(path, &n_text);
	snprintf(path, sizeof path, "%s/tokenizers/%s/%s.%s.i32", data, name, text_name,
		 special ? "special" : "plain");
	unsigned char *ref = (unsigned char *)read_file(path, &n_ref);
	int32_t *ids = NULL;
	if (!text || !ref || tokenizer_encode(tok, text, n_text, special, &ids, &n_ids, &err) < 0) {
		ok(0, "%s %s.%s: encoded (%s)", name, text_name, special ? "special" : "plain",
		   text && ref ? err.msg : "file missing");
	} else {
		size_t n_cmp = n_ref / 4, match = 0;
		while (match < n_cmp && match < n_ids && ids[match] == le32(ref + 4 * match))
			match++;
		ok(match == n_cmp && n_ids == n_cmp, "%s %s.%s: %zu/%zu ids equal (ours: %zu)", name,
		   text_name, special ? "special" : "plain", match, n_cmp, n_ids);
		if (match < n_cmp || n_ids != n_cmp)
			show_context(tok, ids, n_ids, ref, n_cmp, match);
	}
	free(ids);
	free(text);
	free(ref);
}

static void check_family(const char *data, const char *name)
{
	static const char *const texts[] = {"heldout", "wiki", "stress1"};
	char path[4096];
	size_t n_json = 0;
	struct lwq_err err = { "" };
	snprintf(path, sizeof path, "%s/tokenizers/%s/tokenizer.json", data, name);
	char *json = read_file(path, &n_json);
	struct tokenizer *tok = json ? tokenizer_from_json(json, n_json, &err) : NULL;
	ok(tok != NULL, "%s: tokenizer.json loads%s%s", name, tok ? "" : ": ",
	   tok ? "" : json ? err.msg : "missing");
	for (int t = 0; tok && t < 3; t++)
		for (int special = 0; special < 2; special++)
			check_text(data, name, tok, texts[t], special);
	tokenizer_free(tok);
	free(json);
}

int main(void)
{
	const char *data = tap_shared_data();
	if (!data) {
		printf("1..0 # SKIP shared data absent\n");
		return 0;
	}
	check_family(data, "mistral");
	check_family(data, "llama3");
	check_family(data, "qwen3");
	return tap_done();
}
