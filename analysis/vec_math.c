/* vec_math.c: the element-wise loops of the forward pass (exp, softmax pieces, SiLU) in SIMD.
 *
 * Softmax and SiLU call exp hundreds of millions of times per evaluation; libm's expf
 * one value at a time took as long as the attention matrix products. GNU C vector
 * types (GCC, Clang) run the same polynomial 16 lanes at a time, built for AVX-512, AVX2
 * and plain x86-64 and picked at load time on x86-64; other compilers get the scalar
 * loop. Every lane does the same operations as the scalar code (ISO C mode contracts no
 * multiply-add), and sums are accumulated 4 lanes at a time in a fixed order, so results
 * are the same bit for bit on every machine and whichever version runs. */
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
#define LANES 4                 /* the accumulators of sums */
#define WIDE 16                 /* the exponentials and products */
typedef float vfloat __attribute__((vector_size(4 * LANES)));
typedef int32_t vint __attribute__((vector_size(4 * LANES)));
typedef float vwide __attribute__((vector_size(4 * WIDE)));
typedef int32_t vwint __attribute__((vector_size(4 * WIDE)));

#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define MULTI_TARGET __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif

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

/* GCC warns that a 64-byte vector return changes the ABI without AVX-512; these
   helpers are static and inlined, so no call ever crosses that ABI. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

static vwide wload(const float *p)
{
	vwide v;
	memcpy(&v, p, sizeof v);
	return v;
}

static void wstore(float *p, vwide v)
{
	memcpy(p, &v, sizeof v);
}

/* mask ? a : b, lane by lane (mask lanes are all ones or all zeros), for either width */
#define VSELECT(VF, VI, mask, a, b) ((VF)(((VI)(a) & (mask)) | ((VI)(b) & ~(mask))))

/* exp_approx lane by lane, for either width. */
#define DEFINE_VEXP(name, VF, VI)                                                      \
	__attribute__((always_inline)) static inline VF name(VF x)                     \
	{                                                                               \
		x = VSELECT(VF, VI, x < (VF){ 0 } + EXP_LO, (VF){ 0 } + EXP_LO, x);      \
		x = VSELECT(VF, VI, x > (VF){ 0 } + EXP_HI, (VF){ 0 } + EXP_HI, x);      \
		VF n = (x * LOG2E + ROUND_MAGIC) - ROUND_MAGIC;                         \
		VF r = (x - n * LN2_HI) - n * LN2_LO;                                   \
		VF p = ((((P0 * r + P1) * r + P2) * r + P3) * r + P4) * r + P5;         \
		VF y = p * (r * r) + r + 1.0f;                                          \
		VI bits = (__builtin_convertvector(n, VI) + 127) << 23;                 \
		return y * (VF)bits;                                                    \
	}
DEFINE_VEXP(vexp, vfloat, vint)
DEFINE_VEXP(wexp, vwide, vwint)

/* Lanes 4q .. 4q+3 of a wide vector (q a constant). */
#if defined(__has_builtin)
#if __has_builtin(__builtin_shufflevector)
#define QUARTER(w, q) __builtin_shufflevector(w, w, 4 * (q), 4 * (q) + 1, 4 * (q) + 2, 4 * (q) + 3)
#endif
#endif
#ifndef QUARTER
#define QUARTER(w, q) ((vfloat){ (w)[4 * (q)], (w)[4 * (q) + 1], (w)[4 * (q) + 2], (w)[4 * (q) + 3] })
#endif

typedef float vfloat8 __attribute__((vector_size(32)));
typedef double vdouble __attribute__((vector_size(64)));

