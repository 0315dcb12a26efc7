/* ui_state_internal.h: pieces of the reducer shared by ui_state.c and ui_state_prompt.c. */
#ifndef LWQ_UI_STATE_INTERNAL_H
#define LWQ_UI_STATE_INTERNAL_H

#include "ui_state.h"

void ui_set_message(struct ui_state *s, int is_error, const char *fmt, ...) LWQ_PRINTF(3, 4);
/* Recomputes bits, sizes and the predicted perplexity from budget, ranking and pins. */
void ui_replan(struct ui_state *s);
/* "3.5GiB" / "850MB" (bytes) or "3.25" / "3.25bits" (average bits) -> budget. */
void ui_apply_budget_text(struct ui_state *s, const char *text);
void ui_reduce_prompt(struct ui_state *s, struct ui_action a);
void ui_effect_done(struct ui_state *s, struct ui_action a);

#endif
