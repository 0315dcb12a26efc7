/* test_figure.c: ticks, the figure backends, and the heatmap figure: every cell has the
   ramp colour of its value, every label puts ink inside its box, nothing overlaps. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figure.h"
#include "curve_figure.h"
#include "figure_backends.h"
#include "heatmap_figure.h"
#include "scratch_dir.h"
#include "tap.h"
#include "ticks.h"

static int is_nice_step(double step)
{
	double p = pow(10, floor(log10(step) + 1e-9)), f = step / p;
	return fabs(f - 1) < 1e-6 || fabs(f - 2) < 1e-6 || fabs(f - 5) < 1e-6;
}

static void test_ticks(void)
{
	struct ticks t;
	ticks_linear(0, 1, 5, &t);
	ok(t.n == 6 && t.value[0] == 0 && fabs(t.value[5] - 1) < 1e-12 && t.decimals == 1,
	   "0..1: six ticks 0, 0.2 .. 1 with one decimal (%d)", t.n);
	ticks_linear(0.1361, 0.1561, 4, &t);
	ok(t.n == 4 && fabs(t.value[0] - 0.14) < 1e-12 && t.decimals == 3,
	   "0.1361..0.1561: 0.140 .. 0.155 (%d ticks, %d decimals)", t.n, t.decimals);
	/* Properties over many ranges: inside, evenly spaced by a nice step, at least two. */
	int good = 1;
	unsigned seed = 7;
	for (int i = 0; i < 2000; i++) {
		seed = seed * 1103515245u + 12345u;
		double lo = ((int)((seed >> 8) % 20001) - 10000) * pow(10, (int)(seed % 9) - 4) / 1000;
		seed = seed * 1103515245u + 12345u;
		double width = ((seed >> 8) % 10000 + 1) * pow(10, (int)(seed % 9) - 4) / 1000;
		double hi = lo + fmax(width, 1e-4 * fabs(lo));  /* axes span more than rounding */
		ticks_linear(lo, hi, 4, &t);
		good &= t.n >= 2 && t.n <= 11;
		for (int k = 0; k < t.n; k++)
			good &= t.value[k] >= lo - 1e-9 * (hi - lo) && t.value[k] <= hi + 1e-9 * (hi - lo);
		if (t.n >= 2)
			good &= is_nice_step(t.value[1] - t.value[0]);
		for (int k = 2; k < t.n; k++)
			good &= fabs((t.value[k] - t.value[k - 1]) - (t.value[1] - t.value[0])) <
				1e-9 * (hi - lo);
	}
	ok(good, "2000 random ranges: 2..11 evenly spaced nice ticks inside the range");
	ticks_log(10, 1000, 5, &t);
	ok(t.n == 7 && t.value[0] == 10 && t.value[1] == 20 && t.value[2] == 50 &&
	   t.value[6] == 1000, "log 10..1000: 10 20 50 100 200 500 1000 (%d)", t.n);
	ticks_log(12, 30, 5, &t);
	ok(t.n >= 2 && t.value[0] >= 12 && t.value[t.n - 1] <= 30, "log within a decade: linear");
	ticks_log(0, 30, 5, &t);
	ok(t.n == 0, "log axis with 0: no ticks");
	char buf[32];
	ok(strcmp(format_number(-0.5, 2, buf), "\u22120.50") == 0, "true minus sign: %s", buf);
	ok(strcmp(format_number(-0.0001, 2, buf), "0.00") == 0, "no -0: %s", buf);
	ok(decimals_for_step(0.25) == 2 && decimals_for_step(5) == 0 &&
	   decimals_for_step(0.0005) == 4, "decimals for steps");
}

