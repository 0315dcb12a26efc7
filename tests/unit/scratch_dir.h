/* scratch_dir.h: one temporary directory per test program, removed with its contents. */
#ifndef LWQ_SCRATCH_DIR_H
#define LWQ_SCRATCH_DIR_H

/* The directory, made on the first call under $TMPDIR (default /tmp) as
   lwq-PREFIX-XXXXXX; a program that cannot make it bails out (TAP) with status 1. */
const char *scratch_dir(const char *prefix);

/* "DIR/NAME" (after scratch_dir) in one of 8 rotating buffers, so a few can be alive
   at once. */
const char *scratch_path(const char *name);

/* Removes the directory and everything in it (call once, at the end). */
void scratch_dir_remove(void);

#endif
