/* figure_raster.c: draws a figure into an RGB canvas: antialiased lines, polygons,
   markers and FreeType text, pixel-exact rectangles; then libpng writes it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "figure_backends.h"
#include "png_write.h"

/* Sub-pixel samples per axis for polygon coverage (16 levels of edge antialiasing). */
#define SUPERSAMPLE 4

/* Rectangles snap to whole pixels so a cell is exactly one colour (tests rely on it). */
static void draw_rect(struct canvas *c, const struct fig_element *e, double s)
{
	long x0 = lround(e->x * s), y0 = lround(e->y * s);
	long x1 = lround((e->x + e->w) * s), y1 = lround((e->y + e->h) * s);
	canvas_fill(c, (int)x0, (int)y0, (int)(x1 - x0), (int)(y1 - y0), e->color);
}

static void draw_ramp(struct canvas *c, const struct fig_element *e, double s)
{
	long x0 = lround(e->x * s), y0 = lround(e->y * s);
	long x1 = lround((e->x + e->w) * s), y1 = lround((e->y + e->h) * s);
	long n = e->vertical ? y1 - y0 : x1 - x0;
	for (long i = 0; i < n; i++) {
		struct rgb color = ramp_rgb(e->ramp, (i + 0.5) / (double)n);
		if (e->vertical)     /* low values at the bottom */
			canvas_fill(c, (int)x0, (int)(y1 - 1 - i), (int)(x1 - x0), 1, color);
		else
			canvas_fill(c, (int)(x0 + i), (int)y0, 1, (int)(y1 - y0), color);
	}
}

/* Coverage of one pixel of a mask, kept as the maximum over the shapes drawn into it so a
   polyline's joints are not blended twice. */
struct mask {
	int x0, y0, w, h;
	float *a;
};

static int mask_init(struct mask *m, double x0, double y0, double x1, double y1,
		     const struct canvas *c)
{
	int ix0 = (int)floor(x0), iy0 = (int)floor(y0), ix1 = (int)ceil(x1), iy1 = (int)ceil(y1);
	ix0 = ix0 < 0 ? 0 : ix0;
	iy0 = iy0 < 0 ? 0 : iy0;
	ix1 = ix1 > c->width ? c->width : ix1;
	iy1 = iy1 > c->height ? c->height : iy1;
	m->x0 = ix0;
	m->y0 = iy0;
	m->w = ix1 - ix0;
	m->h = iy1 - iy0;
	m->a = NULL;
	if (m->w <= 0 || m->h <= 0)
		return -1;
	m->a = calloc((size_t)m->w * (size_t)m->h, sizeof *m->a);
	return m->a ? 0 : -1;
}

static void mask_blend(struct mask *m, struct canvas *c, struct rgb color)
{
	for (int y = 0; y < m->h; y++)
		for (int x = 0; x < m->w; x++) {
			float a = m->a[(size_t)y * m->w + x];
			if (a > 0)
				canvas_blend(c, m->x0 + x, m->y0 + y, color, a);
		}
	free(m->a);
}

/* Distance-based coverage of a round-capped segment of half width hw (pixels). */
static void mask_segment(struct mask *m, struct fig_point a, struct fig_point b, double hw)
{
	double dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy;
	int x0 = (int)floor(fmin(a.x, b.x) - hw - 1) - m->x0, x1 = (int)ceil(fmax(a.x, b.x) + hw + 1) - m->x0;
	int y0 = (int)floor(fmin(a.y, b.y) - hw - 1) - m->y0, y1 = (int)ceil(fmax(a.y, b.y) + hw + 1) - m->y0;
	x0 = x0 < 0 ? 0 : x0;
	y0 = y0 < 0 ? 0 : y0;
	x1 = x1 > m->w ? m->w : x1;
	y1 = y1 > m->h ? m->h : y1;
	/* Lines thinner than a pixel keep a pixel of width but fade, so they look thin. */
	double fade = hw < 0.5 ? 2 * hw : 1;
	double reach = hw < 0.5 ? 0.5 : hw;
	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++) {
			double px = m->x0 + x + 0.5, py = m->y0 + y + 0.5;
			double t = len2 > 0 ? ((px - a.x) * dx + (py - a.y) * dy) / len2 : 0;
			t = t < 0 ? 0 : t > 1 ? 1 : t;
			double ex = px - (a.x + t * dx), ey = py - (a.y + t * dy);
			double cov = (reach + 0.5 - sqrt(ex * ex + ey * ey)) * fade;
			cov = cov > fade ? fade : cov;
			float *p = &m->a[(size_t)y * m->w + x];
			if (cov > *p)
				*p = (float)cov;
		}
}

