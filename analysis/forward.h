/* forward.h: the Llama-family decoder in f32, run one layer at a time over batches of windows. */
#ifndef LWQ_FORWARD_H
#define LWQ_FORWARD_H

#include <stdint.h>

#include "model_config.h"
#include "status.h"

/* One decoder layer's tensors in f32. The seven linears sit back to back in one block in
   storage order (q k v o gate up down), so q|k|v and gate|up are single stacked matrices
   that one sgemm each multiplies. Fill lin[k] with the row-major [out, in] weights. */
struct layer_weights {
	float *lin[LIN_COUNT];
	float *attn_norm, *mlp_norm;   /* [hidden] */
	float *bias[3];                /* q, k, v biases, back to back; NULL when !qkv_bias */
	float *q_norm, *k_norm;        /* [head_dim] each; NULL when !qk_norm */
	float *block;                  /* owns everything above */
	int64_t n_floats;
};

struct layer_weights *layer_weights_new(const struct model_config *cfg, struct lwq_err *err);
void layer_weights_free(struct layer_weights *lw);
/* Name of the first tensor holding a NaN or infinity ("q", "attn_norm", "q_bias"...), or
   NULL when every value is finite. */
const char *layer_weights_nonfinite(const struct model_config *cfg,
				    const struct layer_weights *lw);

/* Where layer_forward lets an observer see the input of a linear projection. */
enum input_site {
	SITE_ATTN,                 /* input of q, k, v: after the input norm */
	SITE_O,                    /* input of o: the attention output */
	SITE_MLP,                  /* input of gate, up: after the post-attention norm */
	SITE_DOWN,                 /* input of down: silu(gate x) * up x */
	SITE_COUNT
};

/* Short names of the sites, as used under /activations/input_sq: attn o mlp down. */
extern const char *const input_site_names[SITE_COUNT];

/* The site whose input linear k reads: q/k/v attn, o o, gate/up mlp, down down. */
enum input_site linear_input_site(enum linear_kind k);

struct forward_hooks {
	/* Sees `rows` input rows of `cols` values (row stride ld) of the linears at site. */
	void (*linear_input)(void *user, enum input_site site, const float *x, int64_t rows,
			     int cols, int64_t ld);
	void *user;
};

/* Everything a run needs besides weights: the config, the RoPE table for positions
   0..seq_len-1 (each window restarts at 0) and scratch for up to max_seqs windows. */
struct forward_state;

/* Rejects configurations the forward pass cannot run faithfully (unknown RoPE scaling,
   heads that do not divide, ...). forward_new calls it too. */
int forward_check_config(const struct model_config *cfg, struct lwq_err *err);
struct forward_state *forward_new(const struct model_config *cfg, int seq_len, int max_seqs,
				  struct lwq_err *err);
void forward_free(struct forward_state *fs);
/* Bytes of scratch forward_new allocates for these sizes (to choose max_seqs). */
int64_t forward_scratch_bytes(const struct model_config *cfg, int seq_len, int max_seqs);

/* x[t] = embed[ids[t]] for n tokens (ids must be in [0, vocab)). */
void embed_tokens(const struct model_config *cfg, const float *embed, const int32_t *ids,
		  int64_t n, float *x);

/* Runs one decoder layer in place on x, which holds n_seqs windows of seq_len tokens
   ([n_seqs * seq_len, hidden], n_seqs <= max_seqs). hooks may be NULL. */
void layer_forward(struct forward_state *fs, const struct layer_weights *lw, float *x,
		   int n_seqs, const struct forward_hooks *hooks);

/* Final norm and LM head: logits [n_rows, vocab] for n_rows rows of x. head is lm_head,
   or the embedding matrix when tied. n_rows <= max_seqs * seq_len. */
void head_logits(struct forward_state *fs, const float *final_norm, const float *head,
		 const float *x, int64_t n_rows, float *logits);

/* The LM head in bands of vocabulary rows (vocab_online.h keeps the softmax statistics):
   logits[rows, n] = xn[rows, hidden] band[n, hidden]^T, xn already through the final
   norm. One band of the whole vocabulary gives head_logits' values. */
void band_logits(const float *xn, int64_t rows, int hidden, const float *band, int n,
		 float *logits);
/* out = RMSNorm(x) * w for rows of hidden values on the pass's threads (out may be x). */
void forward_norm_rows(struct forward_state *fs, float *out, const float *x, const float *w,
		       int64_t rows);
int forward_n_threads(const struct forward_state *fs);
int forward_seq_len(const struct forward_state *fs);

/* Sum over n_seqs windows of -log p(ids[t+1] | ids[..t]) for t = 0..seq_len-2, with x the
   stream after the last layer and ids the windows' tokens. Adds the number of
   predictions to *n_predictions. Log-softmax subtracts the row max; sums in double. */
double head_nll(struct forward_state *fs, const float *final_norm, const float *head,
		const float *x, const int32_t *ids, int n_seqs, int64_t *n_predictions);

/* nll[i] = -log softmax(logits row i)[targets[i]] for n_rows rows of vocab logits
   (overwritten), on the pass's threads; each row as head_nll computes it. */
void rows_nll(const struct forward_state *fs, float *logits, int n_rows,
	      const int32_t *targets, double *nll);

/* RMSNorm of each of `rows` rows: out = x * rsqrt(mean(x^2) + eps) * w. */
void rmsnorm_rows(float *out, const float *x, const float *w, int64_t rows, int n, double eps);

/* The RoPE inverse frequency of pair i (0 <= i < head_dim/2) after the config's scaling. */
double rope_inv_freq(const struct model_config *cfg, int i);

#endif
