/* order.c: turns per-layer scores into a ranking, most important layer first. */
#include "order.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	enum order_kind kind;
} named_orders[] = {
	{ "lim", ORDER_LIM },
	{ "zd", ORDER_ZD },
	{ "zd-inverse", ORDER_ZD_INVERSE },
	{ "reverse-lim", ORDER_REVERSE_LIM },
	{ "prune", ORDER_PRUNE },
	{ "measured", ORDER_MEASURED },
};

int order_parse(const char *text, struct order_spec *spec, struct lwq_err *err)
{
	memset(spec, 0, sizeof *spec);
	for (size_t i = 0; i < sizeof named_orders / sizeof named_orders[0]; i++) {
		if (strcmp(text, named_orders[i].name) == 0) {
			spec->kind = named_orders[i].kind;
			snprintf(spec->name, sizeof spec->name, "%s", text);
			return 0;
		}
	}
	if (strncmp(text, "random:", 7) == 0 && isdigit((unsigned char)text[7])) {
		char *end;
		errno = 0;
		unsigned long long seed = strtoull(text + 7, &end, 10);
		if (*end == '\0' && errno == 0) {
			spec->kind = ORDER_RANDOM;
			spec->seed = seed;
			snprintf(spec->name, sizeof spec->name, "random:%llu", seed);
			return 0;
		}
	}
	return lwq_err_set(err, "unknown order '%s' (lim, zd, zd-inverse, reverse-lim, "
			   "random:SEED, prune, measured, or file:PATH)", text);
}

int order_needs_lim(const struct order_spec *spec)
{
	return spec->kind == ORDER_LIM || spec->kind == ORDER_REVERSE_LIM ||
	       spec->kind == ORDER_PRUNE;
}

int order_needs_zd(const struct order_spec *spec)
{
	return spec->kind == ORDER_ZD || spec->kind == ORDER_ZD_INVERSE;
}

/* splitmix64: tiny, well mixed, and defined only by 64-bit unsigned arithmetic. */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

void order_random_permutation(uint64_t seed, int n, int *perm)
{
	uint64_t state = seed;
	for (int i = 0; i < n; i++)
		perm[i] = i;
	for (int i = n - 1; i > 0; i--) {
		int j = (int)(splitmix64(&state) % (uint64_t)(i + 1));
		int t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
}

struct keyed_layer {
	float key;           /* larger = more important */
	int layer;
};

static int by_key_then_layer(const void *pa, const void *pb)
{
	const struct keyed_layer *a = pa, *b = pb;
	if (a->key != b->key)
		return a->key > b->key ? -1 : 1;
	return (a->layer > b->layer) - (a->layer < b->layer);
}

/* Ranks by score, descending (sign +1) or ascending (sign -1); ties by layer index. */
static int rank_by_score(const float *score, const char *what, float sign, int n_layers,
			 int *ranking, struct lwq_err *err)
{
	if (!score)
		return lwq_err_set(err, "order needs %s scores, which are not available", what);
	struct keyed_layer *keyed = malloc((size_t)n_layers * sizeof *keyed);
	if (!keyed)
		return lwq_err_set(err, "out of memory");
	for (int i = 0; i < n_layers; i++) {
		if (!isfinite(score[i])) {
			free(keyed);
			return lwq_err_set(err, "layer %d has no finite %s score", i, what);
		}
		/* -0.0f + 0.0f: negating keeps equal scores equal, so ties stay ties. */
		keyed[i].key = sign * score[i] + 0.0f;
		keyed[i].layer = i;
	}
	qsort(keyed, (size_t)n_layers, sizeof *keyed, by_key_then_layer);
	for (int i = 0; i < n_layers; i++)
		ranking[i] = keyed[i].layer;
	free(keyed);
	return 0;
}

int order_ranking(const struct order_spec *spec, const float *lim, const float *zd,
		  int n_layers, int *ranking, struct lwq_err *err)
{
	switch (spec->kind) {
	case ORDER_LIM:
	case ORDER_PRUNE:
		return rank_by_score(lim, "LIM", 1.0f, n_layers, ranking, err);
	case ORDER_REVERSE_LIM:
		return rank_by_score(lim, "LIM", -1.0f, n_layers, ranking, err);
	case ORDER_ZD:
		return rank_by_score(zd, "ZD", 1.0f, n_layers, ranking, err);
	case ORDER_ZD_INVERSE:
		return rank_by_score(zd, "ZD", -1.0f, n_layers, ranking, err);
	case ORDER_RANDOM:
		order_random_permutation(spec->seed, n_layers, ranking);
		return 0;
	case ORDER_LIST:
		return lwq_err_set(err, "a user order is read with order_from_list");
	case ORDER_MEASURED:
	case ORDER_OPTIMAL:
		return lwq_err_set(err, "order measured ranks by the measured table "
				   "(order_rank_by_importance)");
	}
	return lwq_err_set(err, "unknown order kind");
}

int order_rank_by_importance(const float *importance, const char *what, int n_layers,
			     int *ranking, struct lwq_err *err)
{
	return rank_by_score(importance, what, 1.0f, n_layers, ranking, err);
}

static int is_separator(int c)
{
	return c == ',' || isspace((unsigned char)c);
}

int order_from_list(const char *text, int n_layers, int *ranking, struct lwq_err *err)
{
	char *seen = calloc((size_t)n_layers, 1);
	if (!seen)
		return lwq_err_set(err, "out of memory");
	int count = 0, rc = 0;
	const char *p = text;
	while (*p && rc == 0) {
		if (is_separator(*p)) {
			p++;
		} else if (*p == '#') {
			while (*p && *p != '\n')
				p++;
		} else {
			char *end;
			errno = 0;
			long v = strtol(p, &end, 10);
			if (end == p || (*end && !is_separator(*end) && *end != '#') || errno)
				rc = lwq_err_set(err, "'%.*s' is not a layer index", (int)strcspn(p, ", \t\r\n"), p);
			else if (v < 0 || v >= n_layers)
				rc = lwq_err_set(err, "layer %ld is outside the model (%d layers)", v, n_layers);
			else if (seen[v])
				rc = lwq_err_set(err, "layer %ld is listed twice", v);
			else {
				seen[v] = 1;
				ranking[count++] = (int)v;
			}
			p = end;
		}
	}
	for (int i = 0; i < n_layers && rc == 0; i++)
		if (!seen[i])
			rc = lwq_err_set(err, "layer %d is missing: the order must list every layer "
					 "0..%d once (%d listed)", i, n_layers - 1, count);
	free(seen);
	return rc;
}
