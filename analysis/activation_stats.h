/* activation_stats.h: what capture measures on residual streams and linear inputs. */
#ifndef LWQ_ACTIVATION_STATS_H
#define LWQ_ACTIVATION_STATS_H

#include <stdint.h>

/* out[r] = cos(a[r], b[r]) for `rows` rows of n values, accumulated in double. Two zero
   rows count as identical (1); one zero row against a non-zero one as 0. */
void cosine_rows(const float *a, const float *b, int64_t rows, int n, float *out);

/* acc[c] += sum over rows of x[r, c]^2 for `rows` rows of `cols` values, row stride ld. */
void add_column_squares(double *acc, const float *x, int64_t rows, int cols, int64_t ld);

/* n_keep positions spread evenly over [0, n_tokens): pos[k] = floor(k * n_tokens / n_keep),
   strictly increasing, starting at 0 (n_keep <= n_tokens). */
void spread_positions(int64_t n_tokens, int64_t n_keep, int32_t *pos);

#endif
