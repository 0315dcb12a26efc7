/* view_curve.c: measured perplexity vs average bits, one letter-marked curve per order. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "colors.h"
#include "draw.h"
#include "views.h"

/* Axis labels take this many columns on the left of the plot. */
#define Y_LABEL_W 6

static char order_letter(const char *order)
{
	if (strcmp(order, "lim") == 0) return 'L';
	if (strcmp(order, "zd") == 0) return 'Z';
	if (strcmp(order, "zd-inverse") == 0) return 'I';
	if (strcmp(order, "reverse-lim") == 0) return 'R';
	if (strncmp(order, "random", 6) == 0) return '?';
	if (strcmp(order, "prune") == 0) return 'P';
	return '*';
}

/* Perplexity of curve c at avg bits x (linear between its points); NaN outside. */
static double curve_at(const struct sweep_curve *c, double x)
{
	for (int k = 0; k + 1 < c->n_points; k++) {
		double x0 = c->avg_bits[k], x1 = c->avg_bits[k + 1];
		if ((x < x0 && x < x1) || (x > x0 && x > x1))
			continue;
		double t = x1 != x0 ? (x - x0) / (x1 - x0) : 0;
		return c->ppl[k] + t * (c->ppl[k + 1] - c->ppl[k]);
	}
	return NAN;
}

struct plot {
	int x, y, w, h;            /* plot area on screen */
	double bits_lo, bits_hi;
	double log_lo, log_hi;     /* log(ppl) range */
};

static int matches_pair(const struct sweep_curve *c, const int levels[3], int n_levels)
{
	return n_levels == 2 && c->low_bits == levels[0] && c->high_bits == levels[1];
}

/* Fits the y range to the matching curves; returns how many curves match. */
static int fit_range(const struct ui_state *s, struct plot *p)
{
	int levels[3], n_levels = bit_pair_levels(s->pair, levels), n = 0;
	p->log_lo = INFINITY;
	p->log_hi = -INFINITY;
	for (int i = 0; i < s->data->n_sweeps; i++) {
		const struct sweep_curve *c = &s->data->sweeps[i];
		if (!matches_pair(c, levels, n_levels))
			continue;
		n++;
		for (int k = 0; k < c->n_points; k++) {
			if (!(c->ppl[k] > 0) || !isfinite(c->ppl[k]))
				continue;
			double v = log(c->ppl[k]);
			p->log_lo = v < p->log_lo ? v : p->log_lo;
			p->log_hi = v > p->log_hi ? v : p->log_hi;
		}
	}
	if (!(p->log_hi > p->log_lo))
		p->log_hi = p->log_lo + 1;
	p->bits_lo = levels[0];
	p->bits_hi = levels[n_levels - 1];
	return n;
}

static int row_of(const struct plot *p, double ppl)
{
	double f = (log(ppl) - p->log_lo) / (p->log_hi - p->log_lo);
	return p->y + p->h - 1 - (int)lround(f * (p->h - 1));
}

static void plot_curve(const struct plot *p, const struct sweep_curve *c, attr_t attr)
{
	char letter[2] = { order_letter(c->order), 0 };
	for (int col = 0; col < p->w; col++) {
		double bits = p->bits_lo + (p->bits_hi - p->bits_lo) * col / (p->w > 1 ? p->w - 1 : 1);
		double ppl = curve_at(c, bits);
		if (isnan(ppl) || !(ppl > 0))
			continue;
		draw_text(row_of(p, ppl), p->x + col, 1, attr, letter);
	}
}

/* A perplexity in at most five columns: "12.41", "151.2", "2301", "3e+04". */
static const char *ppl_label(double ppl, char buf[32])
{
	snprintf(buf, 32, ppl < 100 ? "%5.2f" : ppl < 1000 ? "%5.1f" : ppl < 1e5 ? "%5.0f" : "%5.0e",
		 ppl);
	return buf;
}

