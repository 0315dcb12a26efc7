/* sweep_curve.c: allocation of a sweep curve's arrays. */
#include "sweep_curve.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sweep_curve_alloc(struct sweep_curve *c, const char *order, int n_points)
{
	assert(order && n_points >= 0);
	memset(c, 0, sizeof *c);
	snprintf(c->order, sizeof c->order, "%s", order);
	size_t n = n_points > 0 ? (size_t)n_points : 1;
	c->n_low = calloc(n, sizeof(float));
	c->avg_bits = calloc(n, sizeof(float));
	c->bytes = calloc(n, sizeof(float));
	c->ppl = calloc(n, sizeof(float));
	if (!c->n_low || !c->avg_bits || !c->bytes || !c->ppl) {
		sweep_curve_free(c);
		return -1;
	}
	c->n_points = n_points;
	return 0;
}

void sweep_curve_free(struct sweep_curve *c)
{
	free(c->n_low);
	free(c->avg_bits);
	free(c->bytes);
	free(c->ppl);
	free(c->kld);
	c->n_low = c->avg_bits = c->bytes = c->ppl = c->kld = NULL;
}
