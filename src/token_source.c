/* token_source.c: the token ids a run works on, from a text file or an int32 ids file. */

#include "token_source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file_read.h"
#include "import_tokenizer.h"
#include "tokenizer_json.h"

#define TOKENIZER_KIND_HF "hf-tokenizer-json"

struct tokenizer *tokenizer_from_model(struct model_file *mf, struct lwq_err *err)
{
	const char *path = model_file_path(mf);
	char kind[64];
	if (model_file_get_attr_str(mf, "/tokenizer", "kind", kind, sizeof kind) < 0 ||
	    !strcmp(kind, "none")) {
		lwq_err_set(err, "%s: the model file carries no tokenizer (give token ids with --ids)",
			    path);
		return NULL;
	}
	if (strcmp(kind, TOKENIZER_KIND_HF)) {
		lwq_err_set(err, "%s: tokenizer kind '%s' cannot encode text (give token ids with --ids)",
			    path, kind);
		return NULL;
	}
	char *json;
	size_t n;
	if (model_file_get_bytes(mf, "/tokenizer/json", &json, &n, err) < 0)
		return NULL;
	struct tokenizer *tok = tokenizer_from_json(json, n, err);
	free(json);
	if (!tok)
		lwq_err_prefix(err, path);
	return tok;
}

static int too_few(const char *path, int64_t have, int64_t offset, int windows, int seq_len,
		   struct lwq_err *err)
{
	int64_t after = have > offset ? have - offset : 0;
	return lwq_err_set(err, "%s: has %lld tokens after offset %lld, need %d x %d = %lld",
			   path, (long long)after, (long long)offset, windows, seq_len,
			   (long long)windows * seq_len);
}

/* Every full window of seq_len after the offset, at most max, into *windows. */
static int fit_windows(const char *path, int64_t have, int64_t offset, int seq_len, int max,
		       int *windows, struct lwq_err *err)
{
	int64_t after = have > offset ? have - offset : 0;
	if (after / seq_len < 1)
		return lwq_err_set(err, "%s: has %lld tokens after offset %lld, fewer than one "
				   "window of %d", path, (long long)after, (long long)offset,
				   seq_len);
	*windows = after / seq_len > max ? max : (int)(after / seq_len);
	return 0;
}

/* Ids must index the model's embedding rows; position is the index in the whole stream. */
static int check_ids(const char *path, const int32_t *ids, int64_t n, int64_t first_position,
		     int vocab, struct lwq_err *err)
{
	for (int64_t i = 0; i < n; i++)
		if (ids[i] < 0 || ids[i] >= vocab)
			return lwq_err_set(err, "%s: token id %d at position %lld is outside [0, %d)",
					   path, ids[i], (long long)(first_position + i), vocab);
	return 0;
}

static int open_for_reading(const char *path, FILE **f, off_t *size, struct lwq_err *err)
{
	struct stat st;
	int problem = 0;
	*f = fopen(path, "rb");
	if (!*f)
		problem = errno;
	else if (fstat(fileno(*f), &st) < 0)
		problem = errno;
	else if (S_ISDIR(st.st_mode))
		problem = EISDIR;
	if (problem) {
		if (*f)
			fclose(*f);
		return lwq_err_set(err, "%s: cannot open: %s", path, strerror(problem));
	}
	*size = st.st_size;
	return 0;
}

/* A text larger than this is refused before it is read (its ids would not fit either). */
#define MAX_TEXT_BYTES ((size_t)4 << 30)

/* Tokenizes the whole text with the model's tokenizer. */
static int tokens_from_text(struct model_file *mf, const char *path, int32_t **all,
			    int64_t *n_all, struct lwq_err *err)
{
	char *text;
	size_t len, n_ids;
	if (read_whole_file(path, MAX_TEXT_BYTES, &text, &len, err) < 0)
		return -1;
	if (len == 0) {
		free(text);
		return lwq_err_set(err, "%s: empty text", path);
	}
	struct tokenizer *tok = tokenizer_from_model(mf, err);
	/* No post-processor: a BOS, when the model wants one, starts every window. */
	int rc = tok ? tokenizer_encode(tok, text, len, 0, all, &n_ids, err) : -1;
	if (rc < 0 && tok)
		lwq_err_prefix(err, path);
	tokenizer_free(tok);
	free(text);
	if (rc < 0)
		return -1;
	*n_all = (int64_t)n_ids;
	return 0;
}

