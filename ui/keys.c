/* keys.c: the explorer's key table and the prompt's line-editing keys. */
#include "keys.h"

#include <curses.h>

#define CTRL(c) ((c) & 0x1f)
#define A(kind_, a_) { .kind = (kind_), .a = (a_) }

const struct key_binding key_bindings[] = {
	{ KEY_RIGHT, A(ACT_BUDGET_STEP, +1), "Right Left + -", "budget up / down by one layer" },
	{ KEY_LEFT, A(ACT_BUDGET_STEP, -1), NULL, NULL },
	{ '+', A(ACT_BUDGET_STEP, +1), NULL, NULL },
	{ '=', A(ACT_BUDGET_STEP, +1), NULL, NULL },
	{ '-', A(ACT_BUDGET_STEP, -1), NULL, NULL },
	{ KEY_PPAGE, A(ACT_BUDGET_PAGE, +1), "PgUp PgDn", "budget up / down by a tenth of the layers" },
	{ KEY_NPAGE, A(ACT_BUDGET_PAGE, -1), NULL, NULL },
	{ '>', A(ACT_BUDGET_EDGE, +1), "> <", "budget: everything high / everything low" },
	{ '<', A(ACT_BUDGET_EDGE, -1), NULL, NULL },
	{ 'b', A(ACT_PROMPT_OPEN, PROMPT_BUDGET), "b", "type a budget: 3.5GiB, 850MB, or 3.25 (avg bits)" },
	{ KEY_UP, A(ACT_SELECT_ROW, -1), "Up Down k j", "select layer" },
	{ KEY_DOWN, A(ACT_SELECT_ROW, +1), NULL, NULL },
	{ 'k', A(ACT_SELECT_ROW, -1), NULL, NULL },
	{ 'j', A(ACT_SELECT_ROW, +1), NULL, NULL },
	{ KEY_HOME, A(ACT_SELECT_EDGE, -1), "Home End g G", "first / last layer" },
	{ KEY_END, A(ACT_SELECT_EDGE, +1), NULL, NULL },
	{ 'g', A(ACT_SELECT_EDGE, -1), NULL, NULL },
	{ 'G', A(ACT_SELECT_EDGE, +1), NULL, NULL },
	{ CTRL('d'), A(ACT_SELECT_PAGE, +1), "^D ^U", "select a page down / up" },
	{ CTRL('u'), A(ACT_SELECT_PAGE, -1), NULL, NULL },
	{ '\t', A(ACT_SELECT_COL, +1), "Tab S-Tab l h", "select column (scores, then tokens)" },
	{ KEY_BTAB, A(ACT_SELECT_COL, -1), NULL, NULL },
	{ 'l', A(ACT_SELECT_COL, +1), NULL, NULL },
	{ 'h', A(ACT_SELECT_COL, -1), NULL, NULL },
	{ 'o', A(ACT_ORDER_NEXT, +1), "o O", "order: lim zd zd-inverse reverse-lim random measured optimal" },
	{ 'O', A(ACT_ORDER_NEXT, -1), NULL, NULL },
	{ 'r', A(ACT_RESEED, 0), "r", "new seed for the random order" },
	{ 'p', A(ACT_PAIR_NEXT, 0), "p", "bit widths: 4/2, 8/4, 8/4/2" },
	{ 'm', A(ACT_METHOD_NEXT, 0), "m", "method whose sweeps predict ppl (rtn, gptq, ... as stored)" },
	{ 's', A(ACT_SORT_TOGGLE, 0), "s", "sort rows by the selected column / by layer" },
	{ 'c', A(ACT_HEAT_SCALE_TOGGLE, 0), "c t", "colours: heatmap by rank / value; tokens per layer / all" },
	{ 't', A(ACT_TOKEN_SCALE_TOGGLE, 0), NULL, NULL },
	{ 'H', A(ACT_PIN, PIN_HIGH), "H L u U", "pin selected layer high / low; unpin it / all" },
	{ 'L', A(ACT_PIN, PIN_LOW), NULL, NULL },
	{ 'u', A(ACT_PIN, PIN_NONE), NULL, NULL },
	{ 'U', A(ACT_UNPIN_ALL, 0), NULL, NULL },
	{ 'e', A(ACT_PROMPT_OPEN, PROMPT_EXPORT_PLAN), "e w x", "export plan JSON / figure (PNG, SVG) / quantized model" },
	{ 'w', A(ACT_PROMPT_OPEN, PROMPT_EXPORT_PNG), NULL, NULL },
	{ 'x', A(ACT_PROMPT_OPEN, PROMPT_EXPORT_MODEL), NULL, NULL },
	{ '?', A(ACT_HELP_TOGGLE, 0), "? F1", "this help" },
	{ KEY_F(1), A(ACT_HELP_TOGGLE, 0), NULL, NULL },
	{ CTRL('l'), A(ACT_REDRAW, 0), "^L", "redraw the screen" },
	{ 'q', A(ACT_QUIT, 0), "q F10", "quit" },
	{ KEY_F(10), A(ACT_QUIT, 0), NULL, NULL },
	{ 0, A(ACT_NONE, 0), NULL, NULL },
};

static struct ui_action prompt_key(int key, int is_function_key)
{
	enum ui_action_kind kind = ACT_NONE;
	if (is_function_key) {
		switch (key) {
		case KEY_BACKSPACE: kind = ACT_PROMPT_BACKSPACE; break;
		case KEY_DC: kind = ACT_PROMPT_DELETE; break;
		case KEY_LEFT: kind = ACT_PROMPT_LEFT; break;
		case KEY_RIGHT: kind = ACT_PROMPT_RIGHT; break;
		case KEY_HOME: kind = ACT_PROMPT_HOME; break;
		case KEY_END: kind = ACT_PROMPT_END; break;
		case KEY_ENTER: kind = ACT_PROMPT_SUBMIT; break;
		default: break;
		}
		return (struct ui_action){ .kind = kind };
	}
	switch (key) {
	case '\n': case '\r': kind = ACT_PROMPT_SUBMIT; break;
	case 27: case CTRL('g'): kind = ACT_PROMPT_CANCEL; break;
	case 127: case CTRL('h'): kind = ACT_PROMPT_BACKSPACE; break;
	case CTRL('a'): kind = ACT_PROMPT_HOME; break;
	case CTRL('e'): kind = ACT_PROMPT_END; break;
	case CTRL('u'): kind = ACT_PROMPT_KILL; break;
	case CTRL('d'): kind = ACT_PROMPT_DELETE; break;
	default:
		return (struct ui_action){ .kind = ACT_PROMPT_CHAR, .a = key };
	}
	return (struct ui_action){ .kind = kind };
}

struct ui_action keys_action(const struct ui_state *s, int key, int is_function_key)
{
	if (s->help)
		return (struct ui_action){ .kind = ACT_HELP_TOGGLE };
	if (s->prompt.kind != PROMPT_NONE)
		return prompt_key(key, is_function_key);
	for (const struct key_binding *b = key_bindings; b->key; b++) {
		int function_key = b->key >= KEY_MIN;
		if (b->key == key && function_key == is_function_key)
			return b->action;
	}
	return (struct ui_action){ .kind = ACT_NONE };
}
