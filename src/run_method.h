/* run_method.h: the quantizer a verb's run applies (--method), with GPTQ's calibration. */
#ifndef LWQ_RUN_METHOD_H
#define LWQ_RUN_METHOD_H

#include <stdint.h>

#include "gptq_run.h"
#include "layer_pass.h"
#include "model_h5.h"
#include "plan.h"
#include "quant_method.h"
#include "status.h"

/* Options of the verbs that apply a plan (eval, sweep, export). */
struct method_options {
	enum quant_method method;
	double damp;                   /* GPTQ: --damp (default GPTQ_DAMP_DEFAULT) */
	int damp_given;
	int act_order;                 /* GPTQ: --act-order */
	const char *calib_text;        /* GPTQ: --calib-text FILE */
	const char *calib_ids;         /* GPTQ: --calib-ids FILE.i32 */
};

/* Windows and length of the calibration taken from --calib-text/--calib-ids (those of
   lwq capture's defaults). */
#define CALIB_WINDOWS 16
#define CALIB_SEQ_LEN 512

void method_options_init(struct method_options *mo);

/* The calibration ids GPTQ uses: --calib-text or --calib-ids when given (the first
   CALIB_WINDOWS windows of CALIB_SEQ_LEN, fewer when the file is shorter), otherwise the
   tokens lwq capture recorded under /activations. Fails with "run lwq capture" when
   there are none. */
int method_load_calibration(struct model_file *mf, const struct method_options *mo,
			    int32_t **ids, int *windows, int *seq_len, struct lwq_err *err);

/* A method ready to run a plan: rq for run_layers and, for GPTQ, the runner behind its
   layer hook (loaded calibration included). */
struct method_run {
	struct run_quant rq;
	struct gptq_runner *gptq;
	int32_t *calib_ids;
};

int method_run_start(struct method_run *run, struct model_file *mf,
		     const struct bit_plan *plan, const struct method_options *mo,
		     const char *verb, int quiet, struct lwq_err *err);
void method_run_end(struct method_run *run);

/* getopt_long entries for the method options (codes 'm', and the private ones below). */
enum { METHOD_OPT_DAMP = 0x4d00, METHOD_OPT_ACT_ORDER, METHOD_OPT_CALIB_TEXT,
       METHOD_OPT_CALIB_IDS };
#define METHOD_LONGOPTS \
	{ "method", required_argument, NULL, 'm' }, \
	{ "damp", required_argument, NULL, METHOD_OPT_DAMP }, \
	{ "act-order", no_argument, NULL, METHOD_OPT_ACT_ORDER }, \
	{ "calib-text", required_argument, NULL, METHOD_OPT_CALIB_TEXT }, \
	{ "calib-ids", required_argument, NULL, METHOD_OPT_CALIB_IDS }

/* Handles one getopt result: 1 when it was a method option, 0 when not, EXIT_USAGE
   (message printed) when its value is bad. */
int method_option(const char *verb, int opt, const char *arg, struct method_options *mo);
/* After parsing: the GPTQ options need --method gptq, --calib-text and --calib-ids
   exclude each other (usage error, message printed). 0 when all is well. */
int method_options_check(const char *verb, const struct method_options *mo);

/* The help lines of the method options, for the verbs' --help. */
#define METHOD_HELP \
	"  -m, --method M         how the plan's bits become weights: rtn (default, round\n" \
	"                         to nearest), gguf (the GGUF block types export writes)\n" \
	"                         or gptq (error-compensated, from calibration tokens)\n" \
	"      --damp F           gptq: damping, a fraction of the mean Hessian diagonal\n" \
	"                         (default 0.01)\n" \
	"      --act-order        gptq: columns in order of decreasing Hessian diagonal\n" \
	"      --calib-text FILE  gptq: calibrate on this text (default: the tokens lwq\n" \
	"                         capture recorded in MODEL.h5)\n" \
	"      --calib-ids FILE.i32  gptq: calibrate on these token ids\n"

/* Parses --damp's value (a fraction in [0, 1]); -1 when it is not one. */
int method_parse_damp(const char *arg, double *damp);

#endif
