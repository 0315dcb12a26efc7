/* views.h: one draw function per part of the screen; each reads the state, never changes it. */
#ifndef LWQ_VIEWS_H
#define LWQ_VIEWS_H

#include "ui_state.h"

void view_heatmap_draw(const struct ui_state *s);
void view_tokens_draw(const struct ui_state *s);
void view_slider_draw(const struct ui_state *s);
/* The selected layer's numbers from row y, in at most rows rows of the slider block's
   width (nothing under 4); returns the rows used. */
int view_layer_draw(const struct ui_state *s, int y, int rows);
void view_curve_draw(const struct ui_state *s);
void view_status_draw(const struct ui_state *s);
void view_help_draw(const struct ui_state *s);
/* The bottom line of the slider block: the open prompt, or the last message; drawn after
   the slider and the curve. */
void prompt_draw(const struct ui_state *s);
/* Puts the terminal cursor at the prompt's insertion point (call after all drawing). */
void prompt_place_cursor(const struct ui_state *s);

/* Per-token LIM of (layer, bucket) for the current token-map width; NaN when absent.
   The bucket means are cached until the width or the data changes. */
double view_tokens_value(const struct ui_state *s, int layer, int bucket);
/* Colour position of a token cell in [0,1]. */
double view_tokens_normalized(const struct ui_state *s, int layer, int bucket);
void view_tokens_release(void);

#endif
