/* gguf_quants.c: the ggml type table and the 32-element block formats Q4_0, Q5_0, Q8_0. */
#include "gguf_quants.h"

#include <ctype.h>
#include <float.h>
#include <string.h>

#include "gguf_quants_internal.h"

struct type_desc {
	int type;
	const char *name;
	int block_elems;
	size_t block_bytes;
};

/* Block sizes from the ggml block definitions:
   Q4_0 = f16 d + 16 bytes of nibbles; Q5_0 = d + 4 bytes of 5th bits + 16 nibble bytes;
   Q8_0 = d + 32 int8; Q2_K = 16 scale bytes + 64 quant bytes + d + dmin;
   Q3_K = 32 hmask + 64 quants + 12 scales + d; Q4_K = d + dmin + 12 scales + 128;
   Q5_K = d + dmin + 12 scales + 32 high bits + 128; Q6_K = 128 low + 64 high + 16 scales + d. */
static const struct type_desc types[] = {
	{ GGUF_TYPE_F32, "F32", 1, 4 },
	{ GGUF_TYPE_F16, "F16", 1, 2 },
	{ GGUF_TYPE_Q4_0, "Q4_0", 32, 18 },
	{ GGUF_TYPE_Q5_0, "Q5_0", 32, 22 },
	{ GGUF_TYPE_Q8_0, "Q8_0", 32, 34 },
	{ GGUF_TYPE_Q2_K, "Q2_K", GGUF_QK_K, 84 },
	{ GGUF_TYPE_Q3_K, "Q3_K", GGUF_QK_K, 110 },
	{ GGUF_TYPE_Q4_K, "Q4_K", GGUF_QK_K, 144 },
	{ GGUF_TYPE_Q5_K, "Q5_K", GGUF_QK_K, 176 },
	{ GGUF_TYPE_Q6_K, "Q6_K", GGUF_QK_K, 210 },
};

static const struct type_desc *find_type(int t)
{
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (types[i].type == t)
			return &types[i];
	return NULL;
}

int gguf_type_known(int t)
{
	return find_type(t) != NULL;
}

const char *gguf_type_name(int t)
{
	const struct type_desc *d = find_type(t);
	return d ? d->name : "?";
}

int gguf_type_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		const char *a = types[i].name, *b = name;
		while (*a && *b && toupper((unsigned char)*b) == *a)
			a++, b++;
		if (!*a && !*b)
			return types[i].type;
	}
	return -1;
}

int gguf_type_block_elems(int t)
{
	const struct type_desc *d = find_type(t);
	return d ? d->block_elems : 0;
}

size_t gguf_type_block_bytes(int t)
{
	const struct type_desc *d = find_type(t);
	return d ? d->block_bytes : 0;
}

size_t gguf_row_bytes(int t, int64_t n)
{
	const struct type_desc *d = find_type(t);
	if (!d)
		return 0;
	return (size_t)(n / d->block_elems) * d->block_bytes;
}

int gguf_type_ideal_for_bits(int bits)
{
	switch (bits) {
	case 2: return GGUF_TYPE_Q2_K;
	case 3: return GGUF_TYPE_Q3_K;
	case 4: return GGUF_TYPE_Q4_K;
	case 5: return GGUF_TYPE_Q5_K;
	case 6: return GGUF_TYPE_Q6_K;
	case 8: return GGUF_TYPE_Q8_0;
	case 16: return GGUF_TYPE_F16;
	default: return -1;
	}
}

int gguf_type_for_bits(int bits, int64_t row_len)
{
	int t = gguf_type_ideal_for_bits(bits);
	if (t < 0 || row_len % gguf_type_block_elems(t) == 0)
		return t;
	if (row_len % 32 != 0)
		return GGUF_TYPE_F16;
	return bits <= 4 ? GGUF_TYPE_Q4_0 : bits == 5 ? GGUF_TYPE_Q5_0 : GGUF_TYPE_Q8_0;
}

/* The element of largest magnitude, with its sign: the 32-block types map it to the
   most negative code, which gives one extra level on that side. */
static float signed_absmax(const float *x, int n)
{
	float best = 0.0f, amax = 0.0f;
	for (int i = 0; i < n; i++)
		if (fabsf(x[i]) > amax) {
			amax = fabsf(x[i]);
			best = x[i];
		}
	return best;
}

