/* vocab_online.h: softmax statistics of next-token predictions, the vocabulary seen one
   band of logits at a time (online log-sum-exp), so no row of logits is ever whole.
 *
 * Each row keeps its running maximum M and the sum S of exp(l - M) over the bands seen;
 * a band with a larger maximum rescales S by exp(M_old - M_new). With the whole
 * vocabulary in one band no rescaling happens and every value is computed as the
 * whole-row paths compute it (rows_nll, kld_accum_row's log-sum-exp). */
#ifndef LWQ_VOCAB_ONLINE_H
#define LWQ_VOCAB_ONLINE_H

#include <stdint.h>

/* -log softmax(l)[target] of one row, in f32 exponentials summed in double as rows_nll. */
struct nll_online {
	float max;                 /* running maximum (-inf before the first band) */
	float target;              /* the target's logit, once its band was seen */
	double sum;                /* sum of exp(l - max) over the bands seen */
};

void nll_online_start(struct nll_online *s);
/* Adds n logits of the vocabulary ids [v0, v0 + n); overwrites them with exponentials. */
void nll_online_band(struct nll_online *s, float *logits, int n, int64_t v0, int target);
double nll_online_value(const struct nll_online *s);

/* One prediction of two models, base (unquantized) and quant, in double:
     log-sum-exp of each, the first index of each maximum, and
     cross = sum_j exp(b_j - max_b) (b_j - q_j), rescaled with max_b,
   so that KLD(P || Q) = cross / sum_b - lse_b + lse_q (since sum_j P_j = 1). */
struct kld_online {
	double max_b, sum_b, max_q, sum_q, cross;
	int64_t top_b, top_q;
	float target_b, target_q;
};

void kld_online_start(struct kld_online *s);
void kld_online_band(struct kld_online *s, const float *base, const float *quant, int n,
		     int64_t v0, int target);
/* The finished row: KLD, -log P(target), -log Q(target). */
double kld_online_kld(const struct kld_online *s);
double kld_online_nll_base(const struct kld_online *s);
double kld_online_nll(const struct kld_online *s);

/* The same over n_rows rows of one band ([n_rows, n] logits, row stride n), on up to
   n_threads threads; targets[i] is row i's target id, st[i] its state. */
void nll_online_rows(int n_threads, float *logits, int n_rows, int n, int64_t v0,
		     const int32_t *targets, struct nll_online *st);
void kld_online_rows(int n_threads, const float *base, const float *quant, int n_rows, int n,
		     int64_t v0, const int32_t *targets, struct kld_online *st);

#endif
