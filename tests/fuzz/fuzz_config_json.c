/* fuzz_config_json.c: Hugging Face config.json parsing and validation. */
#include "fuzz_util.h"
#include "hf_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model_config cfg;
	struct lwq_err err = { "" };
	hf_config_parse((const char *)data, size, "config.json", &cfg, &err);
	return 0;
}
