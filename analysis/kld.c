/* kld.c: KL divergence and top-token agreement between two models' predictions. */
#include "kld.h"

#include <math.h>
#include <stdlib.h>

/* log sum_j exp(l_j) in double, and the first index of the largest logit. */
static double log_sum_exp(const float *l, int n, int *argmax)
{
	int best = 0;
	for (int j = 1; j < n; j++)
		if (l[j] > l[best])
			best = j;
	double m = l[best], sum = 0;
	for (int j = 0; j < n; j++)
		sum += exp((double)l[j] - m);
	*argmax = best;
	return m + log(sum);
}

static int push_value(struct kld_accum *a, double v, struct lwq_err *err)
{
	if (a->count == a->cap) {
		int64_t cap = a->cap ? 2 * a->cap : 4096;
		double *grown = realloc(a->values, (size_t)cap * sizeof *grown);
		if (!grown)
			return lwq_err_set(err, "out of memory for %lld KL divergences",
					   (long long)cap);
		a->values = grown, a->cap = cap;
	}
	a->values[a->count] = v;
	return 0;
}

/* One prediction's figures into the sums. */
static int accum_add(struct kld_accum *a, double kld, double nll, double nll_base,
		     int same_top, struct lwq_err *err)
{
	double dp = exp(-nll) - exp(-nll_base);
	if (push_value(a, kld, err) < 0)
		return -1;
	a->count++;
	a->same_top += same_top;
	a->sum_kld += kld, a->sum_kld2 += kld * kld;
	a->sum_nll += nll, a->sum_nll2 += nll * nll;
	a->sum_nll_base += nll_base, a->sum_nll_base2 += nll_base * nll_base;
	a->sum_nll_cross += nll * nll_base;
	a->sum_dp += dp, a->sum_dp2 += dp * dp;
	if (fabs(dp) > a->max_abs_dp)
		a->max_abs_dp = fabs(dp);
	return 0;
}

int kld_accum_row(struct kld_accum *a, const float *base, const float *quant, int vocab,
		  int target, struct lwq_err *err)
{
	int top_base, top_quant;
	double lse_base = log_sum_exp(base, vocab, &top_base);
	double lse_quant = log_sum_exp(quant, vocab, &top_quant);
	double kld = 0;
	for (int j = 0; j < vocab; j++) {
		double lp = (double)base[j] - lse_base, lq = (double)quant[j] - lse_quant;
		kld += exp(lp) * (lp - lq);
	}
	return accum_add(a, kld, lse_quant - quant[target], lse_base - base[target],
			 top_base == top_quant, err);
}

int kld_accum_online(struct kld_accum *a, const struct kld_online *s, struct lwq_err *err)
{
	return accum_add(a, kld_online_kld(s), kld_online_nll(s), kld_online_nll_base(s),
			 s->top_b == s->top_q, err);
}

void kld_accum_free(struct kld_accum *a)
{
	free(a->values);
	a->values = NULL;
	a->cap = 0;
}

static void mean_stderr(double sum, double sum2, int64_t n, double *mean, double *se)
{
	*mean = n > 0 ? sum / (double)n : 0;
	double var = n > 0 ? sum2 / (double)n - *mean * *mean : 0;
	*se = var > 0 && n > 10 ? sqrt(var / (double)(n - 1)) : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double sorted_percentile(const double *v, int64_t n, double fraction)
{
	if (n <= 0)
		return 0;
	if (fraction <= 0)
		return v[0];
	if (fraction >= 1)
		return v[n - 1];
	double p = fraction * (double)(n - 1);
	int64_t i = (int64_t)p;
	double f = p - (double)i;
	return (1 - f) * v[i] + f * v[i + 1 < n ? i + 1 : n - 1];
}

void kld_summarize(struct kld_accum *a, struct kld_summary *s)
{
	int64_t n = a->count;
	*s = (struct kld_summary){ .count = n };
	if (n == 0)
		return;
	qsort(a->values, (size_t)n, sizeof *a->values, cmp_double);
	mean_stderr(a->sum_kld, a->sum_kld2, n, &s->kld_mean, &s->kld_stderr);
	s->kld_median = n % 2 ? a->values[n / 2]
			      : 0.5 * (a->values[n / 2 - 1] + a->values[n / 2]);
	s->kld_p99 = sorted_percentile(a->values, n, 0.99);
	s->kld_p999 = sorted_percentile(a->values, n, 0.999);
	s->kld_max = a->values[n - 1];
	s->top1 = (double)a->same_top / (double)n;
	s->top1_stderr = n > 1 ? sqrt(s->top1 * (1 - s->top1) / (double)(n - 1)) : 0;
	mean_stderr(a->sum_dp, a->sum_dp2, n, &s->dp_mean, &s->dp_stderr);
	double ln_q, se_q, ln_b, se_b;
	mean_stderr(a->sum_nll, a->sum_nll2, n, &ln_q, &se_q);
	mean_stderr(a->sum_nll_base, a->sum_nll_base2, n, &ln_b, &se_b);
	double cov = n >= 10 ? (a->sum_nll_cross / (double)n - ln_q * ln_b) / (double)(n - 1) : 0;
	double var = se_q * se_q + se_b * se_b - 2 * cov;
	s->ppl = exp(ln_q);
	s->ppl_base = exp(ln_b);
	s->ln_ppl_ratio = ln_q - ln_b;
	s->ln_ppl_ratio_stderr = var > 0 ? sqrt(var) : 0;
	s->ppl_ratio = exp(s->ln_ppl_ratio);
}
