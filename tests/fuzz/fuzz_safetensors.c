/* fuzz_safetensors.c: the safetensors header parser and tensor reader on arbitrary files. */
#include <stdlib.h>

#include "fuzz_util.h"
#include "safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(".safetensors", data, size);
	struct lwq_err err = { "" };
	struct safetensors *st = path ? safetensors_open_file(path, &err) : NULL;
	for (int i = 0; st && i < st->n_tensors; i++) {
		const struct st_tensor *t = &st->tensors[i];
		if (t->bytes > size)   /* the layout check makes this impossible */
			abort();
		void *buf = malloc(t->bytes ? t->bytes : 1);
		if (buf)
			safetensors_read(st, t, buf, &err);
		free(buf);
	}
	safetensors_close(st);
	return 0;
}
