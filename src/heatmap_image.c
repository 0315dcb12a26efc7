/* heatmap_image.c: lays out and draws the heatmap image: title, labels, cells, tokens, legend. */
#include "heatmap_image.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "colormap.h"
#include "heat_columns.h"
#include "png_write.h"

static const char *const metric_names[] = {
	[HM_LIM] = "lim", [HM_ZD] = "zd", [HM_ZD_TENSOR] = "zd-tensor", [HM_RTN] = "rtn",
	[HM_TOKENS] = "tokens", [HM_PLAN] = "plan", [HM_ALL] = "all",
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

static const struct rgb paper = { 255, 255, 255 }, ink = { 32, 32, 32 },
			faint = { 110, 110, 110 };

/* Sizes in font dots; multiplied by the scale. */
enum { PAD = 6, CELL_W = 22, CELL_H = 9, GROUP_GAP = 4, LINE = 10, BUCKET_W = 2,
       MAX_BUCKETS = 256, RAMP_W = 128 };

struct hm_layout {
	int u;
	int n_cols;
	enum heat_column cols[HEAT_COLS];
	int col_x[HEAT_COLS];
	int grid_x, grid_y;
	int tok_x, n_buckets;
	int legend_y;
	int width, height;
};

/* Which heat columns a metric draws; -1 with err when their data are missing. */
static int select_columns(const struct explorer_data *d, const struct heatmap_options *o,
			  struct hm_layout *l, struct lwq_err *err)
{
	static const struct { enum heatmap_metric m; int first, last; const char *need; } spans[] = {
		{ HM_LIM, COL_LIM, COL_LIM, "no LIM scores: run lwq capture, then lwq score" },
		{ HM_ZD, COL_ZD, COL_ZD, "no scores: run lwq score" },
		{ HM_ZD_TENSOR, COL_ZD_Q, COL_ZD_DOWN, "no scores: run lwq score" },
		{ HM_RTN, COL_RTN2, COL_RTN4, "no RTN errors: run lwq score" },
		{ HM_PLAN, COL_PLAN, COL_PLAN, "no plan: give --plan PLAN.json" },
	};
	l->n_cols = 0;
	for (size_t i = 0; i < sizeof spans / sizeof spans[0]; i++) {
		if (o->metric != spans[i].m && o->metric != HM_ALL)
			continue;
		int have = spans[i].m == HM_PLAN ? o->plan != NULL
			 : heat_column_available(d, (enum heat_column)spans[i].first);
		if (!have && o->metric != HM_ALL)
			return lwq_err_set(err, "%s: %s", d->path, spans[i].need);
		for (int c = spans[i].first; have && c <= spans[i].last; c++)
			l->cols[l->n_cols++] = (enum heat_column)c;
	}
	int tokens = (o->metric == HM_TOKENS || o->metric == HM_ALL) && d->cos;
	if (o->metric == HM_TOKENS && !d->cos)
		return lwq_err_set(err, "%s: no activations: run lwq capture", d->path);
	if (l->n_cols == 0 && !tokens)
		return lwq_err_set(err, "%s: no scores or activations: run lwq capture, then lwq score",
				   d->path);
	l->n_buckets = tokens ? (int)(d->n_tokens < MAX_BUCKETS ? d->n_tokens : MAX_BUCKETS) : 0;
	return 0;
}

static int pixel_scale(const struct heatmap_options *o)
{
	return o->scale < 1 ? 1 : o->scale > HEATMAP_MAX_SCALE ? HEATMAP_MAX_SCALE : o->scale;
}

static int legend_lines(const struct hm_layout *l)
{
	return l->n_cols + (l->n_buckets > 0);
}

static void place(const struct explorer_data *d, struct hm_layout *l)
{
	int u = l->u;
	int label_w = canvas_text_width("L000", u);
	l->grid_x = PAD * u + label_w + 4 * u;
	l->grid_y = PAD * u + 3 * LINE * u;
	int x = l->grid_x;
	for (int i = 0; i < l->n_cols; i++) {
		if (i > 0 && heat_column_group(l->cols[i]) != heat_column_group(l->cols[i - 1]))
			x += GROUP_GAP * u;
		l->col_x[i] = x;
		x += CELL_W * u;
	}
	l->tok_x = l->n_cols ? x + 2 * GROUP_GAP * u : x;
	int right = l->tok_x + l->n_buckets * BUCKET_W * u;
	l->legend_y = l->grid_y + d->n_layers * CELL_H * u + 2 * LINE * u;
	int legend_w = PAD * u + 80 * GLYPH_ADVANCE * u;
	l->width = right + PAD * u > legend_w ? right + PAD * u : legend_w;
	l->height = l->legend_y + (3 + legend_lines(l)) * LINE * u + PAD * u;
}

/* Text centred in [x, x + w). */
static void text_centred(struct canvas *c, int x, int w, int y, int u, struct rgb color,
			 const char *text)
{
	canvas_text(c, x + (w - canvas_text_width(text, u)) / 2, y, u, color, text);
}

static void draw_cells(struct canvas *c, const struct explorer_data *d, const struct hm_layout *l,
		       const struct heat_scales *scales, const int *bits)
{
	int u = l->u;
	for (int i = 0; i < l->n_cols; i++)
		text_centred(c, l->col_x[i], CELL_W * u, l->grid_y - LINE * u, u, ink,
			     heat_column_short(l->cols[i]));
	for (int layer = 0; layer < d->n_layers; layer++) {
		int y = l->grid_y + layer * CELL_H * u;
		char label[16];
		snprintf(label, sizeof label, "L%03d", layer);
		canvas_text(c, PAD * u, y + u, u, ink, label);
		for (int i = 0; i < l->n_cols; i++) {
			struct rgb color = colormap_rgb(heat_normalized(d, scales, l->cols[i], layer, bits));
			canvas_fill(c, l->col_x[i], y, CELL_W * u, CELL_H * u - (u > 1), color);
			if (l->cols[i] != COL_PLAN || !bits)
				continue;
			char digits[16];
			snprintf(digits, sizeof digits, "%d", bits[layer]);
			struct rgb text = rgb_luminance(color) > 0.25 ? (struct rgb){ 0, 0, 0 }
								       : (struct rgb){ 255, 255, 255 };
			text_centred(c, l->col_x[i], CELL_W * u, y + u, u, text, digits);
		}
	}
}

/* Token buckets coloured on one scale, or each layer on its own (per_layer); lo/hi get
   the overall scale for the legend. */
static int draw_tokens(struct canvas *c, const struct explorer_data *d, const struct hm_layout *l,
		       int per_layer, double *lo, double *hi)
{
	int u = l->u, nb = l->n_buckets;
	float *values = malloc((size_t)d->n_layers * (size_t)nb * sizeof *values);
	if (!values || token_buckets(d, nb, values) != 0) {
		free(values);
		return -1;
	}
	robust_range(values, (int64_t)d->n_layers * nb, lo, hi);
	char title[96];
	snprintf(title, sizeof title, "PER-TOKEN LIM, TOKENS 0-%lld", (long long)d->n_tokens - 1);
	canvas_text(c, l->tok_x, l->grid_y - LINE * u, u, ink, title);
	for (int layer = 0; layer < d->n_layers; layer++) {
		const float *row = values + (int64_t)layer * nb;
		double row_lo = *lo, row_hi = *hi;
		if (per_layer)
			robust_range(row, nb, &row_lo, &row_hi);
		for (int b = 0; b < nb; b++) {
			double v = normalize_value(row[b], row_lo, row_hi);
			canvas_fill(c, l->tok_x + b * BUCKET_W * u, l->grid_y + layer * CELL_H * u,
				    BUCKET_W * u, CELL_H * u - (u > 1), colormap_rgb(v));
		}
	}
	free(values);
	return 0;
}

/* The ramp with its ends labelled, then each column's colour scale and value range. */
static void draw_legend(struct canvas *c, const struct explorer_data *d, const struct hm_layout *l,
			const struct heatmap_options *o, const struct heat_scales *scales,
			double tok_lo, double tok_hi)
{
	int u = l->u, x = PAD * u, y = l->legend_y;
	for (int i = 0; i < RAMP_W; i++)
		canvas_fill(c, x + i * u, y, u, 6 * u, colormap_rgb((i + 0.5) / RAMP_W));
	canvas_text(c, x, y + 8 * u, u, faint, "LOW");
	canvas_text(c, x + RAMP_W * u - canvas_text_width("HIGH", u), y + 8 * u, u, faint, "HIGH");
	canvas_text(c, x + RAMP_W * u + 6 * u, y, u, faint, "EACH COLUMN ON ITS OWN SCALE:");
	canvas_text(c, x + RAMP_W * u + 6 * u, y + LINE * u / 2 + 4 * u, u, faint,
		    scales->kind == SCALE_RANK ? "COLOUR = RANK AMONG THE LAYERS"
					       : "LINEAR, 2ND..98TH PERCENTILE OVER THE LAYERS");
	y += 2 * LINE * u;
	for (int i = 0; i < l->n_cols; i++, y += LINE * u) {
		char line[160];
		enum heat_column col = l->cols[i];
		double lo = INFINITY, hi = -INFINITY;
		for (int layer = 0; layer < d->n_layers; layer++) {
			double v = heat_value(d, col, layer, NULL);
			lo = v < lo ? v : lo;
			hi = v > hi ? v : hi;
		}
		if (col == COL_PLAN)
			snprintf(line, sizeof line, "BIT: PLAN WIDTH PER LAYER, 2 DARK .. 4 MIDDLE .. 8 BRIGHT");
		else if (scales->kind == SCALE_RANK)
			snprintf(line, sizeof line, "%s: VALUES %.4g .. %.4g", heat_column_title(col),
				 lo, hi);
		else
			snprintf(line, sizeof line, "%s: COLOUR %.4g .. %.4g, VALUES %.4g .. %.4g",
				 heat_column_title(col), scales->lo[col], scales->hi[col], lo, hi);
		canvas_text(c, x, y, u, ink, line);
	}
	if (l->n_buckets) {
		char line[160];
		if (o->tokens_per_layer)
			snprintf(line, sizeof line, "TOKENS: PER-TOKEN LIM, MEAN OF %.3g TOKENS PER "
				 "COLUMN, EACH LAYER ON ITS OWN SCALE", (double)d->n_tokens / l->n_buckets);
		else
			snprintf(line, sizeof line, "TOKENS: PER-TOKEN LIM, MEAN OF %.3g TOKENS PER "
				 "COLUMN, COLOUR %.4g .. %.4g", (double)d->n_tokens / l->n_buckets,
				 tok_lo, tok_hi);
		canvas_text(c, x, y, u, ink, line);
	}
}

static void draw_title(struct canvas *c, const struct explorer_data *d, const struct hm_layout *l,
		       const struct heatmap_options *o)
{
	int u = l->u;
	char title[256], sub[256];
	snprintf(title, sizeof title, "LWQ HEATMAP: %.120s", d->model_name);
	canvas_text(c, PAD * u, PAD * u, u, ink, title);
	snprintf(sub, sizeof sub, "%d LAYERS, METRIC %s%s%s", d->n_layers,
		 heatmap_metric_name(o->metric), o->plan ? ", PLAN ORDER " : "",
		 o->plan ? o->plan->order : "");
	canvas_text(c, PAD * u, PAD * u + LINE * u, u, faint, sub);
}

struct canvas *heatmap_render(const struct explorer_data *d, const struct heatmap_options *o,
			      struct lwq_err *err)
{
	struct hm_layout l;
	memset(&l, 0, sizeof l);
	l.u = pixel_scale(o);
	if (o->plan && o->plan->n_layers != d->n_layers) {
		lwq_err_set(err, "plan has %d layers, %s has %d", o->plan->n_layers, d->path,
			    d->n_layers);
		return NULL;
	}
	if (select_columns(d, o, &l, err) != 0)
		return NULL;
	place(d, &l);
	struct canvas *c = canvas_new(l.width, l.height, paper);
	if (!c) {
		lwq_err_set(err, "%s: image of %dx%d pixels is too large", d->path, l.width, l.height);
		return NULL;
	}
	const int *bits = o->plan ? o->plan->bits : NULL;
	double tok_lo = 0, tok_hi = 0;
	struct heat_scales scales;
	heat_scales_compute(d, o->color_scale, &scales);
	draw_title(c, d, &l, o);
	draw_cells(c, d, &l, &scales, bits);
	if (l.n_buckets && draw_tokens(c, d, &l, o->tokens_per_layer, &tok_lo, &tok_hi) != 0) {
		heat_scales_release(&scales);
		canvas_free(c);
		lwq_err_set(err, "%s: out of memory for the token map", d->path);
		return NULL;
	}
	draw_legend(c, d, &l, o, &scales, tok_lo, tok_hi);
	heat_scales_release(&scales);
	return c;
}

int heatmap_cell_origin(const struct explorer_data *d, const struct heatmap_options *o,
			enum heat_column c, int layer, int *x, int *y)
{
	struct hm_layout l;
	memset(&l, 0, sizeof l);
	l.u = pixel_scale(o);
	if (select_columns(d, o, &l, NULL) != 0)
		return -1;
	place(d, &l);
	for (int i = 0; i < l.n_cols; i++)
		if (l.cols[i] == c) {
			*x = l.col_x[i];
			*y = l.grid_y + layer * CELL_H * l.u;
			return 0;
		}
	return -1;
}

int heatmap_write_png(const struct explorer_data *d, const struct heatmap_options *o,
		      const char *path, int overwrite, struct lwq_err *err)
{
	struct canvas *c = heatmap_render(d, o, err);
	if (!c)
		return -1;
	char title[256];
	snprintf(title, sizeof title, "lwq heatmap of %.120s (%s)", d->model_name,
		 heatmap_metric_name(o->metric));
	int rc = png_write_canvas(path, c, title, overwrite, err);
	canvas_free(c);
	return rc;
}
