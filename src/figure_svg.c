/* figure_svg.c: writes a figure as SVG 1.1: the same elements as vectors, text as text. */
#include <stdio.h>
#include <string.h>

#include "atomic_file.h"
#include "figure_backends.h"

static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			/* XML 1.0 forbids most control characters even when escaped. */
			if ((unsigned char)*s >= 0x20 || *s == '\t' || *s == '\n')
				fputc(*s, f);
		}
}

static void put_color(FILE *f, const char *attr, struct rgb c)
{
	fprintf(f, " %s=\"#%02x%02x%02x\"", attr, c.r, c.g, c.b);
}

static void put_class(FILE *f, const struct fig_element *e)
{
	if (e->cls[0]) {
		fputs(" class=\"", f);
		put_escaped(f, e->cls);
		fputc('"', f);
	}
}

static void put_points(FILE *f, const struct fig_point *p, int n)
{
	fputs(" points=\"", f);
	for (int i = 0; i < n; i++)
		fprintf(f, "%s%.2f,%.2f", i ? " " : "", p[i].x, p[i].y);
	fputc('"', f);
}

/* One gradient per ramp element, defined where it is used (valid SVG, simple to emit). */
static void put_ramp(FILE *f, const struct fig_element *e, int id)
{
	int n;
	const struct rgb *stops = ramp_stops(e->ramp, &n);
	fprintf(f, "<linearGradient id=\"ramp%d\" x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"0\">", id,
		e->vertical, !e->vertical);
	for (int i = 0; i < n; i++) {
		fprintf(f, "<stop offset=\"%.4f\"", (double)i / (n - 1));
		put_color(f, "stop-color", stops[i]);
		fputs("/>", f);
	}
	fprintf(f, "</linearGradient>\n<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
		"fill=\"url(#ramp%d)\"", e->x, e->y, e->w, e->h, id);
	put_class(f, e);
	fputs("/>\n", f);
}

static void put_rect(FILE *f, const struct fig_element *e)
{
	fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"", e->x, e->y, e->w,
		e->h);
	put_color(f, "fill", e->color);
	put_class(f, e);
	if (e->text) {
		fputs("><title>", f);
		put_escaped(f, e->text);
		fputs("</title></rect>\n", f);
	} else {
		fputs("/>\n", f);
	}
}

static void put_line(FILE *f, const struct fig_element *e)
{
	fputs("<polyline", f);
	put_points(f, e->points, e->n_points);
	fputs(" fill=\"none\"", f);
	put_color(f, "stroke", e->color);
	fprintf(f, " stroke-width=\"%.2f\" stroke-linecap=\"round\" stroke-linejoin=\"round\"",
		e->width);
	if (e->dash > 0)
		fprintf(f, " stroke-dasharray=\"%.2f\"", e->dash);
	put_class(f, e);
	fputs("/>\n", f);
}

static void put_polygon(FILE *f, const struct fig_element *e, const struct fig_point *p, int n)
{
	fputs("<polygon", f);
	put_points(f, p, n);
	put_color(f, "fill", e->color);
	put_class(f, e);
	fputs("/>\n", f);
}

static void put_marker(FILE *f, const struct fig_element *e)
{
	struct fig_point outline[FIG_MARKER_POINTS];
	int n = figure_marker_outline(e->marker, e->x, e->y, e->w, outline);
	if (n > 0) {
		put_polygon(f, e, outline, n);
		return;
	}
	fprintf(f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\"", e->x, e->y, e->w / 2);
	put_color(f, "fill", e->color);
	put_class(f, e);
	fputs("/>\n", f);
}

static void put_text(FILE *f, const struct fig_element *e)
{
	static const char *const anchors[] = { "start", "middle", "end" };
	fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"%.2f\"", e->x, e->y, e->size);
	if (e->anchor != ANCHOR_START)
		fprintf(f, " text-anchor=\"%s\"", anchors[e->anchor]);
	if (e->upright)
		fprintf(f, " transform=\"rotate(-90 %.2f %.2f)\"", e->x, e->y);
	put_color(f, "fill", e->color);
	put_class(f, e);
	fputc('>', f);
	put_escaped(f, e->text);
	fputs("</text>\n", f);
}

static int write_svg_stream(FILE *f, const struct figure *fig)
{
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%.0f\" "
		"height=\"%.0f\" viewBox=\"0 0 %.2f %.2f\" font-family=\"",
		fig->width, fig->height, fig->width, fig->height);
	put_escaped(f, font_family(fig->font));
	fputs(", sans-serif\">\n<title>", f);
	put_escaped(f, fig->title);
	fputs("</title>\n", f);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\"");
	put_color(f, "fill", fig->background);
	fputs("/>\n", f);
	int ramps = 0;
	for (int i = 0; i < fig->n; i++) {
		const struct fig_element *e = &fig->el[i];
		switch (e->kind) {
		case FIG_RECT: put_rect(f, e); break;
		case FIG_RAMP: put_ramp(f, e, ramps++); break;
		case FIG_LINE: put_line(f, e); break;
		case FIG_POLYGON: put_polygon(f, e, e->points, e->n_points); break;
		case FIG_MARKER: put_marker(f, e); break;
		case FIG_TEXT: put_text(f, e); break;
		}
	}
	fputs("</svg>\n", f);
	return ferror(f) ? -1 : 0;
}

int figure_write_svg(const struct figure *fig, const char *path, int overwrite,
		     struct lwq_err *err)
{
	struct atomic_target t;
	FILE *f = atomic_open_stream(&t, path, overwrite, err);
	if (!f)
		return -1;
	int rc = write_svg_stream(f, fig);
	if (rc != 0)
		lwq_err_set(err, "%s: write failed", path);
	return atomic_close_stream(&t, f, rc, err);
}
