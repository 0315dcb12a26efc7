/* demo_model.h: where the bundled demo model is, installed or not. */
#ifndef LWQ_DEMO_MODEL_H
#define LWQ_DEMO_MODEL_H

#include <stddef.h>

/* The demo model the explorer opens without a MODEL.h5: $LWQ_DEMO; else demo.h5 in
   ../share/lwq beside the running executable (an installation moved or installed with
   `make install prefix=P`); else the configured data directory; else data/demo.h5 beside
   an uninstalled executable. Writes the path into buf and returns buf, or NULL. */
const char *demo_model_path(char *buf, size_t len);

#endif
