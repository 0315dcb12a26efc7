/* test_ui_state.c: the explorer's reducer on synthetic models, against slow reference plans. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "heat_columns.h"
#include "units.h"
#include "tap.h"
#include "ui_state.h"

static struct ui_state act(const struct ui_state *s, enum ui_action_kind kind, int a, int b)
{
	return ui_reduce(s, (struct ui_action){ .kind = kind, .a = a, .b = b });
}

static struct ui_state type_text(const struct ui_state *s, const char *text)
{
	struct ui_state t = *s;
	for (const char *p = text; *p; p++)
		t = act(&t, ACT_PROMPT_CHAR, (unsigned char)*p, 0);
	return t;
}

static int count_bits(const struct ui_state *s, int bits)
{
	int n = 0;
	for (int i = 0; i < s->data->n_layers; i++)
		n += s->bits[i] == bits;
	return n;
}

/* Reference ranking by a score, written as a plain selection sort (larger first when
   descending; ties keep the lower layer first). */
static void reference_ranking(const float *score, int n, int descending, int *ranking)
{
	int used[UI_MAX_LAYERS] = { 0 };
	for (int r = 0; r < n; r++) {
		int best = -1;
		for (int i = 0; i < n; i++) {
			if (used[i])
				continue;
			if (best < 0 || (descending ? score[i] > score[best] : score[i] < score[best]))
				best = i;
		}
		used[best] = 1;
		ranking[r] = best;
	}
}

/* docs/method.md 3 in floating point: n_hi = floor((M - M_lo) / (M_hi - M_lo) * N). */
static int reference_n_high(const struct explorer_data *d, int64_t budget, int lo, int hi)
{
	double fixed = (double)fixed_bytes(&d->cfg);
	double m_lo = fixed + d->n_layers * (double)layer_bytes_rtn(&d->cfg, lo, d->group_size);
	double m_hi = fixed + d->n_layers * (double)layer_bytes_rtn(&d->cfg, hi, d->group_size);
	double k = floor(((double)budget - m_lo) / (m_hi - m_lo) * d->n_layers + 1e-9);
	return k < 0 ? 0 : k > d->n_layers ? d->n_layers : (int)k;
}

/* The high layers are exactly the first n_high of the reference ranking. */
static int plan_follows(const struct ui_state *s, const int *ranking, int high_bits)
{
	for (int r = 0; r < s->data->n_layers; r++)
		if ((s->bits[ranking[r]] == high_bits) != (r < s->n_high))
			return 0;
	return 1;
}

static void test_slider(const struct explorer_data *d)
{
	struct ui_state s;
	ok(ui_state_init(&s, d, 24, 80, NULL) == 0, "init 16 layers");
	ok(s.n_high == 8 && count_bits(&s, 4) == 8 && count_bits(&s, 2) == 8,
	   "starts with half the layers high (%d)", s.n_high);
	int lim_rank[UI_MAX_LAYERS];
	reference_ranking(d->lim, d->n_layers, 1, lim_rank);
	int monotone = 1, matches = 1, follows = 1;
	for (int k = 0; k < 20; k++) {
		struct ui_state t = act(&s, ACT_BUDGET_STEP, +1, 0);
		int want = s.n_high < d->n_layers ? s.n_high + 1 : s.n_high;
		monotone &= t.n_high == want && t.budget >= s.budget;
		matches &= t.n_high == reference_n_high(d, t.budget, 2, 4);
		follows &= plan_follows(&t, lim_rank, 4);
		s = t;
	}
	ok(monotone, "each step up adds one high layer, budget never falls");
	ok(matches, "n_high equals floor((M-Mlo)/(Mhi-Mlo)*N) at every step");
	ok(follows, "high layers are the top of the LIM ranking");
	ok(s.n_high == d->n_layers && s.budget == s.budget_max, "stops at the top (all high)");
	struct ui_state t = act(&s, ACT_BUDGET_STEP, +1, 0);
	ok(t.budget == s.budget && t.n_high == s.n_high, "step past the top is a no-op");
	ok(s.plan_bytes == s.budget_max, "all-high plan size equals the range top");
	for (int k = 0; k < 40; k++)
		s = act(&s, ACT_BUDGET_STEP, -1, 0);
	ok(s.n_high == 0 && s.budget == s.budget_min && s.plan_bytes == s.budget_min,
	   "steps down to all low");
	t = act(&s, ACT_BUDGET_STEP, -1, 0);
	ok(t.budget == s.budget, "step past the bottom is a no-op");
	s = act(&s, ACT_BUDGET_PAGE, +1, 0);
	ok(s.n_high == 1, "page up on 16 layers = %d steps (want 1)", s.n_high);
	s = act(&s, ACT_BUDGET_EDGE, +1, 0);
	ok(s.n_high == 16, "edge: all high");
	ok(close_rel(s.avg_bits, 4.0, 1e-12), "avg bits 4 at the top");
}

