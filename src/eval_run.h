/* eval_run.h: perplexity of a model file on token windows, optionally under a bit plan,
   and how far the plan's predictions are from the unquantized model's (KL divergence). */
#ifndef LWQ_EVAL_RUN_H
#define LWQ_EVAL_RUN_H

#include <stdint.h>

#include "kld.h"
#include "layer_pass.h"
#include "model_h5.h"
#include "plan.h"
#include "progress.h"
#include "status.h"

/* What to run: rq as for run_layers (NULL: unquantized); predictions at positions
   >= score_from of each window; with kld, also the statistics against the unquantized
   model (about one more forward pass from the first layer the plan changes). */
struct eval_request {
	const struct run_quant *rq;
	int score_from;
	int kld;
	struct stream_cache *cache;    /* optional: see run_layers_cached */
};

struct eval_result {
	double nll_sum;            /* sum of -log p over the scored predictions */
	int64_t n_predictions;     /* windows * (seq_len - 1 - score_from) */
	double perplexity;         /* exp(nll_sum / n_predictions) */
	int has_kld;
	struct kld_summary kld;    /* when has_kld */
	double seconds;
	double tokens_per_second;
};

/* Runs `windows` non-overlapping windows of seq_len tokens from ids (n_ids >= windows *
   seq_len). A layer with bits 0 is skipped (pruning). Progress: its own "eval" line when
   outer is NULL; otherwise the layers are reported on the caller's line
   (progress_nested), e.g. a sweep's "order lim, step 3/7". */
int eval_run(struct model_file *mf, const struct eval_request *req, const int32_t *ids,
	     int64_t n_ids, int windows, int seq_len, struct progress *outer,
	     struct eval_result *out, struct lwq_err *err);

/* eval_run with RTN at the plan's bits (plan may be NULL), every prediction, no KLD. */
int eval_perplexity(struct model_file *mf, const struct bit_plan *plan, const int32_t *ids,
		    int64_t n_ids, int windows, int seq_len, struct progress *outer,
		    struct eval_result *out, struct lwq_err *err);

#endif
