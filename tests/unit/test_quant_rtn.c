/* test_quant_rtn.c: RTN quantizer on hand-computed groups, bit-exact; code packing. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "numeric.h"
#include "quant_rtn.h"
#include "tap.h"

static int same_floats(const float *a, const float *b, int n)
{
	return memcmp(a, b, sizeof(float) * (size_t)n) == 0;
}

static int same_codes(const uint8_t *a, const uint8_t *b, int n)
{
	return memcmp(a, b, (size_t)n) == 0;
}

/* [-1, 0, 0.5, 2] at 2 bits: scale 3/3 = 1, zero round(1) = 1; 0.5 rounds away from
   zero to 1, so its code is 2 and it comes back as 1. */
static void test_two_bit_basic(void)
{
	float w[4] = { -1.0f, 0.0f, 0.5f, 2.0f }, scale, zero;
	uint8_t codes[4];
	struct lwq_err err = { "" };
	int rc = rtn_quantize(w, 1, 4, 2, 4, codes, &scale, &zero, &err);
	ok(rc == 0, "2-bit group quantizes");
	ok(scale == 1.0f && zero == 1.0f, "2-bit: scale 1, zero 1 (got %g, %g)", scale, zero);
	ok(same_codes(codes, (uint8_t[]){ 0, 1, 2, 3 }, 4), "2-bit: codes 0 1 2 3");
	float back[4], want[4] = { -1.0f, 0.0f, 1.0f, 2.0f };
	rtn_dequantize(codes, &scale, &zero, 1, 4, 4, back);
	ok(same_floats(back, want, 4), "2-bit: dequantized -1 0 1 2");
	ok(rtn_fake_quant(w, 1, 4, 2, 4, &err) == 0 && same_floats(w, want, 4),
	   "fake quant equals quantize + dequantize");
}

/* [-1.5, -0.5, 0, 1.5] at 2 bits: scale 1, zero round(1.5) = 2 (away from zero);
   -0.5 -> round(-0.5) = -1 -> code 1; 1.5 -> 2 + 2 = 4 clamps to 3 -> comes back as 1. */
static void test_rounding_and_clamp(void)
{
	float w[4] = { -1.5f, -0.5f, 0.0f, 1.5f }, scale, zero;
	uint8_t codes[4];
	int rc = rtn_quantize(w, 1, 4, 2, 4, codes, &scale, &zero, NULL);
	ok(rc == 0 && scale == 1.0f && zero == 2.0f,
	   "halfway zero point rounds away from zero (zero %g)", zero);
	ok(same_codes(codes, (uint8_t[]){ 0, 1, 2, 3 }, 4), "negative halfway rounds down, top clamps");
	float want[4] = { -2.0f, -1.0f, 0.0f, 1.0f };
	ok(rtn_fake_quant(w, 1, 4, 2, 4, NULL) == 0 && same_floats(w, want, 4),
	   "dequantized -2 -1 0 1");
}

/* Two rows of two groups at 4 bits; the group [3, 18] is all positive: scale 1, zero -3. */
static void test_groups_and_rows(void)
{
	float w[8] = { 3.0f, 18.0f, -7.5f, 0.0f,
		       0.0f, 1.5f, 4.0f, 4.0f };
	float scales[4], zeros[4];
	uint8_t codes[8];
	ok(rtn_quantize(w, 2, 4, 4, 2, codes, scales, zeros, NULL) == 0, "4-bit, 2 rows x 2 groups");
	/* 1.5 / 15 = 0.1 is stored as the nearest f16, 0.0999755859375 (0x2E66) */
	ok(same_floats(scales, (float[]){ 1.0f, 0.5f, 0.0999755859375f, 4.0f }, 4),
	   "per-group scales 1, 0.5, f16(0.1), 4 (constant group keeps its value)");
	ok(same_floats(zeros, (float[]){ -3.0f, 15.0f, 0.0f, 0.0f }, 4),
	   "zero points -3 (positive group), 15, 0, 0");
	ok(same_codes(codes, (uint8_t[]){ 0, 15, 0, 15, 0, 15, 1, 1 }, 8), "codes per group");
	float back[8];
	rtn_dequantize(codes, scales, zeros, 2, 4, 2, back);
	ok(back[0] == 3.0f && back[1] == 18.0f && back[2] == -7.5f && back[3] == 0.0f &&
	   back[6] == 4.0f && back[7] == 4.0f, "group extremes and constant group come back exactly");
	ok(back[4] == 0.0f && back[5] == 1.4996337890625f, "1.5 comes back as 15 x f16(0.1)");
}

/* 8 bits, min -1, max 127/128: scale exactly 1/128, zero 128; 0.3 -> 38 + 128 = 166 ->
   38/128 = 0.296875. */
