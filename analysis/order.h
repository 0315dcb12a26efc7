/* order.h: layer importance rankings from scores (LIM, ZD), seeded random, or a user list. */
#ifndef LWQ_ORDER_H
#define LWQ_ORDER_H

#include <stdint.h>

#include "status.h"

enum order_kind {
	ORDER_LIM,           /* higher LIM first */
	ORDER_ZD,            /* higher ZD fraction first */
	ORDER_ZD_INVERSE,    /* lower ZD fraction first */
	ORDER_REVERSE_LIM,   /* lower LIM first */
	ORDER_RANDOM,        /* seeded permutation */
	ORDER_PRUNE,         /* LIM ranking; the least important layers are dropped (bits 0) */
	ORDER_LIST,          /* a user's list of layer indices */
	ORDER_MEASURED,      /* higher measured KL divergence (lwq score --measure) first */
	ORDER_OPTIMAL,       /* not a ranking: the plan of least summed measured KL divergence
				(plan_optimize.h); ranked like measured where a ranking is shown */
};

struct order_spec {
	enum order_kind kind;
	uint64_t seed;       /* ORDER_RANDOM */
	char name[64];       /* canonical name: "lim", "random:7", "file:NAME" */
};

/* Parses "lim", "zd", "zd-inverse", "reverse-lim", "random:SEED", "prune", "measured". A
   user list is made with order_from_list() instead. */
int order_parse(const char *text, struct order_spec *spec, struct lwq_err *err);
/* True when the order needs LIM scores (lim, reverse-lim, prune). */
int order_needs_lim(const struct order_spec *spec);
int order_needs_zd(const struct order_spec *spec);

/* Fills ranking[0..n_layers) with layer indices, most important first. lim / zd may be
   NULL when the order does not need them. Ties keep the lower layer index first (a stable
   sort), in every direction. Fails on a missing or non-finite score. */
int order_ranking(const struct order_spec *spec, const float *lim, const float *zd,
		  int n_layers, int *ranking, struct lwq_err *err);

/* Ranks by a per-layer importance, larger first (ties: lower layer first); `what` names
   the score in errors ("measured KLD"). The measured order uses it. */
int order_rank_by_importance(const float *importance, const char *what, int n_layers,
			     int *ranking, struct lwq_err *err);

/* Parses a user order: layer indices, most important first, separated by newlines,
   commas or blanks ('#' starts a comment). Every layer 0..n_layers-1 exactly once. */
int order_from_list(const char *text, int n_layers, int *ranking, struct lwq_err *err);

/* Seeded permutation of 0..n-1 (Fisher-Yates over splitmix64): the same on every platform. */
void order_random_permutation(uint64_t seed, int n, int *perm);

#endif