/* A figure of each element kind: the SVG holds them as elements, text as text. */
static void test_backends(struct font *font)
{
	struct figure *fig = figure_new(font);
	fig->width = 200;
	fig->height = 100;
	snprintf(fig->title, sizeof fig->title, "a <test> & more");
	figure_rect(fig, 10, 10, 20, 20, (struct rgb){ 200, 0, 0 }, "cell");
	figure_rect(fig, 40, 10, 20, 20, (struct rgb){ 0, 0, 200 }, "cell");
	figure_ramp(fig, 10, 40, 100, 10, RAMP_MAGMA, 0, "key-bar");
	struct fig_point pts[3] = { { 10, 90 }, { 60, 60 }, { 110, 80 } };
	figure_line(fig, pts, 3, (struct rgb){ 0, 120, 0 }, 1.5, 0, "curve");
	figure_line(fig, pts, 3, (struct rgb){ 0, 0, 0 }, 1, 4, "reference");
	for (int m = 0; m < MARK_COUNT; m++)
		figure_marker(fig, 130 + 10 * m, 20, (enum fig_marker)m, 6, (struct rgb){ 0, 0, 0 },
			      "marker");
	figure_text(fig, 120, 60, 12, ANCHOR_START, (struct rgb){ 0, 0, 0 }, "label", "x < y & z");
	const char *svg = scratch_path("elements.svg");
	struct lwq_err err = { "" };
	ok(figure_write(fig, svg, 1, 0, &err) == 0, "SVG written: %s", err.msg);
	FILE *f = fopen(svg, "r");
	char text[16384];
	size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
	text[n] = 0;
	if (f)
		fclose(f);
	int cells = 0, lines = 0, markers = 0;
	for (const char *p = text; (p = strstr(p, "class=\"cell\"")); p++)
		cells++;
	for (const char *p = text; (p = strstr(p, "<polyline")); p++)
		lines++;
	for (const char *p = text; (p = strstr(p, "class=\"marker\"")); p++)
		markers++;
	ok(cells == 2 && lines == 2 && markers == MARK_COUNT,
	   "SVG has 2 cells, 2 polylines, %d markers (%d %d %d)", MARK_COUNT, cells, lines, markers);
	ok(strstr(text, ">x &lt; y &amp; z</text>") && strstr(text, "<title>a &lt;test&gt;"),
	   "text stays text, escaped");
	ok(strstr(text, "stroke-dasharray") && strstr(text, "linearGradient"),
	   "dashes and the colour ramp are vector");
	ok(figure_write(fig, scratch_path("x.jpg"), 1, 0, &err) != 0 && strstr(err.msg, ".png or .svg"),
	   "other names refused: %s", err.msg);
	struct canvas *c = figure_rasterize(fig, 2, &err);
	ok(c && c->width == 400 && c->height == 200, "raster at scale 2 is 400x200");
	struct rgb red = canvas_pixel(c, 40, 40), blue = canvas_pixel(c, 81, 21);
	ok(red.r == 200 && red.g == 0 && blue.b == 200 && blue.r == 0, "rectangles exact");
	struct rgb ramp_lo = canvas_pixel(c, 21, 90), ramp_hi = canvas_pixel(c, 218, 90);
	ok(rgb_luminance(ramp_lo) < 0.05 && rgb_luminance(ramp_hi) > 0.8, "ramp runs dark to light");
	struct rgb on_line = canvas_pixel(c, 120, 120);     /* (60, 60) at scale 2 */
	ok(on_line.r < 128, "line drawn through its vertex");
	canvas_free(c);
	figure_free(fig);
}

/* Mid-rank fraction of v among n values, computed the slow way. */
static double rank_fraction(const double *values, int n, double v)
{
	int less = 0, equal = 0;
	for (int i = 0; i < n; i++) {
		less += values[i] < v;
		equal += values[i] == v;
	}
	return n > 1 ? (less + (equal - 1) / 2.0) / (n - 1) : 0.5;
}

/* The colour the figure must give a cell, derived here from the raw values: the column
   group's min..max (or -m..m around 0, or rank) on the ramp the metric's meaning picks. */