static void bounds(const struct fig_point *p, int n, double *x0, double *y0, double *x1,
		   double *y1)
{
	*x0 = *y0 = INFINITY;
	*x1 = *y1 = -INFINITY;
	for (int i = 0; i < n; i++) {
		*x0 = fmin(*x0, p[i].x);
		*y0 = fmin(*y0, p[i].y);
		*x1 = fmax(*x1, p[i].x);
		*y1 = fmax(*y1, p[i].y);
	}
}

static void stroke(struct canvas *c, const struct fig_point *p, int n, double hw, struct rgb color)
{
	double x0, y0, x1, y1;
	bounds(p, n, &x0, &y0, &x1, &y1);
	struct mask m;
	if (mask_init(&m, x0 - hw - 2, y0 - hw - 2, x1 + hw + 2, y1 + hw + 2, c) != 0) {
		free(m.a);
		return;
	}
	for (int i = 0; i + 1 < n; i++)
		mask_segment(&m, p[i], p[i + 1], hw);
	if (n == 1)
		mask_segment(&m, p[0], p[0], hw);
	mask_blend(&m, c, color);
}

/* Splits the polyline into dashes of `dash` on, `dash` off (as SVG's stroke-dasharray
   with one value) and strokes each. */
static void stroke_dashed(struct canvas *c, const struct fig_point *p, int n, double hw,
			  double dash, struct rgb color)
{
	int on = 1;
	double left = dash;
	for (int i = 0; i + 1 < n; i++) {
		struct fig_point a = p[i], b = p[i + 1];
		double len = hypot(b.x - a.x, b.y - a.y), done = 0;
		while (done < len) {
			double step = fmin(left, len - done);
			struct fig_point from = { a.x + (b.x - a.x) * done / len,
						  a.y + (b.y - a.y) * done / len };
			struct fig_point to = { a.x + (b.x - a.x) * (done + step) / len,
						a.y + (b.y - a.y) * (done + step) / len };
			if (on) {
				struct fig_point piece[2] = { from, to };
				stroke(c, piece, 2, hw, color);
			}
			done += step;
			left -= step;
			if (left <= 1e-9) {
				on = !on;
				left = dash;
			}
		}
	}
}

static void draw_line(struct canvas *c, const struct fig_element *e, double s)
{
	struct fig_point *p = malloc((size_t)e->n_points * sizeof *p);
	if (!p)
		return;
	for (int i = 0; i < e->n_points; i++)
		p[i] = (struct fig_point){ e->points[i].x * s, e->points[i].y * s };
	if (e->dash > 0)
		stroke_dashed(c, p, e->n_points, e->width * s / 2, e->dash * s, e->color);
	else
		stroke(c, p, e->n_points, e->width * s / 2, e->color);
	free(p);
}

static int inside(const struct fig_point *p, int n, double x, double y)
{
	int in = 0;
	for (int i = 0, j = n - 1; i < n; j = i++)
		if ((p[i].y > y) != (p[j].y > y) &&
		    x < (p[j].x - p[i].x) * (y - p[i].y) / (p[j].y - p[i].y) + p[i].x)
			in = !in;
	return in;
}

