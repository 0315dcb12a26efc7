/* import_map.h: the tensors a model_config implies, with their Hugging Face names, and
   the check that a set of safetensors files holds exactly those. */
#ifndef LWQ_IMPORT_MAP_H
#define LWQ_IMPORT_MAP_H

#include <stdint.h>

#include "model_config.h"
#include "safetensors.h"
#include "status.h"

struct expected_tensor {
	char name[48];             /* lwq name below /weights: "layers/003/q" */
	char hf_name[96];          /* "model.layers.3.self_attn.q_proj.weight" */
	int layer;                 /* -1 for embed, final_norm, lm_head */
	char tensor[16];           /* "q", "attn_norm", "embed", ... */
	int rank;
	int64_t dims[2];
	int64_t count;
};

/* Every tensor of the model in file order (embed, layers, final_norm, lm_head unless
   tied). Returns the count and a malloc'd array, or -1. */
int expected_tensors(const struct model_config *cfg, struct expected_tensor **out);

/* Checks that st holds every expected tensor with the right shape and a supported dtype,
   and nothing else (rotary inv_freq buffers and a redundant lm_head of a tied model are
   ignored). Messages name the tensor, the expected and the actual shape. */
int check_safetensors(const struct safetensors *st, const char *dir,
		      const struct model_config *cfg, const struct expected_tensor *want,
		      int n_want, struct lwq_err *err);

#endif
