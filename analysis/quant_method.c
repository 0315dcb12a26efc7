/* quant_method.c: names of the quantizers a run can apply. */
#include <string.h>

#include "quant_method.h"

static const char *const method_names[] = {
	[QUANT_RTN] = "rtn",
	[QUANT_GGUF] = "gguf",
	[QUANT_GPTQ] = "gptq",
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
