/* view_tokens.c: per-token LIM, layers x calibration positions bucketed to the pane width. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "colormap.h"
#include "colors.h"
#include "draw.h"
#include "views.h"

/* Bucket means for one (data, width): recomputed only when either changes. */
static struct {
	const struct explorer_data *data;
	int n_buckets;
	float *values;             /* [n_layers * n_buckets] */
	double lo, hi;             /* colour scale over every layer */
	double *row_lo, *row_hi;   /* [n_layers] colour scale within each layer */
} cache;

void view_tokens_release(void)
{
	free(cache.values);
	free(cache.row_lo);
	free(cache.row_hi);
	cache.values = NULL;
	cache.row_lo = cache.row_hi = NULL;
	cache.data = NULL;
	cache.n_buckets = 0;
}

static int ensure_buckets(const struct ui_state *s)
{
	const struct explorer_data *d = s->data;
	int n_buckets = s->layout.tok_w;
	if (!d->cos || n_buckets <= 0)
		return -1;
	if (cache.data == d && cache.n_buckets == n_buckets && cache.values)
		return 0;
	view_tokens_release();
	cache.values = malloc((size_t)d->n_layers * (size_t)n_buckets * sizeof(float));
	cache.row_lo = malloc((size_t)d->n_layers * sizeof(double));
	cache.row_hi = malloc((size_t)d->n_layers * sizeof(double));
	if (!cache.values || !cache.row_lo || !cache.row_hi ||
	    token_buckets(d, n_buckets, cache.values) != 0) {
		view_tokens_release();
		return -1;
	}
	cache.data = d;
	cache.n_buckets = n_buckets;
	robust_range(cache.values, (int64_t)d->n_layers * n_buckets, &cache.lo, &cache.hi);
	for (int i = 0; i < d->n_layers; i++)
		robust_range(cache.values + (int64_t)i * n_buckets, n_buckets, &cache.row_lo[i],
			    &cache.row_hi[i]);
	return 0;
}

double view_tokens_value(const struct ui_state *s, int layer, int bucket)
{
	if (ensure_buckets(s) != 0 || bucket < 0 || bucket >= cache.n_buckets)
		return NAN;
	return cache.values[layer * cache.n_buckets + bucket];
}

double view_tokens_normalized(const struct ui_state *s, int layer, int bucket)
{
	double v = view_tokens_value(s, layer, bucket); /* first: it fills the cache */
	if (s->token_scale_per_layer)
		return normalize_value(v, cache.row_lo[layer], cache.row_hi[layer]);
	return normalize_value(v, cache.lo, cache.hi);
}

static void draw_missing(const struct ui_state *s)
{
	const struct ui_layout *l = &s->layout;
	draw_clear(l->body_y, l->tok_x, l->body_h, l->tok_w);
	draw_text(l->header_y, l->tok_x, l->tok_w, role_attr(ROLE_HEADER), "per-token LIM");
	draw_text(l->body_y + 1, l->tok_x + 1, l->tok_w - 1, role_attr(ROLE_DIM),
		  "no activations:");
	draw_text(l->body_y + 2, l->tok_x + 1, l->tok_w - 1, role_attr(ROLE_DIM),
		  "run lwq capture MODEL.h5");
}

static void draw_row(const struct ui_state *s, int y, int row)
{
	const struct ui_layout *l = &s->layout;
	int layer = s->display[row];
	for (int b = 0; b < l->tok_w; b++) {
		struct cell_style st = cell_style(view_tokens_normalized(s, layer, b));
		int selected = row == s->sel_row && s->sel_col == HEAT_COLS + b;
		attr_t attr = st.attr | (selected ? A_REVERSE | A_BOLD : 0);
		const char *glyph = selected ? "*" : st.fill ? st.fill : " ";
		draw_repeat(y, l->tok_x + b, 1, attr, glyph);
	}
}

void view_tokens_draw(const struct ui_state *s)
{
	const struct ui_layout *l = &s->layout;
	const struct explorer_data *d = s->data;
	if (l->tok_w <= 0)
		return;
	if (ensure_buckets(s) != 0) {
		draw_missing(s);
		return;
	}
	double per = (double)d->n_tokens / l->tok_w;
	char title[128];
	snprintf(title, sizeof title, "per-token LIM (%lld tok, %.3g/col%s)",
		 (long long)d->n_tokens, per, s->token_scale_per_layer ? ", scale per layer" : "");
	if (text_columns(title) > l->tok_w) /* the scale note goes first */
		snprintf(title, sizeof title, "per-token LIM (%lld tok, %.3g/col)",
			 (long long)d->n_tokens, per);
	draw_text(l->header_y, l->tok_x, l->tok_w, role_attr(ROLE_HEADER), title);
	for (int r = 0; r < l->body_h; r++) {
		int row = s->scroll + r;
		if (row < d->n_layers)
			draw_row(s, l->body_y + r, row);
		else
			draw_clear(l->body_y + r, l->tok_x, 1, l->tok_w);
	}
}
