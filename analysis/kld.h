/* kld.h: how far a quantized model's next-token distributions are from the unquantized
   model's, with the statistics llama-perplexity --kl-divergence reports. */
#ifndef LWQ_KLD_H
#define LWQ_KLD_H

#include <stdint.h>

#include "status.h"
#include "vocab_online.h"

/* Running sums over predictions. Memory: one double per prediction (for the median and
   percentiles), never anything per vocabulary entry. Zero-initialize, free with
   kld_accum_free. */
struct kld_accum {
	int64_t count, same_top;
	double sum_kld, sum_kld2;
	double sum_nll, sum_nll2;              /* quantized model: -log p(target) */
	double sum_nll_base, sum_nll_base2;    /* unquantized model */
	double sum_nll_cross;                  /* sum nll * nll_base */
	double sum_dp, sum_dp2;                /* p(target) quantized minus unquantized */
	double max_abs_dp;
	double *values;                        /* KLD of each prediction */
	int64_t cap;
};

/* Adds one prediction: base and quant are the two models' logits over the full
   vocabulary, target the token that came next. In double:
     KLD = sum_j P_j (log P_j - log Q_j), P = softmax(base), Q = softmax(quant);
     same top when argmax base == argmax quant (first index on ties);
     dp = Q_target - P_target.
   Fails only when out of memory. */
int kld_accum_row(struct kld_accum *a, const float *base, const float *quant, int vocab,
		  int target, struct lwq_err *err);
/* Adds one prediction whose logits were seen band by band (vocab_online.h): the same
   figures as kld_accum_row up to rounding in double (the KLD as cross / sum_b - lse_b +
   lse_q instead of a second pass over P). */
int kld_accum_online(struct kld_accum *a, const struct kld_online *s, struct lwq_err *err);
void kld_accum_free(struct kld_accum *a);

/* Mean and standard error are llama-perplexity's: mean = sum / n and
   stderr = sqrt((sum2 / n - mean^2) / (n - 1)) (0 when n <= 10 or the variance is not
   positive). Percentiles interpolate linearly at fraction * (n - 1) of the sorted
   values; the median averages the two middle values when n is even. */
struct kld_summary {
	int64_t count;
	double kld_mean, kld_stderr, kld_median, kld_p99, kld_p999, kld_max;
	double top1, top1_stderr;              /* fraction of predictions with the same top token */
	double dp_mean, dp_stderr;             /* mean change of p(correct token) */
	double ppl_base, ppl;                  /* exp(mean nll) of each model */
	double ln_ppl_ratio, ln_ppl_ratio_stderr;
	double ppl_ratio;                      /* ppl / ppl_base */
};

/* Summarizes (sorts a->values in place). count 0 gives all zeros. */
void kld_summarize(struct kld_accum *a, struct kld_summary *s);

/* The interpolated percentile of n sorted values (fraction in [0, 1]). */
double sorted_percentile(const double *v, int64_t n, double fraction);

#endif
