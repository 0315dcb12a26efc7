/* numeric.c: half-precision conversions written from the IEEE 754 and bfloat16 definitions. */
#include "numeric.h"

#include <math.h>
#include <string.h>

static const char *const dtype_names[DT_COUNT] = { "f32", "f16", "bf16" };

const char *dtype_name(enum dtype dt)
{
	return (dt >= 0 && dt < DT_COUNT) ? dtype_names[dt] : "?";
}

int dtype_from_name(const char *name)
{
	for (int i = 0; i < DT_COUNT; i++)
		if (strcmp(name, dtype_names[i]) == 0)
			return i;
	return -1;
}

size_t dtype_size(enum dtype dt)
{
	return dt == DT_F32 ? 4 : 2;
}

static float bits_to_f32(uint32_t u)
{
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

static uint32_t f32_to_bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	return u;
}

float bf16_to_f32(uint16_t h)
{
	return bits_to_f32((uint32_t)h << 16);
}

uint16_t f32_to_bf16(float f)
{
	uint32_t u = f32_to_bits(f);
	if (isnan(f))
		return (uint16_t)((u >> 16) | 0x40);
	u += 0x7fff + ((u >> 16) & 1);
	return (uint16_t)(u >> 16);
}

float f16_to_f32(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16;
	uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
	if (exp == 0) {
		/* zero or subnormal: mant * 2^-24 */
		float v = (float)mant * 5.9604644775390625e-8f;
		return sign ? -v : v;
	}
	if (exp == 31)
		return bits_to_f32(sign | 0x7f800000u | (mant << 13));
	return bits_to_f32(sign | ((exp + 112) << 23) | (mant << 13));
}

uint16_t f32_to_f16(float f)
{
	uint32_t u = f32_to_bits(f);
	uint16_t sign = (uint16_t)((u >> 16) & 0x8000);
	float a = fabsf(f);
	if (isnan(f))
		return sign | 0x7e00;
	if (a >= 65520.0f)
		return sign | 0x7c00;
	if (a < 6.103515625e-05f) {
		/* subnormal range: round a / 2^-24 to nearest even */
		float q = a * 16777216.0f;
		return sign | (uint16_t)lrintf(q);
	}
	uint32_t au = f32_to_bits(a);
	uint32_t mant = au & 0x7fffff;
	uint32_t exp = (au >> 23) - 112;
	uint32_t h = (exp << 10) | (mant >> 13);
	uint32_t rest = mant & 0x1fff;
	if (rest > 0x1000 || (rest == 0x1000 && (h & 1)))
		h++;
	return sign | (uint16_t)h;
}

void convert_to_f32(enum dtype dt, const void *src, float *dst, size_t n)
{
	const uint16_t *h = src;
	switch (dt) {
	case DT_F32: memcpy(dst, src, n * sizeof *dst); break;
	case DT_F16: for (size_t i = 0; i < n; i++) dst[i] = f16_to_f32(h[i]); break;
	case DT_BF16: for (size_t i = 0; i < n; i++) dst[i] = bf16_to_f32(h[i]); break;
	default: break;
	}
}
