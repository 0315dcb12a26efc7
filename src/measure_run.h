/* measure_run.h: measured layer sensitivity: the KL divergence of the model with one layer
   quantized at one width (every other layer as stored), for every layer and width. */
#ifndef LWQ_MEASURE_RUN_H
#define LWQ_MEASURE_RUN_H

#include <stdint.h>

#include "layer_pass.h"
#include "model_h5.h"
#include "quant_method.h"
#include "status.h"

#define MEASURE_MAX_WIDTHS 8

struct measure_request {
	int n_widths;
	int widths[MEASURE_MAX_WIDTHS];
	/* the quantizer: plan is not used (each trial is its own plan); method,
	   group_size and the optional quantize_layer hook are */
	enum quant_method method;
	int group_size;
	int (*quantize_layer)(void *user, int layer, int bits, struct layer_weights *lw,
			      struct lwq_err *err);
	void *user;
	int score_from;            /* predictions at positions >= score_from */
};

/* Per layer and width ([n_layers * n_widths], layer-major): the mean KL divergence and
   the same-top-token rate of the trial "this layer at this width, the others as
   stored", over the scored predictions of every window.
   The stream entering layer i is the same for every trial of layer i: it is computed
   once (advancing one layer at a time), and the trials of layer i run only layers
   i..N-1, all widths side by side, so each of those layers is read once per layer i.
   Memory: the streams of one pass of windows, n_widths + 2 of them. */
int measure_layers(struct model_file *mf, const struct measure_request *req,
		   const int32_t *ids, int windows, int seq_len, double *kld, double *top1,
		   double *seconds, struct lwq_err *err);

#endif
