/* heatmap_figure.c: lays out the heatmap figure: title, grouped column headers, layer
   rows, cells with their values, and a colour bar per group. */
#include "heatmap_figure.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figure_axis.h"
#include "heatmap_layout.h"
#include "units.h"

static const char *const metric_names[] = {
	[HM_LIM] = "lim", [HM_ZD] = "zd", [HM_ZD_TENSOR] = "zd-tensor", [HM_RTN] = "rtn",
	[HM_TOKENS] = "tokens", [HM_PLAN] = "plan", [HM_MEASURED] = "measured", [HM_ALL] = "all",
};

int heatmap_metric_parse(const char *text, enum heatmap_metric *m)
{
	for (int i = 0; i <= HM_ALL; i++)
		if (strcmp(text, metric_names[i]) == 0) {
			*m = (enum heatmap_metric)i;
			return 0;
		}
	return -1;
}

const char *heatmap_metric_name(enum heatmap_metric m)
{
	return m <= HM_ALL ? metric_names[m] : "?";
}

/* Layout units (1/96 inch). */
#define MARGIN 18.0
#define CELL_W 46.0
#define GROUP_GAP 12.0
#define VALUE_SIZE 8.5

/* Column groups with a header spanning their columns. */
static const struct {
	enum heat_column first, last;
	const char *header;
} groups[] = {
	{ COL_LIM, COL_ZD, "Importance" },
	{ COL_ZD_Q, COL_ZD_DOWN, "ZD per tensor" },
	{ COL_RTN2, COL_RTN4, "RTN error" },
	{ COL_PLAN, COL_PLAN, "Plan" },
};

static const char *column_header(enum heat_column c)
{
	switch (c) {
	case COL_ZD_GATE: return "gate";
	case COL_ZD_UP: return "up";
	case COL_ZD_DOWN: return "down";
	case COL_RTN2: return "2-bit";
	case COL_RTN4: return "4-bit";
	case COL_PLAN: return "bits";
	default: return c == COL_MEASURED ? "KLD" : heat_column_short(c);
	}
}

double heatmap_cell_value(const struct explorer_data *d, enum heat_column c, int layer,
			  const int *bits)
{
	if (c != COL_MEASURED)
		return heat_value(d, c, layer, bits);
	if (!d->measured || d->n_measured < 1 || layer < 0 || layer >= d->n_layers)
		return NAN;
	return d->measured[(size_t)layer * (size_t)d->n_measured];
}

/* Mid-rank of a measured value among the layers, 0 (lowest) to 1 (highest). */
static double measured_rank(const struct explorer_data *d, int layer)
{
	double v = heatmap_cell_value(d, COL_MEASURED, layer, NULL);
	int less = 0, equal = 0;
	for (int i = 0; i < d->n_layers; i++) {
		double w = heatmap_cell_value(d, COL_MEASURED, i, NULL);
		less += w < v;
		equal += w == v;
	}
	return d->n_layers > 1 && equal > 0 ? (less + (equal - 1) / 2.0) / (d->n_layers - 1) : 0.5;
}

/* Which heat columns a metric draws; -1 with err when their data are missing. */
static int select_columns(const struct explorer_data *d, const struct heatmap_options *o,
			  struct heatmap_geometry *g, struct lwq_err *err)
{
	static const struct { enum heatmap_metric m; int first, last; const char *need; } spans[] = {
		{ HM_LIM, COL_LIM, COL_LIM, "no LIM scores: run lwq capture, then lwq score" },
		{ HM_ZD, COL_ZD, COL_ZD, "no scores: run lwq score" },
		{ HM_MEASURED, COL_MEASURED, COL_MEASURED,
		  "no measured sensitivity: run lwq score --measure" },
		{ HM_ZD_TENSOR, COL_ZD_Q, COL_ZD_DOWN, "no scores: run lwq score" },
		{ HM_RTN, COL_RTN2, COL_RTN4, "no RTN errors: run lwq score" },
		{ HM_PLAN, COL_PLAN, COL_PLAN, "no plan: give --plan PLAN.json" },
	};
	g->n_cols = 0;
	for (size_t i = 0; i < sizeof spans / sizeof spans[0]; i++) {
		if (o->metric != spans[i].m && o->metric != HM_ALL)
			continue;
		int have = spans[i].m == HM_PLAN ? o->plan != NULL
			 : spans[i].m == HM_MEASURED ? d->measured && d->n_measured > 0
			 : heat_column_available(d, (enum heat_column)spans[i].first);
		if (!have && o->metric != HM_ALL)
			return lwq_err_set(err, "%s: %s", d->path, spans[i].need);
		for (int c = spans[i].first; have && c <= spans[i].last; c++)
			g->cols[g->n_cols++] = (enum heat_column)c;
	}
	int want_tokens = o->metric == HM_TOKENS || o->tokens;
	if (want_tokens && !d->cos)
		return lwq_err_set(err, "%s: no activations for the per-token panel: run lwq capture",
				   d->path);
	if (g->n_cols == 0 && !want_tokens)
		return lwq_err_set(err, "%s: no scores or activations: run lwq capture, then lwq score",
				   d->path);
	return 0;
}

