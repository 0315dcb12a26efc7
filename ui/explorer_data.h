/* explorer_data.h: everything the explorer shows, as plain arrays (filled by src/explorer_load.c). */
#ifndef LWQ_EXPLORER_DATA_H
#define LWQ_EXPLORER_DATA_H

#include <stdint.h>

#include "model_config.h"
#include "plan.h"
#include "scores.h"
#include "size_target.h"
#include "status.h"
#include "sweep_curve.h"

/* What an export writes: the plan on screen and how the screen colours the heatmap. */
struct export_request {
	const struct bit_plan *plan;
	const char *path;
	int overwrite;
	int color_by_value;        /* heat columns: 0 by rank, 1 by value (heat_columns.h) */
	int tokens_per_layer;      /* token map: 1 each layer on its own scale */
	const char *method;        /* the quantizer the prediction comes from ("rtn", "gptq",
				      ...): a model export quantizes with it */
};

/* Exports the explorer can ask for; each returns 0 or -1 with err filled. A NULL
   function means "not available in this build" and the UI says so. */
typedef int (*export_fn)(void *ctx, const struct export_request *req, struct lwq_err *err);
struct explorer_hooks {
	void *ctx;
	export_fn export_plan, export_png, export_model;
};

struct explorer_data {
	char model_name[128];
	char path[1024];           /* the model file, for titles and default export names */
	struct model_config cfg;
	int n_layers;
	int64_t total_params;
	int group_size;            /* RTN group size the sizes are computed with */

	/* Per-layer scores; NULL when the file has none. */
	float *lim;                /* [n_layers]  LIM = -mean cos */
	float *zd;                 /* [n_layers]  fraction of weights with z > 1 */
	float *zd_tensor;          /* [n_layers * LIN_COUNT] */
	float *rtn_layer;          /* [n_layers * SCORE_RTN_LEVELS] a layer's relative RTN error
				      at score_rtn_bits, as score_store.h layer_rtn_error */

	/* Per-token cos(x_i, x_i+1) from capture; NULL when absent. */
	float *cos;                /* [n_layers * n_tokens] */
	int64_t n_tokens;
	int seq_len;               /* calibration window length, 0 when unknown */

	struct sweep_curve *sweeps;
	int n_sweeps;

	/* Measured sensitivity (lwq score --measure): KL divergence of each layer alone at
	   each width, [n_layers * n_measured]; NULL when not measured. */
	float *measured;
	int measured_widths[8];
	int n_measured;

	/* What sizes count: lwq's storage or the exported GGUF's tensors (explore --target). */
	enum size_target target;

	/* What is missing and which verb makes it, one line each ("" when complete). */
	char missing[512];

	struct explorer_hooks hooks;
};

struct explorer_data *explorer_data_new(const struct model_config *cfg, const char *name);
void explorer_data_free(struct explorer_data *d);

/* Adds one empty sweep curve of n points (arrays allocated, zeroed); NULL on failure. */
struct sweep_curve *explorer_data_add_sweep(struct explorer_data *d, const char *order,
					    int n_points);

/* A plausible model of n_layers with every score, tokens and sweeps, deterministic in
   seed: for tests, benchmarks and developing the views without a model file. */
struct explorer_data *explorer_data_synthetic(int n_layers, int64_t n_tokens, unsigned seed);

/* Appends "what (lwq VERB)" to d->missing, the list the explorer shows of what to run. */
void explorer_data_note_missing(struct explorer_data *d, const char *what, const char *verb);

#endif
