/* colors.c: all curses colour setup: interface roles and the heat ramp in 256, 8 or no colours. */
#include "colors.h"

#include <langinfo.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "colormap.h"

/* Heat ramp resolution on 256-colour terminals; pairs RAMP_BASE.. hold it. */
#define RAMP_LEVELS 32
#define RAMP_BASE 32
#define MISSING_PAIR 30
/* Sweep curves on 256 colours: pairs CURVE_BASE.. */
#define CURVE_BASE 20

/* Eight-colour ramp ordered by luminance (blue darkest .. white lightest), roughly the
   viridis direction (violet-blue, green, yellow). */
static const short ramp8[] = { COLOR_BLUE, COLOR_MAGENTA, COLOR_GREEN, COLOR_CYAN,
			       COLOR_YELLOW, COLOR_WHITE };
#define RAMP8_LEVELS ((int)(sizeof ramp8 / sizeof ramp8[0]))

static enum color_mode mode = COLORS_MONO;
static attr_t roles[ROLE_COUNT];

static const struct ui_glyphs utf8_glyphs = {
	{ " ", "\u2591", "\u2592", "\u2593", "\u2588" },
	"\u2501", "\u2500", "\u25cf",
	"\u2502", "\u2500", "\u250c", "\u2510", "\u2514", "\u2518",
	"\u25b2", "\u25bc", "\u2026",
	"\u250a",
	1,
};
static const struct ui_glyphs ascii_glyphs = {
	{ " ", ".", ":", "+", "#" },
	"=", "-", "O",
	"|", "-", "+", "+", "+", "+",
	"^", "v", "~",
	":",
	0,
};
static const struct ui_glyphs *glyphs = &ascii_glyphs;

static enum color_mode detect_mode(void)
{
	const char *forced = getenv("LWQ_COLORS");
	if (forced && strcmp(forced, "mono") == 0)
		return COLORS_MONO;
	if (!has_colors() || start_color() == ERR)
		return COLORS_MONO;
	use_default_colors();
	if (forced && strcmp(forced, "8") == 0)
		return COLORS_8;
	if (COLORS >= 256 && COLOR_PAIRS >= RAMP_BASE + RAMP_LEVELS)
		return COLORS_256;
	return COLOR_PAIRS >= 16 + RAMP8_LEVELS ? COLORS_8 : COLORS_MONO;
}

/* Black text on light cells, white on dark ones. */
static short text_on(struct rgb bg)
{
	return rgb_luminance(bg) > 0.25 ? COLOR_BLACK : COLOR_WHITE;
}

static void init_ramp(void)
{
	if (mode == COLORS_256) {
		for (int i = 0; i < RAMP_LEVELS; i++) {
			double v = (i + 0.5) / RAMP_LEVELS;
			short bg = (short)colormap_xterm256(v);
			init_pair((short)(RAMP_BASE + i), text_on(xterm256_rgb(bg)), bg);
		}
		init_pair(MISSING_PAIR, COLOR_WHITE, 240);
		for (int i = 0; i < CURVE_COLORS; i++)
			init_pair((short)(CURVE_BASE + i), (short)xterm256_nearest(series_rgb(i)), -1);
	} else if (mode == COLORS_8) {
		for (int i = 0; i < RAMP8_LEVELS; i++) {
			short bg = ramp8[i];
			short fg = (bg == COLOR_BLUE || bg == COLOR_MAGENTA) ? COLOR_WHITE : COLOR_BLACK;
			init_pair((short)(RAMP_BASE + i), fg, bg);
		}
		init_pair(MISSING_PAIR, COLOR_WHITE, COLOR_BLACK);
	}
}

/* Pair numbers 1.. for roles (0 is the terminal default). */
static attr_t role_pair(enum ui_role r, short fg, short bg, attr_t extra)
{
	init_pair((short)(r + 1), fg, bg);
	return COLOR_PAIR(r + 1) | extra;
}

static void init_roles(void)
{
	if (mode == COLORS_MONO) {
		roles[ROLE_HEADER] = A_BOLD;
		roles[ROLE_SELECTED] = A_REVERSE;
		roles[ROLE_STATUS] = A_REVERSE;
		roles[ROLE_ERROR] = A_BOLD;
		roles[ROLE_DIM] = A_DIM;
		roles[ROLE_SLIDER_FILL] = A_BOLD;
		roles[ROLE_SLIDER_KNOB] = A_REVERSE;
		roles[ROLE_CURVE_CURRENT] = A_BOLD;
		return;
	}
	roles[ROLE_HEADER] = role_pair(ROLE_HEADER, COLOR_CYAN, -1, A_BOLD);
	roles[ROLE_SELECTED] = role_pair(ROLE_SELECTED, COLOR_BLACK, COLOR_CYAN, 0);
	roles[ROLE_STATUS] = role_pair(ROLE_STATUS, COLOR_BLACK, COLOR_CYAN, 0);
	roles[ROLE_ERROR] = role_pair(ROLE_ERROR, COLOR_RED, -1, A_BOLD);
	roles[ROLE_INFO] = role_pair(ROLE_INFO, COLOR_GREEN, -1, 0);
	roles[ROLE_DIM] = role_pair(ROLE_DIM, mode == COLORS_256 ? 244 : COLOR_WHITE, -1,
				    mode == COLORS_256 ? 0 : A_DIM);
	roles[ROLE_SLIDER_FILL] = role_pair(ROLE_SLIDER_FILL, COLOR_YELLOW, -1, A_BOLD);
	roles[ROLE_SLIDER_KNOB] = role_pair(ROLE_SLIDER_KNOB, COLOR_BLACK, COLOR_YELLOW, A_BOLD);
	roles[ROLE_CURVE_CURRENT] = role_pair(ROLE_CURVE_CURRENT, COLOR_YELLOW, -1, A_BOLD);
}

void colors_init(void)
{
	const char *codeset = nl_langinfo(CODESET);
	glyphs = codeset && strcmp(codeset, "UTF-8") == 0 ? &utf8_glyphs : &ascii_glyphs;
	mode = detect_mode();
	memset(roles, 0, sizeof roles);
	init_roles();
	init_ramp();
}

enum color_mode colors_mode(void)
{
	return mode;
}

const struct ui_glyphs *colors_glyphs(void)
{
	return glyphs;
}

attr_t role_attr(enum ui_role role)
{
	return role < ROLE_COUNT ? roles[role] : 0;
}

struct cell_style cell_style(double v)
{
	struct cell_style st = { 0, NULL };
	int level;
	switch (mode) {
	case COLORS_256:
		level = colormap_level(v, RAMP_LEVELS);
		st.attr = level < 0 ? COLOR_PAIR(MISSING_PAIR) : COLOR_PAIR(RAMP_BASE + level);
		break;
	case COLORS_8:
		level = colormap_level(v, RAMP8_LEVELS);
		st.attr = level < 0 ? COLOR_PAIR(MISSING_PAIR) | A_DIM
				    : COLOR_PAIR(RAMP_BASE + level);
		break;
	default:
		level = colormap_level(v, 5);
		st.fill = level < 0 ? NULL : glyphs->shades[level];
		break;
	}
	if (isnan(v)) /* missing data reads as a dot in every mode */
		st.fill = glyphs == &utf8_glyphs ? "\u00b7" : "?";
	return st;
}

attr_t curve_attr(int i, int current)
{
	attr_t bold = current ? A_BOLD : 0;
	if (mode != COLORS_256)
		return bold;
	return COLOR_PAIR(CURVE_BASE + (i % CURVE_COLORS + CURVE_COLORS) % CURVE_COLORS) | bold;
}
