/* quant_rtn.c: group-wise asymmetric round-to-nearest quantization and code packing. */
#include "quant_rtn.h"

#include <math.h>
#include <string.h>

#include "numeric.h"

/* Arithmetic is float32 throughout, in exactly this order, so results are bit-exact and
 * reproducible by the unit tests and by any exporter that follows the same steps:
 *
 *   min, max = true minimum and maximum of the g weights of one group (0 is NOT forced
 *              into the range, so a group of positive weights has a negative zero point)
 *   scale    = f16((max - min) / (2^b - 1))
 *   zero     = roundf(-min / scale)
 *   q        = clamp(roundf(w / scale) + zero, 0, 2^b - 1)
 *   w'       = (q - zero) * scale
 *
 * roundf rounds halfway cases away from zero (2.5 -> 3, -2.5 -> -3), as C specifies.
 * f16(x) rounds to the nearest half-precision value (ties to even): the lwq export
 * stores each group's scale and zero point as f16, so the quantizer uses exactly the
 * values that will be stored and a fake-quantized layer equals the exported one.
 *
 * Storage limits (only for groups far from the usual, documented in quant_rtn.h):
 *   - the zero point must be an integer f16 holds exactly, |zero| <= 2048. A group that
 *     lies entirely on one side of 0, far from it relative to its range (min > 0 or
 *     max < 0), gets its scale widened to |min| / 2048 when that is larger;
 *   - the scale is capped at 65504 (the largest f16) and never rounds to 0 (it becomes
 *     the smallest f16, 2^-24, for a range too small to express).
 *
 * A constant group (max == min == c) would give scale 0 and w' = 0. Instead it is stored
 * so that the same dequantization formula reproduces c, exactly when c is an f16 value
 * (every bf16 weight between 2^-14 and 65504 is):
 *   c == 0: scale 0, zero 0, q 0;   c > 0: scale f16(c), zero 0, q 1;
 *   c < 0:  scale f16(-c), zero 1, q 0.
 */

#define RTN_ZERO_LIMIT 2048.0f       /* f16 holds every integer up to 2^11 exactly */
#define F16_LARGEST 65504.0f
#define F16_SMALLEST 5.9604645e-8f   /* 2^-24, the smallest subnormal */

static float f16_round(float x)
{
	return f16_to_f32(f32_to_f16(x));
}

static int rtn_levels(int bits)
{
	return (1 << bits) - 1;
}

static int rtn_check_args(int64_t rows, int64_t cols, int bits, int g, struct lwq_err *err)
{
	if (bits != 2 && bits != 3 && bits != 4 && bits != 8)
		return lwq_err_set(err, "RTN supports 2, 3, 4 or 8 bits, not %d", bits);
	if (rows <= 0 || cols <= 0)
		return lwq_err_set(err, "RTN: empty matrix [%lld, %lld]", (long long)rows,
				   (long long)cols);
	if (g <= 0 || cols % g != 0)
		return lwq_err_set(err, "group size %d does not divide the row length %lld",
				   g, (long long)cols);
	return 0;
}

static void rtn_constant_group(float c, float *scale, float *zero)
{
	*scale = f16_round(fminf(fabsf(c), F16_LARGEST));
	*zero = c < 0 && *scale > 0.0f ? 1.0f : 0.0f;
}

int rtn_group_params(const float *w, int g, int bits, float *scale, float *zero)
{
	float lo = w[0], hi = w[0];
	for (int i = 0; i < g; i++) {
		if (!isfinite(w[i]))
			return -1;
		if (w[i] < lo)
			lo = w[i];
		if (w[i] > hi)
			hi = w[i];
	}
	if (hi == lo) {
		rtn_constant_group(lo, scale, zero);
		return 0;
	}
	float step = (hi - lo) / (float)rtn_levels(bits);
	if (lo > 0.0f || hi < 0.0f)
		step = fmaxf(step, fabsf(lo) / RTN_ZERO_LIMIT);
	*scale = f16_round(fminf(step, F16_LARGEST));
	if (*scale == 0.0f)
		*scale = F16_SMALLEST;
	float z = round_half_away(-lo / *scale) + 0.0f; /* + 0 turns -0 into +0 */
	*zero = fminf(fmaxf(z, -RTN_ZERO_LIMIT), RTN_ZERO_LIMIT);
	return 0;
}

