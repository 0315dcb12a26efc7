/* view_slider.c: the budget slider, the plan's numbers, the predicted perplexity, the cell value. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "units.h"
#include "colors.h"
#include "draw.h"
#include "views.h"

/* x of the knob for the current budget. */
static int knob_x(const struct ui_state *s)
{
	const struct ui_layout *l = &s->layout;
	double range = (double)(s->budget_max - s->budget_min);
	double f = range > 0 ? (double)(s->budget - s->budget_min) / range : 1.0;
	return l->track_x + (int)lround(f * (l->track_w - 1));
}

static void draw_track(const struct ui_state *s, int y)
{
	const struct ui_layout *l = &s->layout;
	const struct ui_glyphs *g = colors_glyphs();
	int knob = knob_x(s);
	draw_text(y, 0, l->track_x - 1, role_attr(ROLE_HEADER), "Budget");
	draw_text(y, l->track_x - 1, 1, A_NORMAL, "[");
	draw_repeat(y, l->track_x, knob - l->track_x, role_attr(ROLE_SLIDER_FILL), g->track_fill);
	draw_repeat(y, knob + 1, l->track_x + l->track_w - knob - 1, role_attr(ROLE_DIM),
		    g->track_empty);
	draw_repeat(y, knob, 1, role_attr(ROLE_SLIDER_KNOB), g->knob);
	draw_text(y, l->track_x + l->track_w, 1, A_NORMAL, "]");
}

/* "8/16 at 4-bit" or "3 at 8, 9 at 4, 4 at 2". */
static void plan_counts(const struct ui_state *s, char *buf, size_t len)
{
	int levels[3];
	int n = bit_pair_levels(s->pair, levels), total = s->data->n_layers;
	if (n == 2)
		snprintf(buf, len, "%d/%d high (%d-bit)", s->n_high, total, levels[1]);
	else
		snprintf(buf, len, "%d@8 %d@4 %d@2", s->n_high, s->n_mid,
			 total - s->n_high - s->n_mid);
}

/* The feasible range under the bar's ends: all-low on the left, all-high on the right. */
static void draw_range(const struct ui_state *s, int y)
{
	const struct ui_layout *l = &s->layout;
	char lo[32], hi[32];
	format_size((double)s->budget_min, lo, sizeof lo);
	format_size((double)s->budget_max, hi, sizeof hi);
	draw_clear(y, 0, 1, l->slider_w);
	draw_text(y, l->track_x, l->track_w, role_attr(ROLE_DIM), lo);
	int w = text_columns(hi);
	draw_text(y, l->track_x + l->track_w - w, w, role_attr(ROLE_DIM), hi);
}

/* The first of the texts that fits w columns (the last one when none does). */
static const char *first_fitting(const char *const *texts, int n, int w)
{
	for (int i = 0; i < n - 1; i++)
		if (text_columns(texts[i]) <= w)
			return texts[i];
	return texts[n - 1];
}

/* Budget, bits, counts and the plan's size; with big sizes or many layers the high
   width (also on the next line's pair) gives way, then the word "plan". */
static void draw_numbers(const struct ui_state *s, int y)
{
	char budget[32], counts[64], size[32], full[160], shorter[160], shortest[160];
	format_size((double)s->budget, budget, sizeof budget);
	format_size((double)s->plan_bytes, size, sizeof size);
	plan_counts(s, counts, sizeof counts);
	snprintf(full, sizeof full, "%s  %.2f bits  %s  plan %s", budget, s->avg_bits, counts,
		 size);
	char *width = strstr(counts, " (");
	if (width)
		*width = '\0';
	snprintf(shorter, sizeof shorter, "%s  %.2f bits  %s  plan %s", budget, s->avg_bits,
		 counts, size);
	snprintf(shortest, sizeof shortest, "%s  %.2f bits  %s  = %s", budget, s->avg_bits,
		 counts, size);
	const char *texts[] = { full, shorter, shortest };
	draw_text(y, 0, s->layout.slider_w, A_BOLD, first_fitting(texts, 3, s->layout.slider_w));
}

