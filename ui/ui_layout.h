/* ui_layout.h: where each view sits for a terminal size (pure; used by views and mouse). */
#ifndef LWQ_UI_LAYOUT_H
#define LWQ_UI_LAYOUT_H

#include "heat_columns.h"

/* Smallest terminal the explorer draws in; below it a one-line notice is shown. */
#define UI_MIN_ROWS 12
#define UI_MIN_COLS 50

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
	int curve_x, curve_w;      /* right part: ppl vs bits (curve_w 0 = hidden) */
	int status_y;
};

void ui_layout_compute(struct ui_layout *l, int rows, int cols, int n_layers);

/* Heat column at screen x, or -1. */
int ui_layout_column_at(const struct ui_layout *l, int x);

#endif
