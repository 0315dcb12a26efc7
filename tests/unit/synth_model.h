/* synth_model.h: small random decoder models for forward-pass tests. */
#ifndef LWQ_SYNTH_MODEL_H
#define LWQ_SYNTH_MODEL_H

#include <stdint.h>

#include "forward.h"
#include "forward_ref.h"
#include "status.h"

struct test_model {
	struct model_config cfg;
	float *embed, *final_norm, *lm_head;
	struct layer_weights **layers;
	struct ref_model ref;
};

/* A config with GQA (8 query heads, 2 KV heads), q_dim != hidden, and the given bias and
   tying choices; the caller may change RoPE and sliding-window fields afterwards. */
struct model_config synth_config(int n_layers, int qkv_bias, int tied);
/* Random weights scaled so activations stay O(1); deterministic for a seed. */
struct test_model *synth_model_new(const struct model_config *cfg, uint64_t seed);
void test_model_free(struct test_model *m);
/* Points m->ref (the reference forward pass's view) at m's own weights. */
void test_model_link_ref(struct test_model *m);
/* Writes the model as an lwq model file (f32 weights, no tokenizer) at path. */
int test_model_write(const struct test_model *m, const char *path, struct lwq_err *err);
/* An lwq model file with a one-layer config and no weights (tests of the file itself:
   locking, updates, crashed writers); source names the importer it records. */
int tiny_model_create(const char *path, const char *source);
/* n ids in [0, vocab) from a seed. */
void synth_ids(int32_t *ids, int64_t n, int vocab, uint64_t seed);

#endif
