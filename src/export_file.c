/* export_file.c: one export written whole or not at all, for the export verb and the explorer. */
#include "export.h"

#include "atomic_file.h"
#include "cli.h"

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