static void test_typed_budget(const struct explorer_data *d)
{
	struct ui_state s, t;
	ui_state_init(&s, d, 24, 80, NULL);
	t = ui_reduce(&s, (struct ui_action){ .kind = ACT_BUDGET_SET, .text = "3.25" });
	ok(t.n_high == 10 && !t.message_is_error, "3.25 bits -> 10 of 16 high (%d)", t.n_high);
	ok(t.avg_bits <= 3.25 + 1e-12, "average within typed bits (%.4f)", t.avg_bits);
	t = ui_reduce(&s, (struct ui_action){ .kind = ACT_BUDGET_SET, .text = "2.5 bits" });
	ok(t.n_high == 4, "'2.5 bits' -> 4 high");
	t = ui_reduce(&s, (struct ui_action){ .kind = ACT_BUDGET_SET, .text = "5" });
	ok(t.message_is_error && t.budget == s.budget && strstr(t.message, "outside"),
	   "5 bits on a 4/2 pair rejected: %s", t.message);
	t = ui_reduce(&s, (struct ui_action){ .kind = ACT_BUDGET_SET, .text = "lots" });
	ok(t.message_is_error && t.budget == s.budget, "garbage rejected: %s", t.message);
	char text[64];
	int64_t step = layer_bytes_rtn(&d->cfg, 4, d->group_size) -
		       layer_bytes_rtn(&d->cfg, 2, d->group_size);
	snprintf(text, sizeof text, "%lld", (long long)(s.budget_min + 3 * step + step / 2));
	t = ui_reduce(&s, (struct ui_action){ .kind = ACT_BUDGET_SET, .text = text });
	ok(t.n_high == 3 && t.budget == s.budget_min + 3 * step + step / 2,
	   "bytes between steps kept exactly, 3 high");
	t = act(&t, ACT_BUDGET_STEP, -1, 0);
	ok(t.n_high == 3 && t.budget == s.budget_min + 3 * step,
	   "first step down from a typed budget lands on its step");
	snprintf(text, sizeof text, "%lld", (long long)(s.budget_min - 1));
	t = ui_reduce(&s, (struct ui_action){ .kind = ACT_BUDGET_SET, .text = text });
	ok(t.message_is_error && strstr(t.message, "below"), "below all-low rejected: %s",
	   t.message);
	t = ui_reduce(&s, (struct ui_action){ .kind = ACT_BUDGET_SET, .text = "10GiB" });
	ok(!t.message_is_error && t.n_high == 16 && t.budget == t.budget_max,
	   "10GiB clamps to all high");
	char cap_note[96], max_text[32];
	snprintf(cap_note, sizeof cap_note, "fits at all-high, %s",
		 format_size((double)t.budget_max, max_text, sizeof max_text));
	ok(strstr(t.message, cap_note) && strstr(t.message, "capped") && strlen(t.message) <= 80,
	   "capped budget names the all-high size in 80 columns: %s", t.message);
	double mib = (double)(s.budget_min + 5 * step) / 1048576.0;
	snprintf(text, sizeof text, "%.6fMiB", mib + 1e-6);
	t = ui_reduce(&s, (struct ui_action){ .kind = ACT_BUDGET_SET, .text = text });
	ok(t.n_high == 5, "'%s' -> 5 high (%d)", text, t.n_high);
}

