/* heatmap_keys.c: the heatmap's colour bars: which ramp each group gets, its range,
   and the bar with numeric ticks under the grid. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "figure_axis.h"
#include "heatmap_figure.h"
#include "heatmap_layout.h"

static const struct {
	enum heat_column first, last;
	enum ramp_id ramp;
	int signed_metric;         /* the sign means something: diverging when both occur */
	const char *title;
} key_specs[KEY_COUNT] = {
	[KEY_LIM] = { COL_LIM, COL_LIM, RAMP_VIRIDIS, 1, "LIM = \u2212cos(layer input, output)" },
	[KEY_ZD] = { COL_ZD, COL_ZD, RAMP_VIRIDIS, 0, "ZD: share of weights with z > 1" },
	[KEY_MEASURED] = { COL_MEASURED, COL_MEASURED, RAMP_VIRIDIS, 0,
			   "Measured: KLD of the layer alone at %d bits" },
	[KEY_ZD_TENSOR] = { COL_ZD_Q, COL_ZD_DOWN, RAMP_VIRIDIS, 0, "ZD per tensor" },
	[KEY_RTN2] = { COL_RTN2, COL_RTN2, RAMP_MAGMA, 0, "RTN error at 2 bits (relative)" },
	[KEY_RTN4] = { COL_RTN4, COL_RTN4, RAMP_MAGMA, 0, "RTN error at 4 bits (relative)" },
	[KEY_PLAN] = { COL_PLAN, COL_PLAN, RAMP_CIVIDIS, 0, "Plan: bits per weight" },
	[KEY_TOKENS] = { FIGURE_COLS, FIGURE_COLS, RAMP_VIRIDIS, 1, "Per-token LIM" },
};

enum key_id heatmap_column_key(enum heat_column c)
{
	for (int k = 0; k < KEY_COUNT; k++)
		if (c >= key_specs[k].first && c <= key_specs[k].last)
			return (enum key_id)k;
	return KEY_LIM;
}

double color_key_position(const struct color_key *k, double v)
{
	if (isnan(v))
		return NAN;
	switch (k->mode) {
	case KEY_BITS:
		return v <= 0 ? NAN : normalize_value(log2(v), 1, 3);
	case KEY_DIVERGING:
		return normalize_value(v, -k->hi, k->hi);
	case KEY_LOG:
		return v <= 0 ? 0 : normalize_value(log10(v), log10(k->lo), log10(k->hi));
	default:
		return normalize_value(v, k->lo, k->hi);
	}
}

/* Digits that tell cells apart: one more than the bar's ticks show. */
static int cell_decimals(double lo, double hi)
{
	struct ticks t;
	ticks_linear(lo, hi, 5, &t);
	int d = t.decimals + 1;
	return d > 5 ? 5 : d;
}

void key_set_range(struct color_key *k, enum key_id id, double lo, double hi, int clipped)
{
	k->used = 1;
	k->ramp = key_specs[id].ramp;
	k->clipped = clipped;
	snprintf(k->title, sizeof k->title, "%s", key_specs[id].title);
	if (!(lo <= hi)) {         /* no values at all */
		lo = 0;
		hi = 1;
	}
	k->decimals = cell_decimals(lo, hi);
	if (key_specs[id].signed_metric && lo < 0 && hi > 0) {
		k->mode = KEY_DIVERGING;
		k->ramp = RAMP_RDBU;
		k->hi = fmax(-lo, hi);
		k->lo = -k->hi;
	} else {
		k->mode = KEY_VALUE;
		k->lo = lo;
		k->hi = hi;
	}
}

void heatmap_keys_compute(const struct explorer_data *d, const struct heatmap_layout *l,
			  struct color_key keys[KEY_COUNT])
{
	for (int i = 0; i < l->geo.n_cols; i++) {
		enum heat_column c = l->geo.cols[i];
		enum key_id id = heatmap_column_key(c);
		struct color_key *k = &keys[id];
		if (k->used)
			continue;
		if (id == KEY_PLAN) {
			k->used = 1;
			k->mode = KEY_BITS;
			k->ramp = key_specs[id].ramp;
			k->lo = 2;
			k->hi = 8;
			snprintf(k->title, sizeof k->title, "%s", key_specs[id].title);
			continue;
		}
		double lo = INFINITY, hi = -INFINITY;
		for (int col = key_specs[id].first; col <= (int)key_specs[id].last; col++)
			for (int layer = 0; layer < d->n_layers; layer++) {
				double v = heatmap_cell_value(d, (enum heat_column)col, layer, NULL);
				if (!isnan(v)) {
					lo = fmin(lo, v);
					hi = fmax(hi, v);
				}
			}
		key_set_range(k, id, lo, hi, 0);
		if (id == KEY_MEASURED) {
			snprintf(k->title, sizeof k->title, key_specs[id].title,
				 d->n_measured ? d->measured_widths[0] : 0);
			/* KL divergences span decades (the first layer is often 100x the rest):
			   a log scale keeps the others apart. */
			if (lo > 0 && hi / lo > 20 && l->scales.kind != SCALE_RANK) {
				k->mode = KEY_LOG;
				size_t n = strlen(k->title);
				snprintf(k->title + n, sizeof k->title - n, " (log scale)");
			}
		}
		if (l->scales.kind == SCALE_RANK) {
			k->mode = KEY_RANK;
			k->ramp = key_specs[id].ramp;
			k->lo = 1;
			k->hi = c == COL_MEASURED ? d->n_layers
			      : l->scales.n_sorted[c] > 0 ? l->scales.n_sorted[c] : 1;
			char title[72];
			snprintf(title, sizeof title, key_specs[id].title,
				 d->n_measured ? d->measured_widths[0] : 0);
			snprintf(k->title, sizeof k->title, "%s: rank, not value", title);
		}
	}
}

