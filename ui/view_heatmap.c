/* view_heatmap.c: one row per decoder layer, one coloured cell per score column. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "colors.h"
#include "draw.h"
#include "views.h"

/* A value short enough for a cell: "-0.91", "0.152", "1.2e-3". */
static void format_cell(char *buf, size_t len, double v, int width)
{
	for (int digits = 3; digits >= 0; digits--) {
		snprintf(buf, len, "%.*f", digits, v);
		if ((int)strlen(buf) <= width)
			return;
	}
	snprintf(buf, len, "%.0e", v);
}

/* Centres text in a cell of width w. */
static void cell_text(char *buf, size_t len, const char *text, int w)
{
	int n = (int)strlen(text);
	int left = n < w ? (w - n) / 2 : 0;
	snprintf(buf, len, "%*s%s%*s", left, "", text, n < w ? w - n - left : 0, "");
}

static void draw_header(const struct ui_state *s)
{
	const struct ui_layout *l = &s->layout;
	draw_text(l->header_y, 0, l->label_w, role_attr(ROLE_HEADER), "L#");
	for (int c = 0; c < HEAT_COLS; c++) {
		char buf[32];
		cell_text(buf, sizeof buf, heat_column_short((enum heat_column)c), l->cell_w);
		attr_t attr = c == s->sel_col ? role_attr(ROLE_SELECTED) : role_attr(ROLE_HEADER);
		if (s->sort == SORT_COLUMN && s->sort_column == c)
			attr |= A_UNDERLINE;
		if (!heat_column_available(s->data, (enum heat_column)c))
			attr = role_attr(ROLE_DIM);
		draw_text(l->header_y, l->col_x[c], l->cell_w, attr, buf);
	}
}

static void draw_cell(const struct ui_state *s, const struct heat_scales *scales, int y,
		      int layer, enum heat_column c, int selected)
{
	const struct ui_layout *l = &s->layout;
	double v = heat_value(s->data, c, layer, s->bits);
	struct cell_style st = cell_style(heat_normalized(s->data, scales, c, layer, s->bits));
	char value[32] = "", buf[64];
	if (c == COL_PLAN && !isnan(v))
		snprintf(value, sizeof value, "%d", (int)v);
	else if (l->cell_w >= 6 && !isnan(v))
		format_cell(value, sizeof value, v, l->cell_w - 1);
	else if (selected)
		snprintf(value, sizeof value, "<>");
	attr_t attr = st.attr | (selected ? A_REVERSE | A_BOLD : 0);
	if (value[0] || !st.fill) {
		cell_text(buf, sizeof buf, value, l->cell_w);
		draw_text(y, l->col_x[c], l->cell_w, attr, buf);
	} else {
		draw_repeat(y, l->col_x[c], l->cell_w, attr, st.fill);
	}
}

static void draw_row(const struct ui_state *s, const struct heat_scales *scales, int y, int row)
{
	const struct ui_layout *l = &s->layout;
	const struct ui_glyphs *g = colors_glyphs();
	int layer = s->display[row];
	int selected_row = row == s->sel_row;
	const char *pin = s->pins[layer] == PIN_HIGH ? g->pin_high
			: s->pins[layer] == PIN_LOW ? g->pin_low : " ";
	draw_textf(y, 0, l->label_w, selected_row ? role_attr(ROLE_SELECTED) : A_NORMAL,
		   "L%03d%s", layer, pin);
	for (int c = 0; c < HEAT_COLS; c++) {
		if (c > 0 && l->col_x[c] > l->col_x[c - 1] + l->cell_w)
			draw_text(y, l->col_x[c] - 1, 1, A_NORMAL, " ");
		draw_cell(s, scales, y, layer, (enum heat_column)c, selected_row && s->sel_col == c);
	}
}

void view_heatmap_draw(const struct ui_state *s)
{
	const struct ui_layout *l = &s->layout;
	struct heat_scales scales;
	heat_scales_compute(s->data, s->heat_scale, &scales);
	draw_header(s);
	for (int r = 0; r < l->body_h; r++) {
		int row = s->scroll + r;
		if (row < s->data->n_layers)
			draw_row(s, &scales, l->body_y + r, row);
		else
			draw_clear(l->body_y + r, 0, 1, l->heat_w);
	}
	heat_scales_release(&scales);
}
