/* vec_math.c: the element-wise loops of the forward pass (exp, softmax pieces, SiLU) in SIMD.
 *
 * Softmax and SiLU call exp hundreds of millions of times per evaluation; libm's expf
 * one value at a time took as long as the attention matrix products. GNU C vector
 * types (GCC, Clang) run the same polynomial 4 lanes at a time on any target; other
 * compilers get the scalar loop. */
#include "vec_math.h"

#include <stdint.h>
#include <string.h>

#define EXP_LO (-87.0f)
#define EXP_HI 88.0f
#define LOG2E 1.44269504088896341f
#define ROUND_MAGIC 12582912.0f        /* 1.5 * 2^23: adding it rounds to an integer */
#define LN2_HI 0.693359375f            /* ln 2 split in two for an exact reduction */
#define LN2_LO (-2.12194440e-4f)
#define P0 1.9875691500e-4f
#define P1 1.3981999507e-3f
#define P2 8.3334519073e-3f
#define P3 4.1665795894e-2f
#define P4 1.6666665459e-1f
#define P5 5.0000001201e-1f

float exp_approx(float x)
{
	if (x != x)
		return x;
	x = x < EXP_LO ? EXP_LO : x > EXP_HI ? EXP_HI : x;
	/* x = n ln2 + r with |r| <= ln2 / 2, exp(x) = 2^n exp(r) */
	float n = (x * LOG2E + ROUND_MAGIC) - ROUND_MAGIC;
	float r = (x - n * LN2_HI) - n * LN2_LO;
	float p = ((((P0 * r + P1) * r + P2) * r + P3) * r + P4) * r + P5;
	float y = p * (r * r) + r + 1.0f;
	int32_t bits = ((int32_t)n + 127) * (1 << 23);
	float scale;
	memcpy(&scale, &bits, sizeof scale);
	return y * scale;
}

#if defined(__GNUC__)
#define LANES 4
typedef float vfloat __attribute__((vector_size(4 * LANES)));
typedef int32_t vint __attribute__((vector_size(4 * LANES)));

static vfloat vload(const float *p)
{
	vfloat v;
	memcpy(&v, p, sizeof v);
	return v;
}

static void vstore(float *p, vfloat v)
{
	memcpy(p, &v, sizeof v);
}

static vfloat vsplat(float x)
{
	return (vfloat){ 0 } + x;
}

/* mask ? a : b, lane by lane (mask lanes are all ones or all zeros) */
static vfloat vselect(vint mask, vfloat a, vfloat b)
{
	return (vfloat)(((vint)a & mask) | ((vint)b & ~mask));
}

__attribute__((always_inline)) static inline vfloat vexp(vfloat x)
{
	x = vselect(x < vsplat(EXP_LO), vsplat(EXP_LO), x);
	x = vselect(x > vsplat(EXP_HI), vsplat(EXP_HI), x);
	vfloat n = (x * LOG2E + ROUND_MAGIC) - ROUND_MAGIC;
	vfloat r = (x - n * LN2_HI) - n * LN2_LO;
	vfloat p = ((((P0 * r + P1) * r + P2) * r + P3) * r + P4) * r + P5;
	vfloat y = p * (r * r) + r + 1.0f;
	vint bits = (__builtin_convertvector(n, vint) + 127) << 23;
	return y * (vfloat)bits;
}

static float vsum(vfloat v)
{
	float s = 0;
	for (int i = 0; i < LANES; i++)
		s += v[i];
	return s;
}
#else
#define LANES 1
#endif

float exp_shifted_sum(float *v, int n, float shift)
{
	float sum = 0;
	int i = 0;
#if LANES > 1
	vfloat acc = vsplat(0);
	for (; i + LANES <= n; i += LANES) {
		vfloat e = vexp(vload(v + i) - shift);
		vstore(v + i, e);
		acc += e;
	}
	sum = vsum(acc);
#endif
	for (; i < n; i++) {
		v[i] = exp_approx(v[i] - shift);
		sum += v[i];
	}
	return sum;
}

float max_of(const float *v, int n)
{
	float m = v[0];
	int i = 0;
#if LANES > 1
	if (n >= LANES) {
		vfloat vm = vload(v);
		for (i = LANES; i + LANES <= n; i += LANES) {
			vfloat x = vload(v + i);
			vm = vselect(x > vm, x, vm);
		}
		for (int k = 0; k < LANES; k++)
			m = vm[k] > m ? vm[k] : m;
	}
#endif
	for (; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

void scale_in_place(float *v, int n, float s)
{
	int i = 0;
#if LANES > 1
	for (; i + LANES <= n; i += LANES)
		vstore(v + i, vload(v + i) * s);
#endif
	for (; i < n; i++)
		v[i] *= s;
}

void silu_mul_in_place(float *g, const float *u, int n)
{
	int i = 0;
#if LANES > 1
	for (; i + LANES <= n; i += LANES) {
		vfloat x = vload(g + i);
		vstore(g + i, x / (1.0f + vexp(-x)) * vload(u + i));
	}
#endif
	for (; i < n; i++)
		g[i] = g[i] / (1.0f + exp_approx(-g[i])) * u[i];
}
