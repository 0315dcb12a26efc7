/* atomic_file.h: outputs appear whole or not at all (temp file, fsync, rename). */
#ifndef LWQ_ATOMIC_FILE_H
#define LWQ_ATOMIC_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "status.h"

struct atomic_target {
	char final_path[4096];
	char temp_path[4096 + 64];      /* same directory, so rename is atomic */
};

/* Prepares a temp name beside final_path. Fails if final_path exists and !overwrite,
   or if its directory is not writable. Does not create the temp file. */
int atomic_begin(struct atomic_target *t, const char *final_path, int overwrite,
		 struct lwq_err *err);
/* fsyncs the temp file and renames it over the final path. */
int atomic_commit(struct atomic_target *t, struct lwq_err *err);
/* Removes the temp file (safe to call after commit or when nothing was written). */
void atomic_abort(struct atomic_target *t);

/* Removes t's temp file if SIGINT, SIGTERM or SIGHUP arrives before commit or abort
   (NULL disarms). One target at a time; signals the shell ignores stay ignored. */
void atomic_remove_on_signal(const struct atomic_target *t);

/* From now on, SIGINT, SIGTERM or SIGHUP print one line saying what the interrupted VERB
   kept ("lwq: capture: interrupted; nothing was written", or after a commit "...; PATH
   was written and is complete") before the process ends as the signal says. */
void atomic_note_interrupts(const char *verb);

/* For verbs that keep finished work: from now on the first of those signals is only
   noted (atomic_interrupt_pending returns it; long loops check it and stop), a second
   one ends the process as before. The verb then stores what is whole and calls
   atomic_end_interrupted with what it kept ("the curves of lim, zd were stored in
   M.h5"), which prints the one line and ends the process as the signal says. */
void atomic_defer_interrupts(void);
int atomic_interrupt_pending(void);
void atomic_end_interrupted(const char *kept) __attribute__((noreturn));

/* Fails with "PATH: needs 2.9 MiB, only 1.0 MiB can be written there (disk full or file
   size limit)" when the free space of path's directory or the process's file size limit
   (RLIMIT_FSIZE) is below `bytes`. Lets big writers refuse before writing anything. */
int atomic_check_space(const char *path, uint64_t bytes, struct lwq_err *err);

/* atomic_begin, then a stdio stream on t's new temp file, for writers that produce the
   output piece by piece; NULL with err set (nothing created). */
FILE *atomic_open_stream(struct atomic_target *t, const char *final_path, int overwrite,
			 struct lwq_err *err);
/* Closes the stream and, when the writer succeeded (status 0) and the close did too,
   commits; otherwise removes the temp file (status -1: the writer failed, err is set).
   0 or -1. */
int atomic_close_stream(struct atomic_target *t, FILE *f, int status, struct lwq_err *err);

/* Writes a whole buffer to path atomically (for JSON, CSV, text outputs). */
int atomic_write_file(const char *path, const void *data, size_t n, int overwrite,
		      struct lwq_err *err);

#endif
