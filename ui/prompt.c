/* prompt.c: the one-line prompt (typed budget, export file names) and the message line. */
#include <curses.h>
#include <string.h>

#include "colors.h"
#include "draw.h"
#include "views.h"

static const char *prompt_label(const struct ui_state *s, char *buf, size_t len)
{
	switch (s->prompt.kind) {
	case PROMPT_BUDGET: return "Budget (3.5GiB, 850MB, or 3.25 bits): ";
	case PROMPT_EXPORT_PLAN: return "Plan JSON file: ";
	case PROMPT_EXPORT_PNG: return "Heatmap figure (.png or .svg): ";
	case PROMPT_EXPORT_MODEL: return "Quantized model file: ";
	case PROMPT_OVERWRITE:
		snprintf(buf, len, "Overwrite existing file? (y/n) %s", s->prompt.text);
		return buf;
	default: return "";
	}
}

/* Where the prompt's text starts on screen and which byte of it is shown first, so the
   cursor stays visible in a line longer than the screen. */
static void prompt_geometry(const struct ui_state *s, int *y, int *x, int *w, int *first)
{
	const struct ui_layout *l = &s->layout;
	char buf[UI_PROMPT_MAX + 64];
	*y = l->bottom_y + l->bottom_h - 1;
	*x = text_columns(prompt_label(s, buf, sizeof buf));
	*w = l->cols - *x;
	if (*w < 4) {
		*x = 0;
		*w = l->cols;
	}
	*first = s->prompt.cursor >= *w ? s->prompt.cursor - *w + 1 : 0;
}

/* The line is the slider block's last; a prompt, or a message too long for the left
   part, takes the whole width (over the curve's axis line, redrawn when it clears). */
void prompt_draw(const struct ui_state *s)
{
	const struct ui_layout *l = &s->layout;
	int y = l->bottom_y + l->bottom_h - 1;
	if (s->prompt.kind == PROMPT_NONE) {
		curs_set(0);
		int w = text_columns(s->message) > l->slider_w ? l->cols : l->slider_w;
		draw_text(y, 0, w, role_attr(s->message_is_error ? ROLE_ERROR : ROLE_INFO),
			  s->message);
		return;
	}
	char buf[UI_PROMPT_MAX + 64];
	int x, w, first;
	prompt_geometry(s, &y, &x, &w, &first);
	draw_text(y, 0, l->cols, role_attr(ROLE_HEADER), prompt_label(s, buf, sizeof buf));
	if (s->prompt.kind != PROMPT_OVERWRITE)
		draw_text(y, x, w, A_UNDERLINE, s->prompt.text + first);
	/* An error about the typed text stays visible above the prompt. */
	if (s->message[0] && s->message_is_error)
		draw_text(y - 1, 0, l->cols, role_attr(ROLE_ERROR), s->message);
}

void prompt_place_cursor(const struct ui_state *s)
{
	if (s->prompt.kind == PROMPT_NONE || s->help)
		return;
	int y, x, w, first;
	prompt_geometry(s, &y, &x, &w, &first);
	if (s->prompt.kind == PROMPT_OVERWRITE)
		x = x < s->layout.cols ? x : s->layout.cols - 1;
	else
		x += s->prompt.cursor - first;
	curs_set(1);
	move(y, x);
}