static struct rgb expected_colour(const struct explorer_data *d, enum heat_column c, int layer,
				  const int *bits, int by_rank)
{
	if (c == COL_PLAN)
		return ramp_rgb(RAMP_CIVIDIS, (log2(bits[layer]) - 1) / 2);
	if (c == COL_MEASURED) {
		double all[64] = { 0 }, lo = INFINITY, hi = -INFINITY;
		for (int i = 0; i < d->n_layers; i++) {
			all[i] = d->measured[i * d->n_measured];
			lo = fmin(lo, all[i]);
			hi = fmax(hi, all[i]);
		}
		double v = all[layer];
		if (by_rank)
			return ramp_rgb(RAMP_VIRIDIS, rank_fraction(all, d->n_layers, v));
		if (lo > 0 && hi / lo > 20)
			return ramp_rgb(RAMP_VIRIDIS, (log10(v) - log10(lo)) / (log10(hi) - log10(lo)));
		return ramp_rgb(RAMP_VIRIDIS, (v - lo) / (hi - lo));
	}
	int first = c, last = c;
	if (c >= COL_ZD_Q && c <= COL_ZD_DOWN) {
		first = COL_ZD_Q;
		last = COL_ZD_DOWN;
	}
	double values[16 * LIN_COUNT], lo = INFINITY, hi = -INFINITY;
	int n = 0;
	for (int k = first; k <= last; k++)
		for (int i = 0; i < d->n_layers; i++) {
			values[n] = heat_value(d, (enum heat_column)k, i, NULL);
			lo = fmin(lo, values[n]);
			hi = fmax(hi, values[n]);
			n++;
		}
	double v = heat_value(d, c, layer, NULL);
	enum ramp_id ramp = c == COL_RTN2 || c == COL_RTN4 ? RAMP_MAGMA : RAMP_VIRIDIS;
	if (by_rank)
		return ramp_rgb(ramp, rank_fraction(values, n, v));
	if (c == COL_LIM && lo < 0 && hi > 0) {
		double m = fmax(-lo, hi);
		return ramp_rgb(RAMP_RDBU, (v + m) / (2 * m));
	}
	return ramp_rgb(ramp, (v - lo) / (hi - lo));
}

static int cells_match(const struct explorer_data *d, const struct heatmap_options *o,
		       const struct heatmap_geometry *g, const struct canvas *c)
{
	int same = 1;
	for (int i = 0; i < g->n_cols; i++)
		for (int layer = 0; layer < d->n_layers; layer++) {
			struct rgb want = expected_colour(d, g->cols[i], layer, o->plan->bits,
							  o->color_scale == SCALE_RANK);
			int x = (int)lround((g->col_x[i] + 1) * o->scale);
			int y = (int)lround((g->grid_y + layer * g->cell_h + 1) * o->scale);
			struct rgb got = canvas_pixel(c, x, y);
			if (got.r != want.r || got.g != want.g || got.b != want.b) {
				printf("# column %d layer %d: got %d,%d,%d want %d,%d,%d\n", g->cols[i],
				       layer, got.r, got.g, got.b, want.r, want.g, want.b);
				same = 0;
			}
		}
	return same;
}

static int boxes_overlap(const double a[4], const double b[4])
{
	return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}

/* Every label inside the figure, with ink inside its box (the figure drawn without that
   text differs there), and no two labels on top of each other. */
static void check_text(const struct figure *fig, double scale, const char *what)
{
	struct lwq_err err = { "" };
	struct canvas *with = figure_rasterize(fig, scale, &err);
	struct figure bare = *fig;
	bare.el = malloc((size_t)fig->n * sizeof *bare.el);
	int n_text = 0;
	for (int i = 0; i < fig->n; i++)
		if (fig->el[i].kind != FIG_TEXT)
			bare.el[n_text++] = fig->el[i];
	bare.n = n_text;
	struct canvas *without = figure_rasterize(&bare, scale, &err);
	free(bare.el);
	int inked = 0, inside = 0, texts = 0, overlaps = 0;
	double (*box)[4] = malloc((size_t)fig->n * sizeof *box);
	for (int i = 0; i < fig->n; i++) {
		const struct fig_element *e = &fig->el[i];
		if (e->kind != FIG_TEXT)
			continue;
		double *b = box[texts++];
		figure_text_box(fig, e, &b[0], &b[1], &b[2], &b[3]);
		inside += b[0] >= 0 && b[1] >= 0 && b[2] <= fig->width && b[3] <= fig->height;
		int diff = 0;
		for (int y = (int)(b[1] * scale); y < (int)ceil(b[3] * scale) && !diff; y++)
			for (int x = (int)(b[0] * scale); x < (int)ceil(b[2] * scale) && !diff; x++) {
				struct rgb p = canvas_pixel(with, x, y), q = canvas_pixel(without, x, y);
				diff = p.r != q.r || p.g != q.g || p.b != q.b;
			}
		inked += diff;
		if (!diff)
			printf("# no ink for '%s'\n", e->text);
	}
	for (int i = 0; i < texts; i++)
		for (int j = i + 1; j < texts; j++)
			if (boxes_overlap(box[i], box[j])) {
				printf("# overlap: %.1f,%.1f-%.1f,%.1f and %.1f,%.1f-%.1f,%.1f\n", box[i][0],
				       box[i][1], box[i][2], box[i][3], box[j][0], box[j][1], box[j][2],
				       box[j][3]);
				overlaps++;
			}
	ok(texts > 0 && inked == texts, "%s: all %d labels draw ink inside their boxes (%d)", what,
	   texts, inked);
	ok(inside == texts, "%s: every label lies inside the figure (%d of %d)", what, inside, texts);
	ok(overlaps == 0, "%s: no two labels overlap (%d do)", what, overlaps);
	free(box);
	canvas_free(with);
	canvas_free(without);
}

