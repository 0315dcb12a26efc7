/* test_scores.c: LIM, streaming ZD and RTN errors against slow, obvious reference computations. */
#include <stdint.h>
#include <string.h>

#include "numeric.h"
#include "quant_rtn.h"
#include "scores.h"
#include "tap.h"

static uint64_t rng_state = 88172645463325252ull;

/* Roughly normal (sum of uniforms), mean mu, std about sigma. */
static float random_weight(float mu, float sigma)
{
	double s = 0;
	for (int k = 0; k < 4; k++) {
		rng_state ^= rng_state << 13;
		rng_state ^= rng_state >> 7;
		rng_state ^= rng_state << 17;
		s += (double)(rng_state >> 11) / 9007199254740992.0 - 0.5;
	}
	return (float)(mu + sigma * s * 1.7320508);
}

static void test_lim(void)
{
	float cos[5] = { 0.9f, 0.8f, 0.95f, 1.0f, 0.7f };
	double lim;
	long double ref = 0;
	for (int t = 0; t < 5; t++)
		ref += cos[t];
	ref = -ref / 5;
	int rc = lim_from_cos(cos, 5, &lim, NULL);
	ok(rc == 0 && fabs(lim - (double)ref) < 1e-15,
	   "LIM = -mean cos: %.9f (reference %.9Lf)", lim, ref);
	struct lwq_err err = { "" };
	ok(lim_from_cos(cos, 0, &lim, &err) < 0, "no tokens: %s", err.msg);
	cos[2] = NAN;
	ok(lim_from_cos(cos, 5, &lim, &err) < 0 && strstr(err.msg, "token 2"), "NaN cosine: %s", err.msg);
}

/* Reference ZD over several arrays: concatenate, long double mean and population std,
   then count (w - mean) / std > 1 literally. */
static int64_t reference_zd_count(float **arrays, const int64_t *sizes, int k)
{
	long double sum = 0, sq = 0;
	int64_t n = 0;
	for (int a = 0; a < k; a++)
		for (int64_t i = 0; i < sizes[a]; i++, n++)
			sum += arrays[a][i];
	long double mean = sum / n;
	for (int a = 0; a < k; a++)
		for (int64_t i = 0; i < sizes[a]; i++)
			sq += (arrays[a][i] - mean) * (arrays[a][i] - mean);
	long double std = sqrtl(sq / n);
	int64_t count = 0;
	for (int a = 0; a < k; a++)
		for (int64_t i = 0; i < sizes[a]; i++)
			count += (arrays[a][i] - mean) / std > 1;
	return count;
}

/* A layer's ZD the streaming way: pass 1 merges moments, pass 2 counts per tensor. */
static int64_t streaming_zd_count(float **arrays, const int64_t *sizes, int k)
{
	struct moments layer = { 0, 0, 0 }, part;
	for (int a = 0; a < k; a++) {
		moments_of(arrays[a], sizes[a], &part);
		moments_merge(&layer, &part);
	}
	int64_t count = 0;
	for (int a = 0; a < k; a++)
		count += count_above_one_sigma(arrays[a], sizes[a], layer.mean, moments_std(&layer));
	return count;
}

static void test_zd_streaming(void)
{
	/* Seven tensors of different sizes and distributions, like q k v o gate up down. */
	const int64_t sizes[7] = { 4096, 1024, 1024, 4096, 11264, 11264, 11264 };
	const float mus[7] = { 0.0f, 0.01f, -0.02f, 0.0f, 0.005f, -0.001f, 0.03f };
	const float sigmas[7] = { 0.02f, 0.05f, 0.04f, 0.02f, 0.03f, 0.03f, 0.01f };
	float *arrays[7];
	for (int a = 0; a < 7; a++) {
		arrays[a] = malloc((size_t)sizes[a] * sizeof(float));
		for (int64_t i = 0; i < sizes[a]; i++)
			arrays[a][i] = random_weight(mus[a], sigmas[a]);
	}
	int64_t ref = reference_zd_count(arrays, sizes, 7), got = streaming_zd_count(arrays, sizes, 7);
	ok(ref == got, "layer ZD over 7 tensors, streaming = reference: %lld weights (%.4f)",
	   (long long)got, (double)got / 44032);
	int same = 1;
	for (int a = 0; a < 7; a++) {
		int64_t one = reference_zd_count(&arrays[a], &sizes[a], 1);
		same &= fabs(zd_fraction(arrays[a], sizes[a]) - (double)one / sizes[a]) < 1e-15;
	}
	ok(same, "per-tensor ZD equals the reference for each of the 7 tensors");

	/* A large common offset: a naive sum-of-squares variance would lose the spread. */
	for (int a = 0; a < 7; a++)
		for (int64_t i = 0; i < sizes[a]; i++)
			arrays[a][i] = 1000.0f + random_weight(0.0f, 0.001f);
	ref = reference_zd_count(arrays, sizes, 7);
	got = streaming_zd_count(arrays, sizes, 7);
	ok(ref == got && got > 4000, "offset 1000, std 0.001: streaming = reference (%lld)", (long long)got);
	for (int a = 0; a < 7; a++)
		free(arrays[a]);

	float flat[6] = { 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f };
	ok(zd_fraction(flat, 6) == 0.0, "constant weights: ZD 0 (no spread, nothing above)");
	float four[4] = { 0, 0, 0, 4 }; /* mean 1, std sqrt(3): only 4 is above 1 + 1.732 */
	ok(zd_fraction(four, 4) == 0.25, "hand case [0 0 0 4]: ZD 1/4");
}

