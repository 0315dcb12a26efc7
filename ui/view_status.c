/* view_status.c: the bottom line: model, layers, parameters, size at the plan, key hints. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
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
	char params[32], size[32], rows[48] = "";
	format_count((double)d->total_params, params, sizeof params);
	format_size((double)s->plan_bytes, size, sizeof size);
	int last = s->scroll + l->body_h < d->n_layers ? s->scroll + l->body_h : d->n_layers;
	if (d->n_layers > l->body_h)
		snprintf(rows, sizeof rows, " | rows %d-%d of %d", s->scroll + 1, last, d->n_layers);
	char line[512];
	snprintf(line, sizeof line, " %s | %d layers | %s params | total %s at plan%s", d->model_name,
		 d->n_layers, params, size, rows);
	const char *hints = " ?:help  q:quit ";
	int hint_w = (int)strlen(hints), used = text_columns(line);
	attr_t attr = role_attr(ROLE_STATUS);
	if (used + hint_w <= l->cols) {
		draw_text(l->status_y, 0, l->cols - hint_w, attr, line);
		draw_text(l->status_y, l->cols - hint_w, hint_w, attr | A_BOLD, hints);
	} else {
		draw_text(l->status_y, 0, l->cols, attr, line);
	}
}
