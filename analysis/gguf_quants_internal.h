/* gguf_quants_internal.h: helpers shared by the 32-element and the K-quant block codecs. */
#ifndef LWQ_GGUF_QUANTS_INTERNAL_H
#define LWQ_GGUF_QUANTS_INTERNAL_H

#include <float.h>
#include <math.h>
#include <stdint.h>

#include "numeric.h"

/* Blocks are byte arrays written field by field, so the layout is the same on any host;
   half floats are stored little-endian. */
static inline void put_f16(uint8_t *p, uint16_t h)
{
	p[0] = (uint8_t)(h & 0xff);
	p[1] = (uint8_t)(h >> 8);
}

static inline float get_f16(const uint8_t *p)
{
	return f16_to_f32((uint16_t)(p[0] | (p[1] << 8)));
}

/* Rounds v to the nearest integer (ties to even) and clamps it to [lo, hi]; NaN -> lo. */
static inline int round_clamp(float v, int lo, int hi)
{
	/* Clamp first (comparisons, no branches: NaN goes to lo), then round; the block fits
	   call this 27 times per weight, where a branch that mispredicts and a call to lrintf
	   cost more than the arithmetic. Adding and taking away 1.5 * 2^23 rounds to the
	   nearest integer, ties to even, exactly as lrintf does in the default rounding mode,
	   for |v| < 2^22 (the levels are far below) -- when float arithmetic is done in float
	   (FLT_EVAL_METHOD 0; x87 keeps more bits, so it takes lrintf). */
	v = v > (float)lo ? v : (float)lo;
	v = v < (float)hi ? v : (float)hi;
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
	return (int)((v + 12582912.0f) - 12582912.0f);
#else
	return (int)lrintf(v);
#endif
}

/* The f32 value of f16(v): scales are chosen with the precision they are stored in. */
static inline float as_stored_f16(float v)
{
	return f16_to_f32(f32_to_f16(v));
}

/* Value e's 2-bit field in the qs of Q2_K/Q3_K: in each 128-value half h, byte 32h + l
   holds values 128h + l + 32k at bits 2k (k = 0..3). */
static inline int get_2bit(const uint8_t *qs, int e)
{
	return (qs[32 * (e / 128) + e % 32] >> (2 * ((e % 128) / 32))) & 3;
}

/* 6-bit scale and min of sub-block j (0..7) in the 12 bytes of Q4_K/Q5_K: j < 4 in the
   low 6 bits of bytes j and j + 4; j >= 4 as nibbles of byte j + 4 with the top two bits
   in the high bits of bytes j - 4 (scale) and j (min). */
static inline void get_scale_min_k4(const uint8_t *s, int j, int *sc, int *m)
{
	if (j < 4) {
		*sc = s[j] & 63;
		*m = s[j + 4] & 63;
	} else {
		*sc = (s[j + 4] & 0x0f) | (s[j - 4] >> 6) << 4;
		*m = (s[j + 4] >> 4) | (s[j] >> 6) << 4;
	}
}

/* Value e's nibble in the qs of Q4_K/Q5_K: in each 64-value chunk c, byte 32c + l holds
   value 64c + l in the low nibble and 64c + 32 + l in the high nibble. */
static inline int get_nibble_k(const uint8_t *qs, int e)
{
	return (qs[32 * (e / 64) + e % 32] >> (e % 64 < 32 ? 0 : 4)) & 0x0f;
}

/* The stored 6-bit level (scale + 32) of Q3_K sub-block j in its 12 scale bytes s: low
   nibble in byte j (j < 8) or the high nibble of byte j - 8, top two bits at bit
   2 (j / 4) of byte 8 + j % 4. */
static inline int q3_k_scale(const uint8_t *s, int j)
{
	return ((s[j % 8] >> (j < 8 ? 0 : 4)) & 0x0f) | ((s[8 + j % 4] >> (2 * (j / 4))) & 3) << 4;
}

void quantize_q2_k(const float *x, const float *w, uint8_t *block);
void quantize_q3_k(const float *x, const float *w, uint8_t *block);
void quantize_q4_k(const float *x, const float *w, uint8_t *block);
void quantize_q5_k(const float *x, const float *w, uint8_t *block);
void quantize_q6_k(const float *x, const float *w, uint8_t *block);
void dequantize_q2_k(const uint8_t *block, float *y);
void dequantize_q3_k(const uint8_t *block, float *y);
void dequantize_q4_k(const uint8_t *block, float *y);
void dequantize_q5_k(const uint8_t *block, float *y);
void dequantize_q6_k(const uint8_t *block, float *y);

#endif
