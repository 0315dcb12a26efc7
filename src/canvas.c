/* canvas.c: an RGB raster: filled rectangles and blended pixels. */
#include "canvas.h"

#include <math.h>
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

void canvas_blend(struct canvas *c, int x, int y, struct rgb color, double alpha)
{
	if (x < 0 || y < 0 || x >= c->width || y >= c->height || !(alpha > 0))
		return;
	if (alpha > 1)
		alpha = 1;
	uint8_t *p = c->rgb + ((size_t)y * (size_t)c->width + (size_t)x) * 3;
	p[0] = (uint8_t)lround(p[0] + (color.r - p[0]) * alpha);
	p[1] = (uint8_t)lround(p[1] + (color.g - p[1]) * alpha);
	p[2] = (uint8_t)lround(p[2] + (color.b - p[2]) * alpha);
}
