/* canvas.c: an RGB raster: rectangles and bitmap text. */
#include "canvas.h"

#include <stdlib.h>

/* Refuses absurd sizes (a typo in --scale) instead of trying to allocate them. */
#define CANVAS_MAX_PIXELS (64LL * 1024 * 1024)

struct canvas *canvas_new(int width, int height, struct rgb background)
{
	if (width <= 0 || height <= 0 || (long long)width * height > CANVAS_MAX_PIXELS)
		return NULL;
	struct canvas *c = malloc(sizeof *c);
	if (!c)
		return NULL;
	c->width = width;
	c->height = height;
	c->rgb = malloc((size_t)width * (size_t)height * 3);
	if (!c->rgb) {
		free(c);
		return NULL;
	}
	canvas_fill(c, 0, 0, width, height, background);
	return c;
}

void canvas_free(struct canvas *c)
{
	if (!c)
		return;
	free(c->rgb);
	free(c);
}

void canvas_fill(struct canvas *c, int x, int y, int w, int h, struct rgb color)
{
	int x0 = x < 0 ? 0 : x, y0 = y < 0 ? 0 : y;
	int x1 = x + w > c->width ? c->width : x + w;
	int y1 = y + h > c->height ? c->height : y + h;
	for (int py = y0; py < y1; py++) {
		uint8_t *p = c->rgb + ((size_t)py * (size_t)c->width + (size_t)x0) * 3;
		for (int px = x0; px < x1; px++) {
			*p++ = color.r;
			*p++ = color.g;
			*p++ = color.b;
		}
	}
}

struct rgb canvas_pixel(const struct canvas *c, int x, int y)
{
	if (x < 0 || y < 0 || x >= c->width || y >= c->height)
		return (struct rgb){ 0, 0, 0 };
	const uint8_t *p = c->rgb + ((size_t)y * (size_t)c->width + (size_t)x) * 3;
	return (struct rgb){ p[0], p[1], p[2] };
}

int canvas_text_width(const char *text, int scale)
{
	int n = 0;
	for (const char *p = text; *p; p++)
		n++;
	return n > 0 ? (n * GLYPH_ADVANCE - 1) * scale : 0;
}

int canvas_text(struct canvas *c, int x, int y, int scale, struct rgb color, const char *text)
{
	int pen = x;
	for (const char *p = text; *p; p++, pen += GLYPH_ADVANCE * scale) {
		const char *const *rows = font5x7_glyph(*p);
		if (!rows)
			rows = font5x7_glyph('?');
		for (int r = 0; r < GLYPH_H; r++)
			for (int col = 0; col < GLYPH_W; col++)
				if (rows[r][col] == '#')
					canvas_fill(c, pen + col * scale, y + r * scale, scale, scale,
						    color);
	}
	return canvas_text_width(text, scale);
}
