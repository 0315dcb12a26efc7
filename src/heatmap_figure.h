/* heatmap_figure.h: the layer heatmap as a figure: title, grouped columns, colour bars,
   an optional per-token panel; written as PNG or SVG. */
#ifndef LWQ_HEATMAP_FIGURE_H
#define LWQ_HEATMAP_FIGURE_H

#include "explorer_data.h"
#include "figure.h"
#include "heat_columns.h"
#include "plan.h"
#include "status.h"

enum heatmap_metric { HM_LIM, HM_ZD, HM_ZD_TENSOR, HM_RTN, HM_TOKENS, HM_PLAN, HM_MEASURED,
		      HM_ALL };

/* "lim", "zd", "zd-tensor", "rtn", "tokens", "plan", "measured", "all"; -1 when unknown. */
int heatmap_metric_parse(const char *text, enum heatmap_metric *m);
const char *heatmap_metric_name(enum heatmap_metric m);

struct heatmap_options {
	enum heatmap_metric metric;
	const struct bit_plan *plan;   /* the plan column; NULL: none ("all" then omits it) */
	double scale;                  /* PNG pixels per layout unit (1/96 inch), 1..8 */
	enum heat_scale_kind color_scale;  /* cells coloured by value (default) or by rank */
	int tokens;                    /* add the per-token panel (--metric tokens: only it) */
	int tokens_per_layer;          /* token panel: each layer on its own colour scale */
	const char *font;              /* fontconfig pattern; NULL: FONT_DEFAULT */
};

#define HEATMAP_MAX_SCALE 8

/* A column only figures draw (the explorer's columns stop before it): the measured
   sensitivity of each layer alone (lwq score --measure), the KL divergence at the
   lowest measured width. */
#define COL_MEASURED ((enum heat_column)HEAT_COLS)
#define FIGURE_COLS (HEAT_COLS + 1)

/* A cell's value: heat_value, or the measured KLD; NaN when missing. */
double heatmap_cell_value(const struct explorer_data *d, enum heat_column c, int layer,
			  const int *bits);

/* How each colour bar maps values to its ramp. */
enum key_mode {
	KEY_VALUE,                     /* linear from lo (ramp start) to hi (ramp end) */
	KEY_DIVERGING,                 /* signed values: 0 in the middle, lo = -hi */
	KEY_RANK,                      /* colour = rank among the values, lo = 1, hi = count */
	KEY_BITS,                      /* plan bits on a log2 scale: 2, 4, 8 at 0, 0.5, 1 */
	KEY_UNIT,                      /* per-layer token scale: 0..1 within each layer */
	KEY_LOG,                       /* positive values spanning decades: log10, lo..hi */
};

enum key_id { KEY_LIM, KEY_ZD, KEY_MEASURED, KEY_ZD_TENSOR, KEY_RTN2, KEY_RTN4, KEY_PLAN,
	      KEY_TOKENS, KEY_COUNT };

struct color_key {
	int used;
	char title[96];
	enum ramp_id ramp;
	enum key_mode mode;
	double lo, hi;                 /* the values at the ramp's two ends */
	int clipped;                   /* values beyond the ends exist (drawn as arrows) */
	int decimals;                  /* digits for values printed in cells */
};

/* Where heatmap_figure put things, for tests and callers that annotate. */
struct heatmap_geometry {
	int n_cols;
	enum heat_column cols[FIGURE_COLS];
	double col_x[FIGURE_COLS];
	double grid_x, grid_y, cell_w, cell_h;   /* cell box: (col_x, grid_y + layer * cell_h),
						    cell_w - 1 by cell_h - 1 (a white gap) */
	double tok_x, tok_w;
	int n_buckets, bucket_tokens;
	struct color_key keys[KEY_COUNT];
};

enum key_id heatmap_column_key(enum heat_column c);
/* Colour position in [0,1] of v on a value, diverging, bits or unit key; NaN when v
   cannot be shown (NaN, or a pruned layer's 0 bits). */
double color_key_position(const struct color_key *k, double v);

/* Lays out the figure; font is used for measuring and PNG text. NULL with err when
   what the metric needs is missing ("demo.h5: no LIM scores: run lwq capture, ..."). */
struct figure *heatmap_figure(const struct explorer_data *d, const struct heatmap_options *o,
			      struct font *font, struct heatmap_geometry *g, struct lwq_err *err);

/* Opens the font, lays out, writes PNG or SVG by the file name (atomically). */
int heatmap_write(const struct explorer_data *d, const struct heatmap_options *o,
		  const char *path, int overwrite, struct lwq_err *err);

#endif
