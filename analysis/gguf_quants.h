/* gguf_quants.h: ggml tensor types and their block formats (quantize and dequantize rows). */
#ifndef LWQ_GGUF_QUANTS_H
#define LWQ_GGUF_QUANTS_H

#include <stddef.h>
#include <stdint.h>

/* Values are the ggml_type numbers stored in GGUF tensor infos. */
enum gguf_type {
	GGUF_TYPE_F32 = 0,
	GGUF_TYPE_F16 = 1,
	GGUF_TYPE_Q4_0 = 2,
	GGUF_TYPE_Q5_0 = 6,
	GGUF_TYPE_Q8_0 = 8,
	GGUF_TYPE_Q2_K = 10,
	GGUF_TYPE_Q3_K = 11,
	GGUF_TYPE_Q4_K = 12,
	GGUF_TYPE_Q5_K = 13,
	GGUF_TYPE_Q6_K = 14,
};

/* Elements per super-block of the K-quants. */
#define GGUF_QK_K 256

/* 1 when t is one of the types above. */
int gguf_type_known(int t);
/* "F32", "F16", "Q4_0", ..., "Q6_K"; "?" when unknown. */
const char *gguf_type_name(int t);
/* Parses a name case-insensitively ("q4_k", "Q8_0"); -1 when unknown. */
int gguf_type_from_name(const char *name);
/* Elements per block (1 for F32/F16, 32, or 256) and bytes per block; 0 when unknown. */
int gguf_type_block_elems(int t);
size_t gguf_type_block_bytes(int t);
/* Bytes of a row of n elements; n must be a multiple of the block size. */
size_t gguf_row_bytes(int t, int64_t n);

/* The type lwq export gives a linear stored at `bits` whose rows hold row_len values:
   8 -> Q8_0, 6 -> Q6_K, 5 -> Q5_K, 4 -> Q4_K, 3 -> Q3_K, 2 -> Q2_K, 16 -> F16. K-quants
   need rows that are a multiple of 256; otherwise the nearest 32-value type with at
   least as many bits is used (2, 3, 4 -> Q4_0; 5 -> Q5_0; 6 -> Q8_0), and F16 when the
   row is not a multiple of 32 either. -1 for widths GGUF has no type for (e.g. 7). */
int gguf_type_for_bits(int bits, int64_t row_len);
/* The type gguf_type_for_bits prefers before any fallback (-1 when none). */
int gguf_type_ideal_for_bits(int bits);

/* Encodes n floats (n a multiple of the block size) into out. The block layouts are
   exactly ggml's; the choice of scales is lwq's own search (see gguf_quants.c). */
void gguf_quantize_row(int t, const float *x, int64_t n, void *out);
/* The same with importance weights w[n] (> 0; NULL: unweighted, exactly
   gguf_quantize_row): every block's scales are fitted to minimize sum w (y - x)^2, the
   weighted least squares over candidate scales llama.cpp uses with an importance
   matrix (lwq's own search). */
void gguf_quantize_row_weighted(int t, const float *x, const float *w, int64_t n, void *out);
/* Decodes n elements of type t from in, following ggml's definition of each type. */
void gguf_dequantize_row(int t, const void *in, int64_t n, float *out);

#endif
