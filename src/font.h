/* font.h: a scalable font found through fontconfig, measured and drawn with FreeType. */
#ifndef LWQ_FONT_H
#define LWQ_FONT_H

#include "canvas.h"
#include "status.h"

struct font;

/* The font fontconfig picks for `pattern` ("DejaVu Sans", "Liberation Serif:bold", a
   file path); NULL means FONT_DEFAULT. NULL with err when nothing usable is found. */
#define FONT_DEFAULT "DejaVu Sans"
struct font *font_open(const char *pattern, struct lwq_err *err);
void font_free(struct font *f);

/* The family name (for SVG's font-family) and the file it came from. */
const char *font_family(const struct font *f);
const char *font_file(const struct font *f);

/* Advance width of UTF-8 text at `size` pixels per em (unhinted, so it scales). */
double font_text_width(struct font *f, const char *text, double size);
/* Height of a capital letter above the baseline, and depth of descenders, at `size`. */
double font_cap_height(const struct font *f, double size);
double font_descent(const struct font *f, double size);

/* Draws antialiased text with its baseline origin at (x, y) in canvas pixels, `size`
   pixels per em; rotated 90 degrees counter-clockwise (reading upwards) when `upright`
   is 1. Glyphs the font lacks are drawn as its missing-glyph box. */
void font_draw(struct font *f, struct canvas *c, double x, double y, double size,
	       struct rgb color, int upright, const char *text);

/* Next code point of UTF-8 text at *p (advancing *p); U+FFFD for a bad byte, 0 at the end. */
unsigned utf8_next(const char **p);

#endif
