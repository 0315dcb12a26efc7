/* read_file.h: whole-file reading for tests and benchmarks that compare against data files. */
#ifndef LWQ_TEST_READ_FILE_H
#define LWQ_TEST_READ_FILE_H

#include <stdio.h>
#include <stdlib.h>

/* The file's bytes, malloc'd and NUL-terminated (*n excludes the NUL); NULL on failure. */
static inline char *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)size + 1)) && fread(buf, 1, (size_t)size, f) == (size_t)size) {
		buf[size] = '\0';
		*n = (size_t)size;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

#endif
