/* forward_ref.h: a slow, obvious decoder (token by token, KV cache, plain loops) for tests. */
#ifndef LWQ_FORWARD_REF_H
#define LWQ_FORWARD_REF_H

#include <stdint.h>

#include "forward.h"
#include "model_config.h"

struct ref_model {
	struct model_config cfg;
	const float *embed;                    /* [vocab, hidden] */
	const float *final_norm;               /* [hidden] */
	const float *head;                     /* [vocab, hidden] (embed when tied) */
	struct layer_weights *const *layers;   /* [n_layers]; NULL entry = layer skipped */
	/* When not NULL: per site, [n_layers, input width] sums of x^2 over every token the
	   reference runs (inputs of q/k/v, o, gate/up, down). */
	double *input_sq[SITE_COUNT];
};

/* Logits [T, vocab] of one window of T tokens, positions 0..T-1. */
void ref_window_logits(const struct ref_model *m, const int32_t *ids, int T, float *logits);

/* Residual stream [n_layers + 1, T, hidden] of one window: entry i enters layer i, the
   last one leaves the last layer (before the final norm). */
void ref_window_streams(const struct ref_model *m, const int32_t *ids, int T, float *streams);

#endif
