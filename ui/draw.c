/* draw.c: clipped, padded text and fills on stdscr for the views. */
#include "draw.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Every glyph the views print is one column wide, so code points = columns. */
static int is_continuation(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

int text_columns(const char *text)
{
	int n = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		n += !is_continuation(*p);
	return n;
}

/* Bytes of the first `columns` code points of text. */
static size_t prefix_bytes(const char *text, int columns)
{
	size_t i = 0;
	int seen = 0;
	for (; text[i]; i++) {
		if (!is_continuation((unsigned char)text[i])) {
			if (seen == columns)
				break;
			seen++;
		}
	}
	return i;
}

void draw_clear(int y, int x, int h, int w)
{
	if (w <= 0)
		return;
	for (int r = 0; r < h; r++) {
		attrset(A_NORMAL);
		mvhline(y + r, x, ' ', w);
	}
}

int draw_text(int y, int x, int w, attr_t attr, const char *text)
{
	if (w <= 0 || y < 0 || y >= LINES || x >= COLS)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	int cols = text_columns(text);
	if (cols > w)
		cols = w;
	attrset(attr);
	mvaddnstr(y, x, text, (int)prefix_bytes(text, cols));
	if (cols < w)
		mvhline(y, x + cols, ' ', w - cols);
	attrset(A_NORMAL);
	return cols;
}

int draw_wrapped(int y, int x, int w, int max_rows, attr_t attr, const char *text)
{
	int rows = 0;
	while (*text && rows < max_rows && w > 0) {
		size_t take = strlen(text);
		if ((int)text_columns(text) > w) {
			take = prefix_bytes(text, w);
			size_t space = take;
			while (space > 0 && text[space] != ' ')
				space--;
			if (space > 0)
				take = space;
		}
		char line[512];
		snprintf(line, sizeof line, "%.*s", (int)take, text);
		draw_text(y + rows++, x, w, attr, line);
		text += take;
		while (*text == ' ')
			text++;
	}
	return rows;
}

int draw_textf(int y, int x, int w, attr_t attr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return draw_text(y, x, w, attr, buf);
}

void draw_repeat(int y, int x, int n, attr_t attr, const char *glyph)
{
	if (n <= 0 || y < 0 || y >= LINES)
		return;
	attrset(attr);
	move(y, x);
	for (int i = 0; i < n && x + i < COLS; i++)
		addstr(glyph);
	attrset(A_NORMAL);
}
