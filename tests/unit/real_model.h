/* real_model.h: the shared real models, imported with the lwq binary and loaded whole for tests. */
#ifndef LWQ_REAL_MODEL_H
#define LWQ_REAL_MODEL_H

#include <stddef.h>

#include "model_h5.h"
#include "synth_model.h"
#include "tap.h"

/* Imports $SHARED_DATA/models/<name> with `$LWQ import` into the scratch directory
   (scratch_dir.h, removed at exit) and returns the model file's path, or NULL with the
   reason in why. */
const char *real_model_import(const char *name, char *why, size_t why_len);

/* real_model_import, or NULL after a skipped TAP test "WHAT # SKIP reason". Inline so
   the test is counted by the calling program's tap.h counters (they are per file). */
static inline const char *real_model_or_skip(const char *name, const char *what)
{
	char why[256];
	const char *path = real_model_import(name, why, sizeof why);
	if (!path)
		ok(1, "%s # SKIP %s", what, why);
	return path;
}

/* A fresh path in the scratch directory (removed at exit); the same path each call. */
const char *test_scratch_file(void);

/* Path of $SHARED_DATA/models/<name>/<file> (static buffer). */
const char *real_model_file(const char *name, const char *file);

/* Every weight of an lwq model file in f32 (for the reference path). */
struct test_model *test_model_read(struct model_file *mf, struct lwq_err *err);

/* Reads n little-endian int32 ids starting at index first; -1 on error. */
int read_ids_file(const char *path, int64_t first, int64_t n, int32_t *ids);

#endif
