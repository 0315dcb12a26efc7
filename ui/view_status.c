/* view_status.c: the bottom line: model, layers, parameters, size at the plan, how the
   heatmap is coloured (with the ramp), key hints. */
#include <stdio.h>
#include <string.h>

#include "units.h"
#include "colors.h"
#include "draw.h"
#include "views.h"

/* 3.52M, 26.0M, 7.24B */
static void format_count(double n, char *buf, size_t len)
{
	static const char *const units[] = { "", "K", "M", "B", "T" };
	int u = 0;
	while (n >= 1000 && u < 4) {
		n /= 1000;
		u++;
	}
	snprintf(buf, len, n < 10 ? "%.2f%s" : n < 100 ? "%.1f%s" : "%.0f%s", n, units[u]);
}

#define RAMP_STEPS 5

/* The heat ramp, low to high, as the cells draw it: what "colour by ..." refers to. */
static int draw_ramp(int y, int x, int w)
{
	if (w < RAMP_STEPS + 1)
		return 0;
	for (int i = 0; i < RAMP_STEPS; i++) {
		struct cell_style st = cell_style((i + 0.5) / RAMP_STEPS);
		draw_text(y, x + i, 1, st.attr, st.fill ? st.fill : " ");
	}
	return RAMP_STEPS;
}

void view_status_draw(const struct ui_state *s)
{
	const struct ui_layout *l = &s->layout;
	const struct explorer_data *d = s->data;
	char params[32], size[32], rows[48] = "", right[160];
	format_count((double)d->total_params, params, sizeof params);
	format_size((double)s->plan_bytes, size, sizeof size);
	int last = s->scroll + l->body_h < d->n_layers ? s->scroll + l->body_h : d->n_layers;
	if (d->n_layers > l->body_h)
		snprintf(rows, sizeof rows, " | rows %d-%d", s->scroll + 1, last);
	const char *hints = " ?:help q:quit ";
	int hint_w = (int)strlen(hints);
	/* Long names, big sizes and a row range: "plan total" shortens to "plan", then the
	   parameter count and the layer count go, before the name or the hints have to. */
	int name_full = 1 + (int)strlen(d->model_name);
	for (int form = 0; form < 4; form++) {
		const char *what = d->target == SIZE_GGUF ? (form ? "GGUF" : "GGUF size")
			: form ? "plan" : "plan total";
		if (form < 2)
			snprintf(right, sizeof right, " | %d layers | %s params | %s %s%s ",
				 d->n_layers, params, what, size, rows);
		else if (form == 2)
			snprintf(right, sizeof right, " | %d layers | %s %s%s ", d->n_layers, what,
				 size, rows);
		else
			snprintf(right, sizeof right, " | %s %s%s ", what, size, rows);
		if (name_full + (int)strlen(right) + hint_w <= l->cols)
			break;
	}
	char colour[32];
	snprintf(colour, sizeof colour, "| colour=%s ", heat_scale_name(s->heat_scale));
	int right_w = (int)strlen(right);
	int colour_w = (int)strlen(colour) + RAMP_STEPS + 1;
	/* The colour legend gives way first, then the model name, then the hints. */
	int name_w = l->cols - right_w - colour_w - hint_w - 1;
	if (name_w < (int)strlen(d->model_name) && name_w < 16)
		colour_w = 0, name_w = l->cols - right_w - hint_w - 1;
	if (name_w < 8)
		hint_w = 0, name_w = l->cols - right_w - 1;
	attr_t attr = role_attr(ROLE_STATUS);
	int x = draw_textf(l->status_y, 0, l->cols, attr, " %.*s", name_w > 0 ? name_w : 0,
			   d->model_name);
	x += draw_text(l->status_y, x, l->cols - x, attr, right);
	if (colour_w) {
		x += draw_text(l->status_y, x, l->cols - x, attr, colour);
		x += draw_ramp(l->status_y, x, l->cols - x - hint_w);
		draw_text(l->status_y, x, 1, attr, " ");
	}
	if (hint_w)
		draw_text(l->status_y, l->cols - hint_w, hint_w, attr | A_BOLD, hints);
}
