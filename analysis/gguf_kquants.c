/* gguf_kquants.c: the K-quant super-block formats Q2_K, Q3_K, Q4_K, Q5_K, Q6_K (256 values).
 *
 * Each super-block holds 16 sub-blocks of 16 values (Q2_K, Q3_K, Q6_K) or 8 of 32
 * (Q4_K, Q5_K). A sub-block has its own scale (and, for the asymmetric Q2_K/Q4_K/Q5_K,
 * its own min), themselves quantized against one f16 super-scale d (and dmin).
 * Dequantization follows ggml's definitions exactly. Quantization is lwq's own search:
 * per sub-block a few candidate step sizes, each refined by least squares, keeping the
 * one of least squared error; then the sub-block scales are rounded to their stored
 * precision and every value is re-rounded against the stored scale. With importance
 * weights w (one per value, e.g. the mean x^2 of the input column it multiplies), the
 * least squares and the error are weighted: sum w (y - x)^2. Without (w NULL) every
 * weight is 1 and the arithmetic is the unweighted one, bit for bit.
 */
#include <float.h>
#include <string.h>

#include "gguf_quants.h"
#include "gguf_quants_internal.h"

#define CANDIDATES 9            /* step sizes tried per sub-block */

/* ---- per sub-block fits ---- */

/* Asymmetric fit x ~ scale * q - mn with q in [0, nmax], scale >= 0, mn >= 0 (the
   offset is never positive, as the K formats store it as a subtracted min). */
static float weight_at(const float *w, int i)
{
	return w ? w[i] : 1.0f;
}

static void fit_scale_min(const float *x, const float *w, int n, int nmax, float *scale,
			  float *mn)
{
	float lo = x[0], hi = x[0];
	for (int i = 1; i < n; i++) {
		lo = fminf(lo, x[i]);
		hi = fmaxf(hi, x[i]);
	}
	lo = fminf(lo, 0.0f);
	*scale = 0.0f;
	*mn = -lo;
	if (!(hi > lo))
		return;
	float best = FLT_MAX;
	for (int c = 0; c < CANDIDATES; c++) {
		/* steps from (hi-lo)/(nmax+1) to (hi-lo)/(nmax-1): clipping the extremes a
		   little often lowers the error of the rest */
		float s = (hi - lo) / ((float)nmax + 1.0f - 2.0f * (float)c / (CANDIDATES - 1));
		float off = lo;
		for (int pass = 0; pass < 2; pass++) {
			double sw = 0, sq = 0, sqq = 0, sx = 0, sxq = 0;
			for (int i = 0; i < n; i++) {
				float q = (float)round_clamp((x[i] - off) / s, 0, nmax);
				double wi = weight_at(w, i);
				sw += wi;
				sq += wi * q, sqq += wi * q * q, sx += wi * x[i], sxq += wi * x[i] * q;
			}
			double det = sw * sqq - sq * sq;
			if (det <= 0)
				break;
			double ns = (sw * sxq - sq * sx) / det, noff = (sx - ns * sq) / sw;
			if (noff > 0) { /* the offset must stay <= 0 */
				noff = 0;
				ns = sxq / sqq;
			}
			if (!(ns > 0))
				break;
			s = (float)ns, off = (float)noff;
		}
		float err = 0;
		for (int i = 0; i < n; i++) {
			float e = s * (float)round_clamp((x[i] - off) / s, 0, nmax) + off - x[i];
			err += weight_at(w, i) * e * e;
		}
		if (err < best) {
			best = err;
			*scale = s;
			*mn = -off;
		}
	}
}

/* Symmetric fit x ~ scale * q with q in [-nmax, nmax - 1]; the scale may be negative so
   that the value of largest magnitude can use the extra level at -nmax. */