/* A small arrowhead past a bar end: values beyond it exist and take the end colour. */
static void draw_clip_arrow(struct figure *fig, double x, double y, double h, int right,
			    struct rgb color)
{
	double tip = right ? x + h * 0.8 : x - h * 0.8;
	struct fig_point p[3] = { { x, y }, { tip, y + h / 2 }, { x, y + h } };
	figure_polygon(fig, p, 3, color, "clip");
}

/* Ticks of a bar: the bit widths, the ranks 1 and n, or nice values. */
static void key_ticks(const struct color_key *k, struct ticks *t)
{
	memset(t, 0, sizeof *t);
	if (k->mode == KEY_BITS) {
		static const double bits[] = { 2, 3, 4, 8 };
		t->n = 4;
		for (int i = 0; i < 4; i++)
			t->value[i] = log2(bits[i]);
		t->decimals = 0;
		return;
	}
	if (k->mode == KEY_RANK) {
		t->n = 2;
		t->value[0] = k->lo;
		t->value[1] = k->hi;
		t->decimals = 0;
		return;
	}
	if (k->mode == KEY_LOG)         /* a short bar: 1-2-5 only within about a decade */
		ticks_log(k->lo, k->hi, 2, t);
	else
		ticks_linear(k->lo, k->hi, 4, t);
}

double key_width(const struct figure *fig, const struct color_key *k)
{
	return fmax(KEY_BAR_W, figure_text_width(fig, k->title, FIG_TEXT_SIZE));
}

double key_height(const struct figure *fig)
{
	return figure_cap_height(fig, FIG_TEXT_SIZE) + 5 + KEY_BAR_H + FIG_TICK_LEN + 2 +
	       figure_cap_height(fig, FIG_TICK_SIZE) + figure_descent(fig, FIG_TICK_SIZE);
}

void key_draw(struct figure *fig, const struct color_key *k, double x, double y)
{
	double title_y = y + figure_cap_height(fig, FIG_TEXT_SIZE);
	figure_text(fig, x, title_y, FIG_TEXT_SIZE, ANCHOR_START, fig_ink, "key-title", k->title);
	double bar_y = title_y + 5;
	figure_ramp(fig, x, bar_y, KEY_BAR_W, KEY_BAR_H, k->ramp, 0, "key-bar");
	if (k->clipped) {
		draw_clip_arrow(fig, x - 1, bar_y, KEY_BAR_H, 0, ramp_rgb(k->ramp, 0));
		draw_clip_arrow(fig, x + KEY_BAR_W + 1, bar_y, KEY_BAR_H, 1, ramp_rgb(k->ramp, 1));
	}
	struct ticks t;
	key_ticks(k, &t);
	struct axis_map m = { k->lo, k->hi, x, x + KEY_BAR_W, k->mode == KEY_LOG };
	if (k->mode == KEY_BITS) {
		m.lo = 1;
		m.hi = 3;
	}
	char label[32];
	double label_y = bar_y + KEY_BAR_H + FIG_TICK_LEN + 2 + figure_cap_height(fig, FIG_TICK_SIZE);
	double free_from = -INFINITY;  /* labels left to right, none over its neighbour */
	for (int i = 0; i < t.n; i++) {
		double tx = axis_at(&m, t.value[i]);
		if (tx < x - 0.01 || tx > x + KEY_BAR_W + 0.01)
			continue;
		figure_segment(fig, tx, bar_y + KEY_BAR_H, tx, bar_y + KEY_BAR_H + FIG_TICK_LEN,
			       fig_ink, 0.8, "tick");
		if (k->mode == KEY_BITS)
			format_number(exp2(t.value[i]), 0, label);
		else
			tick_label(&t, i, label);
		double w = figure_text_width(fig, label, FIG_TICK_SIZE);
		if (tx - w / 2 < free_from)
			continue;
		figure_text(fig, tx, label_y, FIG_TICK_SIZE, ANCHOR_MIDDLE, fig_ink, "tick-label",
			    label);
		free_from = tx + w / 2 + 4;
	}
}
