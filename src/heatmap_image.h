/* heatmap_image.h: the layer heatmap as an image (same columns and colours as the explorer). */
#ifndef LWQ_HEATMAP_IMAGE_H
#define LWQ_HEATMAP_IMAGE_H

#include "canvas.h"
#include "explorer_data.h"
#include "heat_columns.h"
#include "plan.h"
#include "status.h"

enum heatmap_metric { HM_LIM, HM_ZD, HM_ZD_TENSOR, HM_RTN, HM_TOKENS, HM_PLAN, HM_ALL };

/* "lim", "zd", "zd-tensor", "rtn", "tokens", "plan", "all"; -1 when unknown. */
int heatmap_metric_parse(const char *text, enum heatmap_metric *m);
const char *heatmap_metric_name(enum heatmap_metric m);

struct heatmap_options {
	enum heatmap_metric metric;
	const struct bit_plan *plan;   /* the plan column; NULL: none ("all" then omits it) */
	int scale;                     /* pixels per font dot, 1..8 (cells are 22 x 9 dots) */
	enum heat_scale_kind color_scale;  /* heat columns by rank (default) or by value */
	int tokens_per_layer;          /* token map: each layer on its own colour scale */
};

#define HEATMAP_MAX_SCALE 8

/* Draws title, layer labels, cells, token map and legend. NULL with err when what the
   metric needs is missing ("demo.h5: no LIM scores: run lwq capture, then lwq score"). */
struct canvas *heatmap_render(const struct explorer_data *d, const struct heatmap_options *o,
			      struct lwq_err *err);

/* Top-left pixel of the cell (column c, layer) in the image heatmap_render would draw;
   -1 when that column is not drawn (or the metric cannot be drawn). */
int heatmap_cell_origin(const struct explorer_data *d, const struct heatmap_options *o,
			enum heat_column c, int layer, int *x, int *y);

/* heatmap_render, then an atomic PNG write. */
int heatmap_write_png(const struct explorer_data *d, const struct heatmap_options *o,
		      const char *path, int overwrite, struct lwq_err *err);

#endif
