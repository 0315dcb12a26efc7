/* test_vocab_online.c: NLL and KLD from logits seen band by band against the whole-row
   paths (rows_nll, kld_accum_row) and an exact log-sum-exp in double.
 *
 * Tolerances: with one band the online path does the whole-row arithmetic, so the
 * results must be the same bits. With several bands an earlier band's f32
 * exponentials were taken against a smaller running maximum and rescaled in double;
 * each f32 exponential carries up to 3e-7 relative error (vec_math.h), so the two NLLs
 * may differ by a few 1e-7: the test allows 2e-6 and checks both against the exact
 * double value within the same bound. The KLD statistics are all in double: 1e-10. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forward.h"
#include "kld.h"
#include "synth_model.h"
#include "tap.h"
#include "vocab_online.h"

#define VOCAB 1000
#define ROWS 24

static uint64_t rng = 88172645463325252ULL;

static double uniform(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

/* Rows of several shapes: random spread wide, a ramp that raises the maximum in every
   band (a rescale each time), a falling ramp (no rescale), ties at the top. */
static void fill_logits(float *l, int row)
{
	for (int j = 0; j < VOCAB; j++) {
		switch (row % 4) {
		case 0: l[j] = (float)(24.0 * uniform() - 12.0); break;
		case 1: l[j] = (float)(0.03 * j + uniform()); break;
		case 2: l[j] = (float)(-0.03 * j + uniform()); break;
		default: l[j] = (float)(3.0 * uniform()); break;
		}
	}
	if (row % 4 == 3)
		l[VOCAB - 1] = l[VOCAB / 2] = l[7] = 5.0f;
}

static double exact_nll(const float *l, int target)
{
	double m = l[0], sum = 0;
	for (int j = 1; j < VOCAB; j++)
		m = l[j] > m ? l[j] : m;
	for (int j = 0; j < VOCAB; j++)
		sum += exp((double)l[j] - m);
	return log(sum) + m - l[target];
}

static void banded_nll(const float *logits, int band, const int32_t *targets, double *out)
{
	float *copy = malloc(sizeof(float) * VOCAB);
	for (int r = 0; r < ROWS; r++) {
		struct nll_online s;
		nll_online_start(&s);
		memcpy(copy, logits + (int64_t)r * VOCAB, sizeof(float) * VOCAB);
		for (int v0 = 0; v0 < VOCAB; v0 += band) {
			int n = VOCAB - v0 < band ? VOCAB - v0 : band;
			nll_online_band(&s, copy + v0, n, v0, targets[r]);
		}
		out[r] = nll_online_value(&s);
	}
	free(copy);
}

static void check_nll(const float *logits, const int32_t *targets)
{
	struct model_config cfg = synth_config(1, 0, 0);
	cfg.vocab = VOCAB;
	struct lwq_err err = { "" };
	struct forward_state *fs = forward_new(&cfg, 4, 1, &err);
	float *whole = malloc(sizeof(float) * VOCAB * ROWS);
	memcpy(whole, logits, sizeof(float) * VOCAB * ROWS);
	double want[ROWS], got[ROWS];
	rows_nll(fs, whole, ROWS, targets, want);
	banded_nll(logits, VOCAB, targets, got);
	ok(memcmp(want, got, sizeof want) == 0, "one band: NLL bit-identical to rows_nll");
	static const int bands[] = { 1, 7, 333, 999, 128 };
	for (size_t b = 0; b < sizeof bands / sizeof *bands; b++) {
		banded_nll(logits, bands[b], targets, got);
		double worst = 0, worst_exact = 0;
		for (int r = 0; r < ROWS; r++) {
			double d = fabs(got[r] - want[r]);
			double e = fabs(got[r] - exact_nll(logits + (int64_t)r * VOCAB, targets[r]));
			worst = d > worst || isnan(d) ? d : worst;
			worst_exact = e > worst_exact || isnan(e) ? e : worst_exact;
		}
		ok(worst <= 2e-6 && worst_exact <= 2e-6,
		   "bands of %d: NLL within %.2g of the whole row, %.2g of exact", bands[b], worst,
		   worst_exact);
	}
	/* threads and rows of a band, as lm_head_score calls them */
	struct nll_online st[ROWS];
	memcpy(whole, logits, sizeof(float) * VOCAB * ROWS);
	for (int r = 0; r < ROWS; r++)
		nll_online_start(&st[r]);
	float *band = malloc(sizeof(float) * 333 * ROWS);
	for (int v0 = 0; v0 < VOCAB; v0 += 333) {
		int n = VOCAB - v0 < 333 ? VOCAB - v0 : 333;
		for (int r = 0; r < ROWS; r++)
			memcpy(band + (int64_t)r * n, logits + (int64_t)r * VOCAB + v0,
			       sizeof(float) * n);
		nll_online_rows(2, band, ROWS, n, v0, targets, st);
	}
	banded_nll(logits, 333, targets, got);
	int same = 1;
	for (int r = 0; r < ROWS; r++)
		same &= nll_online_value(&st[r]) == got[r];
	ok(same, "nll_online_rows on 2 threads = row by row");
	free(band);
	free(whole);
	forward_free(fs);
}

