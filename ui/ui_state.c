/* ui_state.c: state + action -> new state, no curses. */
#include "ui_state.h"
