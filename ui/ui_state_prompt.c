/* ui_state_prompt.c: the reducer's one-line prompt: editing, typed budgets, export requests. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "units.h"
#include "ui_state_internal.h"

/* ---- typed budgets ---------------------------------------------------------------------- */

/* The planner's own average-bits mode picks the plan; the budget becomes its size. */
static void budget_from_bits(struct ui_state *s, double bits)
{
	const struct explorer_data *d = s->data;
	int pin_bits[UI_MAX_LAYERS], bits_out[UI_MAX_LAYERS];
	struct plan_request req = ui_plan_request(d, s->pair, s->pins, pin_bits);
	struct bit_plan plan = { .n_layers = d->n_layers, .bits = bits_out,
				 .group_size = d->group_size };
	struct lwq_err err = { "" };
	int rc;
	if (s->order == ORDER_OPTIMAL) {
		struct optimize_request opt = ui_optimize_request(d, s->pair, pin_bits);
		rc = opt.n_widths ? plan_optimize_avg_bits(&d->cfg, &opt, bits, &plan, NULL, &err)
				  : lwq_err_set(&err, "the pair's widths were not all measured");
	} else {
		rc = plan_from_avg_bits(&d->cfg, s->ranking, bits, &req, &plan, &err);
	}
	if (rc != 0) {
		ui_set_message(s, 1, "budget: %s", err.msg);
		return;
	}
	s->budget = plan_bytes_for(&d->cfg, d->target, &plan);
	ui_replan(s);
	char size[32];
	ui_set_message(s, 0, "budget %g bits = %s", bits,
		       format_size((double)s->budget, size, sizeof size));
}

static void budget_from_bytes(struct ui_state *s, double bytes)
{
	char want[32], limit[32];
	int levels[3];
	int n_levels = bit_pair_levels(s->pair, levels);
	format_size(bytes, want, sizeof want);
	if (bytes < (double)s->budget_min) {
		ui_set_message(s, 1, "budget %s is below the smallest plan (all %d-bit, %s)", want,
			       levels[0], format_size((double)s->budget_min, limit, sizeof limit));
		return;
	}
	if (bytes > (double)s->budget_max) {
		s->budget = s->budget_max;
		/* the same cap and note as lwq plan --budget, short enough for 80 columns */
		ui_set_message(s, 0, "budget %s: fits at all-high, %s (every layer %d-bit); capped",
			       want, format_size((double)s->budget_max, limit, sizeof limit),
			       levels[n_levels - 1]);
	} else {
		s->budget = (int64_t)floor(bytes);
		ui_set_message(s, 0, "budget %s", want);
	}
	ui_replan(s);
}

/* Splits "3.25bits" / "3.25 bit" into the number; returns 1 when the suffix was there. */
static int strip_bits_suffix(char *text)
{
	size_t n = strlen(text);
	static const char *const suffixes[] = { "bits", "bit" };
	for (int i = 0; i < 2; i++) {
		size_t k = strlen(suffixes[i]);
		if (n > k && strcasecmp(text + n - k, suffixes[i]) == 0) {
			text[n - k] = '\0';
			while (n - k > 0 && text[n - k - 1] == ' ')
				text[--n - k] = '\0';
			return 1;
		}
	}
	return 0;
}

/* A bare number up to 16 is average bits (no model is smaller than 16 bytes). */
#define BARE_BITS_LIMIT 16.0

void ui_apply_budget_text(struct ui_state *s, const char *text)
{
	char buf[UI_PROMPT_MAX];
	while (*text == ' ')
		text++;
	snprintf(buf, sizeof buf, "%s", text);
	for (size_t n = strlen(buf); n > 0 && buf[n - 1] == ' '; n--)
		buf[n - 1] = '\0';
	double v;
	if (strip_bits_suffix(buf)) {
		if (parse_double(buf, &v) == 0) {
			budget_from_bits(s, v);
			return;
		}
	} else if (parse_double(buf, &v) == 0 && v <= BARE_BITS_LIMIT) {
		budget_from_bits(s, v);
		return;
	} else if (parse_size(buf, &v) == 0) {
		budget_from_bytes(s, v);
		return;
	}
	ui_set_message(s, 1, "budget: '%s' is not a size (3.5GiB, 850MB) or average bits (3.25)",
		       text);
}

/* ---- the prompt ------------------------------------------------------------------------ */

static enum ui_effect effect_of(enum ui_prompt_kind k)
{
	return k == PROMPT_EXPORT_PLAN ? EFFECT_EXPORT_PLAN
	     : k == PROMPT_EXPORT_PNG ? EFFECT_EXPORT_PNG
	     : k == PROMPT_EXPORT_MODEL ? EFFECT_EXPORT_MODEL : EFFECT_NONE;
}

static const char *export_what(enum ui_prompt_kind k)
{
	return k == PROMPT_EXPORT_PLAN ? "plan JSON"
	     : k == PROMPT_EXPORT_PNG ? "heatmap figure" : "quantized model";
}

static int export_available(const struct ui_state *s, enum ui_prompt_kind k)
{
	const struct explorer_hooks *h = &s->data->hooks;
	return k == PROMPT_EXPORT_PLAN ? h->export_plan != NULL
	     : k == PROMPT_EXPORT_PNG ? h->export_png != NULL
	     : h->export_model != NULL;
}

