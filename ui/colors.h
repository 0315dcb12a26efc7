/* colors.h: every curses colour, attribute and glyph the explorer uses, chosen once. */
#ifndef LWQ_COLORS_H
#define LWQ_COLORS_H

#include <curses.h>

enum color_mode { COLORS_256, COLORS_8, COLORS_MONO };

/* Roles of the interface's own colour pairs. */
enum ui_role {
	ROLE_NORMAL,
	ROLE_HEADER,               /* column headers, titles */
	ROLE_SELECTED,             /* selected row label, selected header */
	ROLE_STATUS,               /* bottom status line */
	ROLE_ERROR,                /* error messages */
	ROLE_INFO,                 /* notices */
	ROLE_DIM,                  /* missing data, axis labels */
	ROLE_SLIDER_FILL,
	ROLE_SLIDER_KNOB,
	ROLE_CURVE_CURRENT,
	ROLE_COUNT
};

/* Glyphs with an ASCII fallback when the locale is not UTF-8. */
struct ui_glyphs {
	const char *shades[5];     /* mono ramp: " ", "░", "▒", "▓", "█" */
	const char *track_fill, *track_empty, *knob;
	const char *vline, *hline, *corner_tl, *corner_tr, *corner_bl, *corner_br;
	const char *pin_high, *pin_low;
	const char *ellipsis;
	const char *plan_mark;     /* the plan's place on the curve: dotted, unlike borders */
	int unicode;               /* braille and box drawing available (a UTF-8 locale) */
};

/* Picks the mode from the terminal (call after initscr). LWQ_COLORS=256|8|mono overrides
   (for tests and for users whose terminal lies about its colours). */
void colors_init(void);
enum color_mode colors_mode(void);
const struct ui_glyphs *colors_glyphs(void);

attr_t role_attr(enum ui_role role);

/* How to draw a heat cell for v in [0,1] (NaN = missing): attributes to set and, in
   monochrome, the shade glyph to fill the cell with (NULL: fill with spaces). */
struct cell_style {
	attr_t attr;
	const char *fill;
};
struct cell_style cell_style(double v);

/* How to draw the i-th sweep curve: on 256 colours the i-th colour of the figures'
   palette (series_rgb); on 8 colours and without colour, monochrome (8 colours cannot
   tell six curves apart reliably). The current curve is bold either way. */
#define CURVE_COLORS 6
attr_t curve_attr(int i, int current);

#endif
