/* gguf_grid.c: each GGUF block type's per-element grid, read from its fitted bytes, and
   its codes read and written in place (the layouts of gguf_quants.c / gguf_kquants.c). */
#include "gguf_grid.h"

#include "gguf_quants.h"
#include "gguf_quants_internal.h"

int gguf_type_has_grid(int t)
{
	switch (t) {
	case GGUF_TYPE_Q4_0: case GGUF_TYPE_Q5_0: case GGUF_TYPE_Q8_0:
	case GGUF_TYPE_Q2_K: case GGUF_TYPE_Q3_K: case GGUF_TYPE_Q4_K:
	case GGUF_TYPE_Q5_K: case GGUF_TYPE_Q6_K:
		return 1;
	default:
		return 0;
	}
}

static struct gguf_elem_grid grid_of(float step, float min, int zero, int qmin, int qmax)
{
	struct gguf_elem_grid g = { step, min, zero, qmin, qmax };
	return g;
}

/* The factors are multiplied in the order ggml's dequantization multiplies them, so
   step * (q - zero) - min reproduces its float result. */
void gguf_block_grid(int t, const uint8_t *b, int e, struct gguf_elem_grid *g)
{
	int sc, m;
	switch (t) {
	case GGUF_TYPE_Q4_0:
		*g = grid_of(get_f16(b), 0.0f, 8, 0, 15);
		break;
	case GGUF_TYPE_Q5_0:
		*g = grid_of(get_f16(b), 0.0f, 16, 0, 31);
		break;
	case GGUF_TYPE_Q8_0:
		*g = grid_of(get_f16(b), 0.0f, 0, -128, 127);
		break;
	case GGUF_TYPE_Q2_K:
		*g = grid_of(get_f16(b + 80) * (float)(b[e / 16] & 0x0f),
			     get_f16(b + 82) * (float)(b[e / 16] >> 4), 0, 0, 3);
		break;
	case GGUF_TYPE_Q3_K:
		*g = grid_of(get_f16(b + 108) * (float)(q3_k_scale(b + 96, e / 16) - 32), 0.0f,
			     4, 0, 7);
		break;
	case GGUF_TYPE_Q4_K:
	case GGUF_TYPE_Q5_K:
		get_scale_min_k4(b + 4, e / 32, &sc, &m);
		*g = grid_of(get_f16(b) * (float)sc, get_f16(b + 2) * (float)m, 0, 0,
			     t == GGUF_TYPE_Q4_K ? 15 : 31);
		break;
	case GGUF_TYPE_Q6_K:
		*g = grid_of(get_f16(b + 208) * (float)(int8_t)b[192 + e / 16], 0.0f, 32, 0, 63);
		break;
	default:
		*g = grid_of(0.0f, 0.0f, 0, 0, 0);
		break;
	}
}

/* Replaces the `width` bits at `shift` of *p by v. */
static void put_bits(uint8_t *p, int shift, int width, int v)
{
	uint8_t mask = (uint8_t)(((1 << width) - 1) << shift);
	*p = (uint8_t)((*p & ~mask) | ((v << shift) & mask));
}

static int get_bits(const uint8_t *p, int shift, int width)
{
	return (*p >> shift) & ((1 << width) - 1);
}

/* Where each type keeps the parts of a code: the byte and bit of the low nibble (or
   the 2-bit field) and of the high bits, as the dequantizers read them. */
int gguf_block_code(int t, const uint8_t *b, int e)
{
	int h = e / 128, k = (e % 128) / 32, l = e % 32;
	switch (t) {
	case GGUF_TYPE_Q4_0:
		return get_bits(b + 2 + e % 16, e < 16 ? 0 : 4, 4);
	case GGUF_TYPE_Q5_0:
		return get_bits(b + 6 + e % 16, e < 16 ? 0 : 4, 4) |
		       get_bits(b + 2 + e / 8, e % 8, 1) << 4;
	case GGUF_TYPE_Q8_0:
		return (int8_t)b[2 + e];
	case GGUF_TYPE_Q2_K:
		return get_2bit(b + 16, e);
	case GGUF_TYPE_Q3_K:
		return get_2bit(b + 32, e) | get_bits(b + l, e / 32, 1) << 2;
	case GGUF_TYPE_Q4_K:
		return get_nibble_k(b + 16, e);
	case GGUF_TYPE_Q5_K:
		return get_nibble_k(b + 48, e) | get_bits(b + 16 + l, e / 32, 1) << 4;
	case GGUF_TYPE_Q6_K:
		return get_bits(b + 64 * h + l + 32 * (k % 2), k < 2 ? 0 : 4, 4) |
		       get_bits(b + 128 + 32 * h + l, 2 * k, 2) << 4;
	default:
		return 0;
	}
}

void gguf_block_set_code(int t, uint8_t *b, int e, int q)
{
	int h = e / 128, k = (e % 128) / 32, l = e % 32;
	/* offsets of the Q2_K/Q3_K 2-bit field and of the Q4_K/Q5_K nibble */
	int two = (t == GGUF_TYPE_Q2_K ? 16 : 32) + 32 * h + l;
	int nib = (t == GGUF_TYPE_Q4_K ? 16 : 48) + 32 * (e / 64) + l;
	int nib_shift = e % 64 < 32 ? 0 : 4;
	switch (t) {
	case GGUF_TYPE_Q4_0:
		put_bits(b + 2 + e % 16, e < 16 ? 0 : 4, 4, q);
		break;
	case GGUF_TYPE_Q5_0:
		put_bits(b + 6 + e % 16, e < 16 ? 0 : 4, 4, q);
		put_bits(b + 2 + e / 8, e % 8, 1, q >> 4);
		break;
	case GGUF_TYPE_Q8_0:
		b[2 + e] = (uint8_t)(int8_t)q;
		break;
	case GGUF_TYPE_Q2_K:
		put_bits(b + two, 2 * k, 2, q);
		break;
	case GGUF_TYPE_Q3_K:
		put_bits(b + two, 2 * k, 2, q);
		put_bits(b + l, e / 32, 1, q >> 2);
		break;
	case GGUF_TYPE_Q4_K:
		put_bits(b + nib, nib_shift, 4, q);
		break;
	case GGUF_TYPE_Q5_K:
		put_bits(b + nib, nib_shift, 4, q);
		put_bits(b + 16 + l, e / 32, 1, q >> 4);
		break;
	case GGUF_TYPE_Q6_K:
		put_bits(b + 64 * h + l + 32 * (k % 2), k < 2 ? 0 : 4, 4, q);
		put_bits(b + 128 + 32 * h + l, 2 * k, 2, q >> 4);
		break;
	default:
		break;
	}
}

float gguf_grid_value(const struct gguf_elem_grid *g, int q)
{
	return g->step * (float)(q - g->zero) - g->min;
}

int gguf_grid_nearest(const struct gguf_elem_grid *g, float w)
{
	int zero = g->zero < g->qmin ? g->qmin : g->zero > g->qmax ? g->qmax : g->zero;
	if (g->step == 0.0f)
		return zero;
	int best = round_clamp((w + g->min) / g->step + (float)g->zero, g->qmin, g->qmax);
	float best_err = fabsf(gguf_grid_value(g, best) - w);
	/* the division rounds; a neighbour may be nearer by a hair */
	for (int q = best - 1; q <= best + 1; q += 2) {
		if (q < g->qmin || q > g->qmax)
			continue;
		float e = fabsf(gguf_grid_value(g, q) - w);
		if (e < best_err)
			best_err = e, best = q;
	}
	return best;
}
