/* heatmap_tokens.c: the optional per-token LIM panel: binned token positions on a real
   axis, one scale for all layers or one per layer, the smoothing stated in the header. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "figure_axis.h"
#include "heatmap_layout.h"

#define TOKEN_PANEL_W 360.0
#define TARGET_BINS 160

/* Tokens per bin: a divisor of n_tokens near n_tokens / TARGET_BINS, so every bin
   averages the same number of tokens (the panel says how many). */
static int64_t bin_tokens(int64_t n_tokens)
{
	int64_t want = (n_tokens + TARGET_BINS - 1) / TARGET_BINS;
	want = want < 1 ? 1 : want;
	for (int64_t b = want; b <= 2 * want; b++)
		if (n_tokens % b == 0)
			return b;
	return want;               /* bins then differ by at most one token */
}

int heatmap_tokens_draw(struct heatmap_layout *l, double x, double header_y)
{
	const struct explorer_data *d = l->d;
	struct heatmap_geometry *g = &l->geo;
	int64_t per_bin = bin_tokens(d->n_tokens);
	int nb = (int)((d->n_tokens + per_bin - 1) / per_bin);
	float *values = malloc((size_t)d->n_layers * (size_t)nb * sizeof *values);
	if (!values || token_buckets(d, nb, values) != 0) {
		free(values);
		return -1;
	}
	g->tok_x = x;
	g->tok_w = TOKEN_PANEL_W;
	g->n_buckets = nb;
	g->bucket_tokens = (int)per_bin;
	double lo, hi;
	robust_range(values, (int64_t)d->n_layers * nb, &lo, &hi);
	struct color_key *k = &g->keys[KEY_TOKENS];
	key_set_range(k, KEY_TOKENS, lo, hi, 1);
	if (l->o->tokens_per_layer) {
		k->mode = KEY_UNIT;
		k->ramp = RAMP_VIRIDIS;
		k->lo = 0;
		k->hi = 1;
		snprintf(k->title, sizeof k->title, "Per-token LIM, each layer 2nd\u201398th pct \u2192 0\u20131");
	}
	char header[160];
	snprintf(header, sizeof header, "Per-token LIM (mean of %lld-token bins)", (long long)per_bin);
	figure_text(l->fig, x, header_y, FIG_TEXT_SIZE, ANCHOR_START, fig_ink, "group-header", header);
	double bw = TOKEN_PANEL_W / nb;
	for (int layer = 0; layer < d->n_layers; layer++) {
		const float *row = values + (int64_t)layer * nb;
		double row_lo = lo, row_hi = hi;
		if (l->o->tokens_per_layer)
			robust_range(row, nb, &row_lo, &row_hi);
		double y = g->grid_y + layer * g->cell_h;
		for (int b = 0; b < nb; b++) {
			double pos = l->o->tokens_per_layer ? normalize_value(row[b], row_lo, row_hi)
							    : color_key_position(k, row[b]);
			figure_rect(l->fig, x + b * bw, y, bw, g->cell_h - 1, ramp_rgb(k->ramp, pos),
				    "token-bin");
		}
	}
	free(values);
	struct ticks t;
	ticks_linear(0, (double)d->n_tokens, 5, &t);
	struct axis_map m = { 0, (double)d->n_tokens, x, x + TOKEN_PANEL_W, 0 };
	double bottom = axis_draw_x(l->fig, &m, l->grid_bottom + 2, 1, &t,
				    "Token position in the calibration text");
	l->below = fmax(l->below, bottom);
	l->right = fmax(l->right, x + TOKEN_PANEL_W);
	return 0;
}
