/* numeric.h: storage dtypes and their conversion to f32 compute. */
#ifndef LWQ_NUMERIC_H
#define LWQ_NUMERIC_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

enum dtype { DT_F32, DT_F16, DT_BF16, DT_COUNT };

/* "f32", "f16", "bf16" */
const char *dtype_name(enum dtype dt);
/* Parses a dtype name; -1 when unknown. */
int dtype_from_name(const char *name);
size_t dtype_size(enum dtype dt);

float bf16_to_f32(uint16_t h);
float f16_to_f32(uint16_t h);
/* Round to nearest even, as PyTorch and ggml do. */
uint16_t f32_to_bf16(float f);
uint16_t f32_to_f16(float f);

/* roundf (halfway cases away from zero) without the library call, bit-identical to it
   including the sign of zero: the quantizers round every weight, and the call costs more
   than the rest of the step. Below 2^23 the cast truncates exactly and x - trunc(x) is
   exact; from 2^23 on every float is an integer (and inf, NaN go to roundf). */
static inline float round_half_away(float x)
{
	if (!(x < 8388608.0f && x > -8388608.0f))
		return roundf(x);
	float t = (float)(int32_t)x, r = x - t;
	/* no branches: random weights would mispredict half of them */
	t += (float)((r >= 0.5f) - (r <= -0.5f));
	return copysignf(t, x);
}

/* Converts n values of dtype `dt` at src into f32 at dst. */
void convert_to_f32(enum dtype dt, const void *src, float *dst, size_t n);

#endif
