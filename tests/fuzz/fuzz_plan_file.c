/* fuzz_plan_file.c: plan JSON parsing, with and without a model to check against; a plan
   that parses must survive writing and reading back unchanged. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "plan_file.h"

/* The bundled demo model's shape, so plans for it pass the identity checks. */
static const struct model_config demo = {
	.architecture = "LlamaForCausalLM", .n_layers = 16, .hidden = 128,
	.intermediate = 352, .n_heads = 4, .n_kv_heads = 2, .head_dim = 32, .vocab = 2048,
	.rope_theta = 10000, .norm_eps = 1e-5, .tied_embeddings = 1, .bos_id = -1,
	.eos_id = -1,
};

static void round_trip(const struct bit_plan *plan, const struct model_config *cfg)
{
	struct lwq_err err = { "" };
	char *text = plan_to_json(plan, cfg);
	struct bit_plan *back = text ? plan_from_json(text, cfg, &err) : NULL;
	if (!back || back->n_layers != plan->n_layers ||
	    memcmp(back->bits, plan->bits, (size_t)plan->n_layers * sizeof *plan->bits) != 0 ||
	    strcmp(back->model_name, plan->model_name) != 0)
		abort();   /* lwq wrote a plan it cannot read back */
	bit_plan_free(back);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	struct lwq_err err = { "" };
	const struct model_config *cfgs[2] = { NULL, &demo };
	for (int i = 0; i < 2; i++) {
		struct bit_plan *plan = plan_from_json(text, cfgs[i], &err);
		if (plan)
			round_trip(plan, cfgs[i]);
		bit_plan_free(plan);
	}
	free(text);
	return 0;
}