/* Even-odd fill with SUPERSAMPLE^2 samples per pixel; points already in pixels. */
static void fill_polygon(struct canvas *c, const struct fig_point *p, int n, struct rgb color)
{
	double x0, y0, x1, y1;
	bounds(p, n, &x0, &y0, &x1, &y1);
	struct mask m;
	if (mask_init(&m, x0, y0, x1 + 1, y1 + 1, c) != 0) {
		free(m.a);
		return;
	}
	for (int y = 0; y < m.h; y++)
		for (int x = 0; x < m.w; x++) {
			int hits = 0;
			for (int sy = 0; sy < SUPERSAMPLE; sy++)
				for (int sx = 0; sx < SUPERSAMPLE; sx++)
					hits += inside(p, n, m.x0 + x + (sx + 0.5) / SUPERSAMPLE,
						       m.y0 + y + (sy + 0.5) / SUPERSAMPLE);
			m.a[(size_t)y * m.w + x] = (float)hits / (SUPERSAMPLE * SUPERSAMPLE);
		}
	mask_blend(&m, c, color);
}

static void draw_polygon(struct canvas *c, const struct fig_point *pts, int n, double s,
			 struct rgb color)
{
	struct fig_point *p = malloc((size_t)n * sizeof *p);
	if (!p)
		return;
	for (int i = 0; i < n; i++)
		p[i] = (struct fig_point){ pts[i].x * s, pts[i].y * s };
	fill_polygon(c, p, n, color);
	free(p);
}

static void draw_marker(struct canvas *c, const struct fig_element *e, double s)
{
	struct fig_point outline[FIG_MARKER_POINTS];
	int n = figure_marker_outline(e->marker, e->x, e->y, e->w, outline);
	if (n > 0) {
		draw_polygon(c, outline, n, s, e->color);
		return;
	}
	/* A disc is a zero-length segment with round caps. */
	struct fig_point centre = { e->x * s, e->y * s };
	stroke(c, &centre, 1, e->w * s / 2 - 0.5, e->color);
}

static void draw_text(struct canvas *c, const struct figure *fig, const struct fig_element *e,
		      double s)
{
	double w = figure_text_width(fig, e->text, e->size);
	double shift = e->anchor == ANCHOR_START ? 0 : e->anchor == ANCHOR_MIDDLE ? w / 2 : w;
	double x = e->upright ? e->x : e->x - shift, y = e->upright ? e->y + shift : e->y;
	font_draw(fig->font, c, x * s, y * s, e->size * s, e->color, e->upright, e->text);
}

struct canvas *figure_rasterize(const struct figure *fig, double scale, struct lwq_err *err)
{
	int w = (int)ceil(fig->width * scale), h = (int)ceil(fig->height * scale);
	struct canvas *c = canvas_new(w, h, fig->background);
	if (!c) {
		lwq_err_set(err, "image of %dx%d pixels is too large", w, h);
		return NULL;
	}
	for (int i = 0; i < fig->n; i++) {
		const struct fig_element *e = &fig->el[i];
		switch (e->kind) {
		case FIG_RECT: draw_rect(c, e, scale); break;
		case FIG_RAMP: draw_ramp(c, e, scale); break;
		case FIG_LINE: draw_line(c, e, scale); break;
		case FIG_POLYGON: draw_polygon(c, e->points, e->n_points, scale, e->color); break;
		case FIG_MARKER: draw_marker(c, e, scale); break;
		case FIG_TEXT: draw_text(c, fig, e, scale); break;
		}
	}
	return c;
}

int figure_write_png(const struct figure *fig, const char *path, double scale, int overwrite,
		     struct lwq_err *err)
{
	struct canvas *c = figure_rasterize(fig, scale, err);
	if (!c)
		return lwq_err_prefix(err, path);
	int rc = png_write_canvas(path, c, fig->title, overwrite, err);
	canvas_free(c);
	return rc;
}
