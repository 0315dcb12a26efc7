/* hf_config.c: config.json (Hugging Face transformers) to struct model_config, with the
   defaults transformers applies when a key is absent. */
#include "hf_config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_read.h"

const char hf_supported_architectures[] =
	"LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM";

/* Reads an integer key; absent or null gives `fallback` unless `required`. */
static int get_int(json_t *obj, const char *key, int required, int fallback, int *out,
		   const char *name, struct lwq_err *err)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v)) {
		if (required)
			return lwq_err_set(err, "%s: missing \"%s\"", name, key);
		*out = fallback;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < -2147483647 ||
	    json_integer_value(v) > 2147483647)
		return lwq_err_set(err, "%s: \"%s\" must be an integer", name, key);
	*out = (int)json_integer_value(v);
	return 0;
}

static int get_real(json_t *obj, const char *key, int required, double fallback,
		    double *out, const char *name, struct lwq_err *err)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v)) {
		if (required)
			return lwq_err_set(err, "%s: missing \"%s\"", name, key);
		*out = fallback;
		return 0;
	}
	if (!json_is_number(v))
		return lwq_err_set(err, "%s: \"%s\" must be a number", name, key);
	*out = json_number_value(v);
	return 0;
}

static int get_bool(json_t *obj, const char *key, int fallback)
{
	json_t *v = json_object_get(obj, key);
	return json_is_boolean(v) ? json_is_true(v) : fallback;
}

/* Token ids may be a single integer or a list (Llama 3.1 lists several EOS ids). */
static int get_token_id(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (json_is_array(v))
		v = json_array_get(v, 0);
	return json_is_integer(v) ? (int)json_integer_value(v) : -1;
}

static int parse_architecture(json_t *root, struct model_config *cfg, const char *name,
			      struct lwq_err *err)
{
	json_t *list = json_object_get(root, "architectures");
	const char *arch = json_string_value(json_array_get(list, 0));
	if (!arch)
		return lwq_err_set(err, "%s: no \"architectures\" list", name);
	if (strcmp(arch, "LlamaForCausalLM") != 0 && strcmp(arch, "MistralForCausalLM") != 0 &&
	    strcmp(arch, "Qwen2ForCausalLM") != 0 && strcmp(arch, "Qwen3ForCausalLM") != 0)
		return lwq_err_set(err, "%s: unsupported architecture '%s' (supported: %s)", name,
				   arch, hf_supported_architectures);
	snprintf(cfg->architecture, sizeof cfg->architecture, "%s", arch);
	const char *act = json_string_value(json_object_get(root, "hidden_act"));
	if (act && strcmp(act, "silu") != 0)
		return lwq_err_set(err, "%s: hidden_act '%s' is not supported (silu only)", name,
				   act);
	if (get_bool(root, "mlp_bias", 0))
		return lwq_err_set(err, "%s: mlp_bias is not supported", name);
	return 0;
}

/* rope_theta and scaling: older configs put them at top level (rope_scaling), newer
   ones inside rope_parameters together with rope_type. */
static int parse_rope(json_t *root, struct model_config *cfg, const char *name,
		      struct lwq_err *err)
{
	json_t *params = json_object_get(root, "rope_parameters");
	json_t *scaling = json_object_get(root, "rope_scaling");
	if (!json_is_object(scaling))
		scaling = json_is_object(params) ? params : NULL;
	json_t *theta_from = json_object_get(root, "rope_theta") ? root : params;
	if (get_real(theta_from, "rope_theta", 0, 10000.0, &cfg->rope_theta, name, err))
		return -1;
	const char *type = json_string_value(json_object_get(scaling, "rope_type"));
	if (!type)
		type = json_string_value(json_object_get(scaling, "type"));
	snprintf(cfg->rope_scaling, sizeof cfg->rope_scaling, "none");
	cfg->rope_factor = 1.0;
	cfg->rope_low_freq_factor = 1.0;
	cfg->rope_high_freq_factor = 4.0;
	if (!type || strcmp(type, "default") == 0)
		return 0;
	if (strcmp(type, "linear") == 0) {
		snprintf(cfg->rope_scaling, sizeof cfg->rope_scaling, "linear");
		return get_real(scaling, "factor", 1, 1.0, &cfg->rope_factor, name, err);
	}
	if (strcmp(type, "llama3") == 0) {
		snprintf(cfg->rope_scaling, sizeof cfg->rope_scaling, "llama3");
		return get_real(scaling, "factor", 1, 1.0, &cfg->rope_factor, name, err) ||
		       get_real(scaling, "low_freq_factor", 1, 1.0, &cfg->rope_low_freq_factor,
				name, err) ||
		       get_real(scaling, "high_freq_factor", 1, 4.0, &cfg->rope_high_freq_factor,
				name, err) ||
		       get_int(scaling, "original_max_position_embeddings", 1, 0,
			       &cfg->rope_original_max_pos, name, err) ? -1 : 0;
	}
	return lwq_err_set(err, "%s: unsupported rope scaling '%s' (supported: default, "
			   "linear, llama3)", name, type);
}

