/* test_hf_config.c: config.json variants map to the model_config transformers would use. */
#include <string.h>

#include "hf_config.h"
#include "tap.h"

#define BASE "\"hidden_size\": 64, \"intermediate_size\": 160, \"num_hidden_layers\": 2, " \
	     "\"num_attention_heads\": 4, \"vocab_size\": 100, \"rms_norm_eps\": 1e-5"

static int parse(const char *json, struct model_config *cfg, struct lwq_err *err)
{
	return hf_config_parse(json, strlen(json), "config.json", cfg, err);
}

static void expect_error(const char *json, const char *want, const char *what)
{
	struct model_config cfg;
	struct lwq_err err = { "" };
	ok(parse(json, &cfg, &err) != 0 && strstr(err.msg, want) &&
	   strncmp(err.msg, "config.json: ", 13) == 0, "%s: %s", what, err.msg);
}

int main(void)
{
	struct model_config c;
	struct lwq_err err = { "" };

	ok(parse("{\"architectures\": [\"LlamaForCausalLM\"], " BASE ", "
		 "\"rope_parameters\": {\"rope_theta\": 10000.0, \"rope_type\": \"default\"}}",
		 &c, &err) == 0, "Llama with rope_parameters (%s)", err.msg);
	ok(c.rope_theta == 10000.0 && strcmp(c.rope_scaling, "none") == 0, "default rope");
	ok(c.head_dim == 16 && c.n_kv_heads == 4, "head_dim and kv heads default from heads");
	ok(c.tied_embeddings == 0 && c.qkv_bias == 0 && c.sliding_window == 0 &&
	   c.bos_id == -1 && c.eos_id == -1 && c.max_seq_len == 0, "Llama defaults");

	ok(parse("{\"architectures\": [\"LlamaForCausalLM\"], " BASE ", \"rope_theta\": 500000, "
		 "\"num_key_value_heads\": 2, \"head_dim\": 32, \"tie_word_embeddings\": true, "
		 "\"bos_token_id\": 128000, \"eos_token_id\": [128001, 128009], "
		 "\"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0, "
		 "\"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0, "
		 "\"original_max_position_embeddings\": 8192}}", &c, &err) == 0,
	   "Llama 3.1 style (%s)", err.msg);
	ok(c.rope_theta == 500000.0 && strcmp(c.rope_scaling, "llama3") == 0 &&
	   c.rope_factor == 8.0 && c.rope_original_max_pos == 8192 && c.rope_high_freq_factor == 4.0,
	   "llama3 rope scaling with top-level rope_theta");
	ok(c.head_dim == 32 && c.n_kv_heads == 2 && c.tied_embeddings == 1, "explicit head_dim");
	ok(c.bos_id == 128000 && c.eos_id == 128001, "eos list takes its first id");

	ok(parse("{\"architectures\": [\"LlamaForCausalLM\"], " BASE ", \"rope_scaling\": "
		 "{\"type\": \"linear\", \"factor\": 2}}", &c, &err) == 0 &&
	   strcmp(c.rope_scaling, "linear") == 0 && c.rope_factor == 2.0,
	   "older \"type\" key, linear scaling");
	ok(parse("{\"architectures\": [\"LlamaForCausalLM\"], " BASE ", \"rope_scaling\": null}",
		 &c, &err) == 0 && strcmp(c.rope_scaling, "none") == 0, "rope_scaling null");

	ok(parse("{\"architectures\": [\"Qwen2ForCausalLM\"], " BASE ", \"sliding_window\": 4096, "
		 "\"use_sliding_window\": false, \"num_key_value_heads\": 2}", &c, &err) == 0 &&
	   c.qkv_bias == 1 && c.sliding_window == 0, "Qwen2: biases, window unused");
	ok(parse("{\"architectures\": [\"MistralForCausalLM\"], " BASE ", \"sliding_window\": 4096}",
		 &c, &err) == 0 && c.sliding_window == 4096 && c.qkv_bias == 0, "Mistral window");
	ok(parse("{\"architectures\": [\"MistralForCausalLM\"], " BASE ", \"sliding_window\": null}",
		 &c, &err) == 0 && c.sliding_window == 0, "Mistral without window");
	ok(parse("{\"architectures\": [\"LlamaForCausalLM\"], " BASE ", \"attention_bias\": true}",
		 &c, &err) == 0 && c.qkv_bias == 1, "Llama attention_bias");
	ok(parse("{\"architectures\": [\"Qwen3ForCausalLM\"], " BASE ", \"use_sliding_window\": "
		 "false, \"sliding_window\": null}", &c, &err) == 0 && c.qk_norm == 1 &&
	   c.qkv_bias == 0 && c.sliding_window == 0, "Qwen3: per-head q/k norms, no biases");

	expect_error("{\"architectures\": [\"GPT2LMHeadModel\"], " BASE "}",
		     "unsupported architecture 'GPT2LMHeadModel' (supported: LlamaForCausalLM, "
		     "MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM)", "other architecture");
	expect_error("{" BASE "}", "no \"architectures\" list", "no architectures");
	expect_error("{\"architectures\": [\"LlamaForCausalLM\"], " BASE ", \"rope_parameters\": "
		     "{\"rope_type\": \"yarn\", \"factor\": 4}}",
		     "unsupported rope scaling 'yarn' (supported: default, linear, llama3)", "yarn");
	expect_error("{\"architectures\": [\"LlamaForCausalLM\"], " BASE ", \"rope_scaling\": "
		     "{\"rope_type\": \"llama3\", \"factor\": 8}}", "missing \"low_freq_factor\"",
		     "incomplete llama3");
	expect_error("{\"architectures\": [\"LlamaForCausalLM\"], " BASE ", \"hidden_act\": \"gelu\"}",
		     "hidden_act 'gelu' is not supported", "gelu");
	expect_error("{\"architectures\": [\"LlamaForCausalLM\"], " BASE ", \"mlp_bias\": true}",
		     "mlp_bias is not supported", "mlp bias");
	expect_error("{\"architectures\": [\"LlamaForCausalLM\"], \"num_hidden_layers\": 2, "
		     "\"hidden_size\": 64}",
		     "missing \"intermediate_size\"", "missing size");
	expect_error("{\"architectures\": [\"LlamaForCausalLM\"], " BASE ", \"num_key_value_heads\": 3}",
		     "not a multiple of 3 KV heads", "inconsistent heads");
	expect_error("{\"architectures\": [\"LlamaForCausalLM\"], " BASE ", \"vocab_size\": \"big\"}",
		     "\"vocab_size\" must be an integer", "string size");
	expect_error("{\"architectures\": [\"LlamaForCausalLM\"], " BASE ",}",
		     "invalid JSON at line 1", "trailing comma");
	expect_error("[1, 2]", "not a JSON object", "array");
	return tap_done();
}
