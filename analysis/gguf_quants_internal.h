/* gguf_quants_internal.h: helpers shared by the 32-element and the K-quant block codecs. */
#ifndef LWQ_GGUF_QUANTS_INTERNAL_H
#define LWQ_GGUF_QUANTS_INTERNAL_H

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
	if (!(v > (float)lo))
		return lo;
	if (v > (float)hi)
		return hi;
	return (int)lrintf(v);
}

/* The f32 value of f16(v): scales are chosen with the precision they are stored in. */
static inline float as_stored_f16(float v)
{
	return f16_to_f32(f32_to_f16(v));
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