static int group_of(enum heat_column c)
{
	if (c == COL_MEASURED)
		return 0;          /* Importance: LIM, ZD, measured */
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
		if (c >= groups[i].first && c <= groups[i].last)
			return (int)i;
	return 0;
}

static void place_columns(struct heatmap_layout *l, double x)
{
	struct heatmap_geometry *g = &l->geo;
	for (int i = 0; i < g->n_cols; i++) {
		if (i > 0 && group_of(g->cols[i]) != group_of(g->cols[i - 1]))
			x += GROUP_GAP;
		g->col_x[i] = x;
		x += g->cell_w;
	}
	l->right = fmax(l->right, g->n_cols ? x : g->grid_x);
}

/* Title, then what the picture is of (layers, plan) and how it is coloured. */
static void draw_title(struct heatmap_layout *l, double *y)
{
	const struct explorer_data *d = l->d;
	const struct bit_plan *plan = l->o->plan;
	char title[256], sub[512];
	snprintf(title, sizeof title, "%s: per-layer scores%s", d->model_name,
		 plan ? " and quantization plan" : "");
	snprintf(l->fig->title, sizeof l->fig->title, "%s", title);
	*y += figure_cap_height(l->fig, FIG_TITLE_SIZE);
	figure_text(l->fig, MARGIN, *y, FIG_TITLE_SIZE, ANCHOR_START, fig_ink, "title", title);
	l->right = MARGIN + figure_text_width(l->fig, title, FIG_TITLE_SIZE);
	int n = snprintf(sub, sizeof sub, "%d layers", d->n_layers);
	if (plan) {
		char size[32];
		format_size((double)plan_bytes(&d->cfg, plan), size, sizeof size);
		char widths[32];
		if (plan->mid_bits)
			snprintf(widths, sizeof widths, "%d/%d/%d", plan->high_bits, plan->mid_bits,
				 plan->low_bits);
		else
			snprintf(widths, sizeof widths, "%d/%d", plan->high_bits, plan->low_bits);
		snprintf(sub + n, sizeof sub - (size_t)n,
			 " \u00b7 plan: %s order, %s-bit, %.2f bits per weight, %s (RTN, group %d)",
			 plan->order, widths, plan_avg_bits(&d->cfg, plan), size, plan->group_size);
	}
	const char *colour = l->scales.kind == SCALE_RANK
		? "Colour: rank among the layers (not value); numbers in cells are values"
		: l->geo.keys[KEY_MEASURED].mode == KEY_LOG && l->geo.keys[KEY_MEASURED].used
		? "Colour: value, one scale per colour bar (KLD logarithmic, the rest linear); "
		  "numbers in cells are values"
		: "Colour: value, one linear scale per colour bar; numbers in cells are values";
	const char *lines[2] = { sub, colour };
	for (int i = 0; i < 2; i++) {
		*y += FIG_TEXT_SIZE * 1.45;
		figure_text(l->fig, MARGIN, *y, FIG_TEXT_SIZE, ANCHOR_START, fig_grey, "subtitle",
			    lines[i]);
		l->right = fmax(l->right, MARGIN + figure_text_width(l->fig, lines[i], FIG_TEXT_SIZE));
	}
}

