/* test_gguf_quants.c: ggml block formats on hand-made blocks (values worked out by hand from
   the format definitions) and quantize -> dequantize round trips. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "gguf_quants.h"
#include "gguf_quants_internal.h"
#include "numeric.h"
#include "tap.h"

static void set_f16(uint8_t *p, float v)
{
	uint16_t h = f32_to_f16(v);
	p[0] = (uint8_t)(h & 0xff);
	p[1] = (uint8_t)(h >> 8);
}

static void test_table(void)
{
	static const struct { int t; const char *name; int elems; size_t bytes; } want[] = {
		{ GGUF_TYPE_F32, "F32", 1, 4 },      { GGUF_TYPE_F16, "F16", 1, 2 },
		{ GGUF_TYPE_Q4_0, "Q4_0", 32, 18 },  { GGUF_TYPE_Q5_0, "Q5_0", 32, 22 },
		{ GGUF_TYPE_Q8_0, "Q8_0", 32, 34 },  { GGUF_TYPE_Q2_K, "Q2_K", 256, 84 },
		{ GGUF_TYPE_Q3_K, "Q3_K", 256, 110 }, { GGUF_TYPE_Q4_K, "Q4_K", 256, 144 },
		{ GGUF_TYPE_Q5_K, "Q5_K", 256, 176 }, { GGUF_TYPE_Q6_K, "Q6_K", 256, 210 },
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		ok(strcmp(gguf_type_name(want[i].t), want[i].name) == 0 &&
		   gguf_type_block_elems(want[i].t) == want[i].elems &&
		   gguf_type_block_bytes(want[i].t) == want[i].bytes,
		   "%s: ggml type %d, %d values in %zu bytes", want[i].name, want[i].t,
		   want[i].elems, want[i].bytes);
	ok(gguf_type_from_name("q4_k") == GGUF_TYPE_Q4_K && gguf_type_from_name("Q8_0") == 8 &&
	   gguf_type_from_name("q4") == -1 && !gguf_type_known(3), "names parse case-insensitively");
	ok(gguf_row_bytes(GGUF_TYPE_Q4_K, 512) == 288 && gguf_row_bytes(GGUF_TYPE_Q8_0, 288) == 306,
	   "row bytes: 512 x Q4_K = 288, 288 x Q8_0 = 306");
}

static void test_q8_0_block(void)
{
	uint8_t b[34] = { 0 };
	float y[32];
	set_f16(b, 0.5f);
	b[2] = 1, b[3] = (uint8_t)-2, b[4] = 127, b[5] = (uint8_t)-128;
	gguf_dequantize_row(GGUF_TYPE_Q8_0, b, 32, y);
	ok(y[0] == 0.5f && y[1] == -1.0f && y[2] == 63.5f && y[3] == -64.0f && y[4] == 0.0f,
	   "Q8_0: d 0.5, q 1 -2 127 -128 -> 0.5 -1 63.5 -64");
}

static void test_q4_0_block(void)
{
	uint8_t b[18] = { 0 };
	float y[32];
	set_f16(b, 2.0f);
	b[2] = 0x9F; /* element 0: 15 - 8 = 7; element 16: 9 - 8 = 1 */
	b[3] = 0x08; /* element 1: 8 - 8 = 0; element 17: 0 - 8 = -8 */
	gguf_dequantize_row(GGUF_TYPE_Q4_0, b, 32, y);
	ok(y[0] == 14.0f && y[16] == 2.0f && y[1] == 0.0f && y[17] == -16.0f,
	   "Q4_0: low nibble is element j, high nibble element j+16 (14 2 0 -16)");
}

static void test_q5_0_block(void)
{
	uint8_t b[22] = { 0 };
	float y[32];
	set_f16(b, 1.0f);
	uint32_t qh = 1u << 0 | 1u << 16 | 1u << 17; /* fifth bits of elements 0, 16, 17 */
	for (int k = 0; k < 4; k++)
		b[2 + k] = (uint8_t)(qh >> (8 * k));
	b[6] = 0x3F; /* element 0: 0xF|16 = 31 -> 15; element 16: 3|16 = 19 -> 3 */
	b[7] = 0x00; /* element 1: 0 -> -16; element 17: 0|16 -> 0 */
	gguf_dequantize_row(GGUF_TYPE_Q5_0, b, 32, y);
	ok(y[0] == 15.0f && y[16] == 3.0f && y[1] == -16.0f && y[17] == 0.0f,
	   "Q5_0: fifth bit of element i is bit i of qh (15 3 -16 0)");
}

