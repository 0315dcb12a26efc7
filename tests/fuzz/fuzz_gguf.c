/* fuzz_gguf.c: the GGUF reader (header, metadata, tensor infos) and tensor reads. */
#include <stdlib.h>

#include "fuzz_util.h"
#include "gguf_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(".gguf", data, size);
	struct lwq_err err = { "" };
	struct gguf_file *g = path ? gguf_open(path, &err) : NULL;
	for (int i = 0; g && i < g->n_tensors; i++) {
		const struct gguf_tensor *t = &g->tensors[i];
		gguf_find_tensor(g, t->name);
		if (t->bytes > size)   /* checked against the file size by gguf_open */
			abort();
		float *values = t->n_elems <= (1 << 20) ? malloc((size_t)t->n_elems * sizeof *values
								 + 1) : NULL;
		if (values)
			gguf_read_tensor_f32(g, i, values, t->n_elems, &err);
		free(values);
	}
	if (g) {
		int64_t v;
		gguf_get_int(g, "general.alignment", &v);
		gguf_get_str(g, "general.architecture");
	}
	gguf_close(g);
	return 0;
}
