/* explorer_load.h: fills the explorer's data model from an lwq model file. */
#ifndef LWQ_EXPLORER_LOAD_H
#define LWQ_EXPLORER_LOAD_H

#include "explorer_data.h"
#include "status.h"

/* Reads config, /scores, /activations/cos and /sweeps into memory (the file is closed on
   return). Missing parts are listed in d->missing with the verb that makes them; only an
   unreadable file or a malformed dataset fails. Hooks are left empty. */
struct explorer_data *explorer_load(const char *path, struct lwq_err *err);

#endif
