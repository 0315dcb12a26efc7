/* curve_figure.h: measured sweep curves as a figure: perplexity (and KL divergence when
   the sweep stored it) against average bits, one line with markers per order. */
#ifndef LWQ_CURVE_FIGURE_H
#define LWQ_CURVE_FIGURE_H

#include "explorer_data.h"
#include "figure.h"
#include "figure_axis.h"
#include "plan.h"

struct curve_options {
	int log_y;                     /* logarithmic y axes */
	const struct bit_plan *plan;   /* marks the plan's average bits; NULL: none */
};

#define CURVE_MAX_PANELS 2

/* Where curve_figure put things, for tests. */
struct curve_geometry {
	int n_panels;
	struct axis_map x[CURVE_MAX_PANELS], y[CURVE_MAX_PANELS];
	int n_curves;                  /* lines per panel (sweeps with a finite point) */
	int n_markers;                 /* markers over all panels */
};

/* Okabe-Ito colours and marker shapes: the i-th curve's look. */
struct rgb curve_color(int i);
enum fig_marker curve_marker(int i);

/* NULL with err when the file has no sweeps ("demo.h5: no sweeps: run lwq sweep"). */
struct figure *curve_figure(const struct explorer_data *d, const struct curve_options *o,
			    struct font *font, struct curve_geometry *g, struct lwq_err *err);

#endif
