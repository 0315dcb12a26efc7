/* ui_layout.c: splits the terminal into header, heatmap, token map, slider block, status. */
#include "ui_layout.h"

#include <math.h>
#include <string.h>

static int clamp_int(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Cells grow with the terminal: 3 columns at 80 (colour only), up to 7 (values inside). */
static void place_heat_columns(struct ui_layout *l)
{
	l->label_w = 5;
	l->cell_w = clamp_int((l->cols * 55 / 100 - l->label_w - 4) / HEAT_COLS, 3, 7);
	int x = l->label_w;
	for (int c = 0; c < HEAT_COLS; c++) {
		if (c > 0 && heat_column_group((enum heat_column)c) !=
			     heat_column_group((enum heat_column)(c - 1)))
			x++;
		l->col_x[c] = x;
		x += l->cell_w;
	}
	l->heat_w = x;
	l->tok_x = x + 1;
	l->tok_w = l->cols - l->tok_x;
	if (l->tok_w < 8)
		l->tok_w = 0;
}

/* The slider block gets what the layer rows leave, and at least a quarter of the screen
   (never under 6 lines) so the perplexity curve stays readable with many layers. */
static void place_bottom(struct ui_layout *l, int n_layers)
{
	l->header_y = 0;
	l->status_y = l->rows - 1;
	int least = l->rows / 4 > 6 ? l->rows / 4 : 6;
	l->bottom_h = l->rows - 2 - n_layers > least ? l->rows - 2 - n_layers : least;
	l->body_y = 1;
	l->body_h = l->rows - 2 - l->bottom_h;
	l->bottom_y = l->body_y + l->body_h;
	int block = l->cols >= 70 ? clamp_int(l->cols * 3 / 10, 24, 60) : 0;
	l->curve_w = block ? block - 1 : 0;          /* less the right border */
	l->curve_x = l->cols - block;
	l->slider_w = l->curve_w ? l->curve_x - 1 : l->cols;
	l->track_x = 8;
	l->track_w = l->slider_w - l->track_x - 1;
	if (l->curve_w) {
		l->plot_x = l->curve_x + CURVE_LABEL_W;
		l->plot_w = l->curve_w - CURVE_LABEL_W;
		l->plot_y = l->bottom_y + 1;           /* below the legend */
		l->plot_h = l->bottom_h - 2;           /* above the bits axis */
	}
}

void ui_layout_compute(struct ui_layout *l, int rows, int cols, int n_layers)
{
	memset(l, 0, sizeof *l);
	l->rows = rows;
	l->cols = cols;
	l->usable = rows >= UI_MIN_ROWS && cols >= UI_MIN_COLS;
	if (!l->usable)
		return;
	place_heat_columns(l);
	place_bottom(l, n_layers);
}

/* A fraction in [0, 1], forgiving rounding error at the ends; -1 when outside. */
static double unit_fraction(double f)
{
	const double slack = 1e-9;
	if (!(f >= -slack && f <= 1 + slack))       /* also NaN */
		return -1;
	return f < 0 ? 0 : f > 1 ? 1 : f;
}

int ui_layout_plot_cell(const struct ui_layout *l, double fx, double fy, int *row, int *col)
{
	fx = unit_fraction(fx);
	fy = unit_fraction(fy);
	if (fx < 0 || fy < 0 || l->plot_w <= 0 || l->plot_h <= 0)
		return -1;
	*col = l->plot_x + (int)lround(fx * (l->plot_w - 1));
	*row = l->plot_y + l->plot_h - 1 - (int)lround(fy * (l->plot_h - 1));
	return 0;
}

int ui_layout_column_at(const struct ui_layout *l, int x)
{
	for (int c = 0; c < HEAT_COLS; c++)
		if (x >= l->col_x[c] && x < l->col_x[c] + l->cell_w)
			return c;
	return -1;
}
