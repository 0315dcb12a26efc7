/* ui_state.h: the explorer's state and the pure reducer that changes it (no curses). */
#ifndef LWQ_UI_STATE_H
#define LWQ_UI_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "explorer_data.h"
#include "ui_layout.h"
#include "ui_plan.h"

/* The explorer holds per-layer arrays inline so a state is a plain value. */
#define UI_MAX_LAYERS 512

enum ui_sort { SORT_LAYER, SORT_COLUMN };
enum ui_pin { PIN_NONE = 0, PIN_HIGH = 1, PIN_LOW = 2 };

enum ui_prompt_kind {
	PROMPT_NONE,
	PROMPT_BUDGET,
	PROMPT_EXPORT_PLAN,
	PROMPT_EXPORT_PNG,
	PROMPT_EXPORT_MODEL,
	PROMPT_OVERWRITE,          /* "FILE exists, overwrite? (y/n)" for the pending export */
};

/* Work the reducer asks the event loop to do (files are not its business). */
enum ui_effect { EFFECT_NONE, EFFECT_EXPORT_PLAN, EFFECT_EXPORT_PNG, EFFECT_EXPORT_MODEL };

enum ui_action_kind {
	ACT_NONE,
	ACT_QUIT,
	ACT_REDRAW,
	ACT_RESIZE,                /* a = rows, b = cols */
	ACT_BUDGET_STEP,           /* a = +1 / -1: one layer's worth */
	ACT_BUDGET_PAGE,           /* a = +1 / -1: a tenth of the layers */
	ACT_BUDGET_EDGE,           /* a = +1 all high, -1 all low */
	ACT_BUDGET_SET,            /* text = "3.5GiB" (bytes) or "3.25" (average bits) */
	ACT_SELECT_ROW,            /* a = delta rows */
	ACT_SELECT_PAGE,           /* a = +1 / -1 */
	ACT_SELECT_EDGE,           /* a = +1 last row, -1 first row */
	ACT_SELECT_COL,            /* a = delta columns (heat columns, then token buckets) */
	ACT_SCROLL,                /* a = delta rows (mouse wheel) */
	ACT_ORDER_NEXT,            /* a = +1 / -1 */
	ACT_ORDER_SET,             /* a = enum order_kind */
	ACT_RESEED,                /* new seed for the random order */
	ACT_PAIR_NEXT,
	ACT_METHOD_NEXT,           /* next quantizer with stored sweeps (rtn, gptq, ...) */
	ACT_SORT_TOGGLE,
	ACT_TOKEN_SCALE_TOGGLE,    /* per-token map: one colour scale, or one per layer */
	ACT_HEAT_SCALE_TOGGLE,     /* heat columns coloured by rank or by value */
	ACT_PIN,                   /* a = enum ui_pin for the selected layer */
	ACT_UNPIN_ALL,
	ACT_HELP_TOGGLE,
	ACT_PROMPT_OPEN,           /* a = enum ui_prompt_kind */
	ACT_PROMPT_CHAR,           /* a = character (printable ASCII / Latin-1 byte) */
	ACT_PROMPT_BACKSPACE,
	ACT_PROMPT_DELETE,
	ACT_PROMPT_LEFT,
	ACT_PROMPT_RIGHT,
	ACT_PROMPT_HOME,
	ACT_PROMPT_END,
	ACT_PROMPT_KILL,           /* clear the line */
	ACT_PROMPT_SUBMIT,
	ACT_PROMPT_CANCEL,
	ACT_MOUSE_PRESS,           /* a = y, b = x (button 1 down) */
	ACT_MOUSE_DRAG,            /* a = y, b = x (motion with button 1 held) */
	ACT_MOUSE_RELEASE,
	ACT_EFFECT_DONE,           /* a = 0 ok / -1 failed / 1 target exists; text = message */
	ACT_COUNT
};

struct ui_action {
	enum ui_action_kind kind;
	int a, b;
	const char *text;
};

#define UI_PROMPT_MAX 256
#define UI_MESSAGE_MAX 256