static int32_t le_int32(const unsigned char *b)
{
	return (int32_t)((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
			 (uint32_t)b[3] << 24);
}

/* Reads ids [offset, offset + windows * seq_len) of an open file of `have` ids. */
static int read_id_range(FILE *f, const char *path, int64_t have, int64_t offset, int windows,
			 int seq_len, int32_t **ids, struct lwq_err *err)
{
	int64_t need = (int64_t)windows * seq_len;
	unsigned char *raw = NULL;
	int rc = -1;
	if (have - offset < need)
		too_few(path, have, offset, windows, seq_len, err);
	else if (!(raw = malloc((size_t)need * 4)))
		lwq_err_set(err, "%s: out of memory", path);
	else if (fseeko(f, (off_t)offset * 4, SEEK_SET) < 0 ||
		 fread(raw, 4, (size_t)need, f) != (size_t)need)
		lwq_err_set(err, "%s: read error", path);
	else if (!(*ids = malloc((size_t)need * sizeof **ids)))
		lwq_err_set(err, "%s: out of memory", path);
	else
		rc = 0;
	for (int64_t i = 0; rc == 0 && i < need; i++)
		(*ids)[i] = le_int32(raw + 4 * i);
	free(raw);
	return rc;
}

/* The ids of a run from a little-endian int32 file, and nothing else of it; with
   `every`, first sets *windows to every full window (at most max). */
static int tokens_from_ids(const char *path, int64_t offset, int every, int *windows,
			   int seq_len, int max, int32_t **ids, struct lwq_err *err)
{
	FILE *f;
	off_t size = 0;
	if (open_for_reading(path, &f, &size, err) < 0)
		return -1;
	int rc = -1;
	if (size % 4)
		lwq_err_set(err, "%s: size %lld is not a multiple of 4 (little-endian int32 ids)",
			    path, (long long)size);
	else if (!every || fit_windows(path, size / 4, offset, seq_len, max, windows, err) == 0)
		rc = read_id_range(f, path, size / 4, offset, *windows, seq_len, ids, err);
	fclose(f);
	return rc;
}

/* load_tokens; with `every`, *windows is set to every full window (at most max). */
static int load_windows(struct model_file *mf, const char *text_path, const char *ids_path,
			int64_t offset, int every, int *windows, int seq_len, int max,
			int32_t **ids, struct lwq_err *err)
{
	*ids = NULL;
	if (!text_path == !ids_path)
		return lwq_err_set(err, "tokens: give exactly one of --text and --ids");
	if (offset < 0 || (every ? max <= 0 : *windows <= 0) || seq_len <= 0)
		return lwq_err_set(err, "tokens: offset %lld, %d windows of %d tokens: out of range",
				   (long long)offset, every ? max : *windows, seq_len);
	const char *path = text_path ? text_path : ids_path;
	if (ids_path) {
		if (tokens_from_ids(ids_path, offset, every, windows, seq_len, max, ids, err) < 0)
			return -1;
	} else {
		int32_t *all = NULL;
		int64_t n_all = 0;
		if (tokens_from_text(mf, text_path, &all, &n_all, err) < 0)
			return -1;
		struct tokenizer_facts facts;
		tokenizer_facts_load(mf, &facts);
		int per = facts.bos_id >= 0 ? seq_len - 1 : seq_len;   /* text ids per window */
		int rc = per < 1 ? lwq_err_set(err, "%s: windows of %d token leave no room after "
					       "BOS", text_path, seq_len) : 0;
		if (rc == 0 && every)
			rc = fit_windows(text_path, n_all, offset, per, max, windows, err);
		if (rc == 0 && n_all - offset < (int64_t)*windows * per)
			rc = too_few(text_path, n_all, offset, *windows, per, err);
		if (rc == 0 && !(*ids = malloc((size_t)*windows * seq_len * sizeof **ids)))
			rc = lwq_err_set(err, "%s: out of memory", text_path);
		for (int w = 0; rc == 0 && w < *windows; w++) {
			int32_t *dst = *ids + (int64_t)w * seq_len;
			if (facts.bos_id >= 0)
				*dst++ = facts.bos_id;
			memcpy(dst, all + offset + (int64_t)w * per, (size_t)per * sizeof *dst);
		}
		free(all);
		if (rc < 0)
			return -1;
	}
	int64_t need = (int64_t)*windows * seq_len;
	if (check_ids(path, *ids, need, offset, model_file_config(mf)->vocab, err) < 0) {
		free(*ids);
		*ids = NULL;
		return -1;
	}
	return 0;
}

int load_tokens(struct model_file *mf, const char *text_path, const char *ids_path,
		int64_t offset, int windows, int seq_len, int32_t **ids, struct lwq_err *err)
{
	return load_windows(mf, text_path, ids_path, offset, 0, &windows, seq_len, windows, ids,
			    err);
}

int load_tokens_all_windows(struct model_file *mf, const char *text_path,
			    const char *ids_path, int64_t offset, int seq_len, int max_windows,
			    int *windows, int32_t **ids, struct lwq_err *err)
{
	*windows = 0;
	return load_windows(mf, text_path, ids_path, offset, 1, windows, seq_len, max_windows,
			    ids, err);
}
