/* figure_axis.h: axes, tick marks and colour bars drawn into a figure (heatmaps and curves). */
#ifndef LWQ_FIGURE_AXIS_H
#define LWQ_FIGURE_AXIS_H

#include "figure.h"
#include "ticks.h"

/* Shared look of figures: ink, secondary text, rules, sizes in layout units. */
extern const struct rgb fig_ink, fig_grey, fig_rule, fig_white;
#define FIG_TITLE_SIZE 15.0
#define FIG_TEXT_SIZE 10.5
#define FIG_TICK_SIZE 9.0
#define FIG_TICK_LEN 3.5

/* Maps a value to a coordinate along [a, b] for the range [lo, hi], linear or log10. */
struct axis_map {
	double lo, hi, a, b;
	int log;
};
double axis_at(const struct axis_map *m, double v);

/* A horizontal axis along y from m->a to m->b: the line (when `line`), ticks hanging
   down with their labels, and the title centred below. Returns the lowest y used. */
double axis_draw_x(struct figure *fig, const struct axis_map *m, double y, int line,
		   const struct ticks *t, const char *title);
/* A vertical axis along x (m->a at the bottom, m->b at the top): ticks to the left
   with labels, the title reading upwards left of them. Returns the leftmost x used. */
double axis_draw_y(struct figure *fig, const struct axis_map *m, double x,
		   const struct ticks *t, const char *title);
/* Widest tick label of t (for laying out the space left of a y axis). */
double axis_label_width(const struct figure *fig, const struct ticks *t);

/* Text wider than `width` at `size` shrinks (not below 7) to fit; returns the size. */
double fit_text_size(const struct figure *fig, const char *text, double size, double width);

#endif
