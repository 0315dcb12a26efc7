/* bench_figure.c: time to lay out and draw the heatmap and curve figures (PNG canvas and
   SVG text), for a 24- and an 80-layer synthetic model. */
#include <stdio.h>
#include <stdlib.h>

#include "bench_clock.h"
#include "curve_figure.h"
#include "figure_backends.h"
#include "heatmap_figure.h"

/* Milliseconds per call of each stage, over `rounds` rounds. */
static void time_heatmap(struct font *font, int layers, int rounds)
{
	struct explorer_data *d = explorer_data_synthetic(layers, 8192, 3);
	struct heatmap_options o = { HM_ALL, NULL, 2, SCALE_VALUE, 1, 1, NULL };
	struct lwq_err err = { "" };
	double layout = 0, raster = 0;
	int elements = 0, w = 0, h = 0;
	for (int i = 0; i < rounds; i++) {
		double t0 = bench_seconds();
		struct figure *fig = heatmap_figure(d, &o, font, NULL, &err);
		double t1 = bench_seconds();
		struct canvas *c = fig ? figure_rasterize(fig, o.scale, &err) : NULL;
		double t2 = bench_seconds();
		layout += t1 - t0;
		raster += t2 - t1;
		elements = fig ? fig->n : 0;
		w = c ? c->width : 0;
		h = c ? c->height : 0;
		canvas_free(c);
		figure_free(fig);
	}
	printf("heatmap, %d layers with tokens: %d elements, layout %.1f ms, raster %dx%d %.1f ms\n",
	       layers, elements, layout / rounds * 1e3, w, h, raster / rounds * 1e3);
	explorer_data_free(d);
}

static void time_curves(struct font *font, int rounds)
{
	struct explorer_data *d = explorer_data_synthetic(80, 0, 3);
	struct curve_options o = { 1, NULL };
	struct lwq_err err = { "" };
	double t0 = bench_seconds();
	for (int i = 0; i < rounds; i++) {
		struct figure *fig = curve_figure(d, &o, font, NULL, &err);
		canvas_free(fig ? figure_rasterize(fig, 2, &err) : NULL);
		figure_free(fig);
	}
	printf("curves, 4 sweeps of 81 points, log axes: layout + raster %.1f ms\n",
	       (bench_seconds() - t0) / rounds * 1e3);
	explorer_data_free(d);
}

int main(void)
{
	struct lwq_err err = { "" };
	struct font *font = font_open(NULL, &err);
	if (!font) {
		fprintf(stderr, "%s\n", err.msg);
		return 77;
	}
	time_heatmap(font, 24, 5);
	time_heatmap(font, 80, 3);
	time_curves(font, 5);
	font_free(font);
	return 0;
}