static void draw_prediction(const struct ui_state *s, int y)
{
	int w = s->layout.slider_w, pins_high = 0, pins_low = 0;
	for (int i = 0; i < s->data->n_layers; i++) {
		pins_high += s->pins[i] == PIN_HIGH;
		pins_low += s->pins[i] == PIN_LOW;
	}
	char order_buf[64], head[160], tail[96];
	const char *order = ui_order_label(s, order_buf, sizeof order_buf);
	if (s->predicted_ppl > 0)
		snprintf(head, sizeof head, "order %s %s  ppl ~ %.2f (sweep, %s)", order,
			 bit_pair_name(s->pair), s->predicted_ppl, s->method);
	else
		snprintf(head, sizeof head, "order %s %s  ", order, bit_pair_name(s->pair));
	if (s->predicted_ppl > 0)
		tail[0] = '\0';
	else if (s->data->n_sweeps)
		snprintf(tail, sizeof tail, "no %s sweep", s->method);
	else
		snprintf(tail, sizeof tail, "no sweeps: lwq sweep");
	/* the pins' summary shortens to fit (the heatmap marks each pinned layer too) */
	char full[48] = "", count[32] = "";
	if (pins_high || pins_low) {
		snprintf(full, sizeof full, "  pins %d high %d low", pins_high, pins_low);
		snprintf(count, sizeof count, "  %d pinned", pins_high + pins_low);
	}
	int room = w - text_columns(head) - text_columns(tail);
	if (count[0] && text_columns(count) > room && s->predicted_ppl > 0) {
		/* a long order name: the quantizer alone says where the prediction is from */
		snprintf(head, sizeof head, "order %s %s  ppl ~ %.2f (%s)", order,
			 bit_pair_name(s->pair), s->predicted_ppl, s->method);
		room = w - text_columns(head);
	}
	const char *texts[] = { full, count, "" };
	const char *pins = first_fitting(texts, 3, room);
	int x = draw_text(y, 0, w, A_NORMAL, head);
	x += draw_text(y, x, w - x, role_attr(ROLE_DIM), tail);
	draw_text(y, x, w - x, A_NORMAL, pins);
}

/* The exact value under the cursor, and what it means. */
static void draw_cell_value(const struct ui_state *s, int y)
{
	int w = s->layout.slider_w, layer = ui_selected_layer(s);
	const struct explorer_data *d = s->data;
	if (s->sel_col >= HEAT_COLS) {
		int b = s->sel_col - HEAT_COLS, n_buckets = s->layout.tok_w;
		int64_t t0 = token_bucket_start(d, n_buckets, b);
		int64_t t1 = token_bucket_start(d, n_buckets, b + 1);
		draw_textf(y, 0, w, A_NORMAL, "L%03d tokens %lld..%lld  per-token LIM %.6f", layer,
			   (long long)t0, (long long)t1 - 1, view_tokens_value(s, layer, b));
		return;
	}
	enum heat_column c = (enum heat_column)s->sel_col;
	double v = heat_value(d, c, layer, s->bits);
	if (isnan(v)) {
		/* LIM needs activations first: score alone cannot fill it */
		int need_capture = c == COL_LIM && !d->cos;
		draw_textf(y, 0, w, role_attr(ROLE_DIM), "L%03d %s: no data (run lwq %s)", layer,
			   heat_column_title(c), need_capture ? "capture, then lwq score" : "score");
		return;
	}
	int rank = 1;
	while (rank <= d->n_layers && s->ranking[rank - 1] != layer)
		rank++;
	char value[32], where[96];
	snprintf(value, sizeof value, c == COL_PLAN ? "%.0f" : "%.6g", v);
	/* the colour already tells how the value compares; this says where the order puts
	   the layer, with the ends named when there is room */
	int n = snprintf(where, sizeof where, "%s rank %d of %d", ui_order_name(s->order), rank,
			 d->n_layers);
	int x = draw_textf(y, 0, w, A_NORMAL, "L%03d %s = %s  ", layer, heat_column_title(c),
			   value);
	const char *end = rank == 1 ? " (most important)" : rank == d->n_layers
			  ? " (least important)" : "";
	if (x + n + (int)strlen(end) <= w)
		snprintf(where + n, sizeof where - (size_t)n, "%s", end);
	draw_text(y, x, w - x, A_NORMAL, where);
}

void view_slider_draw(const struct ui_state *s)
{
	const struct ui_layout *l = &s->layout;
	int y = l->bottom_y;
	draw_clear(y, 0, l->bottom_h, l->slider_w);
	draw_track(s, y);
	draw_range(s, y + 1);
	draw_numbers(s, y + 2);
	draw_prediction(s, y + 3);
	draw_cell_value(s, y + 4);
	int next = y + 5;
	if (l->bottom_h >= 7 && s->data->missing[0]) {
		char missing[sizeof s->data->missing + 16];
		snprintf(missing, sizeof missing, "missing %s", s->data->missing);
		next += draw_wrapped(next, 0, l->slider_w, y + l->bottom_h - 1 - next,
				     role_attr(ROLE_DIM), missing);
	}
	/* tall terminals: the selected layer in detail, a blank row above it and the
	   message line below it kept free */
	view_layer_draw(s, next + 1, y + l->bottom_h - 1 - (next + 1));
}
