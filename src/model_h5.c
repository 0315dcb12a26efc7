/* model_h5.c: the lwq HDF5 model file (see man/lwq-format.5). */
#include "model_h5.h"

#include <stdio.h>

char *weight_name(char *buf, size_t len, int layer, const char *tensor)
{
	snprintf(buf, len, "layers/%03d/%s", layer, tensor);
	return buf;
}