static int rtn_bad_value(int64_t r, int64_t c0, struct lwq_err *err)
{
	return lwq_err_set(err, "RTN: non-finite weight in row %lld, columns %lld..", (long long)r,
			   (long long)c0);
}

int rtn_quantize(const float *w, int64_t rows, int64_t cols, int bits, int g,
		 uint8_t *codes, float *scales, float *zeros, struct lwq_err *err)
{
	if (rtn_check_args(rows, cols, bits, g, err) < 0)
		return -1;
	int64_t groups_per_row = cols / g;
	for (int64_t r = 0; r < rows; r++) {
		for (int64_t k = 0; k < groups_per_row; k++) {
			int64_t at = r * cols + k * g, gi = r * groups_per_row + k;
			if (rtn_group_params(w + at, g, bits, &scales[gi], &zeros[gi]) < 0)
				return rtn_bad_value(r, k * g, err);
			for (int i = 0; i < g; i++)
				codes[at + i] = rtn_code(w[at + i], scales[gi], zeros[gi], bits);
		}
	}
	return 0;
}

void rtn_dequantize(const uint8_t *codes, const float *scales, const float *zeros,
		    int64_t rows, int64_t cols, int g, float *w)
{
	int64_t groups_per_row = cols / g;
	for (int64_t r = 0; r < rows; r++)
		for (int64_t c = 0; c < cols; c++) {
			int64_t gi = r * groups_per_row + c / g;
			w[r * cols + c] = ((float)codes[r * cols + c] - zeros[gi]) * scales[gi];
		}
}

int rtn_fake_quant(float *w, int64_t rows, int64_t cols, int bits, int g, struct lwq_err *err)
{
	if (rtn_check_args(rows, cols, bits, g, err) < 0)
		return -1;
	int64_t n_groups = rows * (cols / g);
	for (int64_t gi = 0; gi < n_groups; gi++) {
		float *group = w + gi * g, scale, zero;
		if (rtn_group_params(group, g, bits, &scale, &zero) < 0)
			return rtn_bad_value(gi / (cols / g), (gi % (cols / g)) * g, err);
		for (int i = 0; i < g; i++) {
			uint8_t q = rtn_code(group[i], scale, zero, bits);
			group[i] = ((float)q - zero) * scale;
		}
	}
	return 0;
}

/* Code i occupies bits [i*bits, (i+1)*bits) of a little-endian bit stream: the first
   code sits in the lowest bits of byte 0, and a code may straddle two bytes (3 bits). */
size_t pack_codes(const uint8_t *codes, size_t n, int bits, uint8_t *out)
{
	size_t n_bytes = (n * (size_t)bits + 7) / 8;
	memset(out, 0, n_bytes);
	unsigned mask = (1u << bits) - 1u;
	size_t pos = 0;
	for (size_t i = 0; i < n; i++, pos += (size_t)bits) {
		unsigned v = (codes[i] & mask) << (pos % 8);
		out[pos / 8] |= (uint8_t)(v & 0xffu);
		if (v >> 8)
			out[pos / 8 + 1] |= (uint8_t)(v >> 8);
	}
	return n_bytes;
}

void unpack_codes(const uint8_t *packed, size_t n, int bits, uint8_t *codes)
{
	size_t n_bytes = (n * (size_t)bits + 7) / 8;
	unsigned mask = (1u << bits) - 1u;
	size_t pos = 0;
	for (size_t i = 0; i < n; i++, pos += (size_t)bits) {
		size_t at = pos / 8;
		unsigned v = packed[at];
		if (at + 1 < n_bytes)
			v |= (unsigned)packed[at + 1] << 8;
		codes[i] = (uint8_t)((v >> (pos % 8)) & mask);
	}
}
