/* import_model.h: the import pipeline: a Hugging Face directory or llama2.c checkpoint
   read one tensor at a time into a new lwq model file. */
#ifndef LWQ_IMPORT_MODEL_H
#define LWQ_IMPORT_MODEL_H

#include <stdint.h>

#include "hf_config.h"
#include "import_tokenizer.h"
#include "llama2c.h"
#include "model_config.h"
#include "safetensors.h"
#include "status.h"

/* What to import and how: the options of lwq import. */
struct import_options {
	const char *src, *out, *name;
	int force;
	int link;                  /* weights stay in the safetensors files */
	int dtype;                 /* enum dtype, or -1 to keep each tensor's own */
};

/* What is being imported: exactly one of st / l2c is set. */
struct import_source {
	struct model_config cfg;
	const char *format;        /* "hf-safetensors" or "llama2c" */
	struct safetensors *st;
	struct llama2c *l2c;
	char tokenizer_path[4096]; /* "" when the source has none */
	struct tokenizer_facts tokenizer_facts;
};

/* Opens SRC (a directory: Hugging Face; a file: llama2.c) and reads its configuration.
   0, or -1 with err filled; import_source_close either way. */
int import_source_open(struct import_source *s, const char *src, struct lwq_err *err);
void import_source_close(struct import_source *s);

/* Checks the source against its configuration (tensors, tokenizer, free space for
   o->out) and writes the model file at temp_path, o->out naming it in messages; sets
   *n_tensors. 0, or -1 with err filled (temp_path may then hold a partial file). */
int import_write_model(struct import_source *s, const struct import_options *o,
		       const char *temp_path, int64_t *n_tensors, struct lwq_err *err);

#endif
