/* export_gguf_spm.c: a SentencePiece-style BPE tokenizer.json (Llama-2, Mistral) as
   llama.cpp's "llama" vocabulary: tokens, scores and token types.

   llama.cpp's SPM tokenizer merges the adjacent pair whose concatenation is the
   vocabulary token of highest score; the Hugging Face BPE model merges the pair of lowest
   merge rank. Giving each token the score -(first merge rank that produces it) makes the
   two pick the same merges, whatever the vocabulary's own order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export_gguf.h"
#include "tokenizer.h"
#include "tokenizer_json.h"

/* llama.cpp token types */
enum { TOKEN_NORMAL = 1, TOKEN_UNKNOWN = 2, TOKEN_CONTROL = 3, TOKEN_USER_DEFINED = 4,
       TOKEN_UNUSED = 5, TOKEN_BYTE = 6 };

/* Score of tokens no merge produces (single characters, byte tokens, specials): below
   every merge, so llama.cpp never prefers them to a merge the library would make. */
#define SCORE_NOT_MERGED (-1e9f)

/* "<0xNN>" with two upper-case hex digits: a byte_fallback token. */
static int is_byte_token(const char *s)
{
	return strlen(s) == 6 && strncmp(s, "<0x", 3) == 0 && s[5] == '>' &&
	       strchr("0123456789ABCDEF", s[3]) && strchr("0123456789ABCDEF", s[4]);
}

/* Whether the pipeline puts SentencePiece's "▁" before the text (a Prepend normalizer,
   or a Metaspace pre-tokenizer that prepends): llama.cpp's add_space_prefix. */
static int prepends_space(const struct tokenizer_spec *spec)
{
	for (int i = 0; i < spec->n_normalizers; i++)
		if (spec->normalizers[i].kind == TOK_NORM_PREPEND &&
		    strcmp(spec->normalizers[i].content, "\xe2\x96\x81") == 0)
			return 1;
	for (int i = 0; i < spec->n_pre; i++)
		if (spec->pre[i].kind == TOK_PRE_METASPACE &&
		    spec->pre[i].prepend_scheme != TOK_PREPEND_NEVER)
			return 1;
	return 0;
}

/* Scores from merge ranks; fails when a merge names a pair whose concatenation is not
   a token (the library would refuse such a file too). */
static int merge_scores(const struct tokenizer_spec *spec, struct tokenizer *tok, float *scores,
			int n, struct lwq_err *err)
{
	for (int i = 0; i < n; i++)
		scores[i] = SCORE_NOT_MERGED;
	char buf[1024];
	for (int m = 0; m < spec->n_merges; m++) {
		size_t l = strlen(spec->merges_left[m]), r = strlen(spec->merges_right[m]);
		if (l + r >= sizeof buf)
			return lwq_err_set(err, "merge %d is longer than %zu bytes", m, sizeof buf - 1);
		memcpy(buf, spec->merges_left[m], l);
		memcpy(buf + l, spec->merges_right[m], r + 1);
		int32_t id = tokenizer_token_id(tok, buf);
		if (id < 0 || id >= n)
			return lwq_err_set(err, "merge %d ('%s' '%s') makes no token of the vocabulary",
					   m, spec->merges_left[m], spec->merges_right[m]);
		if (scores[id] == SCORE_NOT_MERGED)
			scores[id] = -(float)m;
	}
	return 0;
}

int gguf_put_spm_vocab(struct gguf_writer *w, const struct tokenizer_json *tj,
		       const struct model_config *cfg, struct lwq_err *err)
{
	const struct tokenizer_spec *spec = tokenizer_json_spec(tj);
	int n = cfg->vocab;
	const char **tokens = calloc((size_t)n, sizeof *tokens);
	char (*pads)[24] = calloc((size_t)n, sizeof *pads);
	int32_t *types = calloc((size_t)n, sizeof *types);
	float *scores = calloc((size_t)n, sizeof *scores);
	struct tokenizer *tok = tokenizer_from_parsed(tj, err);
	int rc = -1;
	if (!tok)
		goto out;
	if (!tokens || !pads || !types || !scores) {
		lwq_err_set(err, "out of memory");
		goto out;
	}
	if (merge_scores(spec, tok, scores, n, err) < 0)
		goto out;
	for (int i = 0; i < n; i++) {
		if (i < spec->n_tokens && spec->vocab[i]) {
			tokens[i] = spec->vocab[i];
			types[i] = spec->byte_fallback && is_byte_token(tokens[i]) ? TOKEN_BYTE
				 : spec->unk_token && !strcmp(tokens[i], spec->unk_token) ? TOKEN_UNKNOWN
				 : TOKEN_NORMAL;
		} else {
			snprintf(pads[i], sizeof pads[i], "[PAD%d]", i);
			tokens[i] = pads[i];
			types[i] = TOKEN_UNUSED;
		}
	}
	for (int k = 0; k < spec->n_added; k++) {
		int32_t id = tokenizer_json_added_id(tj, k);
		if (id < 0 || id >= n || types[id] == TOKEN_UNKNOWN)
			continue;
		tokens[id] = spec->added[k].content;
		types[id] = spec->added[k].special ? TOKEN_CONTROL : TOKEN_USER_DEFINED;
	}
	gguf_kv_str(w, "tokenizer.ggml.model", "llama");
	gguf_kv_str(w, "tokenizer.ggml.pre", "default");
	gguf_kv_str_array(w, "tokenizer.ggml.tokens", tokens, (uint64_t)n);
	gguf_kv_f32_array(w, "tokenizer.ggml.scores", scores, (uint64_t)n);
	gguf_kv_i32_array(w, "tokenizer.ggml.token_type", types, (uint64_t)n);
	if (spec->unk_token) {
		int32_t unk = tokenizer_token_id(tok, spec->unk_token);
		if (unk >= 0)
			gguf_kv_u32(w, "tokenizer.ggml.unknown_token_id", (uint32_t)unk);
	}
	if (cfg->bos_id >= 0)
		gguf_kv_u32(w, "tokenizer.ggml.bos_token_id", (uint32_t)cfg->bos_id);
	if (cfg->eos_id >= 0)
		gguf_kv_u32(w, "tokenizer.ggml.eos_token_id", (uint32_t)cfg->eos_id);
	gguf_kv_bool(w, "tokenizer.ggml.add_bos_token", spec->n_prefix > 0);
	gguf_kv_bool(w, "tokenizer.ggml.add_space_prefix", prepends_space(spec));
	rc = 0;
out:
	tokenizer_free(tok);
	free(tokens);
	free(pads);
	free(types);
	free(scores);
	return rc;
}