/* "models/demo.h5" -> "demo" */
static void model_stem(const char *path, char *buf, size_t len)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	snprintf(buf, len, "%.100s", *base ? base : "model");
	char *dot = strrchr(buf, '.');
	if (dot && dot != buf)
		*dot = '\0';
}

void ui_default_export_name(const struct ui_state *s, enum ui_prompt_kind kind, char *buf,
			    int len)
{
	char stem[128];
	model_stem(s->data->path, stem, sizeof stem);
	const char *ext = kind == PROMPT_EXPORT_PLAN ? "json" : kind == PROMPT_EXPORT_PNG ? "png"
											    : "h5";
	snprintf(buf, (size_t)len, "%s-%.2fbit%s.%s", stem, s->avg_bits,
		 kind == PROMPT_EXPORT_MODEL ? "-q" : "", ext);
}

static void set_prompt_text(struct ui_prompt *p, const char *text)
{
	snprintf(p->text, sizeof p->text, "%s", text);
	p->len = (int)strlen(p->text);
	p->cursor = p->len;
}

static void open_prompt(struct ui_state *s, enum ui_prompt_kind kind)
{
	struct ui_prompt *p = &s->prompt;
	if (kind != PROMPT_BUDGET && !export_available(s, kind)) {
		ui_set_message(s, 1, "export %s: not available in this build", export_what(kind));
		return;
	}
	memset(p, 0, sizeof *p);
	p->kind = kind;
	if (kind != PROMPT_BUDGET) {
		char name[UI_PROMPT_MAX];
		ui_default_export_name(s, kind, name, sizeof name);
		set_prompt_text(p, name);
	}
}

static void insert_char(struct ui_prompt *p, int ch)
{
	if (ch < 0x20 || ch > 0x7e || p->len >= UI_PROMPT_MAX - 1)
		return;
	memmove(p->text + p->cursor + 1, p->text + p->cursor, (size_t)(p->len - p->cursor + 1));
	p->text[p->cursor++] = (char)ch;
	p->len++;
}

static void delete_at(struct ui_prompt *p, int pos)
{
	if (pos < 0 || pos >= p->len)
		return;
	memmove(p->text + pos, p->text + pos + 1, (size_t)(p->len - pos));
	p->len--;
	if (p->cursor > pos)
		p->cursor--;
}

static void answer_overwrite(struct ui_state *s, int ch)
{
	enum ui_prompt_kind then = s->prompt.then;
	s->prompt.kind = PROMPT_NONE;
	if (ch == 'y' || ch == 'Y') {
		s->effect = effect_of(then);
		s->effect_overwrite = 1;
	} else {
		ui_set_message(s, 0, "%s not written", s->effect_path);
	}
}

static void submit(struct ui_state *s)
{
	struct ui_prompt *p = &s->prompt;
	if (p->kind == PROMPT_BUDGET) {
		ui_apply_budget_text(s, p->text);
		if (!s->message_is_error) /* a bad budget keeps the prompt open to fix it */
			p->kind = PROMPT_NONE;
		return;
	}
	if (p->kind == PROMPT_OVERWRITE) {
		answer_overwrite(s, 'y');
		return;
	}
	if (p->len == 0) {
		ui_set_message(s, 1, "export: type a file name");
		return;
	}
	snprintf(s->effect_path, sizeof s->effect_path, "%s", p->text);
	s->effect = effect_of(p->kind);
	s->effect_overwrite = 0;
	p->then = p->kind;
	p->kind = PROMPT_NONE;
}

void ui_reduce_prompt(struct ui_state *s, struct ui_action a)
{
	struct ui_prompt *p = &s->prompt;
	if (a.kind == ACT_PROMPT_OPEN) {
		open_prompt(s, (enum ui_prompt_kind)a.a);
		return;
	}
	if (p->kind == PROMPT_NONE)
		return;
	if (p->kind == PROMPT_OVERWRITE && a.kind == ACT_PROMPT_CHAR) {
		answer_overwrite(s, a.a);
		return;
	}
	switch (a.kind) {
	case ACT_PROMPT_CHAR: insert_char(p, a.a); break;
	case ACT_PROMPT_BACKSPACE: delete_at(p, p->cursor - 1); break;
	case ACT_PROMPT_DELETE: delete_at(p, p->cursor); break;
	case ACT_PROMPT_LEFT: p->cursor -= p->cursor > 0; break;
	case ACT_PROMPT_RIGHT: p->cursor += p->cursor < p->len; break;
	case ACT_PROMPT_HOME: p->cursor = 0; break;
	case ACT_PROMPT_END: p->cursor = p->len; break;
	case ACT_PROMPT_KILL: set_prompt_text(p, ""); break;
	case ACT_PROMPT_SUBMIT: submit(s); break;
	case ACT_PROMPT_CANCEL:
		if (p->kind == PROMPT_OVERWRITE)
			answer_overwrite(s, 'n');
		p->kind = PROMPT_NONE;
		break;
	default: break;
	}
}

void ui_effect_done(struct ui_state *s, struct ui_action a)
{
	if (a.a == 1) { /* the file exists: ask before replacing it */
		s->prompt.kind = PROMPT_OVERWRITE;
		set_prompt_text(&s->prompt, s->effect_path);
		return;
	}
	ui_set_message(s, a.a != 0, "%s", a.text ? a.text : (a.a ? "failed" : "done"));
}