/* The scale of a symmetric 32-block, y = d * q with q in [lo, hi]: without weights, the
   one that maps the value of largest magnitude to the most negative level (`first`);
   with importance weights w, the one of least weighted squared error among `first` and
   steps that clip the extremes a little, each refined by weighted least squares. The
   result is rounded to f16, as stored. */
#define SCALE_CANDIDATES 6          /* each side of the unweighted step */
static float block_scale(const float *x, const float *w, float first, int lo, int hi)
{
	float d = as_stored_f16(first);
	if (!w || d == 0.0f)
		return d;
	float top = signed_absmax(x, 32), best_err = FLT_MAX, best = d;
	float unit = 0.1f * (float)-lo / 8.0f;    /* a tenth of a level of Q4_0, scaled */
	for (int c = -SCALE_CANDIDATES - 1; c <= SCALE_CANDIDATES; c++) {
		/* c = -SCALE_CANDIDATES - 1 stands for the unweighted step itself */
		float s = c < -SCALE_CANDIDATES ? d : top / ((float)lo - unit * (float)c);
		double sqq = 0, sxq = 0;
		for (int i = 0; i < 32; i++) {
			float q = (float)round_clamp(x[i] / s, lo, hi);
			sqq += (double)w[i] * q * q, sxq += (double)w[i] * x[i] * q;
		}
		if (c >= -SCALE_CANDIDATES && sqq > 0)
			s = (float)(sxq / sqq);
		s = as_stored_f16(s);
		if (s == 0.0f)
			continue;
		float err = 0;
		for (int i = 0; i < 32; i++) {
			float e = s * (float)round_clamp(x[i] / s, lo, hi) - x[i];
			err += w[i] * e * e;
		}
		if (err < best_err)
			best_err = err, best = s;
	}
	return best;
}

/* Q4_0: y = d * (q - 8), q in [0, 15]; element j in the low nibble of qs[j], element
   j + 16 in the high nibble. */
static void quantize_q4_0(const float *x, const float *w, uint8_t *b)
{
	float d = block_scale(x, w, signed_absmax(x, 32) / -8.0f, -8, 7);
	put_f16(b, f32_to_f16(d));
	for (int j = 0; j < 16; j++) {
		int lo = d != 0.0f ? round_clamp(x[j] / d + 8.0f, 0, 15) : 8;
		int hi = d != 0.0f ? round_clamp(x[j + 16] / d + 8.0f, 0, 15) : 8;
		b[2 + j] = (uint8_t)(lo | (hi << 4));
	}
}

static void dequantize_q4_0(const uint8_t *b, float *y)
{
	float d = get_f16(b);
	for (int j = 0; j < 16; j++) {
		y[j] = d * (float)((b[2 + j] & 0x0f) - 8);
		y[j + 16] = d * (float)((b[2 + j] >> 4) - 8);
	}
}

/* Q5_0: y = d * (q - 16), q in [0, 31]; low 4 bits as in Q4_0, the 5th bit of element i
   is bit i of the little-endian 32-bit word qh (bytes 2..5). */
static void quantize_q5_0(const float *x, const float *w, uint8_t *b)
{
	float d = block_scale(x, w, signed_absmax(x, 32) / -16.0f, -16, 15);
	uint32_t qh = 0;
	uint8_t q[32];
	put_f16(b, f32_to_f16(d));
	for (int i = 0; i < 32; i++) {
		q[i] = (uint8_t)(d != 0.0f ? round_clamp(x[i] / d + 16.0f, 0, 31) : 16);
		qh |= (uint32_t)(q[i] >> 4) << i;
	}
	for (int k = 0; k < 4; k++)
		b[2 + k] = (uint8_t)(qh >> (8 * k));
	for (int j = 0; j < 16; j++)
		b[6 + j] = (uint8_t)((q[j] & 0x0f) | ((q[j + 16] & 0x0f) << 4));
}

