/* keys.h: keys -> named actions, one table; the help overlay is printed from it. */
#ifndef LWQ_KEYS_H
#define LWQ_KEYS_H

#include "ui_state.h"

struct key_binding {
	int key;                   /* curses key code or character */
	struct ui_action action;
	const char *key_name;      /* shown in help; NULL = an alias listed on a previous line */
	const char *help;
};

/* Bindings of the main screen, in help order; ends with key 0. */
extern const struct key_binding key_bindings[];

/* The action for a key in the current state: the help overlay closes on any key, an
   open prompt edits its line, otherwise the table decides. ACT_NONE when unbound. */
struct ui_action keys_action(const struct ui_state *s, int key, int is_function_key);

#endif
