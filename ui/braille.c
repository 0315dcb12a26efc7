/* braille.c: dots to braille characters. Unicode numbers the dots 1-2-3-7 down the left
   column and 4-5-6-8 down the right; dot k is bit k - 1 of the offset from U+2800. */
#include "braille.h"

#include <stdlib.h>

static const uint8_t dot_bit[4][2] = {
	{ 0x01, 0x08 }, { 0x02, 0x10 }, { 0x04, 0x20 }, { 0x40, 0x80 },
};

int dot_grid_init(struct dot_grid *g, int cols, int rows)
{
	g->cols = cols > 0 ? cols : 0;
	g->rows = rows > 0 ? rows : 0;
	g->cells = NULL;
	if (g->cols == 0 || g->rows == 0)
		return -1;
	g->cells = calloc((size_t)cols * (size_t)rows, 1);
	return g->cells ? 0 : -1;
}

void dot_grid_release(struct dot_grid *g)
{
	free(g->cells);
	g->cells = NULL;
}

void dot_grid_set(struct dot_grid *g, int x, int y)
{
	if (!g->cells || x < 0 || y < 0 || x >= 2 * g->cols || y >= 4 * g->rows)
		return;
	g->cells[(y / 4) * g->cols + x / 2] |= dot_bit[y % 4][x % 2];
}

void dot_grid_line(struct dot_grid *g, int x0, int y0, int x1, int y1)
{
	int dx = abs(x1 - x0), dy = -abs(y1 - y0);
	int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
	int e = dx + dy;
	for (;;) {
		dot_grid_set(g, x0, y0);
		if (x0 == x1 && y0 == y1)
			return;
		int e2 = 2 * e;
		if (e2 >= dy) {
			e += dy;
			x0 += sx;
		}
		if (e2 <= dx) {
			e += dx;
			y0 += sy;
		}
	}
}

uint8_t dot_grid_cell(const struct dot_grid *g, int col, int row)
{
	if (!g->cells || col < 0 || row < 0 || col >= g->cols || row >= g->rows)
		return 0;
	return g->cells[row * g->cols + col];
}

const char *braille_utf8(uint8_t mask, char out[4])
{
	unsigned cp = 0x2800u + mask;   /* three UTF-8 bytes: 1110xxxx 10xxxxxx 10xxxxxx */
	out[0] = (char)(0xE0 | (cp >> 12));
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[2] = (char)(0x80 | (cp & 0x3F));
	out[3] = 0;
	return out;
}