static vfloat8 vload8(const float *p)
{
	vfloat8 v;
	memcpy(&v, p, sizeof v);
	return v;
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
#ifndef MULTI_TARGET
#define MULTI_TARGET
#endif

MULTI_TARGET float exp_shifted_sum(float *v, int n, float shift)
{
	float sum = 0;
	int i = 0;
#if LANES > 1
	vfloat acc = vsplat(0);
	for (; i + WIDE <= n; i += WIDE) {
		vwide e = wexp(wload(v + i) - shift);
		wstore(v + i, e);
		/* the 4-lane loop's order, with the pieces taken from the register:
		   reloading them from the wide store would stall store forwarding */
		acc += QUARTER(e, 0);
		acc += QUARTER(e, 1);
		acc += QUARTER(e, 2);
		acc += QUARTER(e, 3);
	}
	for (; i + LANES <= n; i += LANES) {
		vfloat e = vexp(vload(v + i) - shift);
		vstore(v + i, e);
		acc += e;
	}
	sum = vsum(acc);
	if (i < n) {
		/* the last 1..3 values in one padded vector (a causal softmax row ends in
		   such a tail every time), still added one by one in order */
		float tail[LANES] = { 0 };
		memcpy(tail, v + i, (size_t)(n - i) * sizeof *tail);
		vfloat e = vexp(vload(tail) - shift);
		for (int k = 0; i < n; i++, k++) {
			v[i] = e[k];
			sum += v[i];
		}
	}
#endif
	for (; i < n; i++) {
		v[i] = exp_approx(v[i] - shift);
		sum += v[i];
	}
	return sum;
}

/* 8 running sums in double, lane k taking values k, k + 8, ...; added up in lane order,
   then the remainder one by one. Squares of f32 values are exact in double. */
MULTI_TARGET double sum_squares(const float *v, int n)
{
	double sum = 0;
	int i = 0;
	if (n >= 8) {
#if LANES > 1
		vdouble acc = { 0 };
		for (; i + 8 <= n; i += 8) {
			vdouble d = __builtin_convertvector(vload8(v + i), vdouble);
			acc += d * d;
		}
#else
		double acc[8] = { 0 };
		for (; i + 8 <= n; i += 8)
			for (int k = 0; k < 8; k++)
				acc[k] += (double)v[i + k] * v[i + k];
#endif
		for (int k = 0; k < 8; k++)
			sum += acc[k];
	}
	for (; i < n; i++)
		sum += (double)v[i] * v[i];
	return sum;
}

MULTI_TARGET float max_of(const float *v, int n)
{
	float m = v[0];
	int i = 0;
#if LANES > 1
	/* the maximum is the same in any order (a NaN after v[0] is never picked) */
	if (n >= WIDE) {
		vwide wm = wload(v);
		for (i = WIDE; i + WIDE <= n; i += WIDE) {
			vwide x = wload(v + i);
			wm = VSELECT(vwide, vwint, x > wm, x, wm);
		}
		for (int k = 0; k < WIDE; k++)
			m = wm[k] > m ? wm[k] : m;
	}
#endif
	for (; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

MULTI_TARGET void scale_in_place(float *v, int n, float s)
{
	int i = 0;
#if LANES > 1
	for (; i + WIDE <= n; i += WIDE)
		wstore(v + i, wload(v + i) * s);
	for (; i + LANES <= n; i += LANES)
		vstore(v + i, vload(v + i) * s);
#endif
	for (; i < n; i++)
		v[i] *= s;
}

MULTI_TARGET void weighted_scale(float *out, const float *x, const float *w, float s, int n)
{
	int i = 0;
#if LANES > 1
	for (; i + WIDE <= n; i += WIDE)
		wstore(out + i, wload(w + i) * (wload(x + i) * s));
#endif
	for (; i < n; i++)
		out[i] = w[i] * (x[i] * s);
}

MULTI_TARGET void silu_mul_in_place(float *g, const float *u, int n)
{
	int i = 0;
#if LANES > 1
	for (; i + WIDE <= n; i += WIDE) {
		vwide x = wload(g + i);
		wstore(g + i, x / (1.0f + wexp(-x)) * wload(u + i));
	}
	for (; i + LANES <= n; i += LANES) {
		vfloat x = vload(g + i);
		vstore(g + i, x / (1.0f + vexp(-x)) * vload(u + i));
	}
#endif
	for (; i < n; i++)
		g[i] = g[i] / (1.0f + exp_approx(-g[i])) * u[i];
}