static void banded_kld(struct kld_accum *a, const float *base, const float *quant, int band,
		       const int32_t *targets)
{
	for (int r = 0; r < ROWS; r++) {
		struct kld_online s;
		kld_online_start(&s);
		for (int v0 = 0; v0 < VOCAB; v0 += band) {
			int n = VOCAB - v0 < band ? VOCAB - v0 : band;
			kld_online_band(&s, base + (int64_t)r * VOCAB + v0,
					quant + (int64_t)r * VOCAB + v0, n, v0, targets[r]);
		}
		kld_accum_online(a, &s, NULL);
	}
}

static void check_kld(const float *base, const int32_t *targets)
{
	float *quant = malloc(sizeof(float) * VOCAB * ROWS);
	for (int64_t i = 0; i < (int64_t)VOCAB * ROWS; i++)
		quant[i] = base[i] + (float)(0.6 * uniform() - 0.3);
	/* one row whose top changes, one where quant = base shifted (KLD 0) */
	quant[VOCAB * 5 + 3] = 99.0f;
	for (int j = 0; j < VOCAB; j++)
		quant[VOCAB * 6 + j] = base[VOCAB * 6 + j] + 2.0f;
	struct kld_accum want = { 0 };
	for (int r = 0; r < ROWS; r++)
		kld_accum_row(&want, base + (int64_t)r * VOCAB, quant + (int64_t)r * VOCAB, VOCAB,
			      targets[r], NULL);
	static const int bands[] = { VOCAB, 1, 7, 333, 999 };
	for (size_t b = 0; b < sizeof bands / sizeof *bands; b++) {
		struct kld_accum got = { 0 };
		banded_kld(&got, base, quant, bands[b], targets);
		double worst = 0;
		for (int r = 0; r < ROWS; r++) {
			double d = fabs(got.values[r] - want.values[r]);
			worst = d > worst || isnan(d) ? d : worst;
		}
		int same_stats = got.same_top == want.same_top && got.count == want.count &&
				 close_rel(got.sum_nll, want.sum_nll, 1e-12) &&
				 close_rel(got.sum_nll_base, want.sum_nll_base, 1e-12) &&
				 close_rel(got.sum_dp, want.sum_dp, 1e-10);
		ok(worst <= 1e-10 && same_stats && fabs(got.values[6]) <= 1e-12,
		   "bands of %d: KLD per row within %.2g, same tops (%lld), NLL and dp sums equal",
		   bands[b], worst, (long long)got.same_top);
		kld_accum_free(&got);
	}
	ok(want.same_top < ROWS && want.values[5] > 1, "the test has a changed top (KLD %.3f)",
	   want.values[5]);
	kld_accum_free(&want);
	free(quant);
}

int main(void)
{
	float *logits = malloc(sizeof(float) * VOCAB * ROWS);
	int32_t targets[ROWS];
	for (int r = 0; r < ROWS; r++) {
		fill_logits(logits + (int64_t)r * VOCAB, r);
		targets[r] = (int32_t)(uniform() * VOCAB);
	}
	targets[1] = 0;                  /* the first band's target under a rising maximum */
	targets[2] = VOCAB - 1;
	check_nll(logits, targets);
	check_kld(logits, targets);
	free(logits);
	return tap_done();
}