static void test_eight_bit(void)
{
	float w[4] = { -1.0f, 127.0f / 128.0f, 0.3f, 0.0f }, scale, zero;
	uint8_t codes[4];
	ok(rtn_quantize(w, 1, 4, 8, 4, codes, &scale, &zero, NULL) == 0 &&
	   scale == 1.0f / 128.0f && zero == 128.0f, "8-bit: scale 1/128, zero 128");
	ok(same_codes(codes, (uint8_t[]){ 0, 255, 166, 128 }, 4), "8-bit codes 0 255 166 128");
	ok(rtn_fake_quant(w, 1, 4, 8, 4, NULL) == 0 &&
	   same_floats(w, (float[]){ -1.0f, 127.0f / 128.0f, 0.296875f, 0.0f }, 4),
	   "8-bit: 0.3 comes back as 0.296875");
}

/* 3 bits: eight multiples of 0.5 in [0, 3.5] are each a level. */
static void test_three_bit(void)
{
	float w[8] = { 0.0f, 3.5f, 0.5f, 1.0f, 1.5f, 2.0f, 2.5f, 3.0f }, copy[8];
	memcpy(copy, w, sizeof w);
	float scale, zero;
	uint8_t codes[8];
	ok(rtn_quantize(w, 1, 8, 3, 8, codes, &scale, &zero, NULL) == 0 && scale == 0.5f &&
	   zero == 0.0f, "3-bit: scale 0.5, zero 0");
	ok(same_codes(codes, (uint8_t[]){ 0, 7, 1, 2, 3, 4, 5, 6 }, 8), "3-bit codes");
	ok(rtn_fake_quant(w, 1, 8, 3, 8, NULL) == 0 && same_floats(w, copy, 8),
	   "3-bit: grid values are reproduced exactly");
}

static void test_constant_groups(void)
{
	float w[6] = { 0.75f, 0.75f, -0.75f, -0.75f, 0.0f, 0.0f }, copy[6];
	memcpy(copy, w, sizeof w);
	float scales[3], zeros[3];
	uint8_t codes[6];
	ok(rtn_quantize(w, 1, 6, 2, 2, codes, scales, zeros, NULL) == 0 &&
	   same_floats(scales, (float[]){ 0.75f, 0.75f, 0.0f }, 3) &&
	   same_floats(zeros, (float[]){ 0.0f, 1.0f, 0.0f }, 3), "constant groups: scale |c|, zero 0 or 1");
	ok(rtn_fake_quant(w, 1, 6, 2, 2, NULL) == 0 && same_floats(w, copy, 6),
	   "constant groups (positive, negative, zero) are reproduced exactly");
}

/* Groups far from 0 on one side keep a zero point f16 holds exactly (|zero| <= 2048). */
static void test_far_groups(void)
{
	/* [1000 .. 1001.5] at 2 bits: scale 0.5, zero -2000 fits; reproduced exactly. */
	float near[4] = { 1000.0f, 1000.5f, 1001.0f, 1001.5f }, copy[4], scale, zero;
	uint8_t codes[4];
	memcpy(copy, near, sizeof near);
	int rc = rtn_quantize(near, 1, 4, 2, 4, codes, &scale, &zero, NULL);
	ok(rc == 0 && scale == 0.5f && zero == -2000.0f, "positive group: scale 0.5, zero -2000");
	ok(rtn_fake_quant(near, 1, 4, 2, 4, NULL) == 0 && same_floats(near, copy, 4),
	   "positive group with a zero point of -2000 comes back exactly");
	/* [3000 .. 3001.5]: 0.5 would need zero -6000, so the scale widens to 3000 / 2048 =
	   1.46484375 (an f16 value) and the zero is -2048; codes 0 0 1 1. */
	float far[4] = { 3000.0f, 3000.5f, 3001.0f, 3001.5f };
	rc = rtn_quantize(far, 1, 4, 2, 4, codes, &scale, &zero, NULL);
	ok(rc == 0 && scale == 1.46484375f && zero == -2048.0f, "far group: scale widened to "
	   "1.46484375, zero -2048 (got %g, %g)", scale, zero);
	ok(same_codes(codes, (uint8_t[]){ 0, 0, 1, 1 }, 4), "far group codes 0 0 1 1");
	ok(rtn_fake_quant(far, 1, 4, 2, 4, NULL) == 0 &&
	   same_floats(far, (float[]){ 3000.0f, 3000.0f, 3001.46484375f, 3001.46484375f }, 4),
	   "far group: error stays under half the widened step");
	/* negative side: [-3001.5 .. -3000] mirrors it with a zero of at most +2048 */
	float neg[4] = { -3001.5f, -3001.0f, -3000.5f, -3000.0f };
	rc = rtn_quantize(neg, 1, 4, 2, 4, codes, &scale, &zero, NULL);
	ok(rc == 0 && zero <= 2048.0f && zero >= 2047.0f, "negative far group: zero %g fits f16", zero);
	/* a constant beyond the f16 range gets scale 65504 (the largest f16) and the top
	   code, 15 x 65504, instead of an infinite scale */
	float big[2] = { 1e6f, 1e6f };
	ok(rtn_fake_quant(big, 1, 2, 4, 2, NULL) == 0 && big[0] == 982560.0f,
	   "constant 1e6 at 4 bits saturates to 15 x 65504 = 982560 (got %g)", big[0]);
}

