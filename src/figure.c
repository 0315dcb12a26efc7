/* figure.c: building a figure's element list, text metrics, and choosing the writer. */
#include "cli.h"
#include "figure.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "figure_backends.h"

#define FIG_PI 3.14159265358979323846

struct figure *figure_new(struct font *font)
{
	struct figure *fig = calloc(1, sizeof *fig);
	if (!fig)
		return NULL;
	fig->font = font;
	fig->background = (struct rgb){ 255, 255, 255 };
	return fig;
}

void figure_free(struct figure *fig)
{
	if (!fig)
		return;
	for (int i = 0; i < fig->n; i++) {
		free(fig->el[i].points);
		free(fig->el[i].text);
	}
	free(fig->el);
	free(fig);
}

static struct fig_element *add(struct figure *fig, enum fig_kind kind, struct rgb color,
			       const char *cls)
{
	if (fig->n == fig->cap) {
		int cap = fig->cap ? fig->cap * 2 : 256;
		struct fig_element *grown = realloc(fig->el, (size_t)cap * sizeof *grown);
		if (!grown) {
			fig->out_of_memory = 1;
			return NULL;
		}
		fig->el = grown;
		fig->cap = cap;
	}
	struct fig_element *e = &fig->el[fig->n++];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->color = color;
	e->cls = cls ? cls : "";
	return e;
}

struct fig_element *figure_rect(struct figure *fig, double x, double y, double w, double h,
				struct rgb color, const char *cls)
{
	struct fig_element *e = add(fig, FIG_RECT, color, cls);
	if (e) {
		e->x = x;
		e->y = y;
		e->w = w;
		e->h = h;
	}
	return e;
}

struct fig_element *figure_ramp(struct figure *fig, double x, double y, double w, double h,
				enum ramp_id ramp, int vertical, const char *cls)
{
	struct fig_element *e = figure_rect(fig, x, y, w, h, ramp_rgb(ramp, 0), cls);
	if (e) {
		e->kind = FIG_RAMP;
		e->ramp = ramp;
		e->vertical = vertical;
	}
	return e;
}

static struct fig_element *add_points(struct figure *fig, enum fig_kind kind,
				      const struct fig_point *pts, int n, struct rgb color,
				      const char *cls)
{
	struct fig_element *e = n > 0 ? add(fig, kind, color, cls) : NULL;
	if (!e)
		return NULL;
	e->points = malloc((size_t)n * sizeof *pts);
	if (!e->points) {
		fig->n--;
		fig->out_of_memory = 1;
		return NULL;
	}
	memcpy(e->points, pts, (size_t)n * sizeof *pts);
	e->n_points = n;
	return e;
}

struct fig_element *figure_line(struct figure *fig, const struct fig_point *pts, int n,
				struct rgb color, double width, double dash, const char *cls)
{
	struct fig_element *e = add_points(fig, FIG_LINE, pts, n, color, cls);
	if (e) {
		e->width = width;
		e->dash = dash;
	}
	return e;
}

struct fig_element *figure_segment(struct figure *fig, double x0, double y0, double x1,
				   double y1, struct rgb color, double width, const char *cls)
{
	struct fig_point pts[2] = { { x0, y0 }, { x1, y1 } };
	return figure_line(fig, pts, 2, color, width, 0, cls);
}

struct fig_element *figure_polygon(struct figure *fig, const struct fig_point *pts, int n,
				   struct rgb color, const char *cls)
{
	return add_points(fig, FIG_POLYGON, pts, n, color, cls);
}

struct fig_element *figure_marker(struct figure *fig, double x, double y, enum fig_marker m,
				  double size, struct rgb color, const char *cls)
{
	struct fig_element *e = add(fig, FIG_MARKER, color, cls);
	if (e) {
		e->x = x;
		e->y = y;
		e->w = size;
		e->marker = m;
	}
	return e;
}

struct fig_element *figure_text(struct figure *fig, double x, double y, double size,
				enum fig_anchor anchor, struct rgb color, const char *cls,
				const char *text)
{
	struct fig_element *e = add(fig, FIG_TEXT, color, cls);
	if (!e)
		return NULL;
	e->text = strdup(text);
	if (!e->text) {
		fig->n--;
		fig->out_of_memory = 1;
		return NULL;
	}
	e->x = x;
	e->y = y;
	e->size = size;
	e->anchor = anchor;
	return e;
}