static float fit_scale_signed(const float *x, const float *w, int n, int nmax)
{
	float amax = 0, top = 0;
	for (int i = 0; i < n; i++)
		if (fabsf(x[i]) > amax) {
			amax = fabsf(x[i]);
			top = x[i];
		}
	if (amax == 0)
		return 0;
	float best = FLT_MAX, best_s = top / (float)-nmax;
	for (int c = 0; c < CANDIDATES; c++) {
		float s = top / -((float)nmax + 0.5f - (float)c / (CANDIDATES - 1));
		double sqq = 0, sxq = 0;
		for (int i = 0; i < n; i++) {
			float q = (float)round_clamp(x[i] / s, -nmax, nmax - 1);
			double wi = weight_at(w, i);
			sqq += wi * q * q, sxq += wi * x[i] * q;
		}
		if (sqq > 0)
			s = (float)(sxq / sqq);
		float err = 0;
		for (int i = 0; i < n; i++) {
			float e = s * (float)round_clamp(x[i] / s, -nmax, nmax - 1) - x[i];
			err += weight_at(w, i) * e * e;
		}
		if (err < best) {
			best = err;
			best_s = s;
		}
	}
	return best_s;
}

/* ---- shared super-block steps ---- */

/* Rounds sub-block scales to integers in [lo, hi] against a super-scale chosen so that
   `extreme` (the scale of largest magnitude) maps to `extreme_level`. Returns d. */
static float quantize_scales(const float *v, int n, float extreme, float extreme_level,
			     int lo, int hi, int *levels)
{
	float d = as_stored_f16(extreme / extreme_level);
	for (int j = 0; j < n; j++)
		levels[j] = d != 0.0f ? round_clamp(v[j] / d, lo, hi) : 0;
	return d;
}

static float max_of(const float *v, int n)
{
	float m = 0;
	for (int j = 0; j < n; j++)
		m = fmaxf(m, v[j]);
	return m;
}

static float signed_max_of(const float *v, int n)
{
	float m = 0;
	for (int j = 0; j < n; j++)
		if (fabsf(v[j]) > fabsf(m))
			m = v[j];
	return m;
}

/* Asymmetric super-block (Q2_K: 16 x 16, 4-bit levels; Q4_K/Q5_K: 8 x 32, 6-bit):
   fills codes L[256] in [0, nmax] and the scale/min levels; returns d and dmin. */
static void asym_superblock(const float *x, const float *w, int sub, int nmax,
			    int level_max, uint8_t *L, int *sc, int *mq, float *d, float *dmin)
{
	float scales[16] = { 0 }, mins[16] = { 0 };
	int nsub = GGUF_QK_K / sub;
	for (int j = 0; j < nsub; j++)
		fit_scale_min(x + j * sub, w ? w + j * sub : NULL, sub, nmax, &scales[j], &mins[j]);
	*d = quantize_scales(scales, nsub, max_of(scales, nsub), (float)level_max, 0,
			     level_max, sc);
	*dmin = quantize_scales(mins, nsub, max_of(mins, nsub), (float)level_max, 0,
				level_max, mq);
	for (int j = 0; j < nsub; j++) {
		float dl = *d * (float)sc[j], ml = *dmin * (float)mq[j];
		for (int i = 0; i < sub; i++)
			L[j * sub + i] = (uint8_t)(dl != 0.0f ?
				round_clamp((x[j * sub + i] + ml) / dl, 0, nmax) : 0);
	}
}

/* Symmetric super-block of 16 x 16 (Q3_K: q in [-4, 3], Q6_K: [-32, 31]); codes are
   stored offset by nmax, so L[i] in [0, 2 nmax). */
static float sym_superblock(const float *x, const float *w, int nmax, int scale_lo,
			    int scale_hi, uint8_t *L, int *sc)
{
	float scales[16];
	for (int j = 0; j < 16; j++)
		scales[j] = fit_scale_signed(x + 16 * j, w ? w + 16 * j : NULL, 16, nmax);
	float d = quantize_scales(scales, 16, signed_max_of(scales, 16), (float)scale_lo,
				  scale_lo, scale_hi, sc);
	for (int j = 0; j < 16; j++) {
		float dl = d * (float)sc[j];
		for (int i = 0; i < 16; i++)
			L[16 * j + i] = (uint8_t)(nmax + (dl != 0.0f ?
				round_clamp(x[16 * j + i] / dl, -nmax, nmax - 1) : 0));
	}
	return d;
}

/* 2-bit fields of Q2_K/Q3_K: in each 128-value half h, byte 32h + l holds values
   128h + l + 32k at bits 2k (k = 0..3). */
static void pack_2bit(const uint8_t *L, uint8_t *qs)
{
	for (int h = 0; h < 2; h++)
		for (int l = 0; l < 32; l++)
			qs[32 * h + l] = (uint8_t)((L[128 * h + l] & 3) | (L[128 * h + l + 32] & 3) << 2 |
						   (L[128 * h + l + 64] & 3) << 4 | (L[128 * h + l + 96] & 3) << 6);
}


