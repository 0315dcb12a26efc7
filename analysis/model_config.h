/* model_config.h: the shape of a Llama-family decoder, independent of any file format. */
#ifndef LWQ_MODEL_CONFIG_H
#define LWQ_MODEL_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* The seven quantizable linear projections of a decoder layer, in storage order.
   Weights are stored row-major [out_features, in_features] as Hugging Face does. */
enum linear_kind {
	LIN_Q, LIN_K, LIN_V, LIN_O, LIN_GATE, LIN_UP, LIN_DOWN,
	LIN_COUNT
};

/* Short names used in the HDF5 layout, plans and the UI: "q" "k" "v" "o" "gate" "up" "down". */
extern const char *const linear_names[LIN_COUNT];

struct model_config {
	char architecture[64];     /* "LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM",
				      "Qwen3ForCausalLM" */
	int n_layers;
	int hidden;                /* hidden_size */
	int intermediate;          /* intermediate_size */
	int n_heads;
	int n_kv_heads;
	int head_dim;
	int vocab;
	int max_seq_len;           /* max_position_embeddings (0 when unknown) */
	double rope_theta;
	char rope_scaling[32];     /* "none", "linear", "llama3" */
	double rope_factor;        /* linear and llama3 */
	double rope_low_freq_factor, rope_high_freq_factor; /* llama3 */
	int rope_original_max_pos; /* llama3 */
	double norm_eps;           /* rms_norm_eps */
	int tied_embeddings;       /* lm_head shares embed_tokens */
	int qkv_bias;              /* q, k, v projections carry biases (Qwen2) */
	int qk_norm;               /* per-head RMSNorm of q and k before RoPE (Qwen3) */
	int sliding_window;        /* Mistral; 0 = none */
	int bos_id, eos_id;        /* -1 when absent */
};

/* Rows (out) and columns (in) of one linear projection. */
void linear_shape(const struct model_config *cfg, enum linear_kind kind,
		  int64_t *rows, int64_t *cols);
/* Parameters of the seven linears of one layer (biases and norms excluded). */
int64_t layer_linear_params(const struct model_config *cfg);
/* Parameters outside the layers' linears: embeddings, LM head, all norms, biases. */
int64_t non_linear_params(const struct model_config *cfg);
int64_t total_params(const struct model_config *cfg);

/* Checks that the numbers are positive and consistent (heads divide, etc). */
int model_config_validate(const struct model_config *cfg, struct lwq_err *err);

/* Maps a Hugging Face architecture name to a supported one; 0 if supported. */
int architecture_supported(const char *arch);

#endif
