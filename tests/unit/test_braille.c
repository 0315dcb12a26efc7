/* test_braille.c: dot grids encode to the braille characters Unicode assigns. */
#include <string.h>

#include "braille.h"
#include "tap.h"

int main(void)
{
	char u[4];
	ok(strcmp(braille_utf8(0, u), "\xe2\xa0\x80") == 0, "no dots: U+2800");
	ok(strcmp(braille_utf8(0xFF, u), "\xe2\xa3\xbf") == 0, "all dots: U+28FF");
	struct dot_grid g;
	ok(dot_grid_init(&g, 3, 2) == 0, "3x2 cells");
	/* Dot numbers by position (x, y) within a cell, as the Unicode braille chart. */
	static const int dots[4][2] = { { 1, 4 }, { 2, 5 }, { 3, 6 }, { 7, 8 } };
	int each = 1;
	for (int y = 0; y < 4; y++)
		for (int x = 0; x < 2; x++) {
			memset(g.cells, 0, 6);
			dot_grid_set(&g, 2 + x, 4 + y);        /* cell (1, 1) */
			each &= dot_grid_cell(&g, 1, 1) == 1u << (dots[y][x] - 1) &&
				dot_grid_cell(&g, 0, 0) == 0;
		}
	ok(each, "each of the 8 positions sets its own dot (1-2-3-7 left, 4-5-6-8 right)");
	memset(g.cells, 0, 6);
	dot_grid_set(&g, 2, 0);
	ok(strcmp(braille_utf8(dot_grid_cell(&g, 1, 0), u), "\xe2\xa0\x81") == 0, "dot 1: U+2801 (⠁)");
	dot_grid_set(&g, -1, 0);
	dot_grid_set(&g, 6, 0);
	dot_grid_set(&g, 0, 8);
	int total = 0;
	for (int i = 0; i < 6; i++)
		total += g.cells[i] != 0;
	ok(total == 1, "dots outside the grid are ignored");
	memset(g.cells, 0, 6);
	dot_grid_line(&g, 0, 0, 5, 7);               /* corner to corner */
	ok(dot_grid_cell(&g, 0, 0) & 0x01 && dot_grid_cell(&g, 2, 1) & 0x80,
	   "a line covers both end dots");
	int dots_on = 0;
	for (int i = 0; i < 6; i++)
		for (int b = 0; b < 8; b++)
			dots_on += (g.cells[i] >> b) & 1;
	ok(dots_on == 8, "a steep line has one dot per row (8)");
	memset(g.cells, 0, 6);
	dot_grid_line(&g, 5, 3, 0, 3);               /* right to left, one row */
	ok(dot_grid_cell(&g, 0, 0) == 0xC0 && dot_grid_cell(&g, 1, 0) == 0xC0 &&
	   dot_grid_cell(&g, 2, 0) == 0xC0, "a horizontal line fills dots 7 and 8 across");
	dot_grid_release(&g);
	ok(dot_grid_init(&g, 0, 4) != 0, "empty grid refused");
	return tap_done();
}