static void test_q2_k_block(void)
{
	uint8_t b[84] = { 0 };
	float y[256];
	b[0] = 0x32; /* sub-block 0: scale 2, min 3 */
	b[1] = 0x01; /* sub-block 1: scale 1, min 0 */
	b[2] = 0x11; /* sub-block 2: scale 1, min 1 */
	b[16 + 0] = 0xE4;  /* value 0: 0, value 32: 1, value 64: 2, value 96: 3 */
	b[16 + 16] = 0x03; /* value 16: 3 */
	set_f16(b + 80, 1.0f);
	set_f16(b + 82, 0.5f);
	gguf_dequantize_row(GGUF_TYPE_Q2_K, b, 256, y);
	ok(y[0] == -1.5f && y[16] == 3.0f && y[32] == 0.5f,
	   "Q2_K: d*sc*q - dmin*m: 1*2*0-0.5*3, 1*1*3-0, 1*1*1-0.5*1 (got %g %g %g)",
	   y[0], y[16], y[32]);
}

static void test_q3_k_block(void)
{
	uint8_t b[110] = { 0 };
	float y[256];
	uint8_t *qs = b + 32, *sc = b + 96;
	/* sub-block 0: level 34 -> scale 2: low nibble 2 in byte 0, top bits 2 in byte 8 */
	sc[0] = 0x02, sc[8] = 0x02;
	/* sub-block 9: level 37 -> scale 5: high nibble of byte 1, top bits 2 at bits 4-5 of
	   byte 9; sub-block 15 keeps level 0 -> scale -32 */
	sc[1] = 0x50, sc[9] = 0x20;
	qs[0] = 0x03, b[0] = 0x01;      /* value 0: low 3, high bit 1 -> q 7 */
	qs[54] = 0x02, b[22] = 0x10;    /* value 150: byte 32+22, bits 0-1; hmask[22] bit 4 */
	qs[63] = 0x40;                  /* value 255: byte 63, bits 6-7 = 1; high bit 0 */
	set_f16(b + 108, 0.25f);
	gguf_dequantize_row(GGUF_TYPE_Q3_K, b, 256, y);
	ok(y[0] == 1.5f && y[1] == -2.0f && y[150] == 2.5f && y[255] == 24.0f,
	   "Q3_K: d*(s-32)*(q-4): 0.25*2*3, 0.25*2*-4, 0.25*5*2, 0.25*-32*-3 (got %g %g %g %g)",
	   y[0], y[1], y[150], y[255]);
}

static void k4_scales(uint8_t *s)
{
	s[0] = 3, s[4] = 4;             /* sub-block 0: scale 3, min 4 */
	s[9] = 0x21;                    /* sub-block 5: scale 33 = 0x21, min 18 = 0x12 */
	s[1] |= 2 << 6, s[5] |= 1 << 6; /* their top two bits */
}

static void test_q4_k_block(void)
{
	uint8_t b[144] = { 0 };
	float y[256];
	set_f16(b, 1.0f);
	set_f16(b + 2, 0.25f);
	k4_scales(b + 4);
	b[16 + 0] = 0x05;       /* value 0: low nibble of byte 0 */
	b[16 + 64 + 3] = 0x70;  /* value 163: chunk 2, high nibble of byte 64 + 3 */
	gguf_dequantize_row(GGUF_TYPE_Q4_K, b, 256, y);
	ok(y[0] == 14.0f && y[163] == 226.5f && y[1] == -1.0f,
	   "Q4_K: 1*3*5-0.25*4, 1*33*7-0.25*18, 0-0.25*4 (got %g %g %g)", y[0], y[163], y[1]);
}

static void test_q5_k_block(void)
{
	uint8_t b[176] = { 0 };
	float y[256];
	set_f16(b, 1.0f);
	set_f16(b + 2, 0.25f);
	k4_scales(b + 4);
	b[16 + 3] = 1 << 5;     /* fifth bit of value 163: bit 163/32 = 5 of qh[163 % 32] */
	b[48 + 64 + 3] = 0x70;
	b[48 + 0] = 0x05;
	gguf_dequantize_row(GGUF_TYPE_Q5_K, b, 256, y);
	ok(y[0] == 14.0f && y[163] == 754.5f, "Q5_K: 1*3*5-1, 1*33*(7+16)-4.5 (got %g %g)",
	   y[0], y[163]);
}

