/* canvas.h: an RGB raster with rectangles and 5x7 bitmap text, for the heatmap PNG. */
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

/* Glyphs are 5x7 pixels on a 6x8 advance, each pixel drawn as scale x scale.
   Lower-case letters print as capitals; unknown characters as '?'. */
#define GLYPH_W 5
#define GLYPH_H 7
#define GLYPH_ADVANCE 6
/* Draws text with its top-left corner at (x, y); returns the width drawn in pixels. */
int canvas_text(struct canvas *c, int x, int y, int scale, struct rgb color, const char *text);
int canvas_text_width(const char *text, int scale);

/* Rows of a glyph as 5-character strings of '#' and '.', or NULL when none exists. */
const char *const *font5x7_glyph(char ch);

#endif