struct ui_prompt {
	enum ui_prompt_kind kind;
	enum ui_prompt_kind then;  /* for PROMPT_OVERWRITE: the export being confirmed */
	char text[UI_PROMPT_MAX];
	int len, cursor;
};

struct ui_state {
	const struct explorer_data *data;    /* not owned */
	struct ui_layout layout;

	/* the plan */
	enum order_kind order;
	uint64_t seed;                       /* of the random order */
	enum bit_pair pair;
	int64_t budget;
	int64_t budget_min, budget_max;      /* feasible range (pins are paid for first) */
	int ranking[UI_MAX_LAYERS];          /* layers, most important first */
	signed char pins[UI_MAX_LAYERS];     /* enum ui_pin per layer */
	int bits[UI_MAX_LAYERS];             /* the plan at this budget */
	int n_high, n_mid;                   /* layers at the high (and middle) width */
	int64_t plan_bytes;
	double avg_bits;
	double predicted_ppl;                /* 0 when no sweep covers this point */
	char method[16];                     /* quantizer whose sweeps predict: "rtn", "gptq" */

	/* the table */
	enum ui_sort sort;
	int sort_column;                     /* enum heat_column sorted by */
	int display[UI_MAX_LAYERS];          /* row -> layer */
	int sel_row, sel_col, scroll;
	int dragging;                        /* mouse button held on the slider */
	int token_scale_per_layer;           /* token map coloured within each layer */
	enum heat_scale_kind heat_scale;     /* heat columns by rank or by value */

	int help;
	struct ui_prompt prompt;
	enum ui_effect effect;
	int effect_overwrite;
	char effect_path[UI_PROMPT_MAX];
	char message[UI_MESSAGE_MAX];
	int message_is_error;
	int quit;
};

/* A fresh state for data at a terminal of rows x cols: default order (LIM when present,
   else ZD, else random), 4/2 bits, half the layers high. Returns -1 with err when data cannot be shown. */
int ui_state_init(struct ui_state *s, const struct explorer_data *data, int rows, int cols,
		  struct lwq_err *err);

/* The reducer: never touches the terminal or files; state in, state out. */
struct ui_state ui_reduce(const struct ui_state *s, struct ui_action action);

/* Which parts of the screen differ between two states (enum ui_view bits). */
enum ui_view {
	VIEW_HEAT = 1 << 0,
	VIEW_TOKENS = 1 << 1,
	VIEW_SLIDER = 1 << 2,
	VIEW_CURVE = 1 << 3,
	VIEW_STATUS = 1 << 4,
	VIEW_HELP = 1 << 5,
	VIEW_ALL = (1 << 6) - 1,
};
unsigned ui_changed_views(const struct ui_state *before, const struct ui_state *after);

/* Layer shown on the selected row, and the selected cell's column (a heat column, or
   HEAT_COLS + bucket for the token map). */
int ui_selected_layer(const struct ui_state *s);

/* Fills plan (n_layers must match) with the current bits and identity fields. */
void ui_fill_plan(const struct ui_state *s, struct bit_plan *plan);

/* Default export file name for a prompt kind, from the model file name and the plan
   ("demo-3.25bit.json"). */
void ui_default_export_name(const struct ui_state *s, enum ui_prompt_kind kind, char *buf,
			    int len);

/* The stored sweep for an order and a (low, high) pair; NULL when none. */
const struct sweep_curve *ui_sweep_for(const struct explorer_data *d, const char *order,
				       const int levels[2]);

/* The sweep curve name of the current order and method, as /sweeps names it: "lim"
   for RTN, "lim@gptq" for another quantizer. */
const char *ui_curve_name(const struct ui_state *s, char *buf, size_t len);

/* Selectable columns: the heat columns, then one per token bucket on screen. */
int ui_column_count(const struct ui_state *s);

/* The order as plans and /sweeps name it: "lim", "zd", ..., "random:SEED". */
const char *ui_order_label(const struct ui_state *s, char *buf, size_t len);

/* Name of a pair ("4/2", "8/4", "8/4/2"). */
const char *bit_pair_name(enum bit_pair p);

#endif
