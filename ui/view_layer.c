/* view_layer.c: on tall terminals, the selected layer's numbers in the rows the slider
   block leaves empty: its width and size in the plan, every score with where it stands
   among the layers, and its per-token LIM spread. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "units.h"
#include "colors.h"
#include "draw.h"
#include "views.h"

/* "1st", "2nd", "13th". */
static const char *ordinal(int n, char *buf, size_t len)
{
	const char *suffix = n % 100 >= 11 && n % 100 <= 13 ? "th"
			   : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
	snprintf(buf, len, "%d%s", n, suffix);
	return buf;
}

/* "LIM   -0.567749  1st largest of 16", or that the score is missing. */
static void score_line(const struct ui_state *s, int y, int w, enum heat_column c)
{
	const struct explorer_data *d = s->data;
	int layer = ui_selected_layer(s);
	double v = heat_value(d, c, layer, s->bits);
	if (isnan(v)) {
		draw_textf(y, 0, w, role_attr(ROLE_DIM), "%-16s no data", heat_column_title(c));
		return;
	}
	int rank = 1;
	for (int i = 0; i < d->n_layers; i++)
		rank += heat_value(d, c, i, s->bits) > v;
	char nth[16];
	draw_textf(y, 0, w, A_NORMAL, "%-16s %-10.6g %s largest of %d", heat_column_title(c), v,
		   ordinal(rank, nth, sizeof nth), d->n_layers);
}

/* "ZD  q 0.153 k 0.157 v 0.155 o 0.157" and "    g 0.159 u 0.150 d 0.150". */
static void tensor_lines(const struct ui_state *s, int y, int w)
{
	static const char names[] = "qkvogud";
	int layer = ui_selected_layer(s);
	for (int half = 0; half < 2; half++) {
		char line[96];
		size_t n = (size_t)snprintf(line, sizeof line, "%-3s", half ? "" : "ZD");
		for (int c = half ? COL_ZD_GATE : COL_ZD_Q; c <= (half ? COL_ZD_DOWN : COL_ZD_O); c++)
			n += (size_t)snprintf(line + n, sizeof line - n, " %c %.3f",
					      names[c - COL_ZD_Q],
					      heat_value(s->data, (enum heat_column)c, layer, s->bits));
		draw_text(y + half, 0, w, A_NORMAL, line);
	}
}

/* Mean and range of the layer's per-token LIM over the calibration tokens. */
static void token_line(const struct ui_state *s, int y, int w)
{
	const struct explorer_data *d = s->data;
	const float *cos = d->cos + (int64_t)ui_selected_layer(s) * d->n_tokens;
	double sum = 0, lo = INFINITY, hi = -INFINITY;
	for (int64_t t = 0; t < d->n_tokens; t++) {
		double lim = -cos[t];
		sum += lim;
		lo = lim < lo ? lim : lo;
		hi = lim > hi ? lim : hi;
	}
	draw_textf(y, 0, w, A_NORMAL, "per-token LIM mean %.4f, from %.4f to %.4f",
		   sum / (double)d->n_tokens, lo, hi);
}

/* "HEAD a, b, c" over at most `rows` rows of w columns, each entry kept whole on one
   row (the next rows indented); returns the rows used. */
static int draw_entries(int y, int w, int rows, const char *head, char entries[][48], int n)
{
	char line[256];
	int used = 0;
	size_t len = (size_t)snprintf(line, sizeof line, "%s", head);
	for (int i = 0; i < n && used < rows; i++) {
		const char *sep = i ? ", " : " ";
		if (i && (int)(len + strlen(sep) + strlen(entries[i])) > w) {
			snprintf(line + len, sizeof line - len, ",");
			draw_text(y + used++, 0, w, A_NORMAL, line);
			len = (size_t)snprintf(line, sizeof line, "   ");
			sep = " ";
		}
		len += (size_t)snprintf(line + len, sizeof line - len, "%s%s", sep, entries[i]);
	}
	if (used < rows)
		draw_text(y + used++, 0, w, A_NORMAL, line);
	return used;
}

/* Its width in the plan, what that costs, and the pin; then what each of the pair's
   widths would cost. Returns the rows used. */
static int plan_lines(const struct ui_state *s, int y, int w, int rows)
{
	const struct explorer_data *d = s->data;
	int layer = ui_selected_layer(s), bits = s->bits[layer];
	char size[32], entries[3][48];
	format_size((double)layer_bytes_for(&d->cfg, d->target, bits, d->group_size), size,
		    sizeof size);
	const char *pin = s->pins[layer] == PIN_HIGH ? ", pinned high"
			: s->pins[layer] == PIN_LOW ? ", pinned low" : "";
	draw_textf(y, 0, w, A_BOLD, "Layer %d: %d-bit in the plan, %s%s", layer, bits, size, pin);
	int levels[3], n_levels = bit_pair_levels(s->pair, levels);
	for (int i = 0; i < n_levels; i++) {
		format_size((double)layer_bytes_for(&d->cfg, d->target, levels[i], d->group_size),
			    size, sizeof size);
		snprintf(entries[i], sizeof entries[i], "%d-bit %s", levels[i], size);
	}
	return 1 + draw_entries(y + 1, w, rows - 1, "size", entries, n_levels);
}

/* "measured KLD 2-bit 0.0312, 3-bit ..." (lwq score --measure). */
static int measured_lines(const struct ui_state *s, int y, int w, int rows)
{
	const struct explorer_data *d = s->data;
	char entries[8][48];
	int layer = ui_selected_layer(s), n = d->n_measured < 8 ? d->n_measured : 8;
	for (int k = 0; k < n; k++)
		snprintf(entries[k], sizeof entries[k], "%d-bit %.4g", d->measured_widths[k],
			 d->measured[(int64_t)layer * d->n_measured + k]);
	return draw_entries(y, w, rows, "measured KLD", entries, n);
}

int view_layer_draw(const struct ui_state *s, int y, int rows)
{
	int w = s->layout.slider_w, used = 0;
	if (rows < 6)              /* only where the whole core fits */
		return 0;
	used += plan_lines(s, y, w, 3);
	score_line(s, y + used++, w, COL_LIM);
	score_line(s, y + used++, w, COL_ZD);
	if (used < rows && heat_column_available(s->data, COL_RTN2))
		score_line(s, y + used++, w, COL_RTN2);
	if (used < rows && heat_column_available(s->data, COL_RTN4))
		score_line(s, y + used++, w, COL_RTN4);
	if (used + 1 < rows && heat_column_available(s->data, COL_ZD_Q)) {
		tensor_lines(s, y + used, w);
		used += 2;
	}
	if (used < rows && s->data->cos && s->data->n_tokens > 0)
		token_line(s, y + used++, w);
	if (used < rows && s->data->measured && s->data->n_measured > 0)
		used += measured_lines(s, y + used, w, rows - used);
	return used;
}
