/* file_read.c: reading whole small files and exact byte ranges, with one-line errors. */
#include "file_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int pread_full(int fd, void *buf, size_t n, uint64_t offset)
{
	char *p = buf;
	while (n > 0) {
		ssize_t got = pread(fd, p, n, (off_t)offset);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		p += got;
		n -= (size_t)got;
		offset += (uint64_t)got;
	}
	return 0;
}

int read_whole_file(const char *path, size_t max, char **out, size_t *len,
		    struct lwq_err *err)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	int problem = !f ? errno : fstat(fileno(f), &st) < 0 ? errno
		    : S_ISDIR(st.st_mode) ? EISDIR : 0;
	if (problem) {
		if (f)
			fclose(f);
		return lwq_err_set(err, "%s: cannot open: %s", path, strerror(problem));
	}
	char *text = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			char *grown = cap <= 2 * max + 4096 ? realloc(text, cap + 1) : NULL;
			if (!grown) {
				free(text);
				fclose(f);
				return lwq_err_set(err, "%s: larger than %zu bytes", path, max);
			}
			text = grown;
		}
		size_t got = fread(text + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	int failed = ferror(f);
	fclose(f);
	if (failed || n > max) {
		free(text);
		return failed ? lwq_err_set(err, "%s: read error", path)
			      : lwq_err_set(err, "%s: larger than %zu bytes", path, max);
	}
	text[n] = '\0';
	*out = text;
	*len = n;
	return 0;
}
