/* figure_axis.c: axes with ticks and labels, shared by the heatmap and curve layouts. */
#include "figure_axis.h"

#include <math.h>

const struct rgb fig_ink = { 26, 26, 26 }, fig_grey = { 96, 96, 96 },
		 fig_rule = { 200, 200, 200 }, fig_white = { 255, 255, 255 };

double axis_at(const struct axis_map *m, double v)
{
	double lo = m->log ? log10(m->lo) : m->lo, hi = m->log ? log10(m->hi) : m->hi;
	double x = m->log ? log10(v) : v;
	double t = hi > lo ? (x - lo) / (hi - lo) : 0.5;
	return m->a + (m->b - m->a) * t;
}

static int within(const struct axis_map *m, double v)
{
	double lo = fmin(m->lo, m->hi), hi = fmax(m->lo, m->hi), eps = (hi - lo) * 1e-9;
	return v >= lo - eps && v <= hi + eps;
}

double axis_label_width(const struct figure *fig, const struct ticks *t)
{
	double w = 0;
	char label[32];
	for (int i = 0; i < t->n; i++)
		w = fmax(w, figure_text_width(fig, tick_label(t, i, label),
					      FIG_TICK_SIZE));
	return w;
}

double axis_draw_x(struct figure *fig, const struct axis_map *m, double y, int line,
		   const struct ticks *t, const char *title)
{
	if (line)
		figure_segment(fig, m->a, y, m->b, y, fig_ink, 0.8, "axis");
	double label_y = y + FIG_TICK_LEN + 2 + figure_cap_height(fig, FIG_TICK_SIZE);
	char label[32];
	for (int i = 0; i < t->n; i++) {
		if (!within(m, t->value[i]))
			continue;
		double x = axis_at(m, t->value[i]);
		figure_segment(fig, x, y, x, y + FIG_TICK_LEN, fig_ink, 0.8, "tick");
		figure_text(fig, x, label_y, FIG_TICK_SIZE, ANCHOR_MIDDLE, fig_ink, "tick-label",
			    tick_label(t, i, label));
	}
	double bottom = label_y + figure_descent(fig, FIG_TICK_SIZE);
	if (title && title[0]) {
		double title_y = bottom + 4 + figure_cap_height(fig, FIG_TEXT_SIZE);
		figure_text(fig, (m->a + m->b) / 2, title_y, FIG_TEXT_SIZE, ANCHOR_MIDDLE, fig_ink,
			    "axis-title", title);
		bottom = title_y + figure_descent(fig, FIG_TEXT_SIZE);
	}
	return bottom;
}

double axis_draw_y(struct figure *fig, const struct axis_map *m, double x,
		   const struct ticks *t, const char *title)
{
	figure_segment(fig, x, m->a, x, m->b, fig_ink, 0.8, "axis");
	double label_x = x - FIG_TICK_LEN - 3;
	char label[32];
	for (int i = 0; i < t->n; i++) {
		if (!within(m, t->value[i]))
			continue;
		double y = axis_at(m, t->value[i]);
		figure_segment(fig, x - FIG_TICK_LEN, y, x, y, fig_ink, 0.8, "tick");
		figure_text_centred(fig, label_x, y, FIG_TICK_SIZE, ANCHOR_END, fig_ink,
				    "tick-label", tick_label(t, i, label));
	}
	double left = label_x - axis_label_width(fig, t);
	if (title && title[0]) {
		double title_x = left - 6 - figure_descent(fig, FIG_TEXT_SIZE);
		struct fig_element *e = figure_text(fig, title_x, (m->a + m->b) / 2, FIG_TEXT_SIZE,
						    ANCHOR_MIDDLE, fig_ink, "axis-title", title);
		if (e)
			e->upright = 1;
		left = title_x - figure_cap_height(fig, FIG_TEXT_SIZE);
	}
	return left;
}

double fit_text_size(const struct figure *fig, const char *text, double size, double width)
{
	double w = figure_text_width(fig, text, size);
	if (w <= width || w <= 0)
		return size;
	double fitted = size * width / w;
	return fitted < 7 ? 7 : fitted;
}
