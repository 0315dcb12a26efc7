/* draw.h: small curses drawing helpers shared by the views (clipping, padding, fills). */
#ifndef LWQ_DRAW_H
#define LWQ_DRAW_H

#include <curses.h>

#include "status.h"

/* Blanks a rectangle with the default attributes. */
void draw_clear(int y, int x, int h, int w);
/* Prints at (y, x) with attr, clipped to width w columns (UTF-8 aware), padding the rest
   of the width with spaces in the same attr. Returns the columns used by the text. */
int draw_text(int y, int x, int w, attr_t attr, const char *text);
/* text broken at spaces over at most max_rows rows of w columns from (y, x) (a word
   wider than w is cut); returns the rows used. */
int draw_wrapped(int y, int x, int w, int max_rows, attr_t attr, const char *text);
int draw_textf(int y, int x, int w, attr_t attr, const char *fmt, ...) LWQ_PRINTF(5, 6);
/* Repeats a (possibly multi-byte) glyph n times. */
void draw_repeat(int y, int x, int n, attr_t attr, const char *glyph);
/* Display width of a UTF-8 string (each code point counts one column). */
int text_columns(const char *text);

#endif
