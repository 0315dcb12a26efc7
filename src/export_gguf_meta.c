/* export_gguf_meta.c: the GGUF metadata llama.cpp needs to run an lwq model: the llama
   hyperparameters and the vocabulary (key names from gguf-py's constants). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export_gguf.h"
#include "tokenizer_json.h"

/* llama.cpp token types */
enum { TOKEN_NORMAL = 1, TOKEN_CONTROL = 3, TOKEN_UNUSED = 5 };

/* llama_ftype of a file whose linears are mostly of GGUF type t (general.file_type). */
static uint32_t file_type_of(int t)
{
	switch (t) {
	case GGUF_TYPE_F16: return 1;
	case GGUF_TYPE_Q4_0: return 2;
	case GGUF_TYPE_Q8_0: return 7;
	case GGUF_TYPE_Q5_0: return 8;
	case GGUF_TYPE_Q2_K: return 10;
	case GGUF_TYPE_Q3_K: return 12;  /* Q3_K_M */
	case GGUF_TYPE_Q4_K: return 15;  /* Q4_K_M */
	case GGUF_TYPE_Q5_K: return 17;  /* Q5_K_M */
	case GGUF_TYPE_Q6_K: return 18;
	default: return 0;
	}
}

/* llama.cpp's architecture for the model: Qwen2 and Qwen3 have their own (biases, q/k
   norms, rotate-half RoPE), everything else runs as llama. */
const char *gguf_arch_name(const struct model_config *cfg)
{
	if (strcmp(cfg->architecture, "Qwen2ForCausalLM") == 0)
		return "qwen2";
	if (strcmp(cfg->architecture, "Qwen3ForCausalLM") == 0)
		return "qwen3";
	return "llama";
}

static void kv_u32(struct gguf_writer *w, const char *arch, const char *key, uint32_t v)
{
	char name[128];
	snprintf(name, sizeof name, "%s.%s", arch, key);
	gguf_kv_u32(w, name, v);
}

static void kv_f32(struct gguf_writer *w, const char *arch, const char *key, float v)
{
	char name[128];
	snprintf(name, sizeof name, "%s.%s", arch, key);
	gguf_kv_f32(w, name, v);
}

static void put_hparams(struct gguf_writer *w, const struct model_config *cfg, int n_layers)
{
	const char *a = gguf_arch_name(cfg);
	kv_u32(w, a, "block_count", (uint32_t)n_layers);
	kv_u32(w, a, "context_length", (uint32_t)(cfg->max_seq_len > 0 ? cfg->max_seq_len : 2048));
	kv_u32(w, a, "embedding_length", (uint32_t)cfg->hidden);
	kv_u32(w, a, "feed_forward_length", (uint32_t)cfg->intermediate);
	kv_u32(w, a, "attention.head_count", (uint32_t)cfg->n_heads);
	kv_u32(w, a, "attention.head_count_kv", (uint32_t)cfg->n_kv_heads);
	kv_u32(w, a, "attention.key_length", (uint32_t)cfg->head_dim);
	kv_u32(w, a, "attention.value_length", (uint32_t)cfg->head_dim);
	kv_f32(w, a, "rope.freq_base", (float)cfg->rope_theta);
	kv_u32(w, a, "rope.dimension_count", (uint32_t)cfg->head_dim);
	kv_f32(w, a, "attention.layer_norm_rms_epsilon", (float)cfg->norm_eps);
	kv_u32(w, a, "vocab_size", (uint32_t)cfg->vocab);
	if (cfg->sliding_window > 0)
		kv_u32(w, a, "attention.sliding_window", (uint32_t)cfg->sliding_window);
	if (strcmp(cfg->rope_scaling, "linear") == 0) {
		char name[128];
		snprintf(name, sizeof name, "%s.rope.scaling.type", a);
		gguf_kv_str(w, name, "linear");
		kv_f32(w, a, "rope.scaling.factor", (float)cfg->rope_factor);
	}
}

/* tokens/token_type/merges from the stored tokenizer.json; ids the JSON leaves unused
   become "[PADn]" so the list matches the embedding's rows. */
