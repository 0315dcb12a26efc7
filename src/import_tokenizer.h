/* import_tokenizer.h: the tokenizer.json an import embeds is checked before it is stored,
   and what `lwq info` and the token loader need to know of it is decided once. */
#ifndef LWQ_IMPORT_TOKENIZER_H
#define LWQ_IMPORT_TOKENIZER_H

#include "model_h5.h"
#include "status.h"

/* Facts stored as attributes of /tokenizer (see lwq-format(5)). */
struct tokenizer_facts {
	char description[64];      /* "byte-level BPE", "SentencePiece-style BPE", "BPE" */
	char pattern_family[16];   /* "gpt2", "llama3", "qwen2", "custom", "none" */
	int vocab_size;            /* one past the largest id */
	int bos_id;                /* id every window starts with, or -1 */
	char bos_source[32];       /* what decided it: "tokenizer_config.json", "post_processor" */
};

/* Loads tokenizer.json at path as `eval --text` will, and tokenizer_config.json beside
   it when present. Fails with one line naming the file: not JSON, bad or duplicate ids,
   a component or option lwq's tokenizer does not implement, an invalid regex, merges
   naming unknown tokens, ids the model's vocabulary of `vocab` cannot embed.
   BOS: tokenizer_config.json's add_bos_token (with its bos_token) when it says, else
   the first token the post-processor puts before a text, else none. */
int import_check_tokenizer(const char *path, int vocab, struct tokenizer_facts *facts,
			   struct lwq_err *err);

/* Stores the facts as attributes of /tokenizer. */
int tokenizer_facts_store(struct model_file *mf, const struct tokenizer_facts *facts,
			  struct lwq_err *err);
/* Reads them back; a file imported before they existed reads as no BOS, kind unknown. */
void tokenizer_facts_load(struct model_file *mf, struct tokenizer_facts *facts);

#endif
