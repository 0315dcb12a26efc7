/* test_progress.c: the progress line on a terminal: shown as soon as work starts, before
   the first item is done; silent in a pipe and under --quiet. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"
#include "tap.h"

static int saved_stderr = -1;

/* Points stderr at a fresh terminal (a pty) or pipe; returns the end to read, or -1. */
static int stderr_to(int terminal)
{
	int rd, wr;
	if (terminal) {
		rd = posix_openpt(O_RDWR | O_NOCTTY);
		if (rd < 0 || grantpt(rd) < 0 || unlockpt(rd) < 0)
			return -1;
		wr = open(ptsname(rd), O_RDWR | O_NOCTTY);
	} else {
		int fds[2];
		if (pipe(fds) < 0)
			return -1;
		rd = fds[0];
		wr = fds[1];
	}
	if (wr < 0)
		return -1;
	fflush(stderr);
	if (saved_stderr < 0)
		saved_stderr = dup(STDERR_FILENO);
	dup2(wr, STDERR_FILENO);
	close(wr);
	return rd;
}

static void stderr_back(void)
{
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
}

/* What was written so far (waits at most 200 ms for the first byte). */
static const char *drain(int fd, char *buf, size_t len)
{
	size_t n = 0;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	fflush(stderr);
	while (n + 1 < len && poll(&pfd, 1, n ? 0 : 200) > 0 && (pfd.revents & POLLIN)) {
		ssize_t got = read(fd, buf + n, len - 1 - n);
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++)   /* "\r\033[K" as "^^[K", readable in the log */
		if (buf[i] == '\r' || buf[i] == '\033')
			buf[i] = '^';
	return buf;
}

int main(void)
{
	char out[512];
	struct progress p;

	int tty = stderr_to(1);
	if (tty < 0) {
		printf("1..0 # SKIP no pseudo-terminal here\n");
		return 0;
	}
	printf("1..7\n");
	progress_start(&p, "eval", "step", 50);
	drain(tty, out, sizeof out);
	ok(strstr(out, "eval: step 0/50, starting") != NULL,
	   "the line shows at start, before the first step (got \"%s\")", out);
	ok(strstr(out, "ETA") == NULL, "no ETA before anything was done");
	p.work_unit = "tok/s";
	progress_step(&p, "(layer 1 of 49)", 64);
	drain(tty, out, sizeof out);
	ok(out[0] == '\0', "a step within 0.1 s of the first line does not redraw");
	p.last_draw -= 1;
	progress_step(&p, "(layer 2 of 49)", 64);
	drain(tty, out, sizeof out);
	ok(strstr(out, "eval: step 2/50 (layer 2 of 49)") && strstr(out, "tok/s, ETA "),
	   "later steps show count, rate and ETA (got \"%s\")", out);
	progress_finish(&p);
	close(tty);

	int fifo = stderr_to(0);
	progress_start(&p, "eval", "step", 50);
	progress_step(&p, NULL, 0);
	progress_finish(&p);
	drain(fifo, out, sizeof out);
	ok(out[0] == '\0', "nothing in a pipe");
	close(fifo);

	tty = stderr_to(1);
	cli_quiet = 1;
	progress_start(&p, "eval", "step", 50);
	progress_finish(&p);
	drain(tty, out, sizeof out);
	ok(out[0] == '\0', "nothing under --quiet");
	cli_quiet = 0;
	close(tty);

	tty = stderr_to(1);
	progress_start(&p, "sweep", "evaluations", 3);
	progress_item(&p, "order lim, step 1/3");
	drain(tty, out, sizeof out);
	ok(strstr(out, "sweep: order lim, step 1/3, starting") != NULL,
	   "a named item shows at once (got \"%s\")", out);
	progress_finish(&p);
	close(tty);
	stderr_back();
	return tap_failed != 0;
}
