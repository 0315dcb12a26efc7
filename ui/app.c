/* app.c: the event loop: keys and mouse -> actions -> reducer -> redraw what changed. */
#include "app.h"

#include <curses.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "colors.h"
#include "draw.h"
#include "keys.h"
#include "ui_state.h"
#include "views.h"

static volatile sig_atomic_t stop_signal;
static int curses_active;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

/* Leaves the terminal as it was; safe to call twice (atexit and normal exit). */
static void restore_terminal(void)
{
	if (curses_active) {
		curses_active = 0;
		mousemask(0, NULL);
		curs_set(1);
		endwin();
	}
}

static void install_signals(struct sigaction *saved)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: a signal interrupts the wait for a key */
	sigaction(SIGINT, &sa, &saved[0]);
	sigaction(SIGTERM, &sa, &saved[1]);
	sigaction(SIGHUP, &sa, &saved[2]);
}

static void restore_signals(const struct sigaction *saved)
{
	sigaction(SIGINT, &saved[0], NULL);
	sigaction(SIGTERM, &saved[1], NULL);
	sigaction(SIGHUP, &saved[2], NULL);
}

static void start_curses(void)
{
	initscr();
	curses_active = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	timeout(250);
	colors_init();
	mousemask(BUTTON1_PRESSED | BUTTON1_RELEASED | BUTTON4_PRESSED | BUTTON5_PRESSED |
		  REPORT_MOUSE_POSITION, NULL);
	mouseinterval(0);
}

/* Word-wrapped, so a narrow terminal still shows the whole notice. */
static void draw_too_small(void)
{
	char msg[96];
	snprintf(msg, sizeof msg, "terminal too small (%dx%d): lwq needs %dx%d", COLS, LINES,
		 UI_MIN_COLS, UI_MIN_ROWS);
	erase();
	draw_wrapped(0, 0, COLS, LINES, A_BOLD, msg);
	refresh();
}

static void draw(const struct ui_state *s, unsigned views)
{
	const struct ui_layout *l = &s->layout;
	if (!l->usable) {
		draw_too_small();
		return;
	}
	if (views == VIEW_ALL)
		erase();
	if (views & VIEW_HEAT)
		view_heatmap_draw(s);
	if (views & VIEW_TOKENS)
		view_tokens_draw(s);
	if (views & VIEW_SLIDER)
		view_slider_draw(s);
	if (views & VIEW_CURVE)
		view_curve_draw(s);
	if (views & (VIEW_SLIDER | VIEW_CURVE))
		prompt_draw(s);
	if (views & VIEW_STATUS)
		view_status_draw(s);
	if (s->help)
		view_help_draw(s);
	prompt_place_cursor(s);
	refresh();
}

static struct ui_action mouse_action(const struct ui_state *s)
{
	MEVENT ev;
	struct ui_action none = { .kind = ACT_NONE };
	if (getmouse(&ev) != OK)
		return none;
	if (s->help)
		return (struct ui_action){ .kind = ACT_HELP_TOGGLE };
	if (ev.bstate & BUTTON4_PRESSED)
		return (struct ui_action){ .kind = ACT_SCROLL, .a = -3 };
	if (ev.bstate & BUTTON5_PRESSED)
		return (struct ui_action){ .kind = ACT_SCROLL, .a = +3 };
	if (ev.bstate & BUTTON1_PRESSED)
		return (struct ui_action){ .kind = ACT_MOUSE_PRESS, .a = ev.y, .b = ev.x };
	if (ev.bstate & BUTTON1_RELEASED)
		return (struct ui_action){ .kind = ACT_MOUSE_RELEASE };
	if (ev.bstate & REPORT_MOUSE_POSITION)
		return (struct ui_action){ .kind = ACT_MOUSE_DRAG, .a = ev.y, .b = ev.x };
	return none;
}

/* Exports are the only file work; the reducer asks, this does it and reports back. */
static struct ui_action perform_effect(const struct ui_state *s, char *msg, size_t len)
{
	const struct explorer_hooks *h = &s->data->hooks;
	export_fn hook = s->effect == EFFECT_EXPORT_PLAN ? h->export_plan
		: s->effect == EFFECT_EXPORT_PNG ? h->export_png : h->export_model;
	struct ui_action done = { .kind = ACT_EFFECT_DONE, .a = -1, .text = msg };
	if (!hook) {
		snprintf(msg, len, "export: not available in this build");
		return done;
	}
	if (!s->effect_overwrite && access(s->effect_path, F_OK) == 0) {
		done.a = 1;
		return done;
	}
	struct bit_plan *plan = bit_plan_new(s->data->n_layers);
	if (!plan) {
		snprintf(msg, len, "export: out of memory");
		return done;
	}
	ui_fill_plan(s, plan);
	struct lwq_err err = { "" };
	draw_textf(s->layout.bottom_y + s->layout.bottom_h - 1, 0, s->layout.slider_w,
		   role_attr(ROLE_INFO), "writing %s ...", s->effect_path);
	refresh();
	struct export_request req = { plan, s->effect_path, s->effect_overwrite,
				      s->heat_scale == SCALE_VALUE, s->token_scale_per_layer,
				      s->method };
	if (hook(h->ctx, &req, &err) == 0) {
		snprintf(msg, len, "wrote %.200s", s->effect_path);
		done.a = 0;
	} else {
		snprintf(msg, len, "%s", err.msg[0] ? err.msg : "export failed");
	}
	bit_plan_free(plan);
	return done;
}

/* Applies one action (and the effect it may ask for); redraws what changed. */
static void step(struct ui_state *s, struct ui_action a)
{
	struct ui_state next = ui_reduce(s, a);
	unsigned views = ui_changed_views(s, &next);
	if (a.kind == ACT_REDRAW) {
		clearok(curscr, TRUE);
		views = VIEW_ALL;
	}
	*s = next;
	if (s->effect != EFFECT_NONE) {
		char msg[UI_MESSAGE_MAX];
		struct ui_action done = perform_effect(s, msg, sizeof msg);
		next = ui_reduce(s, done);
		views |= ui_changed_views(s, &next);
		*s = next;
	}
	if (views)
		draw(s, views);
}

static struct ui_action read_action(const struct ui_state *s)
{
	wint_t ch;
	int kind = wget_wch(stdscr, &ch);
	if (kind == ERR)
		return (struct ui_action){ .kind = ACT_NONE };
	if (kind == KEY_CODE_YES && ch == KEY_RESIZE)
		return (struct ui_action){ .kind = ACT_RESIZE, .a = LINES, .b = COLS };
	if (kind == KEY_CODE_YES && ch == KEY_MOUSE)
		return mouse_action(s);
	return keys_action(s, (int)ch, kind == KEY_CODE_YES);
}

int explorer_run(const struct explorer_data *d, struct lwq_err *err)
{
	static struct ui_state s; /* large (inline per-layer arrays): not on the stack */
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return lwq_err_set(err, "the explorer needs a terminal (stdin and stdout are not one)");
	setlocale(LC_ALL, "");
	struct sigaction saved[3];
	stop_signal = 0;
	install_signals(saved);
	atexit(restore_terminal);
	start_curses();
	if (ui_state_init(&s, d, LINES, COLS, err) != 0) {
		restore_terminal();
		restore_signals(saved);
		return -1;
	}
	draw(&s, VIEW_ALL);
	while (!s.quit && !stop_signal)
		step(&s, read_action(&s));
	restore_terminal();
	restore_signals(saved);
	view_tokens_release();
	return 0;
}
