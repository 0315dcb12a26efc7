/* export_file.c: one export written whole or not at all, for the export verb and the explorer. */
#include "export.h"

#include "atomic_file.h"
#include "cli.h"
#include "imatrix_file.h"
#include "run_method.h"

int export_write_file(enum export_format format, struct export_job *job, const char *final_path,
		      int overwrite, int catch_signals, struct export_stats *stats,
		      struct lwq_err *err)
{
	struct atomic_target target;
	if (atomic_begin(&target, final_path, overwrite, err) != 0)
		return -1;
	job->path = target.temp_path;
	job->out = final_path;
	if (catch_signals)
		atomic_remove_on_signal(&target);
	int rc = format == EXPORT_GGUF ? export_gguf(job, stats, err) : export_lwq(job, stats, err);
	if (rc == 0)
		rc = atomic_commit(&target, err);
	else
		atomic_abort(&target);
	if (catch_signals)
		atomic_remove_on_signal(NULL);
	return rc;
}

enum export_format export_format_for_path(const char *path)
{
	return path_has_extension(path, ".gguf") ? EXPORT_GGUF : EXPORT_LWQ;
}

int export_with_method(enum export_format format, struct export_job *job,
		       const struct method_options *mo, const char *verb, int quiet,
		       const char *final_path, int overwrite, int catch_signals,
		       struct export_stats *stats, struct lwq_err *err)
{
	struct method_run run;
	if (method_run_start(&run, job->src, job->plan, mo, verb, quiet, err) < 0)
		return -1;
	job->gptq = run.gptq;
	job->importance = format == EXPORT_GGUF && !job->f16 && !mo->no_importance &&
			  importance_available(job->src);
	int rc = export_write_file(format, job, final_path, overwrite, catch_signals, stats, err);
	method_run_end(&run);
	job->gptq = NULL;
	return rc;
}

int export_method_for(const char *name, enum export_format format, struct method_options *mo,
		      struct lwq_err *err)
{
	enum quant_method m = QUANT_RTN;
	method_options_init(mo);
	mo->damp = GPTQ_DAMP_DEFAULT;
	if (name && name[0] && quant_method_parse(name, &m) < 0)
		return lwq_err_set(err, "no quantizer named '%s'", name);
	int gptq = m == QUANT_GPTQ || m == QUANT_GGUF_GPTQ;
	if (format == EXPORT_LWQ && quant_method_is_gguf(m))
		return lwq_err_set(err, "%s predicts a GGUF file: give the name a .gguf ending", name);
	/* the GGUF export's own rounding is what the gguf sweeps predict */
	mo->method = format == EXPORT_GGUF ? (gptq ? QUANT_GGUF_GPTQ : QUANT_RTN) : m;
	return 0;
}