/* Summed measured KLD of the state's plan (widths 2 and 4 at columns 0 and 2). */
static double plan_cost(const struct explorer_data *d, const struct ui_state *s)
{
	double sum = 0;
	for (int i = 0; i < d->n_layers; i++)
		sum += d->measured[i * d->n_measured + (s->bits[i] == 2 ? 0 : 2)];
	return sum;
}

/* The optimal order: at every slider step its plan fits the budget and costs no more
   measured KLD than the LIM plan at the same budget (both are 4/2 plans). */
static void check_optimal(const struct explorer_data *d)
{
	struct ui_state lim, opt;
	ui_state_init(&lim, d, 24, 80, NULL);
	lim = act(&lim, ACT_BUDGET_EDGE, -1, 0);
	int good = 1, strictly = 0;
	for (int k = 0; k < 20; k++) {
		opt = act(&lim, ACT_ORDER_SET, ORDER_OPTIMAL, 0);
		double a = plan_cost(d, &lim), b = plan_cost(d, &opt);
		good &= opt.budget == lim.budget && opt.plan_bytes <= opt.budget && b <= a + 1e-12;
		strictly |= b < a - 1e-9;
		lim = act(&lim, ACT_BUDGET_STEP, +1, 0);
	}
	ok(good && strictly, "optimal: within every step's budget, never more measured KLD than "
	   "LIM at the same budget (less at some)");
	opt = act(&lim, ACT_ORDER_SET, ORDER_MEASURED, 0);
	ok(!opt.message_is_error && strstr(opt.message, "Spearman with measured: LIM"),
	   "measured order says the rank correlations: %s", opt.message);
	struct explorer_data *g = (struct explorer_data *)d;
	g->target = SIZE_GGUF;
	struct ui_state t;
	ui_state_init(&t, d, 24, 80, NULL);
	struct bit_plan view = { .n_layers = d->n_layers, .bits = t.bits };
	int high[UI_MAX_LAYERS];
	for (int i = 0; i < d->n_layers; i++)
		high[i] = 4;
	struct bit_plan all4 = { .n_layers = d->n_layers, .bits = high };
	ok(t.plan_bytes == plan_bytes_for(&d->cfg, SIZE_GGUF, &view) &&
	   t.plan_bytes != plan_bytes(&d->cfg, &view) &&
	   t.budget_max == plan_bytes_for(&d->cfg, SIZE_GGUF, &all4),
	   "--target gguf: the plan's size and the top of the slider are GGUF tensor bytes");
	g->target = SIZE_LWQ;
}

static void test_orders_and_pairs(const struct explorer_data *d)
{
	struct ui_state s;
	ui_state_init(&s, d, 24, 80, NULL);
	static const char *const names[] = { "zd", "zd-inverse", "reverse-lim", "random",
					     "measured", "optimal", "lim" };
	int cycle_ok = 1;
	for (int i = 0; i < 7; i++) {
		s = act(&s, ACT_ORDER_NEXT, +1, 0);
		cycle_ok &= strcmp(ui_order_name(s.order), names[i]) == 0;
	}
	ok(cycle_ok, "o cycles lim -> zd -> zd-inverse -> reverse-lim -> random -> measured -> "
	   "optimal -> lim");
	check_optimal(d);
	int rank[UI_MAX_LAYERS];
	s = act(&s, ACT_ORDER_SET, ORDER_REVERSE_LIM, 0);
	reference_ranking(d->lim, d->n_layers, 0, rank);
	ok(plan_follows(&s, rank, 4), "reverse-lim keeps the lowest LIM layers high");
	s = act(&s, ACT_ORDER_SET, ORDER_ZD_INVERSE, 0);
	reference_ranking(d->zd, d->n_layers, 0, rank);
	ok(plan_follows(&s, rank, 4), "zd-inverse keeps the lowest ZD layers high");
	s = act(&s, ACT_ORDER_SET, ORDER_RANDOM, 0);
	struct ui_state t = act(&s, ACT_RESEED, 0, 0);
	ok(t.n_high == s.n_high && memcmp(t.ranking, s.ranking, sizeof s.ranking) != 0,
	   "reseed changes the random ranking, not the count");
	s = act(&s, ACT_ORDER_SET, ORDER_LIM, 0);

	s = act(&s, ACT_PAIR_NEXT, 0, 0);
	ok(count_bits(&s, 8) == 8 && count_bits(&s, 4) == 8, "8/4 pair keeps half high");
	s = act(&s, ACT_PAIR_NEXT, 0, 0);
	ok(count_bits(&s, 2) + count_bits(&s, 4) + count_bits(&s, 8) == 16, "8/4/2 widths only");
	int steps = 0;
	s = act(&s, ACT_BUDGET_EDGE, -1, 0);
	while (steps < 100) {
		struct ui_state n = act(&s, ACT_BUDGET_STEP, +1, 0);
		if (n.budget == s.budget)
			break;
		s = n;
		steps++;
	}
	ok(steps == 32 && count_bits(&s, 8) == 16, "three widths: 32 steps to all 8-bit (%d)",
	   steps);
	s = act(&s, ACT_PAIR_NEXT, 0, 0);
	ok(s.pair == PAIR_4_2 && s.n_high == 16, "pair wraps to 4/2 keeping the slider position");
}

