/* view_status.c: the bottom line: model, layers, parameters, size at the plan, key hints. */
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
	snprintf(right, sizeof right, " | %d layers | %s params | plan total %s%s ", d->n_layers,
		 params, size, rows);
	const char *hints = " ?:help q:quit ";
	int hint_w = (int)strlen(hints), right_w = (int)strlen(right);
	/* The model name gives way first, then the hints. */
	int name_w = l->cols - right_w - hint_w - 1;
	if (name_w < 8)
		hint_w = 0, name_w = l->cols - right_w - 1;
	attr_t attr = role_attr(ROLE_STATUS);
	int x = draw_textf(l->status_y, 0, l->cols, attr, " %.*s", name_w > 0 ? name_w : 0,
			   d->model_name);
	x += draw_text(l->status_y, x, l->cols - x, attr, right);
	if (hint_w)
		draw_text(l->status_y, l->cols - hint_w, hint_w, attr | A_BOLD, hints);
}