static void test_heatmap(struct font *font)
{
	struct explorer_data *d = explorer_data_synthetic(12, 600, 5);
	struct bit_plan *plan = bit_plan_new(12);
	for (int i = 0; i < 12; i++)
		plan->bits[i] = i % 3 ? 2 : i % 2 ? 8 : 4;
	plan->high_bits = 4;
	plan->low_bits = 2;
	plan->group_size = 32;
	struct heatmap_options o = { HM_ALL, plan, 2, SCALE_VALUE, 1, 1, NULL };
	struct heatmap_geometry g;
	struct lwq_err err = { "" };
	struct figure *fig = heatmap_figure(d, &o, font, &g, &err);
	ok(fig != NULL, "heatmap figure of the synthetic model: %s", err.msg);
	int want_cols = HEAT_COLS + (d->measured != NULL);
	ok(g.n_cols == want_cols, "all %d columns drawn (%d)", want_cols, g.n_cols);
	struct canvas *c = figure_rasterize(fig, o.scale, &err);
	ok(cells_match(d, &o, &g, c), "by value: every cell has its value's ramp colour");
	canvas_free(c);
	check_text(fig, o.scale, "value colouring");
	figure_free(fig);

	o.color_scale = SCALE_RANK;
	fig = heatmap_figure(d, &o, font, &g, &err);
	c = figure_rasterize(fig, o.scale, &err);
	ok(cells_match(d, &o, &g, c), "by rank: every cell has its rank's ramp colour");
	int says = 0;
	for (int i = 0; i < fig->n; i++)
		says += fig->el[i].kind == FIG_TEXT && strstr(fig->el[i].text, "rank, not value");
	ok(says >= 5, "rank colouring says so on every colour bar (%d)", says);
	canvas_free(c);
	figure_free(fig);

	d->lim[0] = 0.25f;            /* a layer that reverses the stream: LIM crosses 0 */
	o.color_scale = SCALE_VALUE;
	fig = heatmap_figure(d, &o, font, &g, &err);
	c = figure_rasterize(fig, 1, &err);
	o.scale = 1;
	ok(g.keys[KEY_LIM].mode == KEY_DIVERGING && g.keys[KEY_LIM].ramp == RAMP_RDBU,
	   "signed LIM gets the diverging ramp");
	ok(cells_match(d, &o, &g, c), "diverging: cells centred on 0");
	canvas_free(c);
	figure_free(fig);

	/* Measured sensitivity (score --measure): a column in the Importance group, on a log
	   scale because the first layer dwarfs the rest. */
	d->n_measured = 2;
	d->measured_widths[0] = 2;
	d->measured_widths[1] = 3;
	free(d->measured);
	d->measured = malloc(12 * 2 * sizeof *d->measured);
	for (int i = 0; i < 12; i++) {
		d->measured[i * 2] = i == 0 ? 5.0f : 0.01f * (float)(1 + (i * 7) % 11);
		d->measured[i * 2 + 1] = d->measured[i * 2] / 4;
	}
	o.scale = 1;
	fig = heatmap_figure(d, &o, font, &g, &err);
	int at = -1;
	for (int i = 0; i < g.n_cols; i++)
		at = g.cols[i] == COL_MEASURED ? i : at;
	ok(at == 2 && g.keys[KEY_MEASURED].mode == KEY_LOG,
	   "measured KLD: third column (after LIM, ZD), log colour scale");
	c = figure_rasterize(fig, 1, &err);
	int same = at == 2;
	for (int layer = 0; same && layer < 12; layer++) {
		double v = d->measured[layer * 2];
		struct rgb want = ramp_rgb(RAMP_VIRIDIS, (log10(v) - log10(0.01)) / (log10(5.0) - log10(0.01)));
		struct rgb got = canvas_pixel(c, (int)g.col_x[at] + 1, (int)(g.grid_y + layer * g.cell_h) + 1);
		same &= got.r == want.r && got.g == want.g && got.b == want.b;
	}
	ok(same, "measured cells: viridis at log10 of the 2-bit KLD");
	int titled = 0;
	for (int i = 0; i < fig->n; i++)
		titled += fig->el[i].kind == FIG_TEXT && strstr(fig->el[i].text, "KLD of the layer alone at 2 bits");
	ok(titled == 1, "its colour bar names the width");
	canvas_free(c);
	check_text(fig, 1, "with the measured column");
	figure_free(fig);
	o.scale = 2;

	/* A very deep model: rows too thin for values or every label, yet nothing collides. */
	struct explorer_data *deep = explorer_data_synthetic(200, 2000, 9);
	struct heatmap_options deep_o = { HM_ALL, NULL, 1, SCALE_VALUE, 1, 0, NULL };
	fig = heatmap_figure(deep, &deep_o, font, &g, &err);
	ok(fig && g.cell_h < 5, "200 layers: thin rows (%.1f units)", g.cell_h);
	int values = 0, labels = 0;
	for (int i = 0; fig && i < fig->n; i++) {
		values += strcmp(fig->el[i].cls, "cell-value") == 0;
		labels += strcmp(fig->el[i].cls, "row-label") == 0;
	}
	ok(values == 0 && labels >= 50 && labels < 200,
	   "200 layers: no values in cells, a label every few rows (%d)", labels);
	if (fig)
		check_text(fig, 1, "200 layers");
	figure_free(fig);
	explorer_data_free(deep);

	o.metric = HM_PLAN;
	o.plan = NULL;
	ok(heatmap_figure(d, &o, font, &g, &err) == NULL && strstr(err.msg, "--plan"),
	   "plan metric without a plan: %s", err.msg);
	free(d->lim);
	d->lim = NULL;
	o.metric = HM_LIM;
	ok(heatmap_figure(d, &o, font, &g, &err) == NULL && strstr(err.msg, "lwq capture"),
	   "no LIM: says which verbs make it: %s", err.msg);
	free(d->cos);
	d->cos = NULL;
	o.metric = HM_TOKENS;
	ok(heatmap_figure(d, &o, font, &g, &err) == NULL && strstr(err.msg, "activations"),
	   "no activations: %s", err.msg);
	bit_plan_free(plan);
	explorer_data_free(d);
}

