/* gptq_gguf.c: GPTQ onto a GGUF block type's grid: each block's scales fitted as the
   GGUF export fits them, then held fixed while GPTQ picks every element's code. */
#include "gptq.h"

#include <stdlib.h>
#include <string.h>

#include "gguf_grid.h"
#include "gguf_quants.h"

struct gguf_grid_state {
	int type, block_elems;
	size_t block_bytes, row_bytes;
	int64_t cols;
	const float *importance;       /* [cols] or NULL */
	uint8_t *out;                  /* [rows, row_bytes] */
	float *block_values;           /* [block_elems] one row's block as floats */
};

static uint8_t *block_at(const struct gguf_grid_state *gs, int64_t row, int64_t col)
{
	return gs->out + (size_t)row * gs->row_bytes +
	       (size_t)(col / gs->block_elems) * gs->block_bytes;
}

/* Every row's block of the group fitted from the weights as they stand (GPTQ has already
   moved them by the errors of the columns before), with the export's importance
   weighting; the codes the fit writes are replaced one by one by gguf_round. */
static int gguf_fit(void *user, int64_t col0, const double *cols, int64_t rows,
		    struct lwq_err *err)
{
	struct gguf_grid_state *gs = user;
	for (int64_t r = 0; r < rows; r++) {
		for (int k = 0; k < gs->block_elems; k++)
			gs->block_values[k] = (float)cols[k * rows + r];
		gguf_quantize_row_weighted(gs->type, gs->block_values,
					   gs->importance ? gs->importance + col0 : NULL,
					   gs->block_elems, block_at(gs, r, col0));
	}
	(void)err;
	return 0;
}

static double gguf_round(void *user, int64_t row, int64_t col, double w)
{
	struct gguf_grid_state *gs = user;
	uint8_t *block = block_at(gs, row, col);
	int e = (int)(col % gs->block_elems);
	struct gguf_elem_grid g;
	gguf_block_grid(gs->type, block, e, &g);
	int q = gguf_grid_nearest(&g, (float)w);
	gguf_block_set_code(gs->type, block, e, q);
	return gguf_grid_value(&g, q);
}

int gptq_quantize_gguf(float *w, int64_t rows, int64_t cols, int type,
		       const float *importance, const struct gptq_hessian *hs,
		       const struct gptq_options *opt, uint8_t *out, struct gptq_stats *stats,
		       struct lwq_err *err)
{
	memset(stats, 0, sizeof *stats);
	if (!gguf_type_has_grid(type))
		return lwq_err_set(err, "GPTQ has no grid for GGUF type %s", gguf_type_name(type));
	struct gguf_grid_state gs = { .type = type, .block_elems = gguf_type_block_elems(type),
				      .block_bytes = gguf_type_block_bytes(type),
				      .row_bytes = gguf_row_bytes(type, cols), .cols = cols,
				      .importance = importance, .out = out };
	if (cols % gs.block_elems != 0)
		return lwq_err_set(err, "%s blocks of %d do not divide the row length %lld",
				   gguf_type_name(type), gs.block_elems, (long long)cols);
	if (!(gs.block_values = malloc((size_t)gs.block_elems * sizeof(float))))
		return lwq_err_set(err, "out of memory for GPTQ of a [%lld, %lld] matrix",
				   (long long)rows, (long long)cols);
	struct gptq_grid grid = { gs.block_elems, gguf_fit, gguf_round, &gs };
	int rc = gptq_quantize_floats(w, rows, cols, hs, opt, &grid, stats, err);
	if (rc == 0)
		for (int64_t r = 0; r < rows; r++)
			gguf_dequantize_row(type, out + (size_t)r * gs.row_bytes, cols,
					    w + r * cols);
	free(gs.block_values);
	return rc;
}
