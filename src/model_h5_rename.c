/* model_h5_rename.c: moving an object inside the model file (capture swaps in /activations). */
#include "model_h5_internal.h"

int model_file_rename(struct model_file *mf, const char *from, const char *to,
		      struct lwq_err *err)
{
	if (!mf->writable)
		return lwq_err_set(err, "%s: opened read-only, cannot move %s", mf->path, from);
	if (!h5_path_exists(mf->file, from))
		return lwq_err_set(err, "%s: no %s to move", mf->path, from);
	if (h5_path_exists(mf->file, to))
		return lwq_err_set(err, "%s: cannot move %s over existing %s", mf->path, from, to);
	if (H5Lmove(mf->file, from, mf->file, to, H5P_DEFAULT, H5P_DEFAULT) < 0)
		return lwq_err_set(err, "%s: cannot move %s to %s", mf->path, from, to);
	return 0;
}
