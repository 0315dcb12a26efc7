/* run_method.c: the quantizer a verb's run applies (--method), with GPTQ's calibration. */
#include "run_method.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gguf_quants.h"
#include "imatrix_file.h"
#include "layout.h"
#include "token_source.h"

void method_options_init(struct method_options *mo)
{
	memset(mo, 0, sizeof *mo);
	mo->method = QUANT_RTN;
	mo->damp = NAN;
}


static int method_is_gptq(enum quant_method m)
{
	return m == QUANT_GPTQ || m == QUANT_GGUF_GPTQ;
}

int method_options_check(const char *verb, struct method_options *mo)
{
	int damp_given = !isnan(mo->damp);
	if (damp_given && !(mo->damp >= 0.0 && mo->damp <= 1.0))
		return cli_usage_error(verb, "--damp must be a fraction in [0, 1], not %g",
				       mo->damp);
	if (!damp_given)
		mo->damp = GPTQ_DAMP_DEFAULT;
	if (mo->calib_text && mo->calib_ids)
		return cli_usage_error(verb, "give --calib-text or --calib-ids, not both");
	if (mo->no_importance && !quant_method_is_gguf(mo->method) && strcmp(verb, "export") != 0)
		return cli_usage_error(verb, "--no-importance is for --method gguf or gguf-gptq");
	if (!method_is_gptq(mo->method) && (damp_given || mo->act_order || mo->calib_text ||
					    mo->calib_ids))
		return cli_usage_error(verb, "--damp, --act-order, --calib-text and --calib-ids "
				       "are for --method gptq or gguf-gptq");
	return 0;
}

/* The tokens and window shape lwq capture recorded. */
static int captured_calibration(struct model_file *mf, int32_t **ids, int *windows,
				int *seq_len, struct lwq_err *err)
{
	const char *path = model_file_path(mf);
	int64_t w = 0, len = 0;
	struct tensor_info info;
	if (!model_file_exists(mf, ACT_TOKENS) ||
	    model_file_dataset_info(mf, ACT_TOKENS, &info, NULL) < 0)
		return lwq_err_set(err, "%s: no calibration tokens for GPTQ: run lwq capture on "
				   "it first (or give --calib-text or --calib-ids)", path);
	if (model_file_get_attr_i64(mf, ACT_GROUP, "windows", &w) < 0 ||
	    model_file_get_attr_i64(mf, ACT_GROUP, "seq_len", &len) < 0 || w < 1 || len < 1 ||
	    w > (1 << 20) || len > (1 << 24) || info.count != w * len)
		return lwq_err_set(err, "%s: %s holds %lld ids, not the windows x seq_len its "
				   "attributes give (run lwq capture again)", path, ACT_TOKENS,
				   (long long)info.count);
	*ids = malloc((size_t)info.count * sizeof(int32_t));
	if (!*ids)
		return lwq_err_set(err, "%s: out of memory for %lld calibration tokens", path,
				   (long long)info.count);
	if (model_file_get_i32(mf, ACT_TOKENS, *ids, info.count, err) < 0) {
		free(*ids);
		*ids = NULL;
		return -1;
	}
	*windows = (int)w;
	*seq_len = (int)len;
	return 0;
}

int method_load_calibration(struct model_file *mf, const struct method_options *mo,
			    int32_t **ids, int *windows, int *seq_len, struct lwq_err *err)
{
	*ids = NULL;
	if (!mo->calib_text && !mo->calib_ids)
		return captured_calibration(mf, ids, windows, seq_len, err);
	*seq_len = CALIB_SEQ_LEN;
	return load_tokens_all_windows(mf, mo->calib_text, mo->calib_ids, 0, CALIB_SEQ_LEN,
				       CALIB_WINDOWS, windows, ids, err);
}

/* GGUF's block types with scales weighted by the layer's input statistics: what
   export --format gguf writes, decoded. */
static int gguf_importance_layer(void *user, int layer, int bits, struct layer_weights *lw,
				 struct lwq_err *err)
{
	struct method_run *run = user;
	const struct model_config *cfg = model_file_config(run->mf);
	for (int k = 0; k < LIN_COUNT; k++) {
		int64_t rows, cols;
		linear_shape(cfg, (enum linear_kind)k, &rows, &cols);
		int type = gguf_type_for_bits(bits, cols);
		float *imp = malloc((size_t)cols * sizeof *imp);
		void *row = malloc(gguf_row_bytes(type, cols) + 1);
		int got = imp && row ? importance_read(run->mf, layer, k, cols, imp, err)
				     : lwq_err_set(err, "out of memory");
		if (got < 0 || type < 0) {
			free(imp);
			free(row);
			return type < 0 ? quant_method_check_bits(QUANT_GGUF, bits, err) : -1;
		}
		for (int64_t r = 0; r < rows; r++) {
			float *w = lw->lin[k] + r * cols;
			gguf_quantize_row_weighted(type, w, got ? imp : NULL, cols, row);
			gguf_dequantize_row(type, row, cols, w);
		}
		free(imp);
		free(row);
	}
	return 0;
}

int method_run_start(struct method_run *run, struct model_file *mf,
		     const struct bit_plan *plan, const struct method_options *mo,
		     const char *verb, int quiet, struct lwq_err *err)
{
	memset(run, 0, sizeof *run);
	run->rq.plan = plan;
	run->rq.method = mo->method;
	run->mf = mf;
	if (mo->method == QUANT_GGUF && plan && !mo->no_importance && importance_available(mf)) {
		run->rq.quantize_layer = gguf_importance_layer;
		run->rq.user = run;
		return 0;
	}
	if (!method_is_gptq(mo->method) || !plan)
		return 0;
	struct gptq_run_config rc = { .plan = plan, .verb = verb, .quiet = quiet,
				      .gguf = mo->method == QUANT_GGUF_GPTQ,
				      .no_importance = mo->no_importance };
	rc.opt = gptq_options_default();
	rc.opt.damp = mo->damp;
	rc.opt.act_order = mo->act_order;
	if (method_load_calibration(mf, mo, &run->calib_ids, &rc.windows, &rc.seq_len, err) < 0)
		return -1;
	rc.ids = run->calib_ids;
	run->gptq = gptq_runner_new(mf, &rc, err);
	if (!run->gptq) {
		method_run_end(run);
		return -1;
	}
	run->rq.quantize_layer = gptq_quantize_layer;
	run->rq.user = run->gptq;
	return 0;
}

void method_run_end(struct method_run *run)
{
	gptq_runner_free(run->gptq);
	free(run->calib_ids);
	run->gptq = NULL;
	run->calib_ids = NULL;
}