/* Markers of the last curve sit where the axes put its points, in its colour. */
static int markers_in_place(const struct explorer_data *d, const struct curve_geometry *g,
			    const struct canvas *c, double scale, int log_y)
{
	int last = d->n_sweeps - 1, good = 1, checked = 0;
	const struct sweep_curve *sc = &d->sweeps[last];
	struct rgb want = curve_color(last);
	for (int k = 0; k < sc->n_points; k++) {
		if (log_y && !(sc->ppl[k] > 0))
			continue;
		int x = (int)floor(axis_at(&g->x[0], sc->avg_bits[k]) * scale);
		int y = (int)floor(axis_at(&g->y[0], sc->ppl[k]) * scale);
		struct rgb got = canvas_pixel(c, x, y);
		good &= got.r == want.r && got.g == want.g && got.b == want.b;
		checked++;
	}
	return good && checked == sc->n_points;
}

static void test_curves(struct font *font)
{
	struct explorer_data *d = explorer_data_synthetic(12, 0, 3);
	struct curve_options o = { 0, NULL };
	struct curve_geometry g;
	struct lwq_err err = { "" };
	struct figure *fig = curve_figure(d, &o, font, &g, &err);
	ok(fig && g.n_panels == 1 && g.n_curves == 4 && g.n_markers == 4 * 13,
	   "perplexity only: one panel, 4 lines, 52 markers (%d %d %d)", g.n_panels, g.n_curves,
	   g.n_markers);
	/* Independent check of the axes: the lowest and highest perplexity fall inside the plot
	   box, lower values lower on the page. */
	double y_lo = axis_at(&g.y[0], 12.4), y_hi = axis_at(&g.y[0], d->sweeps[2].ppl[12]);
	ok(y_lo <= g.y[0].a && y_hi >= g.y[0].b && y_lo > y_hi, "values inside the plot box");
	struct canvas *c = figure_rasterize(fig, 2, &err);
	ok(markers_in_place(d, &g, c, 2, 0), "markers at their points in their colour");
	canvas_free(c);
	check_text(fig, 2, "curves");
	figure_free(fig);

	for (int i = 0; i < d->n_sweeps; i++) {      /* as a sweep that measured KLD stores it */
		struct sweep_curve *sc = &d->sweeps[i];
		sc->kld = malloc((size_t)sc->n_points * sizeof *sc->kld);
		for (int k = 0; k < sc->n_points; k++)
			sc->kld[k] = (float)log(sc->ppl[k] / sc->ppl[0]);
	}
	o.log_y = 1;
	fig = curve_figure(d, &o, font, &g, &err);
	ok(fig && g.n_panels == 2 && g.n_markers == 4 * 13 + 4 * 12,
	   "with KLD: two panels; KLD 0 left out on a log axis (%d panels, %d markers)",
	   g.n_panels, g.n_markers);
	ok(g.y[0].log && g.y[1].log && g.x[1].a > g.x[0].b, "log axes, panels side by side");
	c = figure_rasterize(fig, 1, &err);
	ok(markers_in_place(d, &g, c, 1, 1), "log axis: markers at their points");
	canvas_free(c);
	check_text(fig, 1, "curves with KLD, log");
	figure_free(fig);

	/* Curves of two quantizers: the legend names the method, not the stored suffix. */
	snprintf(d->sweeps[1].order, sizeof d->sweeps[1].order, "lim@gptq");
	snprintf(d->sweeps[1].method, sizeof d->sweeps[1].method, "gptq");
	fig = curve_figure(d, &o, font, &g, &err);
	int gptq = 0, rtn = 0, suffix = 0;
	for (int i = 0; fig && i < fig->n; i++)
		if (strcmp(fig->el[i].cls, "legend-label") == 0) {
			gptq += strcmp(fig->el[i].text, "lim, gptq") == 0;
			rtn += strcmp(fig->el[i].text, "lim, rtn") == 0;
			suffix += strchr(fig->el[i].text, '@') != NULL;
		}
	ok(gptq == 1 && rtn == 1 && suffix == 0, "legend: one line per order and method");
	figure_free(fig);

	explorer_data_free(d);
	d = explorer_data_synthetic(4, 0, 1);
	for (int i = 0; i < d->n_sweeps; i++)
		free(d->sweeps[i].n_low), free(d->sweeps[i].avg_bits), free(d->sweeps[i].bytes),
			free(d->sweeps[i].ppl);
	free(d->sweeps);
	d->sweeps = NULL;
	d->n_sweeps = 0;
	ok(curve_figure(d, &o, font, &g, &err) == NULL && strstr(err.msg, "run lwq sweep"),
	   "no sweeps: says which verb: %s", err.msg);
	explorer_data_free(d);
}

int main(void)
{
	scratch_dir("figure");
	test_ticks();
	struct lwq_err err = { "" };
	struct font *font = font_open(NULL, &err);
	ok(font != NULL, "default font found: %s", font ? font_file(font) : err.msg);
	if (font) {
		ok(strstr(font_family(font), "DejaVu") != NULL, "default family is DejaVu Sans (%s)",
		   font_family(font));
		double w1 = font_text_width(font, "Layer", 10), w2 = font_text_width(font, "Layer", 20);
		ok(w1 > 15 && fabs(w2 - 2 * w1) < 1e-6, "widths scale with the size (%.2f)", w1);
		test_backends(font);
		test_heatmap(font);
		test_curves(font);
	}
	ok(font_open("/nonexistent/font.ttf", &err) == NULL && strstr(err.msg, "font.ttf"),
	   "missing font file: %s", err.msg);
	font_free(font);
	scratch_dir_remove();
	return tap_done();
}
