/* eval_run.c: perplexity of a model file on token windows, optionally under a bit plan,
   and the KL divergence of its predictions to the unquantized model's. */
#include "eval_run.h"

#include <math.h>
#include <string.h>

#include "progress.h"

int eval_run(struct model_file *mf, const struct eval_request *req, const int32_t *ids,
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
	struct kld_accum kld = { 0 };
	struct pass_nll nll = { .score_from = req->score_from, .kld = req->kld ? &kld : NULL };
	int rc = run_layers_cached(mf, req->rq, ids, windows, seq_len, "eval", outer, NULL, &nll,
				   req->cache, err);
	if (rc == 0) {
		out->seconds = monotonic_seconds() - start;
		out->nll_sum = nll.nll_sum;
		out->n_predictions = nll.n_predictions;
		out->perplexity = exp(nll.nll_sum / (double)nll.n_predictions);
		out->tokens_per_second = out->seconds > 0 ?
			(double)windows * seq_len / out->seconds : 0;
		if (req->kld) {
			kld_summarize(&kld, &out->kld);
			out->has_kld = 1;
		}
	}
	kld_accum_free(&kld);
	return rc;
}

int eval_perplexity(struct model_file *mf, const struct bit_plan *plan, const int32_t *ids,
		    int64_t n_ids, int windows, int seq_len, struct progress *outer,
		    struct eval_result *out, struct lwq_err *err)
{
	struct run_quant rq = { .plan = plan, .method = QUANT_RTN };
	struct eval_request req = { .rq = &rq };
	return eval_run(mf, &req, ids, n_ids, windows, seq_len, outer, out, err);
}
