/* fuzz_llama2c.c: llama2.c checkpoint header validation and tensor reads. */
#include <stdlib.h>

#include "fuzz_util.h"
#include "llama2c.h"
#include "model_config.h"

static void read_one(struct llama2c *l, int layer, const char *name, int64_t count)
{
	struct lwq_err err = { "" };
	float *buf = count > 0 && count <= (1 << 22) ? malloc((size_t)count * sizeof *buf) : NULL;
	if (buf)
		llama2c_read(l, layer, name, buf, count, &err);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(".bin", data, size);
	struct lwq_err err = { "" };
	struct llama2c *l = path ? llama2c_open(path, &err) : NULL;
	if (!l)
		return 0;
	const struct model_config *c = llama2c_config(l);
	int64_t h = c->hidden, q = (int64_t)c->n_heads * c->head_dim;
	int64_t kv = (int64_t)c->n_kv_heads * c->head_dim;
	read_one(l, -1, "embed", (int64_t)c->vocab * h);
	read_one(l, -1, "final_norm", h);
	read_one(l, 0, "attn_norm", h);
	read_one(l, 0, "q", q * h);
	read_one(l, 0, "k", kv * h);
	read_one(l, c->n_layers - 1, "down", h * c->intermediate);
	llama2c_close(l);
	return 0;
}