static void dequantize_q5_0(const uint8_t *b, float *y)
{
	float d = get_f16(b);
	uint32_t qh = (uint32_t)b[2] | (uint32_t)b[3] << 8 | (uint32_t)b[4] << 16 |
		      (uint32_t)b[5] << 24;
	for (int j = 0; j < 16; j++) {
		int lo = (b[6 + j] & 0x0f) | (int)((qh >> j) & 1) << 4;
		int hi = (b[6 + j] >> 4) | (int)((qh >> (j + 16)) & 1) << 4;
		y[j] = d * (float)(lo - 16);
		y[j + 16] = d * (float)(hi - 16);
	}
}

/* Q8_0: y = d * q, q a signed byte. */
static void quantize_q8_0(const float *x, const float *w, uint8_t *b)
{
	float amax = fabsf(signed_absmax(x, 32));
	float d = block_scale(x, w, amax / 127.0f, -128, 127);
	put_f16(b, f32_to_f16(d));
	for (int i = 0; i < 32; i++) {
		int q = d != 0.0f ? round_clamp(x[i] / d, -128, 127) : 0;
		b[2 + i] = (uint8_t)(int8_t)q;
	}
}

static void dequantize_q8_0(const uint8_t *b, float *y)
{
	float d = get_f16(b);
	for (int i = 0; i < 32; i++)
		y[i] = d * (float)(int8_t)b[2 + i];
}

typedef void (*block_quantizer)(const float *x, const float *w, uint8_t *block);
typedef void (*block_dequantizer)(const uint8_t *block, float *y);

static void codec_for(int t, block_quantizer *q, block_dequantizer *dq)
{
	switch (t) {
	case GGUF_TYPE_Q4_0: *q = quantize_q4_0; *dq = dequantize_q4_0; break;
	case GGUF_TYPE_Q5_0: *q = quantize_q5_0; *dq = dequantize_q5_0; break;
	case GGUF_TYPE_Q8_0: *q = quantize_q8_0; *dq = dequantize_q8_0; break;
	case GGUF_TYPE_Q2_K: *q = quantize_q2_k; *dq = dequantize_q2_k; break;
	case GGUF_TYPE_Q3_K: *q = quantize_q3_k; *dq = dequantize_q3_k; break;
	case GGUF_TYPE_Q4_K: *q = quantize_q4_k; *dq = dequantize_q4_k; break;
	case GGUF_TYPE_Q5_K: *q = quantize_q5_k; *dq = dequantize_q5_k; break;
	case GGUF_TYPE_Q6_K: *q = quantize_q6_k; *dq = dequantize_q6_k; break;
	default: *q = NULL; *dq = NULL; break;
	}
}

void gguf_quantize_row(int t, const float *x, int64_t n, void *out)
{
	gguf_quantize_row_weighted(t, x, NULL, n, out);
}

void gguf_quantize_row_weighted(int t, const float *x, const float *w, int64_t n, void *out)
{
	uint8_t *o = out;
	if (t == GGUF_TYPE_F32) {
		memcpy(out, x, (size_t)n * sizeof(float));
		return;
	}
	if (t == GGUF_TYPE_F16) {
		for (int64_t i = 0; i < n; i++)
			put_f16(o + 2 * i, f32_to_f16(x[i]));
		return;
	}
	block_quantizer q;
	block_dequantizer dq;
	codec_for(t, &q, &dq);
	int be = gguf_type_block_elems(t);
	size_t bb = gguf_type_block_bytes(t);
	for (int64_t i = 0; q && i + be <= n; i += be)
		q(x + i, w ? w + i : NULL, o + (size_t)(i / be) * bb);
}

void gguf_dequantize_row(int t, const void *in, int64_t n, float *out)
{
	const uint8_t *p = in;
	if (t == GGUF_TYPE_F32) {
		memcpy(out, in, (size_t)n * sizeof(float));
		return;
	}
	if (t == GGUF_TYPE_F16) {
		for (int64_t i = 0; i < n; i++)
			out[i] = get_f16(p + 2 * i);
		return;
	}
	block_quantizer q;
	block_dequantizer dq;
	codec_for(t, &q, &dq);
	int be = gguf_type_block_elems(t);
	size_t bb = gguf_type_block_bytes(t);
	for (int64_t i = 0; dq && i + be <= n; i += be)
		dq(p + (size_t)(i / be) * bb, out + i);
}
