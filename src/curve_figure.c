/* curve_figure.c: lays out sweep curves: panels with axes and grid, a dashed reference
   for the unquantized model, one coloured line with markers per order, a legend. */
#include "curve_figure.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARGIN 18.0
#define PLOT_W 380.0
#define PLOT_H 270.0
#define PANEL_GAP 40.0
#define LINE_W 1.6
#define MARK_SIZE 5.5

struct rgb curve_color(int i)
{
	return series_rgb(i);
}

enum fig_marker curve_marker(int i)
{
	return (enum fig_marker)((i % MARK_COUNT + MARK_COUNT) % MARK_COUNT);
}

/* What one panel plots: a value per sweep point and the unquantized model's level. */
struct panel {
	const char *y_title;
	const float *(*values)(const struct sweep_curve *c);
	double (*reference)(const struct sweep_curve *c);   /* NaN: none */
};

static const float *ppl_of(const struct sweep_curve *c)
{
	return c->ppl;
}

static double baseline_of(const struct sweep_curve *c)
{
	return c->baseline_ppl > 0 ? c->baseline_ppl : NAN;
}

static const float *kld_of(const struct sweep_curve *c)
{
	return c->kld;
}

static double zero_of(const struct sweep_curve *c)
{
	(void)c;
	return 0;
}

/* The unquantized level every plotted curve of the panel shares; NaN when none, and
   *differ set when curves measured on different tokens disagree. */
static double shared_reference(const struct explorer_data *d, const struct panel *p, int *differ)
{
	double ref = NAN;
	*differ = 0;
	for (int i = 0; i < d->n_sweeps; i++) {
		double r = p->values(&d->sweeps[i]) ? p->reference(&d->sweeps[i]) : NAN;
		if (isnan(r))
			continue;
		if (!isnan(ref) && fabs(r - ref) > 1e-9 * fabs(ref))
			*differ = 1;
		ref = isnan(ref) ? r : ref;
	}
	return ref;
}

static int plottable(double v, int log_y)
{
	return isfinite(v) && (!log_y || v > 0);
}

/* The panel's value range over every curve (and its reference); -1 when empty. */
static int value_range(const struct explorer_data *d, const struct panel *p, int log_y,
		       double *lo, double *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	for (int i = 0; i < d->n_sweeps; i++) {
		const float *v = p->values(&d->sweeps[i]);
		for (int k = 0; v && k < d->sweeps[i].n_points; k++)
			if (plottable(v[k], log_y)) {
				*lo = fmin(*lo, v[k]);
				*hi = fmax(*hi, v[k]);
			}
	}
	if (!isfinite(*lo))
		return -1;
	for (int i = 0; i < d->n_sweeps; i++) {
		double r = p->values(&d->sweeps[i]) ? p->reference(&d->sweeps[i]) : NAN;
		if (plottable(r, log_y)) {
			*lo = fmin(*lo, r);
			*hi = fmax(*hi, r);
		}
	}
	if (*hi <= *lo) {          /* one value: open a small window around it */
		*hi = *lo * 1.1 + (*lo == 0);
		*lo = log_y ? *lo / 1.1 : *lo * 0.9 - (*lo == 0);
	}
	if (!log_y) {              /* a little air above and below the lines */
		double pad = (*hi - *lo) * 0.04;
		*hi += pad;
		*lo = *lo >= 0 && *lo - pad < 0 ? 0 : *lo - pad;
	} else {
		*hi *= 1.05;
		*lo /= 1.05;
	}
	return 0;
}

static void bits_range(const struct explorer_data *d, double *lo, double *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	for (int i = 0; i < d->n_sweeps; i++)
		for (int k = 0; k < d->sweeps[i].n_points; k++) {
			*lo = fmin(*lo, d->sweeps[i].avg_bits[k]);
			*hi = fmax(*hi, d->sweeps[i].avg_bits[k]);
		}
	if (!(*hi > *lo)) {
		*lo = isfinite(*lo) ? *lo - 1 : 2;
		*hi = *lo + 2;
	}
	double pad = (*hi - *lo) * 0.03;
	*lo -= pad;
	*hi += pad;
}

