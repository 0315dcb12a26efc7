/* fuzz_tokenizer_json.c: tokenizer.json loading, then encoding. The input is the JSON,
   optionally followed by a NUL byte and the text to encode (a fixed mixed text when
   absent); every id produced is decoded again. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "tokenizer_json.h"

static const char sample[] = "Hello, world! It's 2026: caf\xc3\xa9 na\xc3\xafve \xe6\x97\xa5\xe6\x9c\xac "
			     "\xf0\x9f\x98\x80  tabs\tand\r\nnewlines <s> </s> <|endoftext|> 12345";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t json_len = nul ? (size_t)(nul - data) : size;
	const char *text = nul ? (const char *)nul + 1 : sample;
	size_t text_len = nul ? size - json_len - 1 : sizeof sample - 1;
	struct lwq_err err = { "" };
	struct tokenizer *tok = tokenizer_from_json((const char *)data, json_len, &err);
	if (!tok)
		return 0;
	int32_t *ids = NULL;
	size_t n = 0;
	if (tokenizer_encode(tok, text, text_len, 1, &ids, &n, &err) == 0) {
		char buf[256];
		for (size_t i = 0; i < n; i++) {
			if (ids[i] < 0 || ids[i] >= tokenizer_vocab_size(tok))
				abort();   /* an id the tokenizer itself does not know */
			tokenizer_decode_token(tok, ids[i], buf, sizeof buf);
		}
		char *back = NULL;
		size_t back_len = 0;
		if (tokenizer_decode(tok, ids, n, &back, &back_len, &err) == 0)
			free(back);
	}
	free(ids);
	tokenizer_free(tok);
	return 0;
}