/* 6-bit scale and min of sub-block j (0..7) in the 12 bytes of Q4_K/Q5_K: j < 4 in the
   low 6 bits of bytes j and j + 4; j >= 4 as nibbles of byte j + 4 with the top two bits
   in the high bits of bytes j - 4 (scale) and j (min). */
static void pack_scale_min_k4(const int *sc, const int *mq, uint8_t *s)
{
	memset(s, 0, 12);
	for (int j = 0; j < 4; j++) {
		s[j] = (uint8_t)(sc[j] | (sc[j + 4] >> 4) << 6);
		s[j + 4] = (uint8_t)(mq[j] | (mq[j + 4] >> 4) << 6);
		s[j + 8] = (uint8_t)((sc[j + 4] & 0x0f) | (mq[j + 4] & 0x0f) << 4);
	}
}


/* ---- Q2_K: scales[16] (low nibble scale, high nibble min), qs[64], d, dmin ----
   y = d * sc * q - dmin * m, q in [0, 3] */
void quantize_q2_k(const float *x, const float *w, uint8_t *b)
{
	uint8_t L[GGUF_QK_K];
	int sc[16], mq[16];
	float d, dmin;
	asym_superblock(x, w, 16, 3, 15, L, sc, mq, &d, &dmin);
	for (int j = 0; j < 16; j++)
		b[j] = (uint8_t)(sc[j] | mq[j] << 4);
	pack_2bit(L, b + 16);
	put_f16(b + 80, f32_to_f16(d));
	put_f16(b + 82, f32_to_f16(dmin));
}

void dequantize_q2_k(const uint8_t *b, float *y)
{
	float d = get_f16(b + 80), dmin = get_f16(b + 82);
	for (int e = 0; e < GGUF_QK_K; e++) {
		uint8_t s = b[e / 16];
		y[e] = d * (float)(s & 0x0f) * (float)get_2bit(b + 16, e) - dmin * (float)(s >> 4);
	}
}

/* ---- Q3_K: hmask[32], qs[64], scales[12], d ----
   y = d * (s - 32) * (q - 4), q = low 2 bits + 4 * high bit; the high bit of value e is
   bit e / 32 of hmask[e % 32]; 6-bit s of sub-block j: low nibble in byte j (j < 8) or
   the high nibble of byte j - 8, top two bits at bit 2 (j / 4) of byte 8 + j % 4. */
void quantize_q3_k(const float *x, const float *w, uint8_t *b)
{
	uint8_t L[GGUF_QK_K];
	int sc[16];
	float d = sym_superblock(x, w, 4, -32, 31, L, sc);
	memset(b, 0, 110);
	for (int e = 0; e < GGUF_QK_K; e++)
		b[e % 32] |= (uint8_t)((L[e] >> 2) << (e / 32));
	pack_2bit(L, b + 32);
	uint8_t *s = b + 96;
	for (int j = 0; j < 16; j++) {
		int l = sc[j] + 32;
		s[j % 8] |= (uint8_t)((l & 0x0f) << (j < 8 ? 0 : 4));
		s[8 + j % 4] |= (uint8_t)((l >> 4) << (2 * (j / 4)));
	}
	put_f16(b + 108, f32_to_f16(d));
}

void dequantize_q3_k(const uint8_t *b, float *y)
{
	const uint8_t *s = b + 96;
	float d = get_f16(b + 108);
	for (int e = 0; e < GGUF_QK_K; e++) {
		int l = q3_k_scale(s, e / 16);
		int q = get_2bit(b + 32, e) + 4 * ((b[e % 32] >> (e / 32)) & 1);
		y[e] = d * (float)(l - 32) * (float)(q - 4);
	}
}

/* ---- Q4_K: d, dmin, scales[12], qs[128] ----
   y = d * sc * q - dmin * m, q in [0, 15]; in each 64-value chunk c, byte 32c + l holds
   value 64c + l in the low nibble and 64c + 32 + l in the high nibble. */