static void test_pins(const struct explorer_data *d)
{
	struct ui_state s;
	ui_state_init(&s, d, 24, 80, NULL);
	int rank[UI_MAX_LAYERS];
	reference_ranking(d->lim, d->n_layers, 1, rank);
	int weakest = rank[d->n_layers - 1], strongest = rank[0];
	s = act(&s, ACT_SELECT_EDGE, -1, 0);
	s = act(&s, ACT_SELECT_ROW, weakest, 0);
	ok(ui_selected_layer(&s) == weakest && s.bits[weakest] == 2, "weakest layer starts low");
	int64_t budget = s.budget;
	s = act(&s, ACT_PIN, PIN_HIGH, 0);
	ok(s.bits[weakest] == 4 && s.budget == budget && s.n_high == 8,
	   "pinned high: layer high, budget kept, one free layer less high");
	ok(s.bits[rank[7]] == 2 && s.bits[rank[6]] == 4, "the last free high layer made room");
	s = act(&s, ACT_SELECT_ROW, strongest - weakest, 0);
	s = act(&s, ACT_PIN, PIN_LOW, 0);
	ok(s.bits[strongest] == 2 && s.bits[weakest] == 4, "pinned low: strongest layer low");
	s = act(&s, ACT_BUDGET_EDGE, +1, 0);
	ok(s.bits[strongest] == 2 && s.n_high == 15, "all-high budget respects the low pin");
	s = act(&s, ACT_BUDGET_EDGE, -1, 0);
	ok(s.bits[weakest] == 4 && s.n_high == 1, "all-low budget respects the high pin");
	budget = s.budget;
	s = act(&s, ACT_UNPIN_ALL, 0, 0);
	ok(s.budget == budget && s.bits[weakest] == 2 && s.bits[strongest] == 4 && s.n_high == 1,
	   "unpin all: same budget buys the strongest layer instead");
	struct bit_plan *plan = bit_plan_new(d->n_layers);
	s = act(&s, ACT_PIN, PIN_LOW, 0);
	ui_fill_plan(&s, plan);
	ok(plan->bits[strongest] == 2 && strcmp(plan->order, "lim") == 0 &&
	   plan->group_size == d->group_size, "exported plan carries the pinned bits and "
	   "the order, as lwq plan --pin writes them");
	int pins_listed = 0;
	for (int i = 0; i < d->n_layers; i++)
		pins_listed += plan->pinned[i] == (i == strongest);
	ok(pins_listed == d->n_layers, "... and marks the pinned layer, only it");
	bit_plan_free(plan);
}

