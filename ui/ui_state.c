/* ui_state.c: state + action -> new state, no curses; the slider, table and plan live here. */
#include "ui_state.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_state_internal.h"

static const char *const pair_names[PAIR_COUNT] = { "4/2", "8/4", "8/4/2" };

const char *bit_pair_name(enum bit_pair p)
{
	return p < PAIR_COUNT ? pair_names[p] : "?";
}

void ui_set_message(struct ui_state *s, int is_error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->message, sizeof s->message, fmt, ap);
	va_end(ap);
	s->message_is_error = is_error;
}

const char *ui_order_label(const struct ui_state *s, char *buf, size_t len)
{
	if (s->order == ORDER_RANDOM)
		snprintf(buf, len, "random:%llu", (unsigned long long)s->seed);
	else
		snprintf(buf, len, "%s", ui_order_name(s->order));
	return buf;
}

const char *ui_curve_name(const struct ui_state *s, char *buf, size_t len)
{
	char order[64];
	ui_order_label(s, order, sizeof order);
	if (s->method[0] == '\0' || strcmp(s->method, "rtn") == 0)
		snprintf(buf, len, "%s", order);
	else
		snprintf(buf, len, "%s@%s", order, s->method);
	return buf;
}

int ui_selected_layer(const struct ui_state *s)
{
	int n = s->data->n_layers;
	return s->sel_row >= 0 && s->sel_row < n ? s->display[s->sel_row] : 0;
}