/* Group headers over a rule spanning their columns, then the column names. */
static void draw_headers(struct heatmap_layout *l, double group_y, double col_y)
{
	const struct heatmap_geometry *g = &l->geo;
	for (int i = 0; i < g->n_cols;) {
		int j = i;
		while (j + 1 < g->n_cols && group_of(g->cols[j + 1]) == group_of(g->cols[i]))
			j++;
		double x0 = g->col_x[i], x1 = g->col_x[j] + g->cell_w - 1;
		const char *header = groups[group_of(g->cols[i])].header;
		/* A header may reach into the gaps beside its group (half of each), no further. */
		double size = fit_text_size(l->fig, header, FIG_TEXT_SIZE, x1 - x0 + GROUP_GAP - 2);
		figure_text(l->fig, (x0 + x1) / 2, group_y, size, ANCHOR_MIDDLE, fig_ink,
			    "group-header", header);
		figure_segment(l->fig, x0, group_y + 4, x1, group_y + 4, fig_ink, 0.8, "group-rule");
		i = j + 1;
	}
	for (int i = 0; i < g->n_cols; i++) {
		const char *name = column_header(g->cols[i]);
		double size = fit_text_size(l->fig, name, FIG_TEXT_SIZE, g->cell_w - 2);
		figure_text(l->fig, g->col_x[i] + (g->cell_w - 1) / 2, col_y, size, ANCHOR_MIDDLE,
			    fig_ink, "column-header", name);
	}
	figure_text(l->fig, g->grid_x - 6, col_y, FIG_TEXT_SIZE, ANCHOR_END, fig_ink,
		    "column-header", "Layer");
}

static double cell_position(const struct heatmap_layout *l, enum heat_column c, int layer)
{
	const int *bits = l->o->plan ? l->o->plan->bits : NULL;
	const struct color_key *k = &l->geo.keys[heatmap_column_key(c)];
	if (k->mode == KEY_RANK)
		return c == COL_MEASURED ? measured_rank(l->d, layer)
					 : heat_normalized(l->d, &l->scales, c, layer, bits);
	return color_key_position(k, heatmap_cell_value(l->d, c, layer, bits));
}

/* The value printed in a cell, when it fits; black or white by the cell's lightness. */
static void draw_cell_value(struct heatmap_layout *l, double x, double y, enum heat_column c,
			    double v, struct rgb bg)
{
	const struct heatmap_geometry *g = &l->geo;
	if (g->cell_h < VALUE_SIZE + 3 || isnan(v))
		return;
	char text[32];
	const struct color_key *k = &g->keys[heatmap_column_key(c)];
	int decimals = c == COL_PLAN ? 0 : k->decimals;
	if (k->mode == KEY_LOG)    /* two significant digits, whatever the decade */
		decimals = v > 0 ? (int)fmax(0, fmin(5, 1 - floor(log10(v)))) : 0;
	format_number(v, decimals, text);
	if (figure_text_width(l->fig, text, VALUE_SIZE) > g->cell_w - 5)
		return;
	struct rgb ink = rgb_luminance(bg) > 0.3 ? fig_ink : fig_white;
	figure_text_centred(l->fig, x + (g->cell_w - 1) / 2, y + (g->cell_h - 1) / 2, VALUE_SIZE,
			    ANCHOR_MIDDLE, ink, "cell-value", text);
}

static void draw_rows(struct heatmap_layout *l)
{
	const struct heatmap_geometry *g = &l->geo;
	const int *bits = l->o->plan ? l->o->plan->bits : NULL;
	double label_size = fmin(FIG_TEXT_SIZE, g->cell_h - 1);
	int every = label_size < 7 ? (int)ceil(7 / label_size) : 1;
	for (int layer = 0; layer < l->d->n_layers; layer++) {
		double y = g->grid_y + layer * g->cell_h;
		if (layer % every == 0) {
			char label[16];
			snprintf(label, sizeof label, "%d", layer);
			figure_text_centred(l->fig, g->grid_x - 6, y + (g->cell_h - 1) / 2,
					    fmax(label_size, 7), ANCHOR_END, fig_ink, "row-label", label);
		}
		for (int i = 0; i < g->n_cols; i++) {
			enum heat_column c = g->cols[i];
			double v = heatmap_cell_value(l->d, c, layer, bits);
			struct rgb bg = ramp_rgb(g->keys[heatmap_column_key(c)].ramp,
						 cell_position(l, c, layer));
			struct fig_element *e = figure_rect(l->fig, g->col_x[i], y, g->cell_w - 1,
							    g->cell_h - 1, bg, "cell");
			figure_set_tip(l->fig, e, "layer %d, %s = %.6g", layer,
				       c == COL_MEASURED ? "measured KLD" : heat_column_title(c), v);
			draw_cell_value(l, g->col_x[i], y, c, v, bg);
		}
	}
}