static const char *method_of(const struct sweep_curve *c)
{
	return c->method[0] ? c->method : "rtn";
}

static int same_method(const struct explorer_data *d)
{
	for (int i = 1; i < d->n_sweeps; i++)
		if (strcmp(method_of(&d->sweeps[i]), method_of(&d->sweeps[0])) != 0)
			return 0;
	return 1;
}

static int same_pair(const struct explorer_data *d)
{
	for (int i = 1; i < d->n_sweeps; i++)
		if (d->sweeps[i].high_bits != d->sweeps[0].high_bits ||
		    d->sweeps[i].low_bits != d->sweeps[0].low_bits)
			return 0;
	return 1;
}

/* "lim"; with ", gptq" when the file holds curves of several methods and ", 4/2-bit"
   when of several width pairs. The stored name's "@method" suffix is not repeated. */
static void curve_label(const struct explorer_data *d, const struct sweep_curve *c, char *buf,
			size_t n)
{
	size_t len = strcspn(c->order, "@");
	int used = snprintf(buf, n, "%.*s", (int)len, c->order);
	if (!same_method(d) && used >= 0 && (size_t)used < n)
		used += snprintf(buf + used, n - (size_t)used, ", %s", method_of(c));
	if (!same_pair(d) && used >= 0 && (size_t)used < n)
		snprintf(buf + used, n - (size_t)used, ", %d/%d-bit", c->high_bits, c->low_bits);
}

/* Horizontal rules at the y ticks, under everything else. */
static void draw_grid(struct figure *fig, const struct axis_map *x, const struct axis_map *y,
		      const struct ticks *t)
{
	static const struct rgb grid = { 232, 232, 232 };
	for (int i = 0; i < t->n; i++) {
		double py = axis_at(y, t->value[i]);
		if (py <= y->a + 0.01 && py >= y->b - 0.01)
			figure_segment(fig, x->a, py, x->b, py, grid, 0.8, "grid");
	}
}

static void draw_curves(struct figure *fig, const struct explorer_data *d, const struct panel *p,
			const struct axis_map *x, const struct axis_map *y, int log_y,
			struct curve_geometry *g, int count)
{
	for (int i = 0; i < d->n_sweeps; i++) {
		const struct sweep_curve *c = &d->sweeps[i];
		const float *v = p->values(c);
		if (!v)
			continue;
		struct fig_point *pts = malloc((size_t)(c->n_points > 0 ? c->n_points : 1) * sizeof *pts);
		if (!pts) {
			fig->out_of_memory = 1;
			return;
		}
		int n = 0, drawn = 0;
		for (int k = 0; k <= c->n_points; k++) {
			int ok = k < c->n_points && plottable(v[k], log_y);
			if (ok)
				pts[n++] = (struct fig_point){ axis_at(x, c->avg_bits[k]), axis_at(y, v[k]) };
			if ((!ok || k == c->n_points) && n > 0) {   /* a gap ends a line */
				figure_line(fig, pts, n, curve_color(i), LINE_W, 0, "curve");
				for (int m = 0; m < n; m++)
					figure_marker(fig, pts[m].x, pts[m].y, curve_marker(i), MARK_SIZE,
						      curve_color(i), "marker");
				g->n_markers += n;
				drawn = 1;
				n = 0;
			}
		}
		free(pts);
		if (count)
			g->n_curves += drawn;
	}
}

/* The unquantized level, dashed: one grey line, or one per curve in its colour when the
   curves were measured on different tokens (so their levels differ). */
