/* view_help.c: the help overlay, printed from the key table so it lists every key. */
#include <string.h>

#include "colors.h"
#include "draw.h"
#include "keys.h"
#include "views.h"

static const char *const mouse_lines[] = {
	"click a cell to select it; click or drag the slider bar to set the budget;",
	"wheel scrolls the layers.  Any key closes this help.",
};

static int help_line_count(void)
{
	int n = 0;
	for (const struct key_binding *b = key_bindings; b->key; b++)
		n += b->key_name != NULL;
	return n + 1 + (int)(sizeof mouse_lines / sizeof mouse_lines[0]);
}

static void draw_box(int y, int x, int h, int w)
{
	const struct ui_glyphs *g = colors_glyphs();
	attr_t attr = role_attr(ROLE_HEADER);
	draw_clear(y, x, h, w);
	draw_repeat(y, x + 1, w - 2, attr, g->hline);
	draw_repeat(y + h - 1, x + 1, w - 2, attr, g->hline);
	for (int r = 1; r < h - 1; r++) {
		draw_text(y + r, x, 1, attr, g->vline);
		draw_text(y + r, x + w - 1, 1, attr, g->vline);
	}
	draw_text(y, x, 1, attr, g->corner_tl);
	draw_text(y, x + w - 1, 1, attr, g->corner_tr);
	draw_text(y + h - 1, x, 1, attr, g->corner_bl);
	draw_text(y + h - 1, x + w - 1, 1, attr, g->corner_br);
	static const char title[] = " lwq explorer keys ";
	draw_text(y, x + 2, text_columns(title), attr, title);
}

void view_help_draw(const struct ui_state *s)
{
	const struct ui_layout *l = &s->layout;
	int w = l->cols < 84 ? l->cols : 84;
	int h = help_line_count() + 2;
	if (h > l->rows)
		h = l->rows;
	int y = (l->rows - h) / 2, x = (l->cols - w) / 2;
	draw_box(y, x, h, w);
	int r = y + 1, key_w = 15;
	for (const struct key_binding *b = key_bindings; b->key && r < y + h - 1; b++) {
		if (!b->key_name)
			continue;
		draw_text(r, x + 2, key_w, A_BOLD, b->key_name);
		draw_text(r, x + 2 + key_w, w - key_w - 4, A_NORMAL, b->help);
		r++;
	}
	r++;
	for (size_t i = 0; i < sizeof mouse_lines / sizeof mouse_lines[0] && r < y + h - 1; i++)
		draw_text(r++, x + 2, w - 4, role_attr(ROLE_DIM), mouse_lines[i]);
}