static void test_table(const struct explorer_data *d, const struct explorer_data *big)
{
	struct ui_state s;
	ui_state_init(&s, d, 24, 80, NULL);
	s = act(&s, ACT_SELECT_ROW, 5, 0);
	s = act(&s, ACT_SORT_TOGGLE, 0, 0);
	int sorted = 1;
	for (int r = 1; r < d->n_layers; r++)
		sorted &= d->lim[s.display[r - 1]] >= d->lim[s.display[r]];
	ok(sorted && s.sort == SORT_COLUMN, "sort by LIM, largest first");
	ok(ui_selected_layer(&s) == 5, "selection stays on layer 5 after sorting");
	s = act(&s, ACT_SELECT_COL, 1, 0);
	sorted = 1;
	for (int r = 1; r < d->n_layers; r++)
		sorted &= d->zd[s.display[r - 1]] >= d->zd[s.display[r]];
	ok(sorted, "moving the cursor to ZD re-sorts by ZD");
	s = act(&s, ACT_SORT_TOGGLE, 0, 0);
	ok(s.sort == SORT_LAYER && s.display[3] == 3, "back to layer order");

	ui_state_init(&s, big, 24, 80, NULL);
	int h = s.layout.body_h;
	ok(h > 0 && h < 128, "128 layers at 80x24 show %d rows", h);
	s = act(&s, ACT_SELECT_EDGE, +1, 0);
	ok(s.sel_row == 127 && s.scroll == 128 - h, "End scrolls to the last layer");
	s = act(&s, ACT_SELECT_PAGE, -1, 0);
	ok(s.sel_row == 127 - (h - 1) && s.scroll <= s.sel_row, "page up");
	struct ui_state before = s;
	s = act(&s, ACT_SCROLL, -1000, 0);
	ok(s.scroll == 0 && s.sel_row < h, "wheel scroll clamps at the top, selection follows");
	ok(ui_changed_views(&before, &s) & VIEW_STATUS, "scrolling redraws the status (rows shown)");
	s = act(&s, ACT_SELECT_EDGE, +1, 0);
	s = act(&s, ACT_RESIZE, 48, 160);
	ok(s.layout.body_h > h && s.scroll == 128 - s.layout.body_h,
	   "resize to 160x48: more rows, still at the bottom");
	s = act(&s, ACT_SELECT_COL, 1000, 0);
	ok(s.sel_col == HEAT_COLS + s.layout.tok_w - 1, "cursor runs into the token map");
	struct ui_state small = act(&s, ACT_RESIZE, 5, 20);
	ok(!small.layout.usable, "5x20 is marked too small");
	s = act(&small, ACT_RESIZE, 24, 80);
	ok(s.layout.usable && s.sel_row >= s.scroll && s.sel_row < s.scroll + s.layout.body_h &&
	   s.sel_col < HEAT_COLS + s.layout.tok_w, "back to 80x24: selection visible");
	int step_ok = 1;
	for (int k = 0; k < 140; k++) {
		struct ui_state t = act(&s, ACT_BUDGET_STEP, +1, 0);
		step_ok &= t.n_high == reference_n_high(big, t.budget, 2, 4);
		s = t;
	}
	ok(step_ok && s.n_high == 128, "128 layers: every step matches the reference");
}

static void test_prompt(const struct explorer_data *d)
{
	struct ui_state s;
	ui_state_init(&s, d, 24, 80, NULL);
	s = act(&s, ACT_PROMPT_OPEN, PROMPT_BUDGET, 0);
	s = type_text(&s, "3.x5");
	s = act(&s, ACT_PROMPT_LEFT, 0, 0);
	s = act(&s, ACT_PROMPT_BACKSPACE, 0, 0);
	s = act(&s, ACT_PROMPT_CHAR, '2', 0);
	ok(strcmp(s.prompt.text, "3.25") == 0 && s.prompt.cursor == 3, "edit: '%s'",
	   s.prompt.text);
	s = act(&s, ACT_PROMPT_SUBMIT, 0, 0);
	ok(s.prompt.kind == PROMPT_NONE && s.n_high == 10, "typed 3.25 applied");
	s = act(&s, ACT_PROMPT_OPEN, PROMPT_BUDGET, 0);
	s = type_text(&s, "12 parsecs");
	s = act(&s, ACT_PROMPT_SUBMIT, 0, 0);
	ok(s.prompt.kind == PROMPT_BUDGET && s.message_is_error, "bad budget keeps the prompt open");
	s = act(&s, ACT_PROMPT_CANCEL, 0, 0);
	ok(s.prompt.kind == PROMPT_NONE && s.n_high == 10, "cancel leaves the plan alone");
	s = act(&s, ACT_PROMPT_OPEN, PROMPT_EXPORT_MODEL, 0);
	ok(s.prompt.kind == PROMPT_NONE && strstr(s.message, "not available"),
	   "model export without a hook: %s", s.message);
}

