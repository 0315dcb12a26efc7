/* score_measure.h: lwq score --measure: measured layer sensitivity, stored and shown. */
#ifndef LWQ_SCORE_MEASURE_H
#define LWQ_SCORE_MEASURE_H

#include <jansson.h>

#include "measure_run.h"
#include "model_h5.h"
#include "status.h"

struct measure_options {
	const char *model;
	int n_widths;
	int widths[MEASURE_MAX_WIDTHS];
	int method;                /* enum quant_method */
	int group_size;            /* 0: the model's default */
	int windows;               /* 0: every captured window */
	int score_from;
	int json;
};

/* "2,3,4" into widths (distinct, each 1..16; whether a method or format stores them is
   checked where they are used, as a run-time error); NULL when good, else what the list
   should have been. */
const char *measure_parse_widths(const char *text, int *widths, int *n_widths);

/* Measures on the captured calibration windows, stores /scores/measured (the file is
   replaced whole, see model_update.h) and prints the table with the rank correlations
   of LIM, ZD and ZD-inverse with the measured order. */
int score_measure(const struct measure_options *o, struct lwq_err *err);

/* Prints "Spearman rank correlation with the measured order: LIM 0.61, ZD ...". The file
   holds a measured table (measured_present). lim/zd may be NULL. */
void measure_print_correlations(struct model_file *mf, const float *lim, const float *zd);

/* The same as {"lim": rho, "zd": rho, "zd-inverse": rho} (null entries for missing
   scores), or JSON null when the file has no measured table. */
json_t *measure_json_correlations(struct model_file *mf, const float *lim, const float *zd);

#endif
