/* layer_pass.h: token windows through every layer of a model file, one layer at a time. */
#ifndef LWQ_LAYER_PASS_H
#define LWQ_LAYER_PASS_H

#include <stdint.h>

#include "forward.h"
#include "model_h5.h"
#include "plan.h"
#include "progress.h"
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

struct pass_nll {
	double nll_sum;
	int64_t n_predictions;
};

/* Runs `windows` windows of seq_len tokens (ids holds windows * seq_len ids in [0, vocab))
   through the model in mf. plan may be NULL; otherwise layer i is fake-quantized at
   plan->bits[i] (>= 16: as stored; 0: skipped). When nll is not NULL, the final norm and
   LM head score every next-token prediction inside each window. verb labels the progress
   line; with outer (a caller's progress, e.g. a sweep's) the run draws no line of its
   own and reports its layers on the caller's (progress_nested). Errors name the file
   and, for non-finite values, the layer. */
int run_layers(struct model_file *mf, const struct bit_plan *plan, const int32_t *ids,
	       int windows, int seq_len, const char *verb, struct progress *outer,
	       const struct pass_observer *obs, struct pass_nll *nll, struct lwq_err *err);

/* Tests lower the budgets to exercise several passes and calls; 0 restores a default. */
void layer_pass_set_budget(int64_t pass_bytes, int call_rows);

/* Windows per pass and per layer_forward call for these sizes (documented choices). */
int pass_windows(const struct model_config *cfg, int seq_len, int windows);
int call_windows(const struct model_config *cfg, int seq_len, int pass);

#endif