/* The 16 bytes Q4_K and Q5_K share (d, dmin, 8 x 6-bit scales and mins); codes in L. */
static void k4_header(const float *x, const float *w, int nmax, uint8_t *L, uint8_t *b)
{
	int sc[8], mq[8];
	float d, dmin;
	asym_superblock(x, w, 32, nmax, 63, L, sc, mq, &d, &dmin);
	put_f16(b, f32_to_f16(d));
	put_f16(b + 2, f32_to_f16(dmin));
	pack_scale_min_k4(sc, mq, b + 4);
}

void quantize_q4_k(const float *x, const float *w, uint8_t *b)
{
	uint8_t L[GGUF_QK_K];
	k4_header(x, w, 15, L, b);
	for (int c = 0; c < 4; c++)
		for (int l = 0; l < 32; l++)
			b[16 + 32 * c + l] = (uint8_t)(L[64 * c + l] | L[64 * c + 32 + l] << 4);
}

void dequantize_q4_k(const uint8_t *b, float *y)
{
	float d = get_f16(b), dmin = get_f16(b + 2);
	for (int e = 0; e < GGUF_QK_K; e++) {
		int sc, m;
		get_scale_min_k4(b + 4, e / 32, &sc, &m);
		y[e] = d * (float)sc * (float)get_nibble_k(b + 16, e) - dmin * (float)m;
	}
}

/* ---- Q5_K: d, dmin, scales[12], qh[32], qs[128] ----
   as Q4_K with q in [0, 31]; the 5th bit of value e is bit e / 32 of qh[e % 32]. */
void quantize_q5_k(const float *x, const float *w, uint8_t *b)
{
	uint8_t L[GGUF_QK_K];
	k4_header(x, w, 31, L, b);
	memset(b + 16, 0, 32);
	for (int e = 0; e < GGUF_QK_K; e++)
		b[16 + e % 32] |= (uint8_t)((L[e] >> 4) << (e / 32));
	for (int c = 0; c < 4; c++)
		for (int l = 0; l < 32; l++)
			b[48 + 32 * c + l] = (uint8_t)((L[64 * c + l] & 0x0f) |
						       (L[64 * c + 32 + l] & 0x0f) << 4);
}

void dequantize_q5_k(const uint8_t *b, float *y)
{
	float d = get_f16(b), dmin = get_f16(b + 2);
	for (int e = 0; e < GGUF_QK_K; e++) {
		int sc, m;
		get_scale_min_k4(b + 4, e / 32, &sc, &m);
		int q = get_nibble_k(b + 48, e) | ((b[16 + e % 32] >> (e / 32)) & 1) << 4;
		y[e] = d * (float)sc * (float)q - dmin * (float)m;
	}
}

/* ---- Q6_K: ql[128], qh[64], scales[16] (int8), d ----
   y = d * scale[e / 16] * (q - 32), q in [0, 63]. In each 128-value half h, value
   128h + 32k + l (k = 0..3) has its low nibble in ql[64h + l + 32 (k % 2)] (low nibble
   for k < 2, high for k >= 2) and its top two bits at bits 2k of qh[32h + l]. */
void quantize_q6_k(const float *x, const float *w, uint8_t *b)
{
	uint8_t L[GGUF_QK_K];
	int sc[16];
	float d = sym_superblock(x, w, 32, -128, 127, L, sc);
	memset(b, 0, 192);
	for (int e = 0; e < GGUF_QK_K; e++) {
		int h = e / 128, k = (e % 128) / 32, l = e % 32;
		b[64 * h + l + 32 * (k % 2)] |= (uint8_t)((L[e] & 0x0f) << (k < 2 ? 0 : 4));
		b[128 + 32 * h + l] |= (uint8_t)((L[e] >> 4) << (2 * k));
	}
	for (int j = 0; j < 16; j++)
		b[192 + j] = (uint8_t)(int8_t)sc[j];
	put_f16(b + 208, f32_to_f16(d));
}

void dequantize_q6_k(const uint8_t *b, float *y)
{
	float d = get_f16(b + 208);
	for (int e = 0; e < GGUF_QK_K; e++) {
		int h = e / 128, k = (e % 128) / 32, l = e % 32;
		int lo = (b[64 * h + l + 32 * (k % 2)] >> (k < 2 ? 0 : 4)) & 0x0f;
		int hi = (b[128 + 32 * h + l] >> (2 * k)) & 3;
		y[e] = d * (float)(int8_t)b[192 + e / 16] * (float)((lo | hi << 4) - 32);
	}
}
