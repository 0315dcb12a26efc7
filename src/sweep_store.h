/* sweep_store.h: sweep curves in the model file, under /sweeps/<order> (lwq-format(5)). */
#ifndef LWQ_SWEEP_STORE_H
#define LWQ_SWEEP_STORE_H

#include <stdint.h>

#include "model_h5.h"
#include "status.h"
#include "sweep_curve.h"

/* The evaluation tokens a curve was measured on, recorded with it. */
struct sweep_tokens {
	int windows, seq_len;
	int64_t offset;
	const char *source;        /* "text:PATH" or "ids:PATH" */
};

/* Replaces /sweeps/<order> with c (its arrays, kld when measured, widths, group size and
   baseline) and the tokens it was measured on. 0 or -1 with err filled. */
int sweep_store_write(struct model_file *mf, const struct sweep_curve *c,
		      const struct sweep_tokens *tokens, struct lwq_err *err);

/* Points of the stored curve `order` (a name under /sweeps), or 0 when its group lacks
   the four arrays of one length (such a group is skipped, not an error). */
int64_t sweep_store_points(struct model_file *mf, const char *order);

/* Reads the stored curve `order` into c, whose arrays hold sweep_store_points() points
   (and c->kld, allocated here, when the group has a kld array of that length).
   0 or -1 with err filled. */
int sweep_store_read(struct model_file *mf, const char *order, struct sweep_curve *c,
		     struct lwq_err *err);

/* 1 when /sweeps/<name> follows an order made from activations (lim, reverse-lim) that
   another capture has since replaced. */
int sweep_store_stale(struct model_file *mf, const char *name);

#endif