static void test_errors(void)
{
	float w[6] = { 1, 2, 3, 4, 5, 6 };
	struct lwq_err err = { "" };
	ok(rtn_fake_quant(w, 1, 6, 2, 4, &err) < 0 &&
	   strcmp(err.msg, "group size 4 does not divide the row length 6") == 0,
	   "group size not dividing the row: %s", err.msg);
	ok(rtn_fake_quant(w, 1, 6, 5, 2, &err) < 0 &&
	   strcmp(err.msg, "RTN supports 2, 3, 4 or 8 bits, not 5") == 0, "5 bits rejected: %s", err.msg);
	ok(rtn_fake_quant(w, 1, 6, 16, 2, &err) < 0, "16 bits rejected");
	w[3] = NAN;
	ok(rtn_fake_quant(w, 2, 3, 4, 3, &err) < 0 && strstr(err.msg, "row 1") != NULL,
	   "NaN weight rejected: %s", err.msg);
}

static void test_pack_known(void)
{
	uint8_t out[3];
	ok(pack_codes((uint8_t[]){ 0, 1, 2, 3 }, 4, 2, out) == 1 && out[0] == 0xE4,
	   "2-bit 0 1 2 3 packs to 0xE4 (first code in the low bits)");
	ok(pack_codes((uint8_t[]){ 1, 10 }, 2, 4, out) == 1 && out[0] == 0xA1, "4-bit 1 10 -> 0xA1");
	ok(pack_codes((uint8_t[]){ 1, 2, 3, 4, 5, 6, 7, 0 }, 8, 3, out) == 3 && out[0] == 0xD1 &&
	   out[1] == 0x58 && out[2] == 0x1F, "3-bit codes straddle bytes: D1 58 1F");
	ok(pack_codes((uint8_t[]){ 7, 7, 7 }, 3, 3, out) == 2 && out[0] == 0xFF && out[1] == 0x01,
	   "3 x 3 bits = 9 bits -> 2 bytes, tail zero-filled");
	ok(pack_codes((uint8_t[]){ 200, 17 }, 2, 8, out) == 2 && out[0] == 200 && out[1] == 17,
	   "8-bit packing is the identity");
}

static void test_pack_round_trip(void)
{
	const int widths[4] = { 2, 3, 4, 8 };
	uint32_t state = 12345;
	for (int b = 0; b < 4; b++) {
		for (size_t n = 1; n <= 67; n += 11) {
			uint8_t codes[67], back[67];
			uint8_t *packed = malloc((n * (size_t)widths[b] + 7) / 8);
			for (size_t i = 0; i < n; i++) {
				state = state * 1664525u + 1013904223u;
				codes[i] = (uint8_t)((state >> 24) & ((1u << widths[b]) - 1u));
			}
			size_t bytes = pack_codes(codes, n, widths[b], packed);
			unpack_codes(packed, n, widths[b], back);
			ok(bytes == (n * (size_t)widths[b] + 7) / 8 && same_codes(codes, back, (int)n),
			   "%d-bit round trip of %zu codes in %zu bytes", widths[b], n, bytes);
			free(packed);
		}
	}
}

/* Properties on a random matrix: codes in range, error within half a step (unclamped),
   fake quant identical to quantize + dequantize. */
