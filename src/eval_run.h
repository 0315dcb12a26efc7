/* eval_run.h: perplexity of a model file on token windows, optionally under a bit plan. */
#ifndef LWQ_EVAL_RUN_H
#define LWQ_EVAL_RUN_H

#include <stdint.h>

#include "model_h5.h"
#include "plan.h"
#include "progress.h"
#include "status.h"

struct eval_result {
	double nll_sum;            /* sum of -log p over all predictions */
	int64_t n_predictions;     /* windows * (seq_len - 1) */
	double perplexity;         /* exp(nll_sum / n_predictions) */
	double seconds;
	double tokens_per_second;
};

/* Runs `windows` non-overlapping windows of seq_len tokens from ids (n_ids >= windows *
   seq_len). plan may be NULL (unquantized); a layer with bits 0 is skipped (pruning).
   Progress: its own "eval" line when outer is NULL; otherwise the layers are reported on
   the caller's line (progress_nested), e.g. a sweep's "order lim, step 3/7". */
int eval_perplexity(struct model_file *mf, const struct bit_plan *plan, const int32_t *ids,
		    int64_t n_ids, int windows, int seq_len, struct progress *outer,
		    struct eval_result *out, struct lwq_err *err);

#endif
