/* import_tokenizer.c: checks the tokenizer.json an import embeds (see import_tokenizer.h). */
#include "import_tokenizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_read.h"
#include "tokenizer_json.h"

int import_check_tokenizer(const char *path, int vocab, int quiet, struct lwq_err *err)
{
	char *json;
	size_t len;
	if (read_whole_file(path, (size_t)1 << 30, &json, &len, err) != 0)
		return -1;
	struct lwq_err why = { "" };
	struct tokenizer *tok = tokenizer_from_json(json, len, &why);
	free(json);
	if (!tok) {
		/* Messages start with "tokenizer.json: "; the path says which one. */
		const char *reason = strncmp(why.msg, "tokenizer.json: ", 16) == 0 ? why.msg + 16
										  : why.msg;
		if (!strstr(reason, "unsupported"))
			return lwq_err_set(err, "%s: %s", path, reason);
		if (!quiet)
			fprintf(stderr, "lwq: import: warning: %s: %s; eval --text and capture --text "
				"will not work with this model (use token-id files)\n", path, reason);
		return 0;
	}
	int n = tokenizer_vocab_size(tok);
	tokenizer_free(tok);
	if (n > vocab)
		return lwq_err_set(err, "%s: token ids reach %d but the model's vocabulary has %d "
				   "entries", path, n - 1, vocab);
	return 0;
}