static void draw_reference(struct figure *fig, const struct explorer_data *d,
			   const struct panel *p, const struct axis_map *x,
			   const struct axis_map *y, int log_y)
{
	int differ;
	double ref = shared_reference(d, p, &differ);
	if (!plottable(ref, log_y))
		return;
	char label[64];
	double label_at = ref;
	if (!differ) {
		double py = axis_at(y, ref);
		figure_line(fig, (struct fig_point[]){ { x->a, py }, { x->b, py } }, 2, fig_grey,
			    1.0, 4, "reference");
		snprintf(label, sizeof label, "unquantized %.4g", ref);
	} else {
		for (int i = 0; i < d->n_sweeps; i++) {
			double r = p->values(&d->sweeps[i]) ? p->reference(&d->sweeps[i]) : NAN;
			if (!plottable(r, log_y))
				continue;
			double py = axis_at(y, r);
			figure_line(fig, (struct fig_point[]){ { x->a, py }, { x->b, py } }, 2,
				    curve_color(i), 0.9, 4, "reference");
			label_at = fmax(label_at, r);
		}
		snprintf(label, sizeof label, "unquantized, per curve");
	}
	/* At the low-bits end: curves rise there, so the label stays clear of them. */
	figure_text(fig, x->a + 4, axis_at(y, label_at) - 4, FIG_TICK_SIZE,
		    ANCHOR_START, fig_grey, "reference-label", label);
}

static void draw_plan_marker(struct figure *fig, const struct explorer_data *d,
			     const struct bit_plan *plan, const struct axis_map *x,
			     const struct axis_map *y)
{
	double bits = plan_avg_bits(&d->cfg, plan);
	double px = axis_at(x, bits);
	if (px < x->a || px > x->b)
		return;
	figure_line(fig, (struct fig_point[]){ { px, y->a }, { px, y->b } }, 2, fig_ink, 0.9, 2,
		    "plan");
	char label[64];
	snprintf(label, sizeof label, "plan %.2f bits", bits);
	figure_text(fig, px + 3, y->b + figure_cap_height(fig, FIG_TICK_SIZE) + 2, FIG_TICK_SIZE,
		    ANCHOR_START, fig_ink, "plan-label", label);
}

/* One panel with its plot box's top-left at (x0, top); returns its bottom. */
static double draw_panel(struct figure *fig, const struct explorer_data *d, const struct panel *p,
			 const struct curve_options *o, double x0, double top,
			 struct curve_geometry *g, int index)
{
	double lo, hi, bits_lo, bits_hi;
	value_range(d, p, o->log_y, &lo, &hi);
	bits_range(d, &bits_lo, &bits_hi);
	struct axis_map x = { bits_lo, bits_hi, x0, x0 + PLOT_W, 0 };
	struct axis_map y = { lo, hi, top + PLOT_H, top, o->log_y };
	struct ticks xt, yt;
	ticks_linear(bits_lo, bits_hi, 6, &xt);
	if (o->log_y)
		ticks_log(lo, hi, 5, &yt);
	else
		ticks_linear(lo, hi, 5, &yt);
	draw_grid(fig, &x, &y, &yt);
	draw_reference(fig, d, p, &x, &y, o->log_y);
	if (o->plan)
		draw_plan_marker(fig, d, o->plan, &x, &y);
	draw_curves(fig, d, p, &x, &y, o->log_y, g, index == 0);
	axis_draw_y(fig, &y, x0, &yt, p->y_title);
	g->x[index] = x;
	g->y[index] = y;
	return axis_draw_x(fig, &x, top + PLOT_H, 1, &xt, "Average bits per weight");
}

static double draw_legend(struct figure *fig, const struct explorer_data *d, double x, double y)
{
	figure_text(fig, x, y + figure_cap_height(fig, FIG_TEXT_SIZE), FIG_TEXT_SIZE, ANCHOR_START,
		    fig_ink, "legend-title", "Order");
	double right = x + figure_text_width(fig, "Order", FIG_TEXT_SIZE);
	for (int i = 0; i < d->n_sweeps; i++) {
		double cy = y + 22 + i * 17;
		figure_segment(fig, x, cy, x + 24, cy, curve_color(i), LINE_W, "legend-line");
		figure_marker(fig, x + 12, cy, curve_marker(i), MARK_SIZE, curve_color(i),
			      "legend-marker");
		char label[96];
		curve_label(d, &d->sweeps[i], label, sizeof label);
		figure_text_centred(fig, x + 30, cy, FIG_TEXT_SIZE, ANCHOR_START, fig_ink,
				    "legend-label", label);
		right = fmax(right, x + 30 + figure_text_width(fig, label, FIG_TEXT_SIZE));
	}
	return right;
}