static int clamp_int(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* ---- the plan ------------------------------------------------------------------------ */

/* Perplexity at the plan's average bits on the stored sweep for this order and pair. */
static double predict_ppl(const struct ui_state *s)
{
	int levels[3];
	if (bit_pair_levels(s->pair, levels) != 2)
		return 0;
	char name[96];
	const struct sweep_curve *c = ui_sweep_for(s->data, ui_curve_name(s, name, sizeof name),
						   levels);
	if (!c)
		return 0;
	for (int k = 0; k + 1 < c->n_points; k++) {
		double x0 = c->avg_bits[k], x1 = c->avg_bits[k + 1];
		double lo = x0 < x1 ? x0 : x1, hi = x0 < x1 ? x1 : x0;
		if (s->avg_bits < lo - 1e-9 || s->avg_bits > hi + 1e-9)
			continue;
		double t = hi > lo ? (s->avg_bits - x0) / (x1 - x0) : 0;
		return c->ppl[k] + t * (c->ppl[k + 1] - c->ppl[k]);
	}
	if (c->n_points == 1 && fabs(c->avg_bits[0] - s->avg_bits) < 1e-9)
		return c->ppl[0];
	return 0;
}

const struct sweep_curve *ui_sweep_for(const struct explorer_data *d, const char *order,
				       const int levels[2])
{
	for (int i = 0; i < d->n_sweeps; i++) {
		const struct sweep_curve *c = &d->sweeps[i];
		if (strcmp(c->order, order) == 0 && c->low_bits == levels[0] &&
		    c->high_bits == levels[1])
			return c;
	}
	return NULL;
}

/* Rows in display order: by layer, or by the sort column (largest first). */
static void resort(struct ui_state *s)
{
	const struct explorer_data *d = s->data;
	int n = d->n_layers, keep = ui_selected_layer(s);
	for (int i = 0; i < n; i++)
		s->display[i] = i;
	if (s->sort == SORT_COLUMN) {
		/* Insertion sort: stable, and n is at most a few hundred. */
		for (int i = 1; i < n; i++) {
			int layer = s->display[i];
			double v = heat_value(d, (enum heat_column)s->sort_column, layer, s->bits);
			int j = i - 1;
			while (j >= 0) {
				double w = heat_value(d, (enum heat_column)s->sort_column,
						      s->display[j], s->bits);
				if (!(isnan(w) && !isnan(v)) && !(v > w))
					break;
				s->display[j + 1] = s->display[j];
				j--;
			}
			s->display[j + 1] = layer;
		}
	}
	for (int r = 0; r < n; r++)
		if (s->display[r] == keep)
			s->sel_row = r;
}

/* The planner's request for the current pair and pins; pin_bits must hold n_layers. */
static struct plan_request current_request(const struct ui_state *s, int *pin_bits)
{
	return ui_plan_request(s->data, s->pair, s->pins, pin_bits);
}

void ui_replan(struct ui_state *s)
{
	const struct explorer_data *d = s->data;
	int pin_bits[UI_MAX_LAYERS];
	struct plan_request req = current_request(s, pin_bits);
	plan_budget_range(&d->cfg, &req, &s->budget_min, &s->budget_max);
	if (s->budget < s->budget_min)
		s->budget = s->budget_min;
	if (s->budget > s->budget_max)
		s->budget = s->budget_max;
	struct bit_plan view = { .n_layers = d->n_layers, .bits = s->bits,
				 .group_size = d->group_size };
	struct lwq_err err = { "" };
	int rc;
	if (s->order == ORDER_OPTIMAL) {
		/* the exact allocation over the pair's widths, redone at every budget */
		struct optimize_request opt = ui_optimize_request(d, s->pair, pin_bits);
		if (opt.n_widths == 0) {
			ui_set_message(s, 1, "optimal: the widths %s were not all measured (run lwq "
				       "score --measure --widths ...)", bit_pair_name(s->pair));
			return;
		}
		rc = plan_optimize_bytes(&d->cfg, &opt, s->budget, &view, NULL, &err);
	} else {
		rc = plan_from_budget(&d->cfg, s->ranking, s->budget, &req, &view, &err);
	}
	if (rc != 0) {
		ui_set_message(s, 1, "plan: %s", err.msg);
		return;
	}
	s->n_high = s->n_mid = 0;
	for (int i = 0; i < d->n_layers; i++) {
		s->n_high += s->bits[i] == req.high_bits;
		s->n_mid += req.mid_bits && s->bits[i] == req.mid_bits;
	}
	s->plan_bytes = plan_bytes_for(&d->cfg, d->target, &view);
	s->avg_bits = plan_avg_bits(&d->cfg, &view);
	s->predicted_ppl = predict_ppl(s);
	if (s->sort == SORT_COLUMN && s->sort_column == COL_PLAN)
		resort(s);
}

/* "measured: rank correlation with LIM +0.75, ZD +0.03, ZD-inverse -0.03". */
static void say_correlations(struct ui_state *s)
{
	double r[3];
	ui_measured_correlations(s->data, &r[0], &r[1], &r[2]);
	char part[3][16];
	for (int k = 0; k < 3; k++)
		snprintf(part[k], sizeof part[k], isnan(r[k]) ? "-" : "%+.2f", r[k]);
	ui_set_message(s, 0, "%s: Spearman with measured: LIM %s, ZD %s, ZD-inverse %s",
		       ui_order_name(s->order), part[0], part[1], part[2]);
}

/* Recomputes the ranking (order or seed changed), then the plan. */
static void rerank(struct ui_state *s)
{
	struct lwq_err err = { "" };
	if (ui_rank_layers(s->data, s->order, s->seed, s->ranking, &err) != 0) {
		for (int i = 0; i < s->data->n_layers; i++)
			s->ranking[i] = i;
		ui_set_message(s, 1, "order %s: %s", ui_order_name(s->order), err.msg);
	} else if (s->order == ORDER_MEASURED || s->order == ORDER_OPTIMAL) {
		say_correlations(s);
	}
	ui_replan(s);
}

static void set_budget(struct ui_state *s, int64_t budget)
{
	s->budget = budget;
	ui_replan(s);
}

/* Moves the budget to slider step k (clamped to the feasible steps). */
static void set_step(struct ui_state *s, int k)
{
	int pin_bits[UI_MAX_LAYERS];
	struct plan_request req = current_request(s, pin_bits);
	k = clamp_int(k, 0, ui_max_steps(s->data, &req));
	set_budget(s, ui_step_budget(s->data, &req, k));
}

/* One step = the next budget at which one more layer changes width. */
static void step_budget(struct ui_state *s, int delta)
{
	int pin_bits[UI_MAX_LAYERS];
	struct plan_request req = current_request(s, pin_bits);
	int k = ui_step_at(s->data, &req, s->budget);
	/* A typed budget between two steps: the first step down returns to the lower one. */
	if (delta < 0 && s->budget > ui_step_budget(s->data, &req, k))
		delta++;
	set_step(s, k + delta);
}

static void set_pair(struct ui_state *s, enum bit_pair pair)
{
	int pin_bits[UI_MAX_LAYERS];
	struct plan_request req = current_request(s, pin_bits);
	int most = ui_max_steps(s->data, &req);
	double fraction = most ? (double)ui_step_at(s->data, &req, s->budget) / most : 0;
	s->pair = pair;
	req = current_request(s, pin_bits);
	s->budget = 0;
	set_step(s, (int)lround(fraction * ui_max_steps(s->data, &req)));
}

/* The budget at a slider x (mouse), snapped down to a step. */
static void budget_at_x(struct ui_state *s, int x)
{
	const struct ui_layout *l = &s->layout;
	double f = l->track_w > 1 ? (double)(x - l->track_x) / (l->track_w - 1) : 0;
	f = f < 0 ? 0 : f > 1 ? 1 : f;
	int64_t b = s->budget_min + (int64_t)llround(f * (double)(s->budget_max - s->budget_min));
	int pin_bits[UI_MAX_LAYERS];
	struct plan_request req = current_request(s, pin_bits);
	set_step(s, ui_step_at(s->data, &req, b));
}

/* ---- the table ------------------------------------------------------------------------ */

int ui_column_count(const struct ui_state *s)
{
	int tokens = s->data->cos ? s->layout.tok_w : 0;
	return HEAT_COLS + tokens;
}

static void keep_selection_visible(struct ui_state *s)
{
	int n = s->data->n_layers, h = s->layout.body_h > 0 ? s->layout.body_h : 1;
	s->sel_row = clamp_int(s->sel_row, 0, n - 1);
	s->sel_col = clamp_int(s->sel_col, 0, ui_column_count(s) - 1);
	if (s->sel_row < s->scroll)
		s->scroll = s->sel_row;
	if (s->sel_row >= s->scroll + h)
		s->scroll = s->sel_row - h + 1;
	s->scroll = clamp_int(s->scroll, 0, n > h ? n - h : 0);
}

static void scroll_by(struct ui_state *s, int delta)
{
	int n = s->data->n_layers, h = s->layout.body_h > 0 ? s->layout.body_h : 1;
	s->scroll = clamp_int(s->scroll + delta, 0, n > h ? n - h : 0);
	s->sel_row = clamp_int(s->sel_row, s->scroll, s->scroll + h - 1);
	s->sel_row = clamp_int(s->sel_row, 0, n - 1);
}

static void toggle_sort(struct ui_state *s)
{
	if (s->sort == SORT_COLUMN) {
		s->sort = SORT_LAYER;
		ui_set_message(s, 0, "rows by layer");
	} else if (s->sel_col >= HEAT_COLS) {
		ui_set_message(s, 1, "sort: put the cursor on a heatmap column first");
		return;
	} else if (!heat_column_available(s->data, (enum heat_column)s->sel_col)) {
		ui_set_message(s, 1, "sort: column %s has no data",
			       heat_column_title((enum heat_column)s->sel_col));
		return;
	} else {
		s->sort = SORT_COLUMN;
		s->sort_column = s->sel_col;
		ui_set_message(s, 0, "rows by %s, largest first",
			       heat_column_title((enum heat_column)s->sel_col));
	}
	resort(s);
	keep_selection_visible(s);
}

static int order_index(enum order_kind o)
{
	for (int i = 0; i < UI_ORDER_COUNT; i++)
		if (ui_orders[i] == o)
			return i;
	return 0;
}

/* Moves to ui_orders[index], or on in direction past orders whose scores are missing. */
static void set_order(struct ui_state *s, int index, int direction)
{
	for (int tries = 0; tries < UI_ORDER_COUNT; tries++) {
		index = (index % UI_ORDER_COUNT + UI_ORDER_COUNT) % UI_ORDER_COUNT;
		enum order_kind o = ui_orders[index];
		if (ui_order_available(s->data, o)) {
			s->order = o;
			rerank(s);
			return;
		}
		/* LIM comes from activations: without them score alone cannot make it */
		int need_capture = (o == ORDER_LIM || o == ORDER_REVERSE_LIM) && !s->data->cos;
		int need_measure = o == ORDER_MEASURED || o == ORDER_OPTIMAL;
		ui_set_message(s, 1, "order %s needs scores: run lwq %s", ui_order_name(o),
			       need_capture ? "capture, then lwq score"
			       : need_measure ? "score --measure" : "score");
		if (!direction)
			return;
		index += direction;
	}
}

/* The next quantizer with stored sweeps drives the predicted perplexity. */
static void next_method(struct ui_state *s)
{
	const char *names[UI_MAX_METHODS];
	int n = ui_sweep_methods(s->data, names, UI_MAX_METHODS), at = -1;
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], s->method) == 0)
			at = i;
	if (n == 0 || (n == 1 && at == 0)) {
		ui_set_message(s, 0, "method: only %s sweeps stored (lwq sweep --method gptq adds "
			       "another)", n ? names[0] : "no");
		return;
	}
	snprintf(s->method, sizeof s->method, "%s", names[(at + 1) % n]);
	s->predicted_ppl = predict_ppl(s);
	ui_set_message(s, 0, "method %s: predicted perplexity from %s sweeps", s->method,
		       s->method);
}

