/* hf_config.h: a Hugging Face config.json turned into a model_config. */
#ifndef LWQ_HF_CONFIG_H
#define LWQ_HF_CONFIG_H

#include <stddef.h>

#include "model_config.h"
#include "status.h"

/* Architectures hf_config accepts, for messages: "LlamaForCausalLM, ...". */
extern const char hf_supported_architectures[];

/* Parses config.json text (name is used in messages). Accepts LlamaForCausalLM,
   MistralForCausalLM and Qwen2ForCausalLM; rope_theta at top level or inside
   rope_parameters; rope scaling "default", "linear" or "llama3". The result has passed
   model_config_validate. */
int hf_config_parse(const char *text, size_t len, const char *name,
		    struct model_config *cfg, struct lwq_err *err);
/* Reads and parses a config.json file. */
int hf_config_load(const char *path, struct model_config *cfg, struct lwq_err *err);

#endif
