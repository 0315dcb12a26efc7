/* import_tokenizer.c: checks the tokenizer.json an import embeds and decides its BOS
   (see import_tokenizer.h). */
#include "import_tokenizer.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_read.h"
#include "tokenizer_json.h"

/* tokenizer_config.json beside tokenizer.json: add_bos_token and bos_token (a string
   or {"content": ...}), when it has them. Returns 1 when it decided, 0 when it is
   silent or absent, -1 on a broken file. */
static int bos_from_config(const char *tokenizer_path, struct tokenizer *tok,
			   struct tokenizer_facts *facts, struct lwq_err *err)
{
	char path[4096];
	const char *slash = strrchr(tokenizer_path, '/');
	int dir = slash ? (int)(slash - tokenizer_path) + 1 : 0;
	snprintf(path, sizeof path, "%.*stokenizer_config.json", dir, tokenizer_path);
	char *text;
	size_t len;
	struct lwq_err ignored = { "" };
	if (read_whole_file(path, (size_t)64 << 20, &text, &len, &ignored) != 0)
		return 0;
	json_error_t jerr;
	/* model_max_length is often 1e30 written as an integer */
	json_t *root = json_loadb(text, len, JSON_DECODE_INT_AS_REAL, &jerr);
	free(text);
	if (!json_is_object(root)) {
		json_decref(root);
		return lwq_err_set(err, "%s: line %d: %s", path, jerr.line,
				   root ? "not a JSON object" : jerr.text);
	}
	const json_t *add = json_object_get(root, "add_bos_token");
	const json_t *bos = json_object_get(root, "bos_token");
	const char *name = json_is_string(bos) ? json_string_value(bos)
			   : json_string_value(json_object_get(bos, "content"));
	int rc = 0;
	if (json_is_boolean(add)) {
		rc = 1;
		facts->bos_id = -1;
		if (json_is_true(add) && (!name || (facts->bos_id = tokenizer_token_id(tok, name)) < 0))
			rc = lwq_err_set(err, "%s: add_bos_token is true but bos_token '%.100s' is "
					 "not in tokenizer.json", path, name ? name : "(none)");
		snprintf(facts->bos_source, sizeof facts->bos_source, "tokenizer_config.json");
	}
	json_decref(root);
	return rc;
}

int import_check_tokenizer(const char *path, int vocab, struct tokenizer_facts *facts,
			   struct lwq_err *err)
{
	char *json;
	size_t len;
	memset(facts, 0, sizeof *facts);
	facts->bos_id = -1;
	snprintf(facts->bos_source, sizeof facts->bos_source, "none");
	if (read_whole_file(path, (size_t)1 << 30, &json, &len, err) != 0)
		return -1;
	struct lwq_err why = { "" };
	struct tokenizer_json *tj = tokenizer_json_parse(json, len, &why);
	struct tokenizer *tok = tj ? tokenizer_from_parsed(tj, &why) : NULL;
	free(json);
	if (!tok) {
		tokenizer_json_free(tj);
		/* Messages start with "tokenizer.json: "; the path says which one. */
		const char *reason = strncmp(why.msg, "tokenizer.json: ", 16) == 0 ? why.msg + 16
										  : why.msg;
		return lwq_err_set(err, "%s: %s", path, reason);
	}
	const struct tokenizer_spec *spec = tokenizer_json_spec(tj);
	snprintf(facts->description, sizeof facts->description, "%s", tokenizer_json_kind(tj));
	snprintf(facts->pattern_family, sizeof facts->pattern_family, "%s",
		 tokenizer_json_pattern_family(tj));
	facts->vocab_size = tokenizer_vocab_size(tok);
	int rc = bos_from_config(path, tok, facts, err);
	if (rc == 0 && spec->n_prefix > 0) {
		facts->bos_id = spec->prefix_ids[0];
		snprintf(facts->bos_source, sizeof facts->bos_source, "post_processor");
	}
	tokenizer_json_free(tj);
	tokenizer_free(tok);
	if (rc < 0)
		return -1;
	if (facts->vocab_size > vocab)
		return lwq_err_set(err, "%s: token ids reach %d but the model's vocabulary has %d "
				   "entries", path, facts->vocab_size - 1, vocab);
	return 0;
}

int tokenizer_facts_store(struct model_file *mf, const struct tokenizer_facts *facts,
			  struct lwq_err *err)
{
	if (model_file_set_attr_str(mf, "/tokenizer", "description", facts->description, err) ||
	    model_file_set_attr_str(mf, "/tokenizer", "pattern_family", facts->pattern_family,
				    err) ||
	    model_file_set_attr_i64(mf, "/tokenizer", "vocab_size", facts->vocab_size, err) ||
	    model_file_set_attr_i64(mf, "/tokenizer", "bos_id", facts->bos_id, err) ||
	    model_file_set_attr_str(mf, "/tokenizer", "bos_source", facts->bos_source, err))
		return -1;
	return 0;
}

void tokenizer_facts_load(struct model_file *mf, struct tokenizer_facts *facts)
{
	int64_t v;
	memset(facts, 0, sizeof *facts);
	facts->bos_id = -1;
	snprintf(facts->description, sizeof facts->description, "unknown");
	snprintf(facts->pattern_family, sizeof facts->pattern_family, "unknown");
	snprintf(facts->bos_source, sizeof facts->bos_source, "none");
	model_file_get_attr_str(mf, "/tokenizer", "description", facts->description,
				sizeof facts->description);
	model_file_get_attr_str(mf, "/tokenizer", "pattern_family", facts->pattern_family,
				sizeof facts->pattern_family);
	model_file_get_attr_str(mf, "/tokenizer", "bos_source", facts->bos_source,
				sizeof facts->bos_source);
	if (model_file_get_attr_i64(mf, "/tokenizer", "vocab_size", &v) == 0)
		facts->vocab_size = (int)v;
	if (model_file_get_attr_i64(mf, "/tokenizer", "bos_id", &v) == 0)
		facts->bos_id = (int)v;
}
