/* figure.h: a figure as a list of drawing elements, laid out once and drawn by two
   backends: raster (figure_raster.c, for PNG) and vector (figure_svg.c, for SVG). */
#ifndef LWQ_FIGURE_H
#define LWQ_FIGURE_H

#include <stddef.h>

#include "colormap.h"
#include "font.h"
#include "status.h"

/* Coordinates are in layout units (CSS pixels, 1/96 inch), y downwards. */
struct fig_point {
	double x, y;
};

enum fig_kind { FIG_RECT, FIG_RAMP, FIG_LINE, FIG_POLYGON, FIG_MARKER, FIG_TEXT };
enum fig_anchor { ANCHOR_START, ANCHOR_MIDDLE, ANCHOR_END };
enum fig_marker { MARK_CIRCLE, MARK_SQUARE, MARK_TRIANGLE, MARK_DIAMOND, MARK_TRIANGLE_DOWN,
		  MARK_PENTAGON, MARK_COUNT };

struct fig_element {
	enum fig_kind kind;
	const char *cls;           /* SVG class attribute ("cell", "tick"); never NULL */
	struct rgb color;          /* fill (rect, ramp ends, polygon, marker), stroke (line), text */
	double x, y, w, h;         /* rect and ramp box; marker centre and size (w); text anchor */
	double width;              /* line width; marker outline width (0: none) */
	double dash;               /* line: dash and gap length, 0 for solid */
	struct fig_point *points;  /* line and polygon */
	int n_points;
	enum fig_marker marker;
	enum ramp_id ramp;         /* ramp: drawn left (0) to right (1), or bottom to top */
	int vertical;
	enum fig_anchor anchor;    /* text: where (x, y) is along the baseline */
	int upright;               /* text: rotated to read upwards */
	double size;               /* text: pixels per em */
	char *text;                /* text; for a rect, an optional tooltip (SVG <title>) */
};

struct figure {
	double width, height;
	struct rgb background;
	struct font *font;         /* not owned: measures text and draws it in PNGs */
	char title[256];           /* PNG tEXt Title and SVG <title> */
	struct fig_element *el;
	int n, cap;
	int out_of_memory;         /* an add failed: writers refuse the figure */
};

struct figure *figure_new(struct font *font);
void figure_free(struct figure *fig);

/* Adders return the new element (NULL when out of memory; then the figure is marked). */
struct fig_element *figure_rect(struct figure *fig, double x, double y, double w, double h,
				struct rgb color, const char *cls);
struct fig_element *figure_ramp(struct figure *fig, double x, double y, double w, double h,
				enum ramp_id ramp, int vertical, const char *cls);
struct fig_element *figure_line(struct figure *fig, const struct fig_point *pts, int n,
				struct rgb color, double width, double dash, const char *cls);
struct fig_element *figure_segment(struct figure *fig, double x0, double y0, double x1,
				   double y1, struct rgb color, double width, const char *cls);
struct fig_element *figure_polygon(struct figure *fig, const struct fig_point *pts, int n,
				   struct rgb color, const char *cls);
struct fig_element *figure_marker(struct figure *fig, double x, double y, enum fig_marker m,
				  double size, struct rgb color, const char *cls);
struct fig_element *figure_text(struct figure *fig, double x, double y, double size,
				enum fig_anchor anchor, struct rgb color, const char *cls,
				const char *text);
/* figure_text with the text's capitals centred vertically on y. */
struct fig_element *figure_text_centred(struct figure *fig, double x, double y, double size,
					enum fig_anchor anchor, struct rgb color,
					const char *cls, const char *text);
/* Sets an element's tooltip (rects) or text from a format. */
void figure_set_tip(struct figure *fig, struct fig_element *e, const char *fmt, ...)
	LWQ_PRINTF(3, 4);

double figure_text_width(const struct figure *fig, const char *text, double size);
double figure_cap_height(const struct figure *fig, double size);
double figure_descent(const struct figure *fig, double size);

/* The box a text element's ink may cover: [x0, x1) x [y0, y1) in layout units. */
void figure_text_box(const struct figure *fig, const struct fig_element *e, double *x0,
		     double *y0, double *x1, double *y1);

/* The outline of a marker of `size` centred on (x, y), as a polygon of at most
   FIG_MARKER_POINTS points; 0 points for a circle (drawn as a circle). */
#define FIG_MARKER_POINTS 8
int figure_marker_outline(enum fig_marker m, double x, double y, double size,
			  struct fig_point *out);

/* Writes the figure as PNG (scale pixels per layout unit) or SVG, chosen by the name's
   ending (.png or .svg); atomically, refusing to overwrite unless asked. */
int figure_write(const struct figure *fig, const char *path, double scale, int overwrite,
		 struct lwq_err *err);
/* "1400x900 pixels" for a PNG, "700x450 px (vector)" for an SVG: what figure_write made. */
const char *figure_size_text(const struct figure *fig, const char *path, double scale,
			     char *buf, size_t n);
/* 1 when path ends in .png or .svg (any case): the names figure_write accepts. */
int figure_path_supported(const char *path);

#endif
