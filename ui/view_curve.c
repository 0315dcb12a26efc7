/* view_curve.c: measured perplexity vs average bits: braille lines (letters without
   UTF-8), one per order, with axis ticks and the plan's place. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "braille.h"
#include "colors.h"
#include "draw.h"
#include "views.h"

/* L lim, Z zd, I zd-inverse, R reverse-lim, ? random, P prune, M measured, O optimal;
   lower case for a curve of another quantizer than RTN ("lim@gptq" is l). */
static char order_letter(const char *order)
{
	static const struct { const char *name; char letter; } letters[] = {
		{ "lim", 'L' }, { "zd", 'Z' }, { "zd-inverse", 'I' }, { "reverse-lim", 'R' },
		{ "random", '?' }, { "prune", 'P' }, { "measured", 'M' }, { "optimal", 'O' },
	};
	size_t n = strcspn(order, "@:");
	const char *method = strchr(order, '@');
	for (size_t i = 0; i < sizeof letters / sizeof letters[0]; i++)
		if (strlen(letters[i].name) == n && strncmp(order, letters[i].name, n) == 0)
			return method && letters[i].letter >= 'A' && letters[i].letter <= 'Z'
			       ? (char)(letters[i].letter - 'A' + 'a') : letters[i].letter;
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

/* The value ranges the layout's plot area shows. */
struct plot {
	const struct ui_layout *l;
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
	if (!isfinite(p->log_lo))           /* no finite point at all */
		p->log_lo = 0;
	if (!(p->log_hi > p->log_lo))
		p->log_hi = p->log_lo + 1;
	p->bits_lo = levels[0];
	p->bits_hi = levels[n_levels - 1];
	return n;
}

/* One letter per plot column where the curve is defined; ui_layout_plot_cell keeps every
   letter inside the plot area (a point off the range, NaN or inf is not drawn). */
static void plot_letters(const struct plot *p, const struct sweep_curve *c, attr_t attr)
{
	char letter[2] = { order_letter(c->order), 0 };
	int w = p->l->plot_w;
	for (int k = 0; k < w; k++) {
		double fx = w > 1 ? (double)k / (w - 1) : 0;
		double ppl = curve_at(c, p->bits_lo + (p->bits_hi - p->bits_lo) * fx);
		double fy = (log(ppl) - p->log_lo) / (p->log_hi - p->log_lo);
		int row, col;
		if (ppl > 0 && ui_layout_plot_cell(p->l, fx, fy, &row, &col) == 0)
			draw_text(row, col, 1, attr, letter);
	}
}

/* A point's dot in the plot's grid; -1 when it is off the plot (NaN, inf, out of range). */
static int point_dot(const struct plot *p, double bits, double ppl, int *x, int *y)
{
	const struct ui_layout *l = p->l;
	double fx = (bits - p->bits_lo) / (p->bits_hi - p->bits_lo);
	double fy = ppl > 0 ? (log(ppl) - p->log_lo) / (p->log_hi - p->log_lo) : NAN;
	if (!(fx >= -1e-9 && fx <= 1 + 1e-9 && fy >= -1e-9 && fy <= 1 + 1e-9))
		return -1;
	*x = (int)lround(fx * (2 * l->plot_w - 1));
	*y = (int)lround((1 - fy) * (4 * l->plot_h - 1));
	return 0;
}

/* The measured points joined by straight lines of dots; a point off the plot breaks the
   line. The order's letter sits on the middle point (the ends are shared: every order
   starts all-high and ends all-low) so lines can be told apart without colour. */
static void plot_braille(const struct plot *p, const struct sweep_curve *c, attr_t attr)
{
	const struct ui_layout *l = p->l;
	struct dot_grid g;
	if (dot_grid_init(&g, l->plot_w, l->plot_h) != 0)
		return;
	int have = 0, px = 0, py = 0, mark_x = -1, mark_y = 0;
	for (int k = 0; k < c->n_points; k++) {
		int x, y;
		if (point_dot(p, c->avg_bits[k], c->ppl[k], &x, &y) != 0) {
			have = 0;
			continue;
		}
		if (have)
			dot_grid_line(&g, px, py, x, y);
		else
			dot_grid_set(&g, x, y);
		if (k <= c->n_points / 2 || mark_x < 0) {
			mark_x = x;
			mark_y = y;
		}
		have = 1;
		px = x;
		py = y;
	}
	char cell[4];
	for (int row = 0; row < l->plot_h; row++)
		for (int col = 0; col < l->plot_w; col++) {
			uint8_t mask = dot_grid_cell(&g, col, row);
			if (mask)
				draw_text(l->plot_y + row, l->plot_x + col, 1, attr, braille_utf8(mask, cell));
		}
	if (mark_x >= 0) {
		char letter[2] = { order_letter(c->order), 0 };
		draw_text(l->plot_y + mark_y / 4, l->plot_x + mark_x / 2, 1, attr, letter);
	}
	dot_grid_release(&g);
}

static void plot_curve(const struct plot *p, const struct sweep_curve *c, attr_t attr)
{
	if (colors_glyphs()->unicode)
		plot_braille(p, c, attr);
	else
		plot_letters(p, c, attr);
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
	const struct ui_layout *l = p->l;
	attr_t dim = role_attr(ROLE_DIM);
	char label[32];
	draw_text(l->plot_y, l->curve_x, CURVE_LABEL_W, dim, ppl_label(exp(p->log_hi), label));
	draw_text(l->plot_y + l->plot_h - 1, l->curve_x, CURVE_LABEL_W, dim,
		  ppl_label(exp(p->log_lo), label));
	if (l->plot_h >= 7)        /* a middle tick on the log axis: the geometric mean */
		draw_text(l->plot_y + (l->plot_h - 1) / 2, l->curve_x, CURVE_LABEL_W, dim,
			  ppl_label(exp(p->log_hi - (p->log_hi - p->log_lo) * ((l->plot_h - 1) / 2) /
					(l->plot_h - 1)), label));
	int y = l->plot_y + l->plot_h;
	int lo_w = draw_textf(y, l->plot_x, l->plot_w, dim, "%g", p->bits_lo);
	char hi[32];
	snprintf(hi, sizeof hi, "%g bits", p->bits_hi);
	int w = (int)strlen(hi) < l->plot_w ? (int)strlen(hi) : l->plot_w;
	draw_text(y, l->plot_x + l->plot_w - w, w, dim, hi);
	/* Whole bit widths between the ends, where they do not touch the end labels. */
	for (int b = (int)ceil(p->bits_lo + 0.5); b < p->bits_hi - 0.5; b++) {
		int row, col;
		double f = (b - p->bits_lo) / (p->bits_hi - p->bits_lo);
		if (ui_layout_plot_cell(l, f, 0, &row, &col) == 0 && col > l->plot_x + 2 &&
		    col + 2 < l->plot_x + l->plot_w - w)
			draw_textf(y, col, 1, dim, "%d", b);
	}
	/* Where the plan is now: a dotted line, drawn first so the curves stay on top. */
	double f = (s->avg_bits - p->bits_lo) / (p->bits_hi - p->bits_lo);
	int row, col;
	if (ui_layout_plot_cell(l, f, 0, &row, &col) == 0) {
		for (int r = 0; r < l->plot_h; r++)
			draw_text(l->plot_y + r, col, 1, dim, colors_glyphs()->plan_mark);
		/* on an end label ("4 bits") the dotted line alone marks the plan */
		if (col >= l->plot_x + lo_w && col < l->plot_x + l->plot_w - w)
			draw_text(y, col, 1, role_attr(ROLE_CURVE_CURRENT), "^");
	}
}

/* "ppl L=lim Z=zd ..." when it fits, else "ppl L Z ..."; each in its curve's colour, the
   current order bold and underlined. */
static void draw_legend(const struct ui_state *s, int y, int x, int w)
{
	int levels[3], n_levels = bit_pair_levels(s->pair, levels);
	char current[96];
	ui_curve_name(s, current, sizeof current);
	int full = 4;
	for (int i = 0; i < s->data->n_sweeps; i++)
		if (matches_pair(&s->data->sweeps[i], levels, n_levels))
			full += 3 + (int)strlen(s->data->sweeps[i].order);
	int used = draw_text(y, x, w, role_attr(ROLE_HEADER), "ppl ");
	for (int i = 0; i < s->data->n_sweeps && used < w; i++) {
		const struct sweep_curve *c = &s->data->sweeps[i];
		if (!matches_pair(c, levels, n_levels))
			continue;
		char item[80];
		if (full <= w)
			snprintf(item, sizeof item, "%c=%s ", order_letter(c->order), c->order);
		else
			snprintf(item, sizeof item, "%c ", order_letter(c->order));
		int is_current = strcmp(c->order, current) == 0;
		used += draw_text(y, x + used, w - used, curve_attr(i, is_current) |
				  (is_current ? A_UNDERLINE : 0), item);
	}
}

/* The block's two borders, on every line of it. */
static void draw_frame(const struct ui_layout *l)
{
	for (int r = 0; r < l->bottom_h; r++) {
		draw_text(l->bottom_y + r, l->curve_x - 1, 1, role_attr(ROLE_DIM),
			  colors_glyphs()->vline);
		draw_text(l->bottom_y + r, l->curve_x + l->curve_w, 1, role_attr(ROLE_DIM),
			  colors_glyphs()->vline);
	}
}

void view_curve_draw(const struct ui_state *s)
{
	const struct ui_layout *l = &s->layout;
	if (l->curve_w <= 0)
		return;
	int x = l->curve_x, y = l->bottom_y, w = l->curve_w;
	draw_clear(y, x - 1, l->bottom_h, w + 2);
	draw_frame(l);
	struct plot p = { l, 0, 0, 0, 0 };
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
	int current = -1;
	for (int i = 0; i < s->data->n_sweeps; i++) {
		const struct sweep_curve *c = &s->data->sweeps[i];
		if (!matches_pair(c, levels, n_levels))
			continue;
		char name[96];
		if (strcmp(c->order, ui_curve_name(s, name, sizeof name)) == 0)
			current = i;
		else
			plot_curve(&p, c, curve_attr(i, 0));
	}
	if (current >= 0) /* drawn last so it stays on top */
		plot_curve(&p, &s->data->sweeps[current], curve_attr(current, 1));
}
