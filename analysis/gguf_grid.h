/* gguf_grid.h: the grid a fitted GGUF block offers each of its elements, and its codes.
 *
 * Once a block's scales (and mins, and super-block scales) are chosen, every element
 * can take one of a few values, an affine map of its integer code:
 *     value = step * (q - zero) - min,   q in [qmin, qmax]
 * computed in float exactly as ggml's dequantization computes it. An error-compensating
 * quantizer (GPTQ) fits a block, then picks each element's code on that grid and writes
 * it back into the block bytes. */
#ifndef LWQ_GGUF_GRID_H
#define LWQ_GGUF_GRID_H

#include <stdint.h>

struct gguf_elem_grid {
	float step, min;
	int zero, qmin, qmax;
};

/* 1 for the block types that have a grid: Q4_0, Q5_0, Q8_0, Q2_K..Q6_K. */
int gguf_type_has_grid(int t);
/* The grid of element e (0 <= e < block size) of a block of type t. */
void gguf_block_grid(int t, const uint8_t *block, int e, struct gguf_elem_grid *g);
/* The code element e holds, and writing code q (in the grid's range) into it; the other
   elements keep theirs. */
int gguf_block_code(int t, const uint8_t *block, int e);
void gguf_block_set_code(int t, uint8_t *block, int e, int q);

/* step * (q - zero) - min, bit for bit what gguf_dequantize_row gives for code q. */
float gguf_grid_value(const struct gguf_elem_grid *g, int q);
/* The code whose value is nearest to w; ties keep the code that rounding
   (w + min) / step + zero gives. With step 0 every code gives -min: zero, clamped. */
int gguf_grid_nearest(const struct gguf_elem_grid *g, float w);

#endif
