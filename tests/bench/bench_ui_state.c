/* bench_ui_state.c: time of one explorer slider step (reducer + plan) at 128 layers. */
#include <stdio.h>
#include "bench_clock.h"

#include "ui_state.h"

/* Mean microseconds per action over `rounds` actions alternating +1 / -1 steps. */
static double time_steps(const struct ui_state *start, enum ui_action_kind kind, int rounds)
{
	static struct ui_state s, next;
	s = *start;
	double t0 = bench_seconds();
	for (int i = 0; i < rounds; i++) {
		struct ui_action a = { .kind = kind, .a = (i / 40) % 2 ? -1 : +1 };
		next = ui_reduce(&s, a);
		s = next;
	}
	return (bench_seconds() - t0) / rounds * 1e6;
}

int main(void)
{
	struct explorer_data *d = explorer_data_synthetic(128, 0, 1);
	static struct ui_state s;
	if (!d || ui_state_init(&s, d, 48, 160, NULL) != 0)
		return 1;
	int rounds = 20000;
	printf("128 layers, 4/2: %.2f us per slider step\n", time_steps(&s, ACT_BUDGET_STEP, rounds));
	printf("128 layers, 4/2: %.2f us per page step\n", time_steps(&s, ACT_BUDGET_PAGE, rounds));
	for (int i = 0; i < 128; i += 9) { /* pins on every ninth layer */
		struct ui_action pin = { .kind = ACT_SELECT_ROW, .a = 9 };
		s = ui_reduce(&s, (struct ui_action){ .kind = ACT_PIN, .a = i % 2 ? PIN_LOW : PIN_HIGH });
		s = ui_reduce(&s, pin);
	}
	printf("128 layers, 4/2, 15 pins: %.2f us per slider step\n",
	       time_steps(&s, ACT_BUDGET_STEP, rounds));
	s = ui_reduce(&s, (struct ui_action){ .kind = ACT_PAIR_NEXT });
	s = ui_reduce(&s, (struct ui_action){ .kind = ACT_PAIR_NEXT });
	printf("128 layers, 8/4/2, 15 pins: %.2f us per slider step\n",
	       time_steps(&s, ACT_BUDGET_STEP, rounds));
	s = ui_reduce(&s, (struct ui_action){ .kind = ACT_ORDER_SET, .a = ORDER_OPTIMAL });
	printf("128 layers, optimal over 2/4/8 (exact knapsack), 15 pins: %.2f us per slider "
	       "step\n", time_steps(&s, ACT_BUDGET_STEP, rounds / 10));
	printf("128 layers: %.2f us per cursor move (no replan)\n",
	       time_steps(&s, ACT_SELECT_ROW, rounds));
	printf("state size: %zu bytes (copied once per action)\n", sizeof s);
	explorer_data_free(d);
	return 0;
}
