/* gptq_run.h: GPTQ over a model file, layer after layer, on calibration streams that go
   through the layers as they are quantized. */
#ifndef LWQ_GPTQ_RUN_H
#define LWQ_GPTQ_RUN_H

#include <stdint.h>

#include "forward.h"
#include "gptq.h"
#include "model_h5.h"
#include "plan.h"
#include "status.h"

struct gptq_run_config {
	const struct bit_plan *plan;   /* bits per layer (0 pruned, >= 16 as stored), groups */
	/* Independent layers (score --measure's trials: one layer quantized, the others as
	   stored): plan is not needed, group_size is; the streams run through the stored
	   layers only, and each layer is quantized at the width its caller asks for. */
	int independent;
	int group_size;
	const int32_t *ids;            /* calibration: windows * seq_len ids */
	int windows, seq_len;
	struct gptq_options opt;
	/* Round onto the GGUF block type export --format gguf gives each linear
	   (gguf_type_for_bits), its block scales fitted with the mean x^2 of the linear's
	   calibration inputs as importance weights (unweighted with no_importance), instead
	   of lwq's RTN grid. */
	int gguf;
	int no_importance;
	const char *verb;              /* for warnings: "lwq: VERB: warning: ..." */
	int quiet;                     /* no warnings, no per-layer lines */
};

/* One linear as GPTQ left it, in rtn_quantize's layout (quant_rtn.h). */
struct gptq_linear_codes {
	uint8_t *codes;                /* [rows * cols] */
	float *scales, *zeros;         /* [rows * cols / group_size] */
};

/* What quantizing one layer took (for reports and benchmarks). */
struct gptq_layer_report {
	int layer, bits;
	double seconds;
	int64_t peak_rss_bytes;        /* of the process so far */
	double loss[LIN_COUNT];        /* GPTQ's sum (w - q)^2 / d^2 / 2 per linear */
	double damp[LIN_COUNT];        /* damping fraction used per linear */
};

struct gptq_runner;

/* Checks the calibration (ids in range, enough of them: a warning when there are fewer
   than 10 tokens per input of the widest linear) and embeds it. The runner reads the model
   through mf, which must outlive it. */
struct gptq_runner *gptq_runner_new(struct model_file *mf, const struct gptq_run_config *rc,
				    struct lwq_err *err);
void gptq_runner_free(struct gptq_runner *gr);

/* Quantizes layer `layer` (0 < bits < 16 in the plan) into lw, which must hold that
   layer as stored: true-sequential inside the layer (q, k, v from the normed input;
   o from the attention output of the quantized q, k, v; gate, up; down), each Hessian
   from the calibration inputs the already quantized parts produce; then the
   calibration streams go through the quantized layer. Layers are taken in increasing
   order; the layers in between are run as the plan has them (as stored, or skipped when
   pruned). Asking again for an earlier layer starts over from the embeddings. lw is
   also used as scratch for the layers in between, then reread. */
int gptq_runner_layer(struct gptq_runner *gr, int layer, struct layer_weights *lw,
		      struct lwq_err *err);

/* The codes of linear k of the layer last quantized. */
const struct gptq_linear_codes *gptq_runner_codes(const struct gptq_runner *gr, int k);
/* With rc.gguf: the GGUF rows (rows * gguf_row_bytes) of linear k of the layer last
   quantized, and their type in *type. */
const uint8_t *gptq_runner_gguf_rows(const struct gptq_runner *gr, int k, int *type);
/* The report of the layer last quantized. */
const struct gptq_layer_report *gptq_runner_report(const struct gptq_runner *gr);
/* The report of layer `layer` from the last time it was quantized (bits 0 when it was
   not). */
const struct gptq_layer_report *gptq_runner_layer_report(const struct gptq_runner *gr,
							 int layer);

/* For struct run_quant (layer_pass.h) and score --measure's trials: user is a
   gptq_runner. */
int gptq_quantize_layer(void *user, int layer, int bits, struct layer_weights *lw,
			struct lwq_err *err);

#endif
