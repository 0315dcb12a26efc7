/* png_write.h: writes an RGB canvas as an 8-bit PNG, atomically (temp file + rename). */
#ifndef LWQ_PNG_WRITE_H
#define LWQ_PNG_WRITE_H

#include "canvas.h"
#include "status.h"

/* Fails when path exists and !overwrite, or the directory is not writable; on any
   failure no file is left behind. title (may be NULL) goes into a tEXt chunk. */
int png_write_canvas(const char *path, const struct canvas *c, const char *title,
		     int overwrite, struct lwq_err *err);

#endif
