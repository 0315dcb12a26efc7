/* view_help.c: the help overlay, printed from the key table so it lists every key. */
#include <string.h>

#include "colors.h"
#include "draw.h"
#include "keys.h"
#include "views.h"

/* What the heatmap columns and the curve letters mean; each line fits 80 columns. */
static const char *const legend_lines[] = {
	"LIM -cos(in, out)  ZD share |z|>1  q k v o g u d ZD per tensor  bit plan",
	"R2 R4 RTN error at 2/4 bits  curves: L lim Z zd I zd-inverse R reverse-lim",
	"  ? random P prune M measured O optimal (lower case: another quantizer)",
};
/* On the box's borders, so the keys and legend keep every row of an 80x24 screen. */
static const char mouse_note[] =
	" mouse: click a cell or the slider, drag the slider, wheel scrolls ";
static const char closes_note[] = " any key closes ";
#define N_LEGEND (int)(sizeof legend_lines / sizeof legend_lines[0])

static int key_line_count(void)
{
	int n = 0;
	for (const struct key_binding *b = key_bindings; b->key; b++)
		n += b->key_name != NULL;
	return n;
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

/* note at the right end of border row y, when it fits beside the title */
static void border_note(int y, int x, int w, int room, const char *note)
{
	int n = text_columns(note);
	if (n <= room)
		draw_text(y, x + w - 2 - n, n, role_attr(ROLE_HEADER), note);
}

void view_help_draw(const struct ui_state *s)
{
	const struct ui_layout *l = &s->layout;
	int w = l->cols < 84 ? l->cols : 84;
	/* a blank line between keys and legend only where the rows allow (not 80x24) */
	int lines = key_line_count() + N_LEGEND;
	int gap = lines + 2 + 1 <= l->rows;
	int h = lines + gap + 2;
	if (h > l->rows)
		h = l->rows;
	int y = (l->rows - h) / 2, x = (l->cols - w) / 2;
	draw_box(y, x, h, w);
	border_note(y, x, w, w - 4 - 20, closes_note); /* 20: the title and its margin */
	border_note(y + h - 1, x, w, w - 4, mouse_note);
	int r = y + 1, key_w = 15, last = y + h - 1;
	for (const struct key_binding *b = key_bindings; b->key && r < last; b++) {
		if (!b->key_name)
			continue;
		draw_text(r, x + 2, key_w, A_BOLD, b->key_name);
		draw_text(r, x + 2 + key_w, w - key_w - 4, A_NORMAL, b->help);
		r++;
	}
	r += gap;
	for (int i = 0; i < N_LEGEND && r < last; i++)
		draw_text(r++, x + 2, w - 4, A_NORMAL, legend_lines[i]);
}