static void pin_selected(struct ui_state *s, enum ui_pin pin)
{
	int layer = ui_selected_layer(s);
	s->pins[layer] = (signed char)pin;
	ui_replan(s);
	static const char *const what[] = { "unpinned", "pinned high", "pinned low" };
	ui_set_message(s, 0, "layer %d %s", layer, what[pin]);
}

static void mouse_press(struct ui_state *s, int y, int x, int drag)
{
	const struct ui_layout *l = &s->layout;
	if (drag && !s->dragging)
		return;
	if (y == l->bottom_y && x >= l->track_x - 1 && x <= l->track_x + l->track_w) {
		s->dragging = 1;
		budget_at_x(s, x);
		return;
	}
	if (s->dragging) { /* dragging off the bar still moves the budget */
		budget_at_x(s, x);
		return;
	}
	if (y < l->body_y || y >= l->body_y + l->body_h)
		return;
	int row = s->scroll + y - l->body_y;
	if (row >= s->data->n_layers)
		return;
	s->sel_row = row;
	int col = ui_layout_column_at(l, x);
	if (col >= 0)
		s->sel_col = col;
	else if (s->data->cos && l->tok_w && x >= l->tok_x && x < l->tok_x + l->tok_w)
		s->sel_col = HEAT_COLS + x - l->tok_x;
	keep_selection_visible(s);
}

