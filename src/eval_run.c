/* eval_run.c: perplexity of a model file on token windows, optionally under a bit plan. */
#include "eval_run.h"

#include <math.h>
#include <string.h>

#include "layer_pass.h"
#include "progress.h"

int eval_perplexity(struct model_file *mf, const struct bit_plan *plan, const int32_t *ids,
		    int64_t n_ids, int windows, int seq_len, struct progress *outer,
		    struct eval_result *out, struct lwq_err *err)
{
	memset(out, 0, sizeof *out);
	if (seq_len < 2)
		return lwq_err_set(err, "sequence length %d leaves nothing to predict (need >= 2)",
				   seq_len);
	if (windows < 1 || n_ids < (int64_t)windows * seq_len)
		return lwq_err_set(err, "%lld token ids cannot fill %d windows of %d",
				   (long long)n_ids, windows, seq_len);
	double start = monotonic_seconds();
	struct pass_nll nll = { 0, 0 };
	if (run_layers(mf, plan, ids, windows, seq_len, "eval", outer, NULL, &nll, err) < 0)
		return -1;
	out->seconds = monotonic_seconds() - start;
	out->nll_sum = nll.nll_sum;
	out->n_predictions = nll.n_predictions;
	out->perplexity = exp(nll.nll_sum / (double)nll.n_predictions);
	out->tokens_per_second = out->seconds > 0 ?
		(double)windows * seq_len / out->seconds : 0;
	return 0;
}
