/* model_h5_quant.h: the hooks model_h5.c calls for weights stored quantized (a group). */
#ifndef LWQ_MODEL_H5_QUANT_H
#define LWQ_MODEL_H5_QUANT_H

#include <stdint.h>

#include "model_h5.h"

/* 1 when /weights/<name> is a quantized group (it holds a "codes" dataset). */
int quant_weight_exists(struct model_file *mf, const char *name);
/* Shape [rows, cols] of a quantized weight; dtype is reported as f32, the type it reads as. */
int quant_weight_info(struct model_file *mf, const char *name, struct tensor_info *info,
		      struct lwq_err *err);
/* Dequantizes a quantized weight into count floats: w = (code - zero) * scale. */
int quant_weight_read_f32(struct model_file *mf, const char *name, float *dst,
			  int64_t count, struct lwq_err *err);

#endif
