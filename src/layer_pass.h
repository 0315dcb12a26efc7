/* layer_pass.h: token windows through every layer of a model file, one layer at a time. */
#ifndef LWQ_LAYER_PASS_H
#define LWQ_LAYER_PASS_H

#include <stdint.h>

#include "forward.h"
#include "kld.h"
#include "model_h5.h"
#include "plan.h"
#include "progress.h"
#include "quant_method.h"
#include "status.h"

/* Lets capture watch a run. Windows are processed in passes (groups that fit the
   activation budget); within a pass, every layer sees every window before the next
   layer is loaded. */
struct pass_observer {
	/* The residual stream of windows [w0, w0 + n), [n * seq_len, hidden], as it enters
	   layer `layer`; layer == n_layers: as it leaves the last layer (before the final
	   norm). Called before that layer's linear-input hooks fire. */
	int (*stream)(void *user, int layer, const float *x, int64_t w0, int n,
		      struct lwq_err *err);
	struct forward_hooks hooks;    /* linear inputs of the layer last announced */
	void *user;
};

/* How a run turns a plan's bits into weights: layer i is fake-quantized at
   plan->bits[i] (>= 16: as stored; 0: skipped) by `method`.
   The extension point for quantizers that need more than one layer's weights (GPTQ
   needs the inputs of each linear on calibration windows): set quantize_layer. It gets
   lw holding layer `layer` as stored and must leave it quantized at `bits`; the run
   calls it for every layer with 0 < bits < 16, in increasing layer order within each
   pass of windows, once per pass. When NULL, the method must be weight-only and
   layer_weights_quantize rounds each linear. */
struct run_quant {
	const struct bit_plan *plan;       /* NULL: every layer as stored */
	enum quant_method method;
	int (*quantize_layer)(void *user, int layer, int bits, struct layer_weights *lw,
			      struct lwq_err *err);
	void *user;
};

/* What the LM head scores. Set score_from and kld, zero the sums. */
struct pass_nll {
	int score_from;            /* only predictions made at positions >= score_from */
	struct kld_accum *kld;     /* not NULL: the unquantized model runs beside the
				      plan's and every scored prediction is compared */
	double nll_sum;            /* the (quantized) model's sum of -log p(next token) */
	int64_t n_predictions;
};

/* Runs `windows` windows of seq_len tokens (ids holds windows * seq_len ids in [0, vocab))
   through the model in mf, quantized as rq says (rq NULL or rq->plan NULL: as stored).
   When nll is not NULL, the final norm and LM head score the next-token predictions at
   positions score_from .. seq_len-2 of each window. With nll->kld, a second stream runs
   the unquantized layers from the first layer the plan changes (the streams agree
   before it, so that prefix runs once). verb labels the progress line; with outer (a
   caller's progress, e.g. a sweep's) the run draws no line of its own and reports its
   layers on the caller's (progress_nested). Errors name the file and, for non-finite
   values, the layer. */
int run_layers(struct model_file *mf, const struct run_quant *rq, const int32_t *ids,
	       int windows, int seq_len, const char *verb, struct progress *outer,
	       const struct pass_observer *obs, struct pass_nll *nll, struct lwq_err *err);

/* run_layers that may start from a stream kept in cache (see stream_cache.h) and keeps
   the streams it computes there, when the run allows it: all windows in one pass, no
   observer, no KLD, a weight-only quantizer. Results are the same bits either way. */
struct stream_cache;
int run_layers_cached(struct model_file *mf, const struct run_quant *rq, const int32_t *ids,
		      int windows, int seq_len, const char *verb, struct progress *outer,
		      const struct pass_observer *obs, struct pass_nll *nll,
		      struct stream_cache *cache, struct lwq_err *err);

/* The bits run_layers gives layer `layer` (16 when there is no plan). */
int run_quant_bits(const struct run_quant *rq, int layer);

/* Tests lower the budgets to exercise several passes and calls; 0 restores a default. */
void layer_pass_set_budget(int64_t pass_bytes, int call_rows);

/* Windows per pass and per layer_forward call for these sizes (documented choices). */
int pass_windows(const struct model_config *cfg, int seq_len, int windows);
int call_windows(const struct model_config *cfg, int seq_len, int pass);

#endif
