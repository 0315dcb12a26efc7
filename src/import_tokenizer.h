/* import_tokenizer.h: the tokenizer.json an import embeds is checked before it is stored. */
#ifndef LWQ_IMPORT_TOKENIZER_H
#define LWQ_IMPORT_TOKENIZER_H

#include "status.h"

/* Loads tokenizer.json at path as `eval --text` will. A damaged file (not JSON, bad or
   duplicate ids, ids the model's vocabulary of `vocab` cannot embed) fails with err
   naming it; a valid one using features lwq's tokenizer lacks only prints a warning
   (unless quiet), since the model still works with token-id files. */
int import_check_tokenizer(const char *path, int vocab, int quiet, struct lwq_err *err);

#endif