static void resize(struct ui_state *s, int rows, int cols)
{
	ui_layout_compute(&s->layout, rows, cols, s->data->n_layers);
	keep_selection_visible(s);
}

/* ---- init and dispatch ------------------------------------------------------------------ */

int ui_state_init(struct ui_state *s, const struct explorer_data *data, int rows, int cols,
		  struct lwq_err *err)
{
	memset(s, 0, sizeof *s);
	if (data->n_layers <= 0 || data->n_layers > UI_MAX_LAYERS)
		return lwq_err_set(err, "%s: %d layers (the explorer shows 1 to %d)",
				   data->path, data->n_layers, UI_MAX_LAYERS);
	s->data = data;
	s->seed = 1;
	snprintf(s->method, sizeof s->method, "rtn");
	s->heat_scale = SCALE_RANK;
	s->token_scale_per_layer = 1;
	s->order = data->lim ? ORDER_LIM : data->zd ? ORDER_ZD : ORDER_RANDOM;
	s->budget = INT64_MAX;
	s->pair = PAIR_4_2;
	for (int i = 0; i < data->n_layers; i++)
		s->display[i] = i;
	ui_layout_compute(&s->layout, rows, cols, data->n_layers);
	rerank(s);
	set_step(s, data->n_layers / 2);
	if (data->missing[0])
		ui_set_message(s, 0, "missing %s", data->missing);
	return 0;
}