static void test_q6_k_block(void)
{
	uint8_t b[210] = { 0 };
	float y[256];
	b[0] = 0x0A, b[128] = 0x02;      /* value 0: low 0xA, top bits 2 -> 42 */
	b[64 + 21] = 0x30;               /* value 213 = 128+64+21: high nibble of ql[64+21] */
	b[128 + 32 + 21] = 0x10;         /* its top bits (1) at bits 4-5 of qh[32+21] -> 19 */
	b[192 + 0] = (uint8_t)-3;
	b[192 + 13] = 7;
	set_f16(b + 208, 0.5f);
	gguf_dequantize_row(GGUF_TYPE_Q6_K, b, 256, y);
	ok(y[0] == -15.0f && y[213] == -45.5f && y[1] == 48.0f,
	   "Q6_K: d*sc*(q-32): 0.5*-3*10, 0.5*7*-13, 0.5*-3*-32 (got %g %g %g)",
	   y[0], y[213], y[1]);
}

/* Deterministic normal-ish values (sum of uniforms). */
static void fill_random(float *x, int n, uint32_t seed)
{
	for (int i = 0; i < n; i++) {
		float s = 0;
		for (int k = 0; k < 4; k++) {
			seed = seed * 1664525u + 1013904223u;
			s += (float)(seed >> 8) / 16777216.0f - 0.5f;
		}
		x[i] = s * 0.05f;
	}
}

static double rel_rmse(int t, const float *x, int n)
{
	uint8_t buf[4096];
	float y[2048];
	gguf_quantize_row(t, x, n, buf);
	gguf_dequantize_row(t, buf, n, y);
	double e = 0, s = 0;
	for (int i = 0; i < n; i++)
		e += (double)(y[i] - x[i]) * (y[i] - x[i]), s += (double)x[i] * x[i];
	return sqrt(e / s);
}

static void test_round_trip_errors(void)
{
	enum { N = 2048 };
	static float x[N];
	fill_random(x, N, 7);
	/* Bound 2^-(bits-1) relative RMS error: a b-bit grid spanning about +-2.5 sigma of a
	   bell-shaped block has a step of 5 sigma / 2^b, hence an RMS error of step / sqrt(12)
	   = 1.4 sigma 2^-b; the types must do at least that well (they reach about half). */
	static const struct { int t; double bound; } want[] = {
		{ GGUF_TYPE_Q8_0, 1.0 / 128 }, { GGUF_TYPE_Q6_K, 1.0 / 32 }, { GGUF_TYPE_Q5_K, 1.0 / 16 },
		{ GGUF_TYPE_Q5_0, 1.0 / 16 },  { GGUF_TYPE_Q4_K, 1.0 / 8 },  { GGUF_TYPE_Q4_0, 1.0 / 8 },
		{ GGUF_TYPE_Q3_K, 1.0 / 4 },   { GGUF_TYPE_Q2_K, 1.0 / 2 },
	};
	double prev = 0;
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		double e = rel_rmse(want[i].t, x, N);
		ok(e < want[i].bound && e > prev, "%s: relative RMS error %.4f < %.3f and above "
		   "the finer type's", gguf_type_name(want[i].t), e, want[i].bound);
		prev = e;
	}
}

