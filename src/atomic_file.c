/* atomic_file.c: temp-then-rename writing so no reader sees a half-written output. */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cli.h"

static void split_dir(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

int atomic_begin(struct atomic_target *t, const char *final_path, int overwrite,
		 struct lwq_err *err)
{
	struct stat st;
	char dir[4000];
	if (strlen(final_path) + 32 >= sizeof dir)
		return lwq_err_set(err, "%s: path too long", final_path);
	if (!overwrite && stat(final_path, &st) == 0)
		return lwq_err_set(err, "%s: already exists (use --force to overwrite)", final_path);
	split_dir(final_path, dir, sizeof dir);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return lwq_err_set(err, "%s: directory %s does not exist", final_path, dir);
	if (access(dir, W_OK) != 0)
		return lwq_err_set(err, "%s: directory %s is not writable", final_path, dir);
	snprintf(t->final_path, sizeof t->final_path, "%s", final_path);
	const char *base = strrchr(final_path, '/');
	base = base ? base + 1 : final_path;
	snprintf(t->temp_path, sizeof t->temp_path, "%s/.%s.tmp.%ld", dir, base, (long)getpid());
	return 0;
}

/* The temp file to remove when interrupted (a copy: handlers may only touch statics),
   and the line that says what an interruption keeps. */
static char signal_temp[4096 + 64];
static char signal_verb[32];
static char signal_note[4096 + 128];
static size_t signal_note_len;

static void remove_temp_and_reraise(int sig)
{
	if (signal_temp[0])
		unlink(signal_temp);
	if (signal_note_len)
		(void)!write(STDERR_FILENO, signal_note, signal_note_len);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* A verb that keeps finished work asks for the first signal to be noted, not obeyed;
   a second one ends the process at once. */
static int deferring;
static volatile sig_atomic_t deferred_signal;

static void note_or_reraise(int sig)
{
	if (deferred_signal)
		remove_temp_and_reraise(sig);
	else
		deferred_signal = sig;
}

/* Signals the shell told us to ignore (as for background jobs) stay ignored. */
static void arm_signals(int armed)
{
	static const int signals[] = { SIGINT, SIGTERM, SIGHUP };
	for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
		struct sigaction old, act;
		if (sigaction(signals[i], NULL, &old) != 0 || old.sa_handler == SIG_IGN)
			continue;
		memset(&act, 0, sizeof act);
		act.sa_handler = !armed ? SIG_DFL : deferring ? note_or_reraise
			       : remove_temp_and_reraise;
		sigemptyset(&act.sa_mask);
		sigaction(signals[i], &act, NULL);
	}
}

static void set_note(const char *what)
{
	int n = snprintf(signal_note, sizeof signal_note, "lwq: %s: interrupted; %s\n",
			 signal_verb, what);
	signal_note_len = n > 0 && (size_t)n < sizeof signal_note ? (size_t)n : 0;
}

void atomic_remove_on_signal(const struct atomic_target *t)
{
	snprintf(signal_temp, sizeof signal_temp, "%s", t ? t->temp_path : "");
	arm_signals(t || signal_note_len);
}

void atomic_note_interrupts(const char *verb)
{
	snprintf(signal_verb, sizeof signal_verb, "%s", verb);
	set_note("nothing was written");
	arm_signals(1);
}

void atomic_defer_interrupts(void)
{
	deferring = 1;
	arm_signals(1);
}

int atomic_interrupt_pending(void)
{
	return deferred_signal;
}

void atomic_end_interrupted(const char *kept)
{
	int sig = deferred_signal;
	fflush(NULL);                 /* what the verb printed goes out before the process ends */
	set_note(kept);
	if (signal_note_len)
		(void)!write(STDERR_FILENO, signal_note, signal_note_len);
	signal(sig, SIG_DFL);
	raise(sig);
	_exit(128 + sig);             /* a signal the process blocks */
}

/* Makes a rename durable: the directory entry lives in the directory's own blocks. */
static void sync_directory(const char *path)
{
	char dir[4096];
	split_dir(path, dir, sizeof dir);
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int atomic_commit(struct atomic_target *t, struct lwq_err *err)
{
	int fd = open(t->temp_path, O_RDONLY);
	if (fd < 0 || fsync(fd) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		atomic_abort(t);
		return lwq_err_set(err, "%s: cannot sync: %s", t->final_path, strerror(e));
	}
	close(fd);
	if (rename(t->temp_path, t->final_path) != 0) {
		int e = errno;
		atomic_abort(t);
		return lwq_err_set(err, "%s: cannot rename into place: %s", t->final_path, strerror(e));
	}
	t->temp_path[0] = '\0';
	sync_directory(t->final_path);
	if (signal_note_len) {
		char kept[4096 + 32];
		snprintf(kept, sizeof kept, "%s was written and is complete", t->final_path);
		set_note(kept);
	}
	return 0;
}

void atomic_abort(struct atomic_target *t)
{
	if (t->temp_path[0])
		unlink(t->temp_path);
	t->temp_path[0] = '\0';
}

int atomic_check_space(const char *path, uint64_t bytes, struct lwq_err *err)
{
	char dir[4096], need[32], have[32];
	struct statvfs vfs;
	struct rlimit lim;
	uint64_t room = UINT64_MAX;
	split_dir(path, dir, sizeof dir);
	if (statvfs(dir, &vfs) == 0)
		room = (uint64_t)vfs.f_bavail * (uint64_t)vfs.f_frsize;
	if (getrlimit(RLIMIT_FSIZE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY &&
	    (uint64_t)lim.rlim_cur < room)
		room = (uint64_t)lim.rlim_cur;
	if (bytes <= room)
		return 0;
	return lwq_err_set(err, "%s: needs %s, only %s can be written there (disk full or file "
			   "size limit)", path, format_size((double)bytes, need, sizeof need),
			   format_size((double)room, have, sizeof have));
}

FILE *atomic_open_stream(struct atomic_target *t, const char *final_path, int overwrite,
			 struct lwq_err *err)
{
	if (atomic_begin(t, final_path, overwrite, err) != 0)
		return NULL;
	FILE *f = fopen(t->temp_path, "wb");
	if (!f)
		lwq_err_set(err, "%s: cannot create: %s", t->final_path, strerror(errno));
	return f;
}

int atomic_close_stream(struct atomic_target *t, FILE *f, int status, struct lwq_err *err)
{
	if (fclose(f) != 0 && status == 0)
		status = lwq_err_set(err, "%s: write failed (disk full?)", t->final_path);
	if (status != 0) {
		atomic_abort(t);
		return -1;
	}
	return atomic_commit(t, err);
}

int atomic_write_file(const char *path, const void *data, size_t n, int overwrite,
		      struct lwq_err *err)
{
	struct atomic_target t;
	FILE *f = atomic_open_stream(&t, path, overwrite, err);
	if (!f)
		return -1;
	int status = fwrite(data, 1, n, f) == n ? 0
		   : lwq_err_set(err, "%s: write failed (disk full?)", path);
	return atomic_close_stream(&t, f, status, err);
}
