/* scores.c: LIM from per-token cosines, ZD from weight statistics, RTN error sums. */
#include "scores.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "numeric.h"
#include "quant_rtn.h"

const int score_rtn_bits[SCORE_RTN_LEVELS] = { 2, 3, 4, 8 };

int lim_from_cos(const float *cos, int64_t n_tokens, double *lim, struct lwq_err *err)
{
	if (n_tokens <= 0)
		return lwq_err_set(err, "no calibration tokens");
	double sum = 0.0;
	for (int64_t t = 0; t < n_tokens; t++) {
		if (!isfinite(cos[t]))
			return lwq_err_set(err, "non-finite cosine at token %lld", (long long)t);
		sum += cos[t];
	}
	*lim = -sum / (double)n_tokens;
	return 0;
}

void moments_of(const float *w, int64_t n, struct moments *out)
{
	double sum = 0.0, m2 = 0.0;
	for (int64_t i = 0; i < n; i++)
		sum += w[i];
	double mean = n > 0 ? sum / (double)n : 0.0;
	for (int64_t i = 0; i < n; i++) {
		double d = w[i] - mean;
		m2 += d * d;
	}
	out->n = n;
	out->mean = mean;
	out->m2 = m2;
}

void moments_merge(struct moments *into, const struct moments *part)
{
	if (part->n == 0)
		return;
	if (into->n == 0) {
		*into = *part;
		return;
	}
	double n = (double)(into->n + part->n);
	double delta = part->mean - into->mean;
	into->mean += delta * (double)part->n / n;
	into->m2 += part->m2 + delta * delta * (double)into->n * (double)part->n / n;
	into->n += part->n;
}

double moments_std(const struct moments *m)
{
	return m->n > 0 ? sqrt(m->m2 / (double)m->n) : 0.0;
}

int64_t count_above_one_sigma(const float *w, int64_t n, double mean, double std)
{
	if (!(std > 0.0))
		return 0;
	int64_t count = 0;
	for (int64_t i = 0; i < n; i++)
		count += (double)w[i] - mean > std;
	return count;
}

void word_values(int bf16, float *value)
{
	for (int p = 0; p < WORD_PATTERNS; p++)
		value[p] = bf16 ? bf16_to_f32((uint16_t)p) : f16_to_f32((uint16_t)p);
}

void moments_of_words(const int64_t *count, const float *value, struct moments *out)
{
	int64_t n = 0;
	double sum = 0.0, m2 = 0.0;
	for (int p = 0; p < WORD_PATTERNS; p++)
		if (count[p]) {
			n += count[p];
			sum += (double)count[p] * value[p];
		}
	double mean = n > 0 ? sum / (double)n : 0.0;
	for (int p = 0; p < WORD_PATTERNS; p++)
		if (count[p]) {
			double d = value[p] - mean;
			m2 += (double)count[p] * d * d;
		}
	out->n = n;
	out->mean = mean;
	out->m2 = m2;
}

int64_t count_above_one_sigma_words(const int64_t *count, const float *value, double mean,
				    double std)
{
	if (!(std > 0.0))
		return 0;
	int64_t above = 0;
	for (int p = 0; p < WORD_PATTERNS; p++)
		if (count[p] && (double)value[p] - mean > std)
			above += count[p];
	return above;
}

double zd_fraction(const float *w, int64_t n)
{
	if (n <= 0)
		return 0.0;
	struct moments m;
	moments_of(w, n, &m);
	return (double)count_above_one_sigma(w, n, m.mean, moments_std(&m)) / (double)n;
}

/* One group at a time through the real quantizer's steps (rtn_group_params, rtn_code and
   the dequantization of rtn_fake_quant), so the error is the exporter's error. */
int rtn_error(const float *w, int64_t rows, int64_t cols, int bits, int g,
	      const float *col_weight, struct rtn_error_sums *out, struct lwq_err *err)
{
	memset(out, 0, sizeof *out);
	if (bits != 2 && bits != 3 && bits != 4 && bits != 8)
		return lwq_err_set(err, "RTN supports 2, 3, 4 or 8 bits, not %d", bits);
	if (g <= 0 || cols % g != 0)
		return lwq_err_set(err, "group size %d does not divide the row length %lld", g,
				   (long long)cols);
	float *back = malloc((size_t)g * sizeof *back);
	if (!back)
		return lwq_err_set(err, "out of memory");
	const float top = (float)((1 << bits) - 1);
	for (int64_t r = 0; r < rows; r++) {
		for (int64_t c0 = 0; c0 < cols; c0 += g) {
			const float *src = w + r * cols + c0;
			float scale, zero;
			if (rtn_group_params(src, g, bits, &scale, &zero) < 0) {
				free(back);
				return lwq_err_set(err, "RTN: non-finite weight in row %lld, "
						   "columns %lld..", (long long)r, (long long)c0);
			}
			/* the group's values first (no branches, no dependences), then the sums
			   in weight order */
			for (int i = 0; i < g; i++)
				back[i] = rtn_dequantized(src[i], scale, zero, top);
			for (int i = 0; i < g; i++) {
				double d = (double)src[i] - back[i], x = src[i];
				double s = col_weight ? col_weight[c0 + i] : 1.0;
				out->err_sq += d * d;
				out->w_sq += x * x;
				out->err_sq_in += s * d * d;
				out->w_sq_in += s * x * x;
			}
		}
	}
	free(back);
	return 0;
}

double rtn_rel_error(const struct rtn_error_sums *s)
{
	return s->w_sq > 0.0 ? sqrt(s->err_sq / s->w_sq) : 0.0;
}

double rtn_rel_error_weighted(const struct rtn_error_sums *s)
{
	return s->w_sq_in > 0.0 ? sqrt(s->err_sq_in / s->w_sq_in) : 0.0;
}