static int fake_export(void *ctx, const struct export_request *req, struct lwq_err *err)
{
	(void)ctx, (void)req, (void)err;
	return 0;
}

static void test_export_flow(struct explorer_data *d)
{
	d->hooks.export_plan = fake_export;
	struct ui_state s;
	ui_state_init(&s, d, 24, 80, NULL);
	s = act(&s, ACT_PROMPT_OPEN, PROMPT_EXPORT_PLAN, 0);
	ok(strcmp(s.prompt.text, "synthetic-16L-3.00bit.json") == 0, "default name '%s'",
	   s.prompt.text);
	s = act(&s, ACT_PROMPT_KILL, 0, 0);
	s = type_text(&s, "p.json");
	s = act(&s, ACT_PROMPT_SUBMIT, 0, 0);
	ok(s.effect == EFFECT_EXPORT_PLAN && !s.effect_overwrite &&
	   strcmp(s.effect_path, "p.json") == 0, "submit asks the loop to export");
	struct ui_state t = act(&s, ACT_NONE, 0, 0);
	ok(t.effect == EFFECT_NONE, "an effect is requested once");
	s = ui_reduce(&s, (struct ui_action){ .kind = ACT_EFFECT_DONE, .a = 1 });
	ok(s.prompt.kind == PROMPT_OVERWRITE, "existing file: asks to overwrite");
	t = act(&s, ACT_PROMPT_CHAR, 'n', 0);
	ok(t.prompt.kind == PROMPT_NONE && t.effect == EFFECT_NONE, "'n' writes nothing");
	s = act(&s, ACT_PROMPT_CHAR, 'y', 0);
	ok(s.effect == EFFECT_EXPORT_PLAN && s.effect_overwrite, "'y' overwrites");
	s = ui_reduce(&s, (struct ui_action){ .kind = ACT_EFFECT_DONE, .a = -1,
					     .text = "p.json: Permission denied" });
	ok(s.message_is_error && strstr(s.message, "Permission"), "failure shown");
	d->hooks.export_plan = NULL;
}

static void test_views_and_mouse(const struct explorer_data *d)
{
	struct ui_state s;
	ui_state_init(&s, d, 24, 80, NULL);
	struct ui_state t = act(&s, ACT_SELECT_ROW, 1, 0);
	unsigned v = ui_changed_views(&s, &t);
	ok((v & VIEW_HEAT) && (v & VIEW_TOKENS) && !(v & VIEW_CURVE) && !(v & VIEW_STATUS),
	   "moving the cursor redraws heat, tokens, value line only");
	t = act(&s, ACT_BUDGET_STEP, 1, 0);
	v = ui_changed_views(&s, &t);
	ok((v & VIEW_SLIDER) && (v & VIEW_HEAT) && (v & VIEW_STATUS) && !(v & VIEW_TOKENS),
	   "a budget step redraws slider, plan column, status");
	ok(ui_changed_views(&s, &s) == 0, "nothing changed, nothing drawn");
	t = act(&s, ACT_SCROLL, 1, 0);
	ok(t.scroll == s.scroll, "16 rows fit: nothing to scroll");
	const struct ui_layout *l = &s.layout;
	t = act(&s, ACT_MOUSE_PRESS, l->bottom_y, l->track_x);
	ok(t.n_high == 0 && t.dragging, "click at the left end of the slider: all low");
	t = act(&t, ACT_MOUSE_DRAG, l->bottom_y + 3, l->track_x + l->track_w - 1);
	ok(t.n_high == 16, "drag to the right end: all high");
	t = act(&t, ACT_MOUSE_RELEASE, 0, 0);
	t = act(&t, ACT_MOUSE_DRAG, l->bottom_y, l->track_x);
	ok(t.n_high == 16 && !t.dragging, "motion after release does nothing");
	t = act(&s, ACT_MOUSE_PRESS, l->body_y + 4, l->col_x[COL_ZD_V] + 1);
	ok(t.sel_row == 4 && t.sel_col == COL_ZD_V, "click on a cell selects it");
	ok(s.predicted_ppl > 0 && close_rel(s.predicted_ppl, d->sweeps[0].ppl[8], 1e-6),
	   "predicted ppl read off the lim sweep (%.3f)", s.predicted_ppl);
}

