/* measured_store.h: the table of measured layer sensitivity under /scores/measured. */
#ifndef LWQ_MEASURED_STORE_H
#define LWQ_MEASURED_STORE_H

#include <stdint.h>

#include "measure_run.h"
#include "model_h5.h"
#include "status.h"

struct measured_table {
	int n_layers, n_widths;
	int widths[MEASURE_MAX_WIDTHS];
	float *kld;                /* [n_layers * n_widths] mean KL divergence */
	float *top1;               /* [n_layers * n_widths] same-top-token rate */
	char method[16];
	int group_size, windows, seq_len, score_from;
	int64_t offset;
	double seconds;
	char source[256];
};

struct measured_table *measured_table_new(int n_layers, int n_widths);
void measured_table_free(struct measured_table *t);

/* Writes the table (mf opened writable): under a temporary name first, then moved over
   any older table. */
int measured_store(struct model_file *mf, const struct measured_table *t, struct lwq_err *err);

/* The stored table, or NULL with "FILE: no measured layer sensitivity (run: lwq score
   --measure FILE)". A table for another layer count is an error too. */
struct measured_table *measured_load(struct model_file *mf, struct lwq_err *err);

/* 1 when the file holds a table. */
int measured_present(struct model_file *mf);

/* Column of `bits` in the table, or -1. */
int measured_width_index(const struct measured_table *t, int bits);

/* Per-layer importance for the `measured` order: the KL divergence at the narrowest
   measured width (a layer that hurts more when squeezed is more important). */
void measured_importance(const struct measured_table *t, float *importance);

#endif
