/* vocab_online.c: softmax statistics of next-token predictions, band by band. */
#include "vocab_online.h"

#include <math.h>

#include "parallel.h"
#include "vec_math.h"

void nll_online_start(struct nll_online *s)
{
	*s = (struct nll_online){ .max = -INFINITY, .target = NAN, .sum = 0 };
}

void nll_online_band(struct nll_online *s, float *logits, int n, int64_t v0, int target)
{
	if (n < 1)
		return;
	float m = max_of(logits, n);
	if (m > s->max) {
		s->sum *= exp((double)s->max - m);    /* exp(-inf) = 0 before the first band */
		s->max = m;
	}
	if (target >= v0 && target < v0 + n)
		s->target = logits[target - v0];
	exp_shifted_sum(logits, n, s->max);
	double sum = s->sum;                       /* in vocabulary order, as rows_nll */
	for (int j = 0; j < n; j++)
		sum += logits[j];
	s->sum = sum;
}

double nll_online_value(const struct nll_online *s)
{
	return log(s->sum) - ((double)s->target - s->max);
}

/* First index of the largest of n >= 1 values. */
static int first_argmax(const float *l, int n)
{
	int best = 0;
	for (int j = 1; j < n; j++)
		if (l[j] > l[best])
			best = j;
	return best;
}

void kld_online_start(struct kld_online *s)
{
	*s = (struct kld_online){ .max_b = -INFINITY, .max_q = -INFINITY, .top_b = -1,
				  .top_q = -1, .target_b = NAN, .target_q = NAN };
}

void kld_online_band(struct kld_online *s, const float *base, const float *quant, int n,
		     int64_t v0, int target)
{
	if (n < 1)
		return;
	int ib = first_argmax(base, n), iq = first_argmax(quant, n);
	if (base[ib] > s->max_b) {         /* ties keep the earlier band's index */
		double rescale = exp(s->max_b - base[ib]);
		s->sum_b *= rescale;
		s->cross *= rescale;
		s->max_b = base[ib];
		s->top_b = v0 + ib;
	}
	if (quant[iq] > s->max_q) {
		s->sum_q *= exp(s->max_q - quant[iq]);
		s->max_q = quant[iq];
		s->top_q = v0 + iq;
	}
	if (target >= v0 && target < v0 + n) {
		s->target_b = base[target - v0];
		s->target_q = quant[target - v0];
	}
	double sum_b = s->sum_b, sum_q = s->sum_q, cross = s->cross;
	for (int j = 0; j < n; j++) {
		double e = exp((double)base[j] - s->max_b);
		sum_b += e;
		sum_q += exp((double)quant[j] - s->max_q);
		cross += e * ((double)base[j] - quant[j]);
	}
	s->sum_b = sum_b, s->sum_q = sum_q, s->cross = cross;
}

double kld_online_kld(const struct kld_online *s)
{
	double lse_b = s->max_b + log(s->sum_b), lse_q = s->max_q + log(s->sum_q);
	return s->cross / s->sum_b - lse_b + lse_q;
}

double kld_online_nll_base(const struct kld_online *s)
{
	return s->max_b + log(s->sum_b) - s->target_b;
}

double kld_online_nll(const struct kld_online *s)
{
	return s->max_q + log(s->sum_q) - s->target_q;
}

/* ---- rows of a band, one task per row ---- */

struct band_rows {
	float *logits;
	const float *base, *quant;
	int n;
	int64_t v0;
	const int32_t *targets;
	struct nll_online *nll;
	struct kld_online *kld;
};

static void nll_task(void *arg, int64_t i, int slot)
{
	const struct band_rows *j = arg;
	(void)slot;
	nll_online_band(&j->nll[i], j->logits + i * j->n, j->n, j->v0, j->targets[i]);
}

static void kld_task(void *arg, int64_t i, int slot)
{
	const struct band_rows *j = arg;
	(void)slot;
	kld_online_band(&j->kld[i], j->base + i * j->n, j->quant + i * j->n, j->n, j->v0,
			j->targets[i]);
}

void nll_online_rows(int n_threads, float *logits, int n_rows, int n, int64_t v0,
		     const int32_t *targets, struct nll_online *st)
{
	struct band_rows j = { .logits = logits, .n = n, .v0 = v0, .targets = targets,
			       .nll = st };
	parallel_for(n_threads, n_rows, nll_task, &j);
}

void kld_online_rows(int n_threads, const float *base, const float *quant, int n_rows, int n,
		     int64_t v0, const int32_t *targets, struct kld_online *st)
{
	struct band_rows j = { .base = base, .quant = quant, .n = n, .v0 = v0,
			       .targets = targets, .kld = st };
	parallel_for(n_threads, n_rows, kld_task, &j);
}