static int put_vocab(struct gguf_writer *w, const struct tokenizer_json *tj,
		     const struct model_config *cfg, const char *pre, struct lwq_err *err)
{
	const struct tokenizer_spec *spec = tokenizer_json_spec(tj);
	int n = cfg->vocab;
	const char **tokens = calloc((size_t)n, sizeof *tokens);
	char **pads = calloc((size_t)n, sizeof *pads);
	int32_t *types = calloc((size_t)n, sizeof *types);
	char **merges = calloc((size_t)spec->n_merges + 1, sizeof *merges);
	int rc = tokens && pads && types && merges ? 0 : lwq_err_set(err, "out of memory");
	for (int i = 0; rc == 0 && i < n; i++) {
		types[i] = TOKEN_NORMAL;
		if (i < spec->n_tokens && spec->vocab[i]) {
			tokens[i] = spec->vocab[i];
			continue;
		}
		pads[i] = malloc(24);
		if (!pads[i])
			rc = lwq_err_set(err, "out of memory");
		else
			snprintf(pads[i], 24, "[PAD%d]", i);
		tokens[i] = pads[i];
		types[i] = TOKEN_UNUSED;
	}
	for (int k = 0; rc == 0 && k < spec->n_added; k++)
		if (tokenizer_json_added_id(tj, k) < n) {
			int32_t id = tokenizer_json_added_id(tj, k);
			free(pads[id]);
			pads[id] = NULL;
			tokens[id] = spec->added[k].content;
			types[id] = TOKEN_CONTROL;
		}
	for (int m = 0; rc == 0 && m < spec->n_merges; m++) {
		size_t len = strlen(spec->merges_left[m]) + strlen(spec->merges_right[m]) + 2;
		if (!(merges[m] = malloc(len)))
			rc = lwq_err_set(err, "out of memory");
		else
			snprintf(merges[m], len, "%s %s", spec->merges_left[m], spec->merges_right[m]);
	}
	if (rc == 0) {
		gguf_kv_str(w, "tokenizer.ggml.model", "gpt2");
		gguf_kv_str(w, "tokenizer.ggml.pre", pre);
		gguf_kv_str_array(w, "tokenizer.ggml.tokens", tokens, (uint64_t)n);
		gguf_kv_i32_array(w, "tokenizer.ggml.token_type", types, (uint64_t)n);
		gguf_kv_str_array(w, "tokenizer.ggml.merges", (const char *const *)merges,
				  (uint64_t)spec->n_merges);
		if (cfg->bos_id >= 0)
			gguf_kv_u32(w, "tokenizer.ggml.bos_token_id", (uint32_t)cfg->bos_id);
		if (cfg->eos_id >= 0)
			gguf_kv_u32(w, "tokenizer.ggml.eos_token_id", (uint32_t)cfg->eos_id);
		gguf_kv_bool(w, "tokenizer.ggml.add_bos_token", spec->n_prefix > 0);
	}
	for (int i = 0; pads && i < n; i++)
		free(pads[i]);
	for (int m = 0; merges && m < spec->n_merges; m++)
		free(merges[m]);
	free(tokens);
	free(pads);
	free(types);
	free(merges);
	return rc;
}

static int put_tokenizer(struct gguf_writer *w, struct model_file *src, struct lwq_err *err)
{
	char kind[64] = "none";
	model_file_get_attr_str(src, "/tokenizer", "kind", kind, sizeof kind);
	if (strcmp(kind, "hf-tokenizer-json") != 0)
		return lwq_err_set(err, "%s: GGUF needs the model's tokenizer, and this file's is "
				   "'%s' (only a Hugging Face byte-level BPE tokenizer.json can be "
				   "exported)", model_file_path(src), kind);
	char *json = NULL;
	size_t len = 0;
	if (model_file_get_bytes(src, "/tokenizer/json", &json, &len, err) != 0)
		return -1;
	struct tokenizer_json *tj = tokenizer_json_parse(json, len, err);
	free(json);
	if (!tj)
		return lwq_err_prefix(err, model_file_path(src));
	/* llama.cpp's name for the pre-tokenizer regex (its llama-vocab.cpp) */
	const char *family = tokenizer_json_pattern_family(tj), *pre = NULL;
	if (strcmp(tokenizer_json_kind(tj), "byte-level BPE") == 0)
		pre = !strcmp(family, "gpt2") ? "gpt-2" : !strcmp(family, "llama3") ? "llama-bpe"
		    : !strcmp(family, "qwen2") ? "qwen2" : NULL;
	if (strcmp(tokenizer_json_kind(tj), "SentencePiece-style BPE") == 0) {
		int rc = gguf_put_spm_vocab(w, tj, model_file_config(src), err);
		if (rc < 0)
			lwq_err_prefix(err, model_file_path(src));
		tokenizer_json_free(tj);
		return rc;
	}
	if (!pre) {
		lwq_err_set(err, "%s: GGUF export writes SentencePiece-style BPE and byte-level BPE "
			    "tokenizers with the GPT-2, Llama-3 or Qwen2 pattern; this one is %s "
			    "with pattern %s",
			    model_file_path(src), tokenizer_json_kind(tj), family);
		tokenizer_json_free(tj);
		return -1;
	}
	int rc = put_vocab(w, tj, model_file_config(src), pre, err);
	tokenizer_json_free(tj);
	return rc;
}

int gguf_export_metadata(struct gguf_writer *w, const struct export_job *job, int n_layers,
			 int main_type, struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(job->src);
	const char *name = job->name ? job->name : model_file_model_name(job->src);
	gguf_kv_str(w, "general.architecture", gguf_arch_name(cfg));
	gguf_kv_str(w, "general.name", name[0] ? name : "lwq model");
	gguf_kv_u32(w, "general.file_type", file_type_of(main_type));
	if (main_type != GGUF_TYPE_F16)
		gguf_kv_u32(w, "general.quantization_version", 2);
	put_hparams(w, cfg, n_layers);
	return put_tokenizer(w, job->src, err);
}
