/* braille.h: a dot grid drawn with Unicode braille, 2 dots across and 4 down per cell
   (pure: no curses, so it is tested without a terminal). */
#ifndef LWQ_BRAILLE_H
#define LWQ_BRAILLE_H

#include <stdint.h>

struct dot_grid {
	int cols, rows;            /* in character cells: 2 * cols by 4 * rows dots */
	uint8_t *cells;            /* [rows * cols] braille dot masks (bit k = dot k + 1) */
};

/* 0, or -1 when out of memory (or a size is not positive). */
int dot_grid_init(struct dot_grid *g, int cols, int rows);
void dot_grid_release(struct dot_grid *g);

/* Dots are addressed from the top-left, x across and y down; outside the grid is ignored. */
void dot_grid_set(struct dot_grid *g, int x, int y);
/* A straight line of dots from (x0, y0) to (x1, y1), both ends included (Bresenham). */
void dot_grid_line(struct dot_grid *g, int x0, int y0, int x1, int y1);
/* The dot mask of a cell (0: empty; 0xFF: all eight dots). */
uint8_t dot_grid_cell(const struct dot_grid *g, int col, int row);

/* The UTF-8 bytes of the braille character with these dots (U+2800 + mask). */
const char *braille_utf8(uint8_t mask, char out[4]);

#endif
