/* ui_layout.h: where each view sits for a terminal size (pure; used by views and mouse). */
#ifndef LWQ_UI_LAYOUT_H
#define LWQ_UI_LAYOUT_H

#include "heat_columns.h"

/* Smallest terminal the explorer draws in; below it a one-line notice is shown. */
#define UI_MIN_ROWS 12
#define UI_MIN_COLS 50

/* Columns left of the curve's plot for its perplexity labels ("12.41 "). */
#define CURVE_LABEL_W 6

struct ui_layout {
	int rows, cols;
	int usable;                /* 0 when smaller than UI_MIN_ROWS x UI_MIN_COLS */
	int header_y;              /* column headers */
	int body_y, body_h;        /* visible layer rows */
	int label_w, cell_w;       /* "L012 " and the width of one heat cell */
	int col_x[HEAT_COLS];      /* screen x of each heat column */
	int heat_w;                /* labels + cells + group gaps */
	int tok_x, tok_w;          /* token map: one screen column per bucket (0 = hidden) */
	int bottom_y, bottom_h;    /* slider block */
	int slider_w;              /* left part of the block */
	int track_x, track_w;      /* the slider bar, on line bottom_y */
	int curve_x, curve_w;      /* right part: ppl vs bits between two borders, at
				      curve_x - 1 and curve_x + curve_w (the last column);
				      curve_w 0 = hidden */
	int plot_x, plot_y, plot_w, plot_h; /* inside it: where curve points may go (the
				      legend is above, axis labels left and below) */
	int status_y;
};

void ui_layout_compute(struct ui_layout *l, int rows, int cols, int n_layers);

/* The cell of a point at fractions (fx across, fy up) of the plot area: 0 with *row and
   *col inside it, or -1 when a fraction is not finite or outside [0, 1] (or there is
   no plot). */
int ui_layout_plot_cell(const struct ui_layout *l, double fx, double fy, int *row, int *col);

/* Heat column at screen x, or -1. */
int ui_layout_column_at(const struct ui_layout *l, int x);

#endif
