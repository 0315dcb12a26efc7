/* score_scan.h: the pass over a model's weights that gives ZD, parameters and RTN errors. */
#ifndef LWQ_SCORE_SCAN_H
#define LWQ_SCORE_SCAN_H

#include "score_store.h"

/* Fills s->zd, s->zd_tensor, s->params and, when req->with_rtn, s->rtn_err (and
   s->rtn_werr when allocated), one layer at a time, one tensor in memory at a time.
   f16/bf16 weights are read once, as their 16-bit words; f32 ones a second time for the
   layer's count above one sigma. */
int scores_scan_weights(struct model_file *mf, const struct score_request *req,
			struct layer_scores *s, struct lwq_err *err);

#endif
