/* file_read.h: reading whole small files and exact byte ranges, with one-line errors. */
#ifndef LWQ_FILE_READ_H
#define LWQ_FILE_READ_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* Reads exactly n bytes at offset, retrying short reads; 0, or -1 at end of file or on
   an error (errno set). */
int pread_full(int fd, void *buf, size_t n, uint64_t offset);

/* Reads a whole file of at most max bytes into a malloc'd, NUL-terminated buffer. */
int read_whole_file(const char *path, size_t max, char **out, size_t *len,
		    struct lwq_err *err);

/* What a file that lwq cannot use as given is, and what to do instead: a GGUF file or a
   lone .safetensors file (told from their first bytes). NULL for anything else. */
const char *foreign_model_hint(const char *path);

#endif