static void dispatch_plan(struct ui_state *s, struct ui_action a)
{
	switch (a.kind) {
	case ACT_BUDGET_STEP:
		step_budget(s, a.a < 0 ? -1 : 1);
		break;
	case ACT_BUDGET_PAGE: {
		int page = s->data->n_layers / 10 > 1 ? s->data->n_layers / 10 : 1;
		step_budget(s, a.a < 0 ? -page : page);
		break;
	}
	case ACT_BUDGET_EDGE:
		set_budget(s, a.a < 0 ? s->budget_min : s->budget_max);
		break;
	case ACT_BUDGET_SET:
		ui_apply_budget_text(s, a.text ? a.text : "");
		break;
	case ACT_ORDER_NEXT:
		set_order(s, order_index(s->order) + (a.a < 0 ? -1 : 1), a.a < 0 ? -1 : 1);
		break;
	case ACT_ORDER_SET:
		set_order(s, order_index((enum order_kind)a.a), 0);
		break;
	case ACT_RESEED:
		s->seed = s->seed * 6364136223846793005ull + 1442695040888963407ull;
		if (s->order == ORDER_RANDOM)
			rerank(s);
		ui_set_message(s, 0, "random order seed %llu", (unsigned long long)(s->seed % 100000));
		break;
	case ACT_PAIR_NEXT:
		set_pair(s, (enum bit_pair)((s->pair + 1) % PAIR_COUNT));
		break;
	case ACT_METHOD_NEXT:
		next_method(s);
		break;
	case ACT_PIN:
		pin_selected(s, (enum ui_pin)clamp_int(a.a, PIN_NONE, PIN_LOW));
		break;
	case ACT_UNPIN_ALL:
		memset(s->pins, 0, sizeof s->pins);
		ui_replan(s);
		ui_set_message(s, 0, "all pins removed");
		break;
	default:
		break;
	}
}

static void dispatch_view(struct ui_state *s, struct ui_action a)
{
	int page = s->layout.body_h > 1 ? s->layout.body_h - 1 : 1;
	switch (a.kind) {
	case ACT_QUIT:
		s->quit = 1;
		break;
	case ACT_RESIZE:
		resize(s, a.a, a.b);
		break;
	case ACT_SELECT_ROW:
		s->sel_row += a.a;
		keep_selection_visible(s);
		break;
	case ACT_SELECT_PAGE:
		s->sel_row += a.a < 0 ? -page : page;
		keep_selection_visible(s);
		break;
	case ACT_SELECT_EDGE:
		s->sel_row = a.a < 0 ? 0 : s->data->n_layers - 1;
		keep_selection_visible(s);
		break;
	case ACT_SELECT_COL:
		s->sel_col += a.a;
		keep_selection_visible(s);
		if (s->sort == SORT_COLUMN && s->sel_col < HEAT_COLS &&
		    heat_column_available(s->data, (enum heat_column)s->sel_col)) {
			s->sort_column = s->sel_col;
			resort(s);
			keep_selection_visible(s);
		}
		break;
	case ACT_SCROLL:
		scroll_by(s, a.a);
		break;
	case ACT_SORT_TOGGLE:
		toggle_sort(s);
		break;
	case ACT_HEAT_SCALE_TOGGLE:
		s->heat_scale = s->heat_scale == SCALE_RANK ? SCALE_VALUE : SCALE_RANK;
		ui_set_message(s, 0, "heatmap colours by %s", s->heat_scale == SCALE_RANK
			       ? "rank among the layers" : "value (2nd..98th percentile)");
		break;
	case ACT_TOKEN_SCALE_TOGGLE:
		s->token_scale_per_layer = !s->token_scale_per_layer;
		ui_set_message(s, 0, "per-token map: %s", s->token_scale_per_layer
			       ? "each layer on its own scale (shows positions within a layer)"
			       : "one scale for all layers");
		break;
	case ACT_HELP_TOGGLE:
		s->help = !s->help;
		break;
	case ACT_MOUSE_PRESS:
	case ACT_MOUSE_DRAG:
		mouse_press(s, a.a, a.b, a.kind == ACT_MOUSE_DRAG);
		break;
	case ACT_MOUSE_RELEASE:
		s->dragging = 0;
		break;
	default:
		dispatch_plan(s, a);
		break;
	}
}

