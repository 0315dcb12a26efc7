/* ui_state.h: the explorer's state and the pure reducer that changes it. */
#ifndef LWQ_UI_STATE_H
#define LWQ_UI_STATE_H

struct ui_state {
	int selected_layer;
};

#endif
