/* heatmap_layout.h: what the heatmap figure's modules share while laying it out. */
#ifndef LWQ_HEATMAP_LAYOUT_H
#define LWQ_HEATMAP_LAYOUT_H

#include "heatmap_figure.h"

/* Colour bar size in layout units. */
#define KEY_BAR_W 150.0
#define KEY_BAR_H 10.0

struct heatmap_layout {
	const struct explorer_data *d;
	const struct heatmap_options *o;
	struct figure *fig;
	struct heat_scales scales;     /* the explorer's rank scales (rank colouring) */
	struct heatmap_geometry geo;
	double grid_bottom;            /* below the last row */
	double right;                  /* rightmost x drawn so far */
	double below;                  /* lowest y drawn so far */
};

/* heatmap_keys.c */
void heatmap_keys_compute(const struct explorer_data *d, const struct heatmap_layout *l,
			  struct color_key keys[KEY_COUNT]);
void key_set_range(struct color_key *k, enum key_id id, double lo, double hi, int clipped);
double key_width(const struct figure *fig, const struct color_key *k);
double key_height(const struct figure *fig);
void key_draw(struct figure *fig, const struct color_key *k, double x, double y);

/* heatmap_tokens.c: the per-token panel right of the grid, with its position axis.
   -1 when out of memory. */
int heatmap_tokens_draw(struct heatmap_layout *l, double x, double header_y);

#endif