struct fig_element *figure_text_centred(struct figure *fig, double x, double y, double size,
					enum fig_anchor anchor, struct rgb color,
					const char *cls, const char *text)
{
	return figure_text(fig, x, y + figure_cap_height(fig, size) / 2, size, anchor, color,
			   cls, text);
}

void figure_set_tip(struct figure *fig, struct fig_element *e, const char *fmt, ...)
{
	if (!e)
		return;
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	char *copy = strdup(buf);
	if (!copy) {
		fig->out_of_memory = 1;
		return;
	}
	free(e->text);
	e->text = copy;
}

double figure_text_width(const struct figure *fig, const char *text, double size)
{
	return font_text_width(fig->font, text, size);
}

double figure_cap_height(const struct figure *fig, double size)
{
	return font_cap_height(fig->font, size);
}

double figure_descent(const struct figure *fig, double size)
{
	return font_descent(fig->font, size);
}

void figure_text_box(const struct figure *fig, const struct fig_element *e, double *x0,
		     double *y0, double *x1, double *y1)
{
	double w = figure_text_width(fig, e->text, e->size);
	double start = e->anchor == ANCHOR_START ? 0 : e->anchor == ANCHOR_MIDDLE ? -w / 2 : -w;
	double up = figure_cap_height(fig, e->size) * 1.05, down = figure_descent(fig, e->size);
	if (e->upright) {          /* the baseline runs upwards from (x, y) */
		*x0 = e->x - up;
		*x1 = e->x + down;
		*y0 = e->y - start - w;
		*y1 = e->y - start;
	} else {
		*x0 = e->x + start;
		*x1 = *x0 + w;
		*y0 = e->y - up;
		*y1 = e->y + down;
	}
}

int figure_marker_outline(enum fig_marker m, double x, double y, double size,
			  struct fig_point *out)
{
	double r = size / 2;
	int n = 0;
	switch (m) {
	case MARK_SQUARE:          /* drawn a little smaller: a square looks bigger than a disc */
		r *= 0.86;
		out[n++] = (struct fig_point){ x - r, y - r };
		out[n++] = (struct fig_point){ x + r, y - r };
		out[n++] = (struct fig_point){ x + r, y + r };
		out[n++] = (struct fig_point){ x - r, y + r };
		break;
	case MARK_DIAMOND:
		r *= 1.2;
		out[n++] = (struct fig_point){ x, y - r };
		out[n++] = (struct fig_point){ x + r * 0.8, y };
		out[n++] = (struct fig_point){ x, y + r };
		out[n++] = (struct fig_point){ x - r * 0.8, y };
		break;
	case MARK_TRIANGLE:
	case MARK_TRIANGLE_DOWN:
	case MARK_PENTAGON: {
		int k = m == MARK_PENTAGON ? 5 : 3;
		double turn = m == MARK_TRIANGLE_DOWN ? FIG_PI / 2 : -FIG_PI / 2;
		r *= m == MARK_PENTAGON ? 1.1 : 1.25;
		for (int i = 0; i < k; i++)
			out[n++] = (struct fig_point){ x + r * cos(turn + 2 * FIG_PI * i / k),
						       y + r * sin(turn + 2 * FIG_PI * i / k) * 1.0 };
		break;
	}
	default:
		break;
	}
	return n;
}

int figure_path_supported(const char *path)
{
	return path_has_extension(path, ".png") || path_has_extension(path, ".svg");
}

int figure_write(const struct figure *fig, const char *path, double scale, int overwrite,
		 struct lwq_err *err)
{
	if (fig->out_of_memory)
		return lwq_err_set(err, "%s: out of memory while laying out the figure", path);
	if (path_has_extension(path, ".svg"))
		return figure_write_svg(fig, path, overwrite, err);
	if (path_has_extension(path, ".png"))
		return figure_write_png(fig, path, scale, overwrite, err);
	return lwq_err_set(err, "%s: unknown image type (name it .png or .svg)", path);
}

const char *figure_size_text(const struct figure *fig, const char *path, double scale,
			     char *buf, size_t n)
{
	if (path_has_extension(path, ".svg"))
		snprintf(buf, n, "%.0fx%.0f px (vector)", fig->width, fig->height);
	else
		snprintf(buf, n, "%.0fx%.0f pixels", ceil(fig->width * scale),
			 ceil(fig->height * scale));
	return buf;
}
