/* quant_method.c: the quantizers a run can apply, and their weight-only rounding. */
#include "quant_method.h"

#include <stdlib.h>
#include <string.h>

#include "gguf_quants.h"
#include "quant_rtn.h"

static const char *const method_names[] = {
	[QUANT_RTN] = "rtn",
	[QUANT_GGUF] = "gguf",
	[QUANT_GPTQ] = "gptq",
	[QUANT_GGUF_GPTQ] = "gguf-gptq",
};

const char *quant_method_name(enum quant_method m)
{
	if ((unsigned)m < sizeof method_names / sizeof method_names[0])
		return method_names[m];
	return "?";
}

int quant_method_parse(const char *name, enum quant_method *m)
{
	for (unsigned i = 0; i < sizeof method_names / sizeof method_names[0]; i++)
		if (strcmp(name, method_names[i]) == 0) {
			*m = (enum quant_method)i;
			return 0;
		}
	return -1;
}

int quant_method_is_gguf(enum quant_method m)
{
	return m == QUANT_GGUF || m == QUANT_GGUF_GPTQ;
}

int quant_method_weight_only(enum quant_method m)
{
	return m == QUANT_RTN || m == QUANT_GGUF;
}

int quant_method_check_bits(enum quant_method m, int bits, struct lwq_err *err)
{
	if (bits == 0 || bits >= 16)
		return 0;
	if (quant_method_is_gguf(m)) {
		if (gguf_type_ideal_for_bits(bits) < 0)
			return lwq_err_set(err, "%s stores 2, 3, 4, 5, 6 or 8 bits, not %d",
					   quant_method_name(m), bits);
		return 0;
	}
	if (bits != 2 && bits != 3 && bits != 4 && bits != 8)
		return lwq_err_set(err, "%s stores 2, 3, 4 or 8 bits, not %d",
				   quant_method_name(m), bits);
	return 0;
}

/* Each row through the GGUF block codec and back, as the exported file will hold it. */
static int gguf_fake_quant(float *w, int64_t rows, int64_t cols, int bits,
			   struct lwq_err *err)
{
	int type = gguf_type_for_bits(bits, cols);
	if (type < 0)
		return lwq_err_set(err, "gguf stores 2, 3, 4, 5, 6 or 8 bits, not %d", bits);
	void *row = malloc(gguf_row_bytes(type, cols));
	if (!row)
		return lwq_err_set(err, "out of memory for a %s row", gguf_type_name(type));
	for (int64_t r = 0; r < rows; r++) {
		gguf_quantize_row(type, w + r * cols, cols, row);
		gguf_dequantize_row(type, row, cols, w + r * cols);
	}
	free(row);
	return 0;
}

int fake_quant_linear(enum quant_method m, float *w, int64_t rows, int64_t cols, int bits,
		      int group_size, struct lwq_err *err)
{
	if (bits >= 16)
		return 0;
	if (quant_method_check_bits(m, bits, err) < 0)
		return -1;
	switch (m) {
	case QUANT_RTN:
		return rtn_fake_quant(w, rows, cols, bits, group_size, err);
	case QUANT_GGUF:
		return gguf_fake_quant(w, rows, cols, bits, err);
	default:
		return lwq_err_set(err, "%s needs calibration inputs; it is not a weight-only "
				   "rounding", quant_method_name(m));
	}
}