static int parse_sizes(json_t *root, struct model_config *cfg, const char *name,
		       struct lwq_err *err)
{
	if (get_int(root, "num_hidden_layers", 1, 0, &cfg->n_layers, name, err) ||
	    get_int(root, "hidden_size", 1, 0, &cfg->hidden, name, err) ||
	    get_int(root, "intermediate_size", 1, 0, &cfg->intermediate, name, err) ||
	    get_int(root, "num_attention_heads", 1, 0, &cfg->n_heads, name, err) ||
	    get_int(root, "vocab_size", 1, 0, &cfg->vocab, name, err) ||
	    get_int(root, "num_key_value_heads", 0, cfg->n_heads, &cfg->n_kv_heads, name, err) ||
	    get_int(root, "max_position_embeddings", 0, 0, &cfg->max_seq_len, name, err))
		return -1;
	if (cfg->n_heads <= 0 || cfg->hidden % cfg->n_heads != 0) {
		if (!json_is_integer(json_object_get(root, "head_dim")))
			return lwq_err_set(err, "%s: hidden_size %d is not a multiple of %d heads "
					   "and head_dim is not given", name, cfg->hidden,
					   cfg->n_heads);
	}
	int fallback = cfg->n_heads > 0 ? cfg->hidden / cfg->n_heads : 0;
	return get_int(root, "head_dim", 0, fallback, &cfg->head_dim, name, err);
}

int hf_config_parse(const char *text, size_t len, const char *name,
		    struct model_config *cfg, struct lwq_err *err)
{
	memset(cfg, 0, sizeof *cfg);
	json_error_t jerr;
	json_t *root = json_loadb(text, len, 0, &jerr);
	if (!json_is_object(root)) {
		if (root)
			lwq_err_set(err, "%s: not a JSON object", name);
		else
			lwq_err_set(err, "%s: invalid JSON at line %d: %s", name, jerr.line,
				    jerr.text);
		json_decref(root);
		return -1;
	}
	int rc = parse_architecture(root, cfg, name, err) || parse_sizes(root, cfg, name, err) ||
		 parse_rope(root, cfg, name, err) ||
		 get_real(root, "rms_norm_eps", 0, 1e-6, &cfg->norm_eps, name, err) ? -1 : 0;
	if (rc == 0) {
		int qwen2 = strcmp(cfg->architecture, "Qwen2ForCausalLM") == 0;
		int qwen3 = strcmp(cfg->architecture, "Qwen3ForCausalLM") == 0;
		int mistral = strcmp(cfg->architecture, "MistralForCausalLM") == 0;
		cfg->tied_embeddings = get_bool(root, "tie_word_embeddings", 0);
		/* Qwen2 always carries q/k/v biases; Llama may via attention_bias. */
		cfg->qkv_bias = qwen2 || get_bool(root, "attention_bias", 0);
		/* Qwen3 normalizes each head of q and k instead. */
		cfg->qk_norm = qwen3;
		int windowed = mistral ||
			       ((qwen2 || qwen3) && get_bool(root, "use_sliding_window", 0));
		if (windowed)
			rc = get_int(root, "sliding_window", 0, 0, &cfg->sliding_window, name, err);
		cfg->bos_id = get_token_id(root, "bos_token_id");
		cfg->eos_id = get_token_id(root, "eos_token_id");
	}
	json_decref(root);
	if (rc == 0 && model_config_validate(cfg, err) != 0)
		rc = lwq_err_prefix(err, name);
	return rc;
}

int hf_config_load(const char *path, struct model_config *cfg, struct lwq_err *err)
{
	char *text;
	size_t len;
	if (read_whole_file(path, 16u << 20, &text, &len, err) != 0)
		return -1;
	int rc = hf_config_parse(text, len, path, cfg, err);
	free(text);
	return rc;
}
