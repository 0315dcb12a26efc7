/* app.h: the explorer's event loop on the terminal. */
#ifndef LWQ_APP_H
#define LWQ_APP_H

#include "explorer_data.h"
#include "status.h"

/* Takes over the terminal (stdin/stdout must be one) until the user quits or a signal
   arrives, then restores it. Returns 0, or -1 with err filled. */
int explorer_run(const struct explorer_data *d, struct lwq_err *err);

#endif
