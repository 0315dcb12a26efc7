/* capture_run.h: calibration windows through the model, measuring what /activations stores. */
#ifndef LWQ_CAPTURE_RUN_H
#define LWQ_CAPTURE_RUN_H

#include <stdint.h>

#include "forward.h"
#include "model_h5.h"
#include "status.h"

/* Everything capture writes, held in memory until the whole run succeeded. */
struct capture_data {
	int n_layers, hidden;
	int64_t n_tokens;
	float *cos;                    /* [n_layers, n_tokens] cos(x_i[t], x_i+1[t]) */
	int64_t n_kept;
	int32_t *kept;                 /* [n_kept] token positions whose streams are kept */
	float *streams;                /* [n_layers + 1, n_kept, hidden] */
	int site_cols[SITE_COUNT];     /* input width of each site's linears */
	float *input_sq[SITE_COUNT];   /* [n_layers, site_cols] sum over tokens of x^2 */
};

/* Runs `windows` windows of seq_len tokens through the unquantized model and measures
   per-token cosines, the streams at n_keep evenly spaced positions (clamped to the
   token count; 0 keeps none), and per-linear input sums of squares. */
struct capture_data *capture_run(struct model_file *mf, const int32_t *ids, int windows,
				 int seq_len, int64_t n_keep, struct lwq_err *err);
void capture_data_free(struct capture_data *cd);

/* Provenance stored as attributes on /activations. */
struct capture_meta {
	int windows, seq_len;
	int64_t offset;
	const char *source;            /* "text:PATH" or "ids:PATH" */
};

/* Writes /activations (layout.h) into mf, opened writable: everything goes under a
   temporary group first, which then replaces any old /activations. */
int capture_write(struct model_file *mf, const struct capture_data *cd, const int32_t *ids,
		  const struct capture_meta *meta, struct lwq_err *err);

/* Bytes the kept streams take in the file (f16). */
int64_t capture_stream_bytes(const struct capture_data *cd);

#endif