static void draw_titles(struct figure *fig, const struct explorer_data *d, int n_panels,
			double *y, double *right)
{
	const struct sweep_curve *c = &d->sweeps[0];
	char title[256], sub[256];
	snprintf(title, sizeof title, "%s: %s as layers move to fewer bits", d->model_name,
		 n_panels > 1 ? "perplexity and KL divergence" : "perplexity");
	snprintf(fig->title, sizeof fig->title, "%s", title);
	*y += figure_cap_height(fig, FIG_TITLE_SIZE);
	figure_text(fig, MARGIN, *y, FIG_TITLE_SIZE, ANCHOR_START, fig_ink, "title", title);
	*right = MARGIN + figure_text_width(fig, title, FIG_TITLE_SIZE);
	char pair[64] = "the high to the low width (legend)", method[64] = "methods in the legend";
	if (same_pair(d))
		snprintf(pair, sizeof pair, "%d to %d bits", c->high_bits, c->low_bits);
	if (same_method(d)) {
		snprintf(method, sizeof method, "%s", method_of(c));
		for (char *p = method; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
	}
	snprintf(sub, sizeof sub, "Layers move one at a time from %s in the order named; "
		 "%s, group %d", pair, method, c->group_size);
	int differ;
	const struct panel ppl = { "", ppl_of, baseline_of };
	shared_reference(d, &ppl, &differ);
	const char *lines[2] = { sub, differ
		? "Dashed: each curve's unquantized model (the curves were measured on different tokens)"
		: "Dashed: the unquantized model on the same tokens" };
	for (int i = 0; i < 2; i++) {
		*y += FIG_TEXT_SIZE * 1.45;
		figure_text(fig, MARGIN, *y, FIG_TEXT_SIZE, ANCHOR_START, fig_grey, "subtitle",
			    lines[i]);
		*right = fmax(*right, MARGIN + figure_text_width(fig, lines[i], FIG_TEXT_SIZE));
	}
}

struct figure *curve_figure(const struct explorer_data *d, const struct curve_options *o,
			    struct font *font, struct curve_geometry *g, struct lwq_err *err)
{
	struct panel panels[CURVE_MAX_PANELS] = {
		{ "Perplexity", ppl_of, baseline_of },
		{ "KL divergence to the unquantized model (nats/token)", kld_of, zero_of },
	};
	int n_panels = 0;
	double lo, hi;
	for (int i = 0; i < CURVE_MAX_PANELS; i++)
		if (value_range(d, &panels[i], o->log_y, &lo, &hi) == 0)
			panels[n_panels++] = panels[i];
	if (d->n_sweeps == 0 || n_panels == 0) {
		lwq_err_set(err, "%s: no sweeps: run lwq sweep", d->path);
		return NULL;
	}
	struct figure *fig = figure_new(font);
	if (!fig) {
		lwq_err_set(err, "out of memory for the figure");
		return NULL;
	}
	struct curve_geometry local;
	g = g ? g : &local;
	memset(g, 0, sizeof *g);
	g->n_panels = n_panels;
	double y = MARGIN, right;
	draw_titles(fig, d, n_panels, &y, &right);
	double top = y + 24, x = MARGIN, bottom = top;
	for (int i = 0; i < n_panels; i++) {
		/* Room left of the plot for the y axis: tick labels and the upright title. */
		struct ticks t;
		value_range(d, &panels[i], o->log_y, &lo, &hi);
		if (o->log_y)
			ticks_log(lo, hi, 5, &t);
		else
			ticks_linear(lo, hi, 5, &t);
		x += axis_label_width(fig, &t) + FIG_TICK_LEN + 3 + 6 + FIG_TEXT_SIZE * 1.3;
		bottom = fmax(bottom, draw_panel(fig, d, &panels[i], o, x, top, g, i));
		x += PLOT_W + PANEL_GAP;
	}
	right = fmax(right, draw_legend(fig, d, x - PANEL_GAP + 20, top));
	fig->width = ceil(right + MARGIN);
	fig->height = ceil(fmax(bottom, top + 22 + d->n_sweeps * 17) + MARGIN);
	if (fig->out_of_memory) {
		figure_free(fig);
		lwq_err_set(err, "%s: out of memory while laying out the curves", d->path);
		return NULL;
	}
	return fig;
}