/* Copies curve src of d as the same order under another quantizer, ppl scaled. */
static void add_method_sweep(struct explorer_data *d, int src, const char *method, double f)
{
	char name[128];
	snprintf(name, sizeof name, "%s@%s", d->sweeps[src].order, method);
	int n = d->sweeps[src].n_points;
	struct sweep_curve *c = explorer_data_add_sweep(d, name, n);
	const struct sweep_curve *o = &d->sweeps[src]; /* after the realloc */
	snprintf(c->method, sizeof c->method, "%s", method);
	c->high_bits = o->high_bits;
	c->low_bits = o->low_bits;
	c->group_size = o->group_size;
	for (int k = 0; k < n; k++) {
		c->n_low[k] = o->n_low[k];
		c->avg_bits[k] = o->avg_bits[k];
		c->bytes[k] = o->bytes[k];
		c->ppl[k] = (float)(o->ppl[k] * f);
	}
}

static void test_method(void)
{
	struct explorer_data *d = explorer_data_synthetic(16, 512, 7);
	struct ui_state s;
	ui_state_init(&s, d, 24, 80, NULL);
	char name[96];
	ok(strcmp(s.method, "rtn") == 0 && strcmp(ui_curve_name(&s, name, sizeof name), "lim") == 0,
	   "starts on rtn: the lim curve");
	struct ui_state t = act(&s, ACT_METHOD_NEXT, 0, 0);
	ok(strcmp(t.method, "rtn") == 0 && t.predicted_ppl == s.predicted_ppl &&
	   strstr(t.message, "only rtn sweeps") != NULL,
	   "only rtn sweeps: m changes nothing and says why (%s)", t.message);
	ok(ui_changed_views(&s, &t) == VIEW_SLIDER + VIEW_CURVE, "only the message is redrawn");

	double lim_ppl = s.predicted_ppl;
	add_method_sweep(d, 0, "gptq", 0.5); /* lim@gptq */
	add_method_sweep(d, 1, "awq", 0.25); /* zd@awq: a third method without a lim curve */
	ui_state_init(&s, d, 24, 80, NULL);
	ok(close_rel(s.predicted_ppl, lim_ppl, 1e-9), "rtn prediction unchanged by other methods");
	t = act(&s, ACT_METHOD_NEXT, 0, 0);
	ok(strcmp(t.method, "gptq") == 0 &&
	   strcmp(ui_curve_name(&t, name, sizeof name), "lim@gptq") == 0,
	   "m: gptq, curve lim@gptq");
	ok(close_rel(t.predicted_ppl, lim_ppl * 0.5, 1e-6),
	   "predicted ppl read off the gptq curve (%.3f vs rtn %.3f)", t.predicted_ppl, lim_ppl);
	unsigned v = ui_changed_views(&s, &t);
	ok((v & VIEW_SLIDER) && (v & VIEW_CURVE), "method change redraws slider and curve");
	struct ui_state u = act(&t, ACT_BUDGET_STEP, -1, 0);
	ok(strcmp(u.method, "gptq") == 0 && u.predicted_ppl > t.predicted_ppl,
	   "budget step keeps the method; ppl follows the gptq curve");
	u = act(&t, ACT_METHOD_NEXT, 0, 0);
	ok(strcmp(u.method, "awq") == 0 && u.predicted_ppl == 0,
	   "m again: awq, no lim@awq curve so no prediction");
	u = act(&u, ACT_ORDER_SET, ORDER_ZD, 0);
	ok(u.predicted_ppl > 0 && strcmp(ui_curve_name(&u, name, sizeof name), "zd@awq") == 0,
	   "order zd under awq predicts from zd@awq");
	u = act(&u, ACT_METHOD_NEXT, 0, 0);
	ok(strcmp(u.method, "rtn") == 0, "m cycles back to rtn");
	ok(act(&s, ACT_METHOD_NEXT, 0, 0).predicted_ppl == t.predicted_ppl, "the reducer is pure");
	explorer_data_free(d);
}

