/* scores.h: layer importance (LIM, ZD) and quantization error, computed on plain arrays. */
#ifndef LWQ_SCORES_H
#define LWQ_SCORES_H

#include <stdint.h>

#include "status.h"

/* RTN widths the error scores are measured at, in /scores/rtn_err order. */
#define SCORE_RTN_LEVELS 4
extern const int score_rtn_bits[SCORE_RTN_LEVELS];   /* 2, 3, 4, 8 */

/* LIM_i = -mean_t cos(x_i[t], x_i+1[t]) of one layer's per-token cosines (docs/method.md 2).
   Accumulates in double. Fails on n_tokens <= 0 or a non-finite cosine. */
int lim_from_cos(const float *cos, int64_t n_tokens, double *lim, struct lwq_err *err);

/* Count, mean and sum of squared deviations of a set of weights, mergeable so that a
   layer's statistics are built one tensor at a time (Chan et al.'s pairwise update).
   Everything in double: the mean of millions of small weights needs it. */
struct moments {
	int64_t n;
	double mean;
	double m2;
};

/* Statistics of one array: exact two-pass mean, then squared deviations from it. */
void moments_of(const float *w, int64_t n, struct moments *out);
void moments_merge(struct moments *into, const struct moments *part);
double moments_std(const struct moments *m);          /* population std, sqrt(m2 / n) */

/* Weights with z = (w - mean) / std > 1, i.e. w - mean > std (no division). A zero std
   counts nothing. */
int64_t count_above_one_sigma(const float *w, int64_t n, double mean, double std);

/* The same statistics of weights stored as 16-bit words (f16, bf16), from how often each
   word occurs (count[65536]) and its value (value[65536]): O(65536) however many
   weights, so one read of the words is all a tensor's ZD needs. The mean comes from the
   exact products count * value summed in double, m2 from the deviations of each distinct
   value; they agree with moments_of on the widened weights to rounding. */
#define WORD_PATTERNS 65536
void moments_of_words(const int64_t *count, const float *value, struct moments *out);
/* count_above_one_sigma over the weights a word histogram describes: exactly the count
   count_above_one_sigma gives on the widened weights. */
int64_t count_above_one_sigma_words(const int64_t *count, const float *value, double mean,
				    double std);
/* value[p] = the f32 value of 16-bit word p stored as bf16 (bf16 = 1) or f16. */
void word_values(int bf16, float *value);

/* ZD of one array on its own: |{z > 1}| / n. A layer's ZD uses moments_merge over its
   seven linears, then count_above_one_sigma on each with the layer's mean and std. */
double zd_fraction(const float *w, int64_t n);

/* Squared error of RTN at `bits`, group g, of a row-major [rows, cols] weight, without a
   copy of the tensor. col_weight (per input column j, e.g. the captured sum of x_j^2)
   may be NULL. Fills, all in double:
     err_sq      = sum_ij (W_ij - Q_ij)^2         w_sq      = sum_ij W_ij^2
     err_sq_in   = sum_j s_j sum_i (W_ij - Q_ij)^2   w_sq_in = sum_j s_j sum_i W_ij^2 */
struct rtn_error_sums {
	double err_sq, w_sq, err_sq_in, w_sq_in;
};
int rtn_error(const float *w, int64_t rows, int64_t cols, int bits, int g,
	      const float *col_weight, struct rtn_error_sums *out, struct lwq_err *err);

/* Relative errors from the sums: sqrt(err_sq / w_sq) = ||W - Q||_F / ||W||_F, and the
   input-weighted sqrt(err_sq_in / w_sq_in) (the square root keeps both on one scale:
   with equal s_j they are the same number). 0 when the denominator is 0. */
double rtn_rel_error(const struct rtn_error_sums *s);
double rtn_rel_error_weighted(const struct rtn_error_sums *s);

#endif