static void test_rtn_error_hand(void)
{
	/* Quantized [-1 0 0.5 2] at 2 bits is [-1 0 1 2]: error^2 0.25, ||W||^2 5.25. With
	   column weights 1 1 4 1: 4 * 0.25 = 1 over 1 + 0 + 4 * 0.25 + 4 = 6. */
	float w[4] = { -1.0f, 0.0f, 0.5f, 2.0f }, s[4] = { 1, 1, 4, 1 };
	struct rtn_error_sums e;
	ok(rtn_error(w, 1, 4, 2, 4, s, &e, NULL) == 0 && e.err_sq == 0.25 && e.w_sq == 5.25 &&
	   e.err_sq_in == 1.0 && e.w_sq_in == 6.0, "hand case: sums 0.25 / 5.25 and 1 / 6");
	ok(fabs(rtn_rel_error(&e) - sqrt(0.25 / 5.25)) < 1e-15 &&
	   fabs(rtn_rel_error_weighted(&e) - sqrt(1.0 / 6.0)) < 1e-15, "relative errors from the sums");
	struct lwq_err err = { "" };
	ok(rtn_error(w, 1, 4, 2, 3, NULL, &e, &err) < 0, "group 3 of 4 columns: %s", err.msg);
	ok(rtn_error(w, 1, 4, 5, 4, NULL, &e, &err) < 0, "5 bits: %s", err.msg);
}

static void test_rtn_error_random(void)
{
	enum { ROWS = 24, COLS = 64, G = 16 };
	float w[ROWS * COLS], q[ROWS * COLS], s[COLS], ones[COLS];
	for (int i = 0; i < ROWS * COLS; i++)
		w[i] = random_weight(0.0f, 0.05f);
	for (int j = 0; j < COLS; j++) {
		s[j] = (float)(1 + j % 7) * 0.5f;
		ones[j] = 1.0f;
	}
	for (int b = 0; b < SCORE_RTN_LEVELS; b++) {
		int bits = score_rtn_bits[b];
		memcpy(q, w, sizeof w);
		rtn_fake_quant(q, ROWS, COLS, bits, G, NULL);
		long double num = 0, den = 0, wnum = 0, wden = 0;
		for (int j = 0; j < COLS; j++)       /* columns outside, as the formula reads */
			for (int i = 0; i < ROWS; i++) {
				long double d = (long double)w[i * COLS + j] - q[i * COLS + j];
				num += d * d;
				den += (long double)w[i * COLS + j] * w[i * COLS + j];
				wnum += s[j] * d * d;
				wden += s[j] * (long double)w[i * COLS + j] * w[i * COLS + j];
			}
		struct rtn_error_sums e, u;
		rtn_error(w, ROWS, COLS, bits, G, s, &e, NULL);
		rtn_error(w, ROWS, COLS, bits, G, ones, &u, NULL);
		double plain = rtn_rel_error(&e), weighted = rtn_rel_error_weighted(&e);
		ok(close_rel(plain, (double)sqrtl(num / den), 1e-12) &&
		   close_rel(weighted, (double)sqrtl(wnum / wden), 1e-12),
		   "%d-bit: relative error %.5f, weighted %.5f match the whole-tensor reference",
		   bits, plain, weighted);
		ok(close_rel(rtn_rel_error_weighted(&u), plain, 1e-12),
		   "%d-bit: equal column weights give the plain error", bits);
	}
}

/* ZD from a histogram of 16-bit words, against moments_of and count_above_one_sigma on
   the widened weights (the slow, obvious path), for bf16 and f16 storage. */
static void test_zd_words(void)
{
	static int64_t count[WORD_PATTERNS];
	static float value[WORD_PATTERNS];
	const int64_t n = 200003;
	float *w = malloc((size_t)n * sizeof *w);
	for (int bf16 = 0; bf16 <= 1; bf16++) {
		const char *name = bf16 ? "bf16" : "f16";
		word_values(bf16, value);
		memset(count, 0, sizeof count);
		for (int64_t i = 0; i < n; i++) {
			/* skewed, offset weights, so the mean matters */
			float x = random_weight(0.003f, 0.02f) + (i % 7 == 0 ? 0.05f : 0.0f);
			uint16_t word = bf16 ? f32_to_bf16(x) : f32_to_f16(x);
			count[word]++;
			w[i] = value[word];
		}
		struct moments slow, fast;
		moments_of(w, n, &slow);
		moments_of_words(count, value, &fast);
		ok(fast.n == n && fabs(fast.mean - slow.mean) <= 1e-12 * fabs(slow.mean) &&
		   fabs(fast.m2 - slow.m2) <= 1e-12 * slow.m2,
		   "%s words: mean %.12g and m2 %.12g as moments_of (%.12g, %.12g)", name,
		   fast.mean, fast.m2, slow.mean, slow.m2);
		double std = moments_std(&slow);
		int64_t want = count_above_one_sigma(w, n, slow.mean, std);
		int64_t got = count_above_one_sigma_words(count, value, slow.mean, std);
		ok(got == want, "%s words: %lld above one sigma, as counted weight by weight (%lld)",
		   name, (long long)got, (long long)want);
		ok(count_above_one_sigma_words(count, value, slow.mean, 0.0) == 0,
		   "%s words: zero sigma counts nothing", name);
	}
	free(w);
}

int main(void)
{
	test_zd_words();
	test_lim();
	test_zd_streaming();
	test_rtn_error_hand();
	test_rtn_error_random();
	return tap_done();
}