/* Actions that keep the last message on screen (it was the answer to the user). */
static int keeps_message(enum ui_action_kind k)
{
	return k == ACT_NONE || k == ACT_RESIZE || k == ACT_REDRAW || k == ACT_MOUSE_DRAG ||
	       k == ACT_MOUSE_RELEASE || k == ACT_EFFECT_DONE || k == ACT_HELP_TOGGLE;
}

struct ui_state ui_reduce(const struct ui_state *s, struct ui_action a)
{
	struct ui_state next = *s;
	next.effect = EFFECT_NONE;
	if (!keeps_message(a.kind))
		next.message[0] = '\0';
	if (a.kind >= ACT_PROMPT_OPEN && a.kind <= ACT_PROMPT_CANCEL)
		ui_reduce_prompt(&next, a);
	else if (a.kind == ACT_EFFECT_DONE)
		ui_effect_done(&next, a);
	else
		dispatch_view(&next, a);
	return next;
}

/* ---- what changed ------------------------------------------------------------------------ */

#define SAME_ARRAY(field, n) (memcmp(a->field, b->field, (size_t)(n) * sizeof a->field[0]) == 0)

unsigned ui_changed_views(const struct ui_state *a, const struct ui_state *b)
{
	int n = a->data->n_layers;
	if (a->data != b->data || memcmp(&a->layout, &b->layout, sizeof a->layout) != 0 ||
	    a->help != b->help)
		return VIEW_ALL;
	unsigned v = 0;
	int rows_moved = !SAME_ARRAY(display, n) || a->scroll != b->scroll ||
			 a->sel_row != b->sel_row;
	int plan_moved = !SAME_ARRAY(bits, n) || !SAME_ARRAY(pins, n);
	if (rows_moved || plan_moved || a->sel_col != b->sel_col || a->sort != b->sort ||
	    a->sort_column != b->sort_column || a->heat_scale != b->heat_scale)
		v |= VIEW_HEAT | VIEW_SLIDER;
	if (rows_moved || a->sel_col != b->sel_col ||
	    a->token_scale_per_layer != b->token_scale_per_layer)
		v |= VIEW_TOKENS;
	if (a->budget != b->budget || a->order != b->order || a->pair != b->pair ||
	    plan_moved || a->predicted_ppl != b->predicted_ppl ||
	    strcmp(a->method, b->method) != 0 ||
	    memcmp(&a->prompt, &b->prompt, sizeof a->prompt) != 0 ||
	    strcmp(a->message, b->message) != 0 || a->message_is_error != b->message_is_error)
		v |= VIEW_SLIDER;
	/* The prompt and long messages cover the curve's bottom line. */
	if (a->avg_bits != b->avg_bits || a->order != b->order || a->pair != b->pair ||
	    strcmp(a->method, b->method) != 0 || a->prompt.kind != b->prompt.kind || strcmp(a->message, b->message) != 0)
		v |= VIEW_CURVE;
	if (a->plan_bytes != b->plan_bytes || a->scroll != b->scroll)
		v |= VIEW_STATUS;
	return v;
}

void ui_fill_plan(const struct ui_state *s, struct bit_plan *plan)
{
	const struct explorer_data *d = s->data;
	int levels[3];
	int n_levels = bit_pair_levels(s->pair, levels);
	for (int i = 0; i < d->n_layers && i < plan->n_layers; i++)
		plan->bits[i] = s->bits[i];
	plan->group_size = d->group_size;
	plan->low_bits = levels[0];
	plan->high_bits = levels[n_levels - 1];
	plan->mid_bits = n_levels == 3 ? levels[1] : 0;
	/* as lwq plan --pin writes it: the order's name, and the pinned layers listed */
	for (int i = 0; plan->pinned && i < d->n_layers && i < plan->n_layers; i++)
		plan->pinned[i] = s->pins[i] != PIN_NONE;
	ui_order_label(s, plan->order, sizeof plan->order);
	snprintf(plan->model_name, sizeof plan->model_name, "%s", d->model_name);
	plan->model_params = d->total_params;
}
