/* order_source.h: a ranking for an order name on a model file (scores or a user's list). */
#ifndef LWQ_ORDER_SOURCE_H
#define LWQ_ORDER_SOURCE_H

#include "model_h5.h"
#include "order.h"
#include "score_store.h"
#include "status.h"

/* Scores loaded once and shared by every order asked for on one model file. */
struct order_source {
	struct model_file *mf;
	struct layer_scores *scores;   /* LIM + ZD, cached or computed without storing */
};

/* Parses `text` (a named order, "file:PATH", or the path of an existing order file) and
   fills ranking[n_layers], most important first. spec->name is the canonical name
   ("file:PATH" for a list). Scores are read (or computed) on first need. Errors:
   LIM without activations (says to run capture), unknown order, bad list file. */
int order_source_rank(struct order_source *src, const char *text, struct order_spec *spec,
		      int *ranking, struct lwq_err *err);
void order_source_free(struct order_source *src);

/* True when the model file has the per-token cosines LIM needs. */
int order_source_has_lim(struct model_file *mf);

#endif