static void test_random_properties(void)
{
	enum { ROWS = 5, COLS = 96, G = 32 };
	float w[ROWS * COLS], fake[ROWS * COLS], back[ROWS * COLS];
	float scales[ROWS * COLS / G], zeros[ROWS * COLS / G];
	uint8_t codes[ROWS * COLS];
	uint32_t state = 99;
	for (int i = 0; i < ROWS * COLS; i++) {
		state = state * 1664525u + 1013904223u;
		w[i] = ((float)(state >> 8) / 16777216.0f - 0.4f) * 0.1f;
	}
	const int widths[4] = { 2, 3, 4, 8 };
	for (int b = 0; b < 4; b++) {
		memcpy(fake, w, sizeof w);
		rtn_quantize(w, ROWS, COLS, widths[b], G, codes, scales, zeros, NULL);
		rtn_dequantize(codes, scales, zeros, ROWS, COLS, G, back);
		ok(rtn_fake_quant(fake, ROWS, COLS, widths[b], G, NULL) == 0 &&
		   same_floats(fake, back, ROWS * COLS), "%d-bit: fake quant is bit-identical", widths[b]);
		int in_range = 1, close = 1;
		for (int i = 0; i < ROWS * COLS; i++) {
			int gi = i / G;
			in_range &= codes[i] < (1 << widths[b]);
			close &= fabsf(back[i] - w[i]) <= 0.5f * scales[gi] * 1.0001f + 1e-9f ||
				 codes[i] == 0 || codes[i] == (1 << widths[b]) - 1;
		}
		ok(in_range && close, "%d-bit: codes in range, error <= half a step", widths[b]);
	}
}

static int same_bits(float a, float b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

/* The quantizers' inline rounding against the C library's roundf, bit for bit (sign of
   zero, NaN, infinities): a sample of all float bit patterns, then every half-integer up
   to 4096 and the floats beside it, and the neighbourhood of 2^23. */
static void test_round_half_away(void)
{
	int64_t bad = 0, tried = 0;
	float first_bad = 0.0f;
	for (uint64_t u = 0; u <= UINT32_MAX; u += 97) {
		uint32_t bits = (uint32_t)u;
		float x;
		memcpy(&x, &bits, sizeof x);
		tried++;
		if (!same_bits(round_half_away(x), roundf(x)) && !(isnan(x) && isnan(round_half_away(x))))
			first_bad = bad++ ? first_bad : x;
	}
	for (int k = -8192; k <= 8192; k++) {
		float half = (float)k + 0.5f;
		float near[5] = { half, nextafterf(half, -INFINITY), nextafterf(half, INFINITY),
				  (float)k, -0.0f };
		for (int i = 0; i < 5; i++, tried++)
			if (!same_bits(round_half_away(near[i]), roundf(near[i])))
				first_bad = bad++ ? first_bad : near[i];
	}
	for (float x = 8388600.0f; x < 8388620.0f; x = nextafterf(x, INFINITY), tried++) {
		if (!same_bits(round_half_away(x), roundf(x)) ||
		    !same_bits(round_half_away(-x), roundf(-x)))
			first_bad = bad++ ? first_bad : x;
	}
	ok(bad == 0, "round_half_away equals roundf on %lld values (%lld differ, first %.9g)",
	   (long long)tried, (long long)bad, first_bad);
	ok(same_bits(round_half_away(INFINITY), INFINITY) && isnan(round_half_away(NAN)),
	   "round_half_away keeps infinity and NaN");
}

/* The branch-free dequantization the RTN error sums use, against rtn_code: random
   groups at every width, extreme and constant groups included. */
static void test_rtn_dequantized(void)
{
	uint64_t state = 12345;
	int64_t bad = 0, tried = 0;
	const int bits_of[4] = { 2, 3, 4, 8 };
	for (int trial = 0; trial < 20000; trial++) {
		float w[32];
		int kind = trial % 5;
		for (int i = 0; i < 32; i++) {
			state = state * 6364136223846793005ull + 1442695040888963407ull;
			float u = (float)((state >> 40) & 0xffffff) / 16777216.0f - 0.5f;
			w[i] = kind == 0 ? 0.05f * u : kind == 1 ? 1000.0f + u * 1e-3f :
			       kind == 2 ? 0.0f : kind == 3 ? -3.0f : 1e6f * u;
		}
		int bits = bits_of[trial % 4];
		float scale, zero, top = (float)((1 << bits) - 1);
		if (rtn_group_params(w, 32, bits, &scale, &zero) < 0)
			continue;
		for (int i = 0; i < 32; i++, tried++) {
			float want = ((float)rtn_code(w[i], scale, zero, bits) - zero) * scale;
			if (!same_bits(rtn_dequantized(w[i], scale, zero, top), want))
				bad++;
		}
	}
	ok(bad == 0, "rtn_dequantized equals (rtn_code - zero) * scale on %lld weights (%lld differ)",
	   (long long)tried, (long long)bad);
}

int main(void)
{
	test_round_half_away();
	test_rtn_dequantized();
	test_two_bit_basic();
	test_rounding_and_clamp();
	test_groups_and_rows();
	test_eight_bit();
	test_three_bit();
	test_constant_groups();
	test_far_groups();
	test_errors();
	test_pack_known();
	test_pack_round_trip();
	test_random_properties();
	return tap_done();
}