/* The curve block at every terminal size: its borders on screen, the plot area inside
   them, and every point the views can ask for (ends, outside, NaN, inf) in the plot or
   refused. */
static int curve_layout_ok(int rows, int cols, int n_layers)
{
	struct ui_layout l;
	ui_layout_compute(&l, rows, cols, n_layers);
	if (!l.usable || l.curve_w == 0)
		return !l.usable || cols < 70;
	int block_end = l.bottom_y + l.bottom_h;
	if (l.curve_x - 1 != l.slider_w || l.curve_x + l.curve_w != cols - 1 ||
	    l.plot_x < l.curve_x || l.plot_x + l.plot_w > l.curve_x + l.curve_w ||
	    l.plot_y <= l.bottom_y || l.plot_y + l.plot_h >= block_end ||
	    block_end > l.status_y || l.plot_w < 2 || l.plot_h < 2)
		return 0;
	const double f[] = { 0, 1e-12, 0.25, 0.5, 0.999999, 1, 1 + 1e-12, -0.01, 1.01,
			     NAN, INFINITY, -INFINITY };
	const int n = sizeof f / sizeof f[0];
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++) {
			int row = -1, col = -1;
			int in = f[i] >= 0 && f[i] <= 1 && f[j] >= 0 && f[j] <= 1;
			int rc = ui_layout_plot_cell(&l, f[i], f[j], &row, &col);
			if (rc == 0 && (row < l.plot_y || row >= l.plot_y + l.plot_h ||
					col < l.plot_x || col >= l.plot_x + l.plot_w))
				return 0;
			if (in && rc != 0)
				return 0;
			if (!in && rc == 0 && !(fabs(f[i] - 1) < 1e-9 || fabs(f[j] - 1) < 1e-9))
				return 0;
		}
	int row, col;
	ui_layout_plot_cell(&l, 1, 1, &row, &col);
	return row == l.plot_y && col == l.plot_x + l.plot_w - 1;
}

static void test_curve_layout(void)
{
	int bad = 0, checked = 0;
	for (int rows = UI_MIN_ROWS; rows <= 90; rows++)
		for (int cols = UI_MIN_COLS; cols <= 300; cols++)
			for (int n = 1; n <= 256; n *= 4) {
				checked++;
				if (!curve_layout_ok(rows, cols, n) && bad++ < 3)
					printf("#   bad curve layout at %dx%d, %d layers\n", cols, rows, n);
			}
	ok(bad == 0, "curve plot inside its frame at every size (%d layouts checked)", checked);
}

static void test_missing_scores(void)
{
	struct explorer_data *d = explorer_data_synthetic(8, 0, 3);
	free(d->lim);
	d->lim = NULL;
	struct ui_state s;
	ui_state_init(&s, d, 24, 80, NULL);
	ok(s.order == ORDER_ZD, "no LIM: starts on the ZD order");
	s = act(&s, ACT_ORDER_SET, ORDER_LIM, 0);
	ok(s.order == ORDER_ZD && s.message_is_error && strstr(s.message, "run lwq capture, then lwq score"),
	   "asking for LIM without activations says capture comes first: %s", s.message);
	ok(isnan(heat_value(d, COL_LIM, 0, NULL)) && !isnan(heat_value(d, COL_ZD, 0, NULL)),
	   "missing column is NaN, others present");
	ok(ui_column_count(&s) == HEAT_COLS, "no activations: no token columns");
	explorer_data_free(d);
}

int main(void)
{
	struct explorer_data *d = explorer_data_synthetic(16, 2048, 7);
	struct explorer_data *big = explorer_data_synthetic(128, 4096, 11);
	test_slider(d);
	test_typed_budget(d);
	test_orders_and_pairs(d);
	test_pins(d);
	test_table(d, big);
	test_prompt(d);
	test_export_flow(d);
	test_views_and_mouse(d);
	test_curve_layout();
	test_missing_scores();
	test_method();
	explorer_data_free(d);
	explorer_data_free(big);
	return tap_done();
}
