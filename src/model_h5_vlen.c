/* model_h5_vlen.c: variable-length string attributes (files written before lwq stored
 * fixed-length strings) read without trusting the file's global heap.
 *
 * HDF5 1.10 follows a variable-length string's heap reference without bounds checks: a
 * damaged heap or reference makes H5Aread read past its buffers or through a wild
 * pointer. Those files still hold a user's captured activations and scores, so rather
 * than refuse them the read runs in a forked child that can only die, never take the
 * caller down; the parent accepts the string only from a child that exited cleanly (and
 * h5_attr_get_str only when it is text). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model_h5_internal.h"

/* A damaged heap can also make HDF5 loop; no healthy read takes this long. */
#define VLEN_READ_SECONDS 10

static void child_read(hid_t attr, hid_t mem, int out, size_t len)
{
	int null = open("/dev/null", O_WRONLY);
	if (null >= 0)
		dup2(null, STDERR_FILENO);   /* a sanitizer's report of HDF5's fault is ours to judge */
	alarm(VLEN_READ_SECONDS);
	char *s = NULL;
	if (H5Aread(attr, mem, &s) < 0 || !s)
		_exit(1);
	size_t n = strnlen(s, len - 1);
	while (n > 0) {
		ssize_t put = write(out, s, n);
		if (put <= 0)
			_exit(1);
		s += put;
		n -= (size_t)put;
	}
	_exit(0);
}

int h5_attr_read_vlen_str(hid_t attr, hid_t mem, char *buf, size_t len)
{
	int fds[2];
	if (len == 0 || pipe(fds) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child_read(attr, mem, fds[1], len);
	}
	close(fds[1]);
	size_t n = 0;
	while (pid > 0 && n + 1 < len) {
		ssize_t got = read(fds[0], buf + n, len - 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	close(fds[0]);
	int status = 0;
	if (pid < 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	buf[n] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	return 0;
}
