/* figure_backends.h: the two ways a figure is drawn (used by figure_write). */
#ifndef LWQ_FIGURE_BACKENDS_H
#define LWQ_FIGURE_BACKENDS_H

#include "canvas.h"
#include "figure.h"

/* Draws the figure into a new canvas of ceil(width * scale) x ceil(height * scale)
   pixels; NULL with err when too large or out of memory. */
struct canvas *figure_rasterize(const struct figure *fig, double scale, struct lwq_err *err);

int figure_write_png(const struct figure *fig, const char *path, double scale, int overwrite,
		     struct lwq_err *err);
int figure_write_svg(const struct figure *fig, const char *path, int overwrite,
		     struct lwq_err *err);

#endif
