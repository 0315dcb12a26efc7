/* canvas.h: an RGB raster that the figure renderer draws into and libpng writes. */
#ifndef LWQ_CANVAS_H
#define LWQ_CANVAS_H

#include <stdint.h>

#include "colormap.h"

struct canvas {
	int width, height;
	uint8_t *rgb;              /* width * height * 3, row-major */
};

/* A canvas filled with `background`; NULL when out of memory or too large. */
struct canvas *canvas_new(int width, int height, struct rgb background);
void canvas_free(struct canvas *c);

/* Fills [x, x+w) x [y, y+h), clipped to the canvas. */
void canvas_fill(struct canvas *c, int x, int y, int w, int h, struct rgb color);
struct rgb canvas_pixel(const struct canvas *c, int x, int y);

/* Mixes color into pixel (x, y) with weight alpha in [0,1] (source over); clipped. */
void canvas_blend(struct canvas *c, int x, int y, struct rgb color, double alpha);

#endif
