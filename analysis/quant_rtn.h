/* quant_rtn.h: group-wise asymmetric round-to-nearest quantization (docs/method.md section 4). */
#ifndef LWQ_QUANT_RTN_H
#define LWQ_QUANT_RTN_H

#include <stddef.h>
#include <stdint.h>

#include "numeric.h"

#include "status.h"

/* Quantizes then dequantizes a row-major [rows, cols] matrix in place at `bits`
   (2, 3, 4, 8), groups of g consecutive weights along each row. g must divide cols. */
int rtn_fake_quant(float *w, int64_t rows, int64_t cols, int bits, int g, struct lwq_err *err);

/* Quantizes to codes (one uint8 per weight, unpacked) plus per-group scale and zero.
   scales/zeros have rows * (cols / g) entries. Every scale and zero is an f16 value
   (the scale is rounded to half precision, the zero is an integer of at most 2048), so
   storing them as f16 (lwq export) loses nothing and rtn_fake_quant equals
   rtn_dequantize of the stored form bit for bit. */
int rtn_quantize(const float *w, int64_t rows, int64_t cols, int bits, int g,
		 uint8_t *codes, float *scales, float *zeros, struct lwq_err *err);
void rtn_dequantize(const uint8_t *codes, const float *scales, const float *zeros,
		    int64_t rows, int64_t cols, int g, float *w);

/* One group's grid: the scale and zero point of g weights at `bits`, as rtn_quantize
   fits them (GPTQ fits its groups with the same rule); -1 when the group holds a NaN or
   an infinity. rtn_code rounds one weight onto that grid; (code - zero) * scale is its
   value. */
int rtn_group_params(const float *w, int g, int bits, float *scale, float *zero);
static inline uint8_t rtn_code(float w, float scale, float zero, int bits)
{
	/* inline: it runs once per weight per width, and the call cost as much as the work */
	if (scale == 0.0f)
		return 0;
	float q = round_half_away(w / scale) + zero;
	float top = (float)((1 << bits) - 1);
	if (q < 0.0f)
		q = 0.0f;
	if (q > top)
		q = top;
	return (uint8_t)q;
}

/* The value a weight comes back as, ((float)rtn_code(w, scale, zero, bits) - zero) * scale,
   bit for bit, for w finite and top = 2^bits - 1, written without branches so the
   compiler can run it on several weights at once: w / scale is clamped to +-2^23 first
   (which changes no code: anything that far out clamps to 0 or top anyway, and a 0/0 of a
   zero group becomes a code of 0 as in rtn_code), and below 2^23 the truncating cast and
   the halfway test give roundf. */
static inline float rtn_dequantized(float w, float scale, float zero, float top)
{
	/* comparisons rather than fminf/fmaxf: those are library calls, and NaN must go low */
	float x = w / scale;
	x = x > -8388608.0f ? x : -8388608.0f;
	x = x < 8388608.0f ? x : 8388608.0f;
	float t = (float)(int32_t)x, r = x - t;
	t += (float)((r >= 0.5f) - (r <= -0.5f));
	float q = t + zero;
	q = q > 0.0f ? q : 0.0f;
	q = q < top ? q : top;
	return (q - zero) * scale;
}

/* Packs n codes of `bits` bits little-endian into ceil(n*bits/8) bytes, and back. */
size_t pack_codes(const uint8_t *codes, size_t n, int bits, uint8_t *out);
void unpack_codes(const uint8_t *packed, size_t n, int bits, uint8_t *codes);

#endif
