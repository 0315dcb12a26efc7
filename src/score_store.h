/* score_store.h: per-layer scores of a model file, computed from its weights and
   activations and cached under /scores (layout.h). */
#ifndef LWQ_SCORE_STORE_H
#define LWQ_SCORE_STORE_H

#include <stdint.h>

#include "model_h5.h"
#include "scores.h"
#include "status.h"

struct layer_scores {
	int n_layers;
	int group_size;            /* RTN error group size; 0 when no RTN errors */
	float *lim;                /* [n_layers]; NULL without /activations */
	float *zd;                 /* [n_layers]; NULL only when asked to skip it */
	float *zd_tensor;          /* [n_layers * LIN_COUNT] */
	float *params;             /* [n_layers] linear parameters */
	float *rtn_err;            /* [n_layers * LIN_COUNT * SCORE_RTN_LEVELS]; NULL if not computed */
	float *rtn_werr;           /* same layout; NULL without input statistics */
	int cached;                /* read from /scores rather than computed now */
	char fingerprint[32];
};

/* What to compute when the cache does not serve. */
struct score_request {
	int group_size;            /* for the RTN errors */
	int with_rtn;              /* compute RTN errors (score); plan only needs LIM and ZD */
	int force;                 /* ignore the cache */
	int store;                 /* write what was computed to /scores (mf must be writable);
				      or compute on a read-only handle and call scores_store */
	int skip_zd;               /* LIM only (zd, zd_tensor, params stay NULL): no weight pass */
};

/* Cached scores when /scores matches the model and its activations (and, when with_rtn,
   was computed with the same group size); otherwise computes them, streaming one weight
   tensor at a time, and stores them when asked. Progress on stderr when a terminal. */
struct layer_scores *scores_get(struct model_file *mf, const struct score_request *req,
				struct lwq_err *err);
void layer_scores_free(struct layer_scores *s);
/* Writes computed scores to /scores of mf (opened writable, same model): all under a
   temporary group first, which then replaces the old /scores. */
int scores_store(struct model_file *mf, struct layer_scores *s, struct lwq_err *err);

/* A layer's RTN error at level k (score_rtn_bits) over its seven linears: the RMS of the
   per-tensor relative errors weighted by each tensor's parameter count. rel is rtn_err or
   rtn_werr. */
double layer_rtn_error(const struct model_config *cfg, const float *rel, int layer, int level);

/* Fingerprint of what the scores depend on: the model's identity and the /activations
   attributes. 16 hex digits. */
void scores_fingerprint(struct model_file *mf, char *buf, size_t len);
/* 1 when /scores exists but was computed from other inputs than the file now holds
   (another capture replaced the activations): its LIM and weighted errors are stale. */
int scores_stale(struct model_file *mf);

#endif
