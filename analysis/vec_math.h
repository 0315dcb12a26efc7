/* vec_math.h: the element-wise loops of the forward pass (exp, softmax pieces, SiLU) in SIMD. */
#ifndef LWQ_VEC_MATH_H
#define LWQ_VEC_MATH_H

/* exp(x) in f32 for x in [-87, 88] (clamped outside), relative error below 3e-7: the
   Cephes expf polynomial, evaluated 4 lanes at a time. */
float exp_approx(float x);

/* v[i] = exp(v[i] - shift) for n values; returns their sum. */
float exp_shifted_sum(float *v, int n, float shift);
/* Sum of v[i]^2 in double: 8 running sums (lane k adds v[k], v[k+8], ...) added in
   lane order, then the remainder in order; the same bits on every machine. */
double sum_squares(const float *v, int n);
/* Largest of n >= 1 values. */
float max_of(const float *v, int n);
/* out[i] = w[i] * (x[i] * s); out may be x */
void weighted_scale(float *out, const float *x, const float *w, float s, int n);
/* v[i] *= s */
void scale_in_place(float *v, int n, float s);
/* g[i] = silu(g[i]) * u[i] = g[i] / (1 + exp(-g[i])) * u[i] */
void silu_mul_in_place(float *g, const float *u, int n);

#endif