static void draw_axes(const struct ui_state *s, const struct plot *p)
{
	attr_t dim = role_attr(ROLE_DIM);
	char label[32];
	draw_text(p->y, p->x - Y_LABEL_W, Y_LABEL_W, dim, ppl_label(exp(p->log_hi), label));
	draw_text(p->y + p->h - 1, p->x - Y_LABEL_W, Y_LABEL_W, dim,
		  ppl_label(exp(p->log_lo), label));
	int y = p->y + p->h;
	draw_textf(y, p->x, p->w, dim, "%g", p->bits_lo);
	char hi[32];
	snprintf(hi, sizeof hi, "%g bits", p->bits_hi);
	int w = (int)strlen(hi);
	draw_text(y, p->x + p->w - w, w, dim, hi);
	/* Where the plan is now. */
	double f = (s->avg_bits - p->bits_lo) / (p->bits_hi - p->bits_lo);
	if (f >= 0 && f <= 1) {
		int x = p->x + (int)lround(f * (p->w - 1));
		for (int r = 0; r < p->h; r++)
			draw_text(p->y + r, x, 1, dim, colors_glyphs()->vline);
		draw_text(y, x, 1, role_attr(ROLE_CURVE_CURRENT), "^");
	}
}

/* "ppl L=lim Z=zd ..." when it fits, else "ppl L Z ..."; the current order stands out. */
static void draw_legend(const struct ui_state *s, int y, int x, int w)
{
	int levels[3], n_levels = bit_pair_levels(s->pair, levels);
	char current[64];
	ui_order_label(s, current, sizeof current);
	int full = 4;
	for (int i = 0; i < s->data->n_sweeps; i++)
		if (matches_pair(&s->data->sweeps[i], levels, n_levels))
			full += 3 + (int)strlen(s->data->sweeps[i].order);
	int used = draw_text(y, x, w, role_attr(ROLE_HEADER), "ppl ");
	for (int i = 0; i < s->data->n_sweeps && used < w; i++) {
		const struct sweep_curve *c = &s->data->sweeps[i];
		if (!matches_pair(c, levels, n_levels))
			continue;
		char item[48];
		if (full <= w)
			snprintf(item, sizeof item, "%c=%s ", order_letter(c->order), c->order);
		else
			snprintf(item, sizeof item, "%c ", order_letter(c->order));
		used += draw_text(y, x + used, w - used, strcmp(c->order, current) == 0
				  ? role_attr(ROLE_CURVE_CURRENT) : A_NORMAL, item);
	}
}

void view_curve_draw(const struct ui_state *s)
{
	const struct ui_layout *l = &s->layout;
	if (l->curve_w <= 0)
		return;
	int x = l->curve_x, y = l->bottom_y, w = l->curve_w, h = l->bottom_h;
	draw_clear(y, x - 1, h, w + 1);
	for (int r = 0; r < h; r++)
		draw_text(y + r, x - 1, 1, role_attr(ROLE_DIM), colors_glyphs()->vline);
	struct plot p = { x + Y_LABEL_W, y + 1, w - Y_LABEL_W, h - 2, 0, 0, 0, 0 };
	if (fit_range(s, &p) == 0) {
		draw_text(y, x, w, role_attr(ROLE_HEADER), "ppl vs bits");
		draw_textf(y + 2, x + 1, w - 1, role_attr(ROLE_DIM), "%s",
			   s->data->n_sweeps ? "no sweep for this pair" : "no sweeps stored:");
		if (!s->data->n_sweeps)
			draw_text(y + 3, x + 1, w - 1, role_attr(ROLE_DIM), "run lwq sweep MODEL.h5");
		return;
	}
	draw_legend(s, y, x, w);
	draw_axes(s, &p);
	int levels[3], n_levels = bit_pair_levels(s->pair, levels);
	const struct sweep_curve *current = NULL;
	for (int i = 0; i < s->data->n_sweeps; i++) {
		const struct sweep_curve *c = &s->data->sweeps[i];
		if (!matches_pair(c, levels, n_levels))
			continue;
		char order[64];
		if (strcmp(c->order, ui_order_label(s, order, sizeof order)) == 0)
			current = c;
		else
			plot_curve(&p, c, A_NORMAL);
	}
	if (current) /* drawn last so it stays on top */
		plot_curve(&p, current, role_attr(ROLE_CURVE_CURRENT));
}
