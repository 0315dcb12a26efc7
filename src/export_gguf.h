/* export_gguf.h: what the two halves of the GGUF exporter share (not for other modules). */
#ifndef LWQ_EXPORT_GGUF_H
#define LWQ_EXPORT_GGUF_H

#include "export.h"
#include "gguf_quants.h"
#include "gguf_write.h"

/* general.*, llama.* hyperparameters and the tokenizer.ggml.* vocabulary. main_type is
   the GGUF type most linears use (it gives general.file_type). */
/* "llama", "qwen2" or "qwen3": the llama.cpp architecture the file is written for. */
const char *gguf_arch_name(const struct model_config *cfg);
int gguf_export_metadata(struct gguf_writer *w, const struct export_job *job, int n_layers,
			 int main_type, struct lwq_err *err);

struct tokenizer_json;
/* tokenizer.ggml.* for a SentencePiece-style BPE tokenizer.json (llama.cpp's "llama"
   vocabulary, with scores from the merge ranks). */
int gguf_put_spm_vocab(struct gguf_writer *w, const struct tokenizer_json *tj,
		       const struct model_config *cfg, struct lwq_err *err);

#endif
