/* run_method.h: the quantizer a verb's run applies (--method), with GPTQ's calibration. */
#ifndef LWQ_RUN_METHOD_H
#define LWQ_RUN_METHOD_H

#include <stdint.h>

#include "gptq_run.h"
#include "layer_pass.h"
#include "model_h5.h"
#include "options.h"
#include "plan.h"
#include "quant_method.h"
#include "status.h"

/* Options of the verbs that apply a plan (eval, sweep, export). */
struct method_options {
	enum quant_method method;
	double damp;                   /* GPTQ: --damp (NaN until given; then checked) */
	int act_order;                 /* GPTQ: --act-order */
	const char *calib_text;        /* GPTQ: --calib-text FILE */
	const char *calib_ids;         /* GPTQ: --calib-ids FILE.i32 */
	int no_importance;             /* GGUF: --no-importance */
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
   layer hook (loaded calibration included); for GGUF on a model with capture's
   statistics (unless --no-importance), a hook that fits block scales weighted by them,
   exactly as lwq export --format gguf does. */
struct method_run {
	struct run_quant rq;
	struct gptq_runner *gptq;
	int32_t *calib_ids;
	struct model_file *mf;
	int group_size;
};

int method_run_start(struct method_run *run, struct model_file *mf,
		     const struct bit_plan *plan, const struct method_options *mo,
		     const char *verb, int quiet, struct lwq_err *err);
void method_run_end(struct method_run *run);

static const char *const method_names[] = { "rtn", "gguf", "gptq", "gguf-gptq", NULL };

/* The method options as option-table entries (options.h) for a verb whose options
   struct holds a struct method_options named `member`. */
#define METHOD_OPTS(type, member) \
	OPT_CHOICE("method", 0, "M", type, member.method, method_names, \
		   "how the plan's bits become weights: rtn (default, round to nearest), " \
		   "gguf (the GGUF block types export writes), gptq (error-compensated, " \
		   "from calibration tokens) or gguf-gptq (gptq onto the GGUF block types, " \
		   "what a GGUF export with --method gptq writes)"), \
	OPT_NUM("damp", 0, "F", type, member.damp, \
		"gptq: damping, a fraction of the mean Hessian diagonal (default 0.01)"), \
	OPT_FLAG("act-order", 0, type, member.act_order, \
		 "gptq: columns in order of decreasing Hessian diagonal"), \
	OPT_STR("calib-text", 0, "FILE", type, member.calib_text, \
		"gptq: calibrate on this text (default: the tokens lwq capture recorded)"), \
	OPT_STR("calib-ids", 0, "FILE.i32", type, member.calib_ids, \
		"gptq: calibrate on these token ids"), \
	OPT_FLAG("no-importance", 0, type, member.no_importance, \
		 "gguf: fit block scales without activation statistics")

/* After options_parse: --damp in [0, 1] (default when not given), the GPTQ options only
   with --method gptq, --calib-text and --calib-ids not both. 0, or EXIT_USAGE after a
   one-line message. */
int method_options_check(const char *verb, struct method_options *mo);


#endif