/* Colour bars left to right under everything, wrapping at the figure's width. */
static void draw_keys(struct heatmap_layout *l)
{
	const struct heatmap_geometry *g = &l->geo;
	double x = MARGIN, y = l->below + 16, width = fmax(l->right, 3 * KEY_BAR_W + 2 * 28);
	double h = key_height(l->fig);
	for (int k = 0; k < KEY_COUNT; k++) {
		if (!g->keys[k].used)
			continue;
		double w = key_width(l->fig, &g->keys[k]);
		if (x > MARGIN && x + w > width) {
			x = MARGIN;
			y += h + 14;
		}
		key_draw(l->fig, &g->keys[k], x + 8, y);
		x += w + 36;
		l->right = fmax(l->right, x - 36 + 8);
	}
	l->below = y + h;
}

static int lay_out(struct heatmap_layout *l)
{
	struct heatmap_geometry *g = &l->geo;
	double y = MARGIN;
	heatmap_keys_compute(l->d, l, g->keys);
	draw_title(l, &y);
	double title_right = l->right;
	double group_y = y + FIG_TEXT_SIZE * 2.2;
	double col_y = group_y + 6 + FIG_TEXT_SIZE * 1.4;
	g->cell_w = CELL_W;
	g->cell_h = l->d->n_layers <= 40 ? 17 : fmax(4, 680.0 / l->d->n_layers);
	g->grid_y = col_y + 6;
	double label_w = figure_text_width(l->fig, "Layer", FIG_TEXT_SIZE);
	g->grid_x = MARGIN + label_w + 6;
	place_columns(l, g->grid_x);
	l->grid_bottom = g->grid_y + l->d->n_layers * g->cell_h;
	l->below = l->grid_bottom;
	draw_headers(l, group_y, col_y);
	draw_rows(l);
	if ((l->o->tokens || l->o->metric == HM_TOKENS) &&
	    heatmap_tokens_draw(l, g->n_cols ? l->right + 2 * GROUP_GAP : g->grid_x, group_y) != 0)
		return -1;
	draw_keys(l);
	l->fig->width = ceil(fmax(l->right, title_right) + MARGIN);
	l->fig->height = ceil(l->below + MARGIN);
	return 0;
}

struct figure *heatmap_figure(const struct explorer_data *d, const struct heatmap_options *o,
			      struct font *font, struct heatmap_geometry *g, struct lwq_err *err)
{
	if (o->plan && o->plan->n_layers != d->n_layers) {
		lwq_err_set(err, "plan has %d layers, %s has %d", o->plan->n_layers, d->path,
			    d->n_layers);
		return NULL;
	}
	struct heatmap_layout l;
	memset(&l, 0, sizeof l);
	l.d = d;
	l.o = o;
	if (select_columns(d, o, &l.geo, err) != 0)
		return NULL;
	l.fig = figure_new(font);
	if (!l.fig) {
		lwq_err_set(err, "out of memory for the figure");
		return NULL;
	}
	heat_scales_compute(d, o->color_scale, &l.scales);
	int rc = lay_out(&l);
	heat_scales_release(&l.scales);
	if (rc != 0 || l.fig->out_of_memory) {
		figure_free(l.fig);
		lwq_err_set(err, "%s: out of memory while laying out the heatmap", d->path);
		return NULL;
	}
	if (g)
		*g = l.geo;
	return l.fig;
}

int heatmap_write(const struct explorer_data *d, const struct heatmap_options *o,
		  const char *path, int overwrite, struct lwq_err *err)
{
	struct font *font = font_open(o->font, err);
	if (!font)
		return -1;
	struct figure *fig = heatmap_figure(d, o, font, NULL, err);
	int rc = fig ? figure_write(fig, path, o->scale, overwrite, err) : -1;
	figure_free(fig);
	font_free(font);
	return rc;
}