/* Values that sit exactly on a type's grid come back exactly. */
static void test_exact_grids(void)
{
	float x[256], y[256];
	uint8_t buf[256];
	for (int i = 0; i < 32; i++)
		x[i] = 0.5f * (float)(i * 8 - 127 > 127 ? 127 : i * 8 - 127);
	gguf_quantize_row(GGUF_TYPE_Q8_0, x, 32, buf);
	gguf_dequantize_row(GGUF_TYPE_Q8_0, buf, 32, y);
	ok(memcmp(x, y, 32 * sizeof(float)) == 0, "Q8_0: multiples of 0.5 up to 63.5 are exact");
	for (int i = 0; i < 32; i++)
		x[i] = 0.25f * (float)((i % 16) - 8);
	gguf_quantize_row(GGUF_TYPE_Q4_0, x, 32, buf);
	gguf_dequantize_row(GGUF_TYPE_Q4_0, buf, 32, y);
	ok(memcmp(x, y, 32 * sizeof(float)) == 0, "Q4_0: (q-8)*0.25 with q=0 present are exact");
	for (int i = 0; i < 256; i++) /* every sub-block of 16 starts with its -32 level */
		x[i] = 0.125f * (float)(i % 16 == 0 ? -32 : (i * 7) % 64 - 32);
	gguf_quantize_row(GGUF_TYPE_Q6_K, x, 256, buf);
	gguf_dequantize_row(GGUF_TYPE_Q6_K, buf, 256, y);
	ok(memcmp(x, y, 256 * sizeof(float)) == 0, "Q6_K: a 64-level grid is exact");
	for (int i = 0; i < 256; i++) /* step 63/64, so d = step/63 = 2^-6 is exact in f16 */
		x[i] = 0.984375f * (float)(i % 16);
	gguf_quantize_row(GGUF_TYPE_Q4_K, x, 256, buf);
	gguf_dequantize_row(GGUF_TYPE_Q4_K, buf, 256, y);
	ok(memcmp(x, y, 256 * sizeof(float)) == 0, "Q4_K: 16 levels from 0, step 63/64, are exact");
}

static void test_degenerate_blocks(void)
{
	static const int all[] = { GGUF_TYPE_Q4_0, GGUF_TYPE_Q5_0, GGUF_TYPE_Q8_0, GGUF_TYPE_Q2_K,
				   GGUF_TYPE_Q3_K, GGUF_TYPE_Q4_K, GGUF_TYPE_Q5_K, GGUF_TYPE_Q6_K };
	float zero[256] = { 0 }, neg[256], y[256];
	uint8_t buf[256];
	for (int i = 0; i < 256; i++)
		neg[i] = -0.75f;
	for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
		int t = all[k], n = gguf_type_block_elems(t);
		int zero_ok = 1, const_ok = 1;
		gguf_quantize_row(t, zero, n, buf);
		gguf_dequantize_row(t, buf, n, y);
		for (int i = 0; i < n; i++)
			zero_ok &= y[i] == 0.0f;
		gguf_quantize_row(t, neg, n, buf);
		gguf_dequantize_row(t, buf, n, y);
		for (int i = 0; i < n; i++)
			const_ok &= fabsf(y[i] + 0.75f) < 1e-3f;
		ok(zero_ok && const_ok, "%s: zero block stays zero, constant -0.75 block kept",
		   gguf_type_name(t));
	}
}

/* round_clamp against its definition: clamp, then lrintf (ties to even), NaN -> lo; on
   every float step of 1/64 in [-300, 300], each half-integer and the floats beside it. */
static void test_round_clamp(void)
{
	const int ranges[4][2] = { { 0, 3 }, { 0, 15 }, { -32, 31 }, { -128, 127 } };
	int64_t bad = 0, tried = 0;
	for (int r = 0; r < 4; r++) {
		int lo = ranges[r][0], hi = ranges[r][1];
		for (int k = -19200; k <= 19200; k++) {
			float base = (float)k / 64.0f;
			float v[3] = { base, nextafterf(base, -INFINITY), nextafterf(base, INFINITY) };
			for (int i = 0; i < 3; i++, tried++) {
				int want = !(v[i] > (float)lo) ? lo : v[i] > (float)hi ? hi : (int)lrintf(v[i]);
				bad += round_clamp(v[i], lo, hi) != want;
			}
		}
		tried++;
		bad += round_clamp(NAN, lo, hi) != lo;
	}
	ok(bad == 0, "round_clamp equals clamp + lrintf on %lld values (%lld differ)",
	   (long long)tried, (long long)bad);
}

int main(void)
{
	test_round_clamp();
	test_table();
	test_q8_0_block();
	test_q4_0_block();
	test_q5_0_block();
	test_q2_k_block();
	test_q3_k_block();
	test_q4_k_block();
	test_q5_k_block();
	test_q6_k_block();
	test_round_trip_errors();
	test_exact_grids();
	test_degenerate_blocks();
	return tap_done();
}
