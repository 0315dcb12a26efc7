/* model_update.c: copy, change the copy, rename it over the model (see model_update.h). */
#include "model_update.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/fs.h>
#endif

#include "atomic_file.h"
#include "cli.h"

/* Room HDF5 needs beyond the raw data it writes: object headers, chunk indexes, and the
   space of replaced objects, which HDF5 does not reuse within one session. */
static uint64_t with_margin(uint64_t bytes)
{
	return bytes + bytes / 8 + ((uint64_t)1 << 20);
}

static int write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Copies in to out: a reflink where the filesystem shares blocks, else plain copying. */
static int copy_contents(int in, int out, off_t size)
{
#ifdef FICLONE
	if (ioctl(out, FICLONE, in) == 0)
		return 0;
#endif
	static char buf[1 << 20];
	off_t done = 0;
	while (done < size) {
		ssize_t r = read(in, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || write_all(out, buf, (size_t)r) != 0)
			return -1;
		done += r;
	}
	return 0;
}

/* Makes t's temp file a copy of the locked original (fd in, stat st). */
static int make_copy(int in, const struct stat *st, const struct atomic_target *t,
		     struct lwq_err *err)
{
	unlink(t->temp_path);  /* a leftover of an earlier run with our pid */
	int out = open(t->temp_path, O_WRONLY | O_CREAT | O_EXCL, st->st_mode & 07777);
	if (out < 0)
		return lwq_err_set(err, "%s: cannot create a working copy: %s", t->final_path,
				   strerror(errno));
	int rc = copy_contents(in, out, st->st_size);
	int e = errno;
	if (close(out) != 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	if (rc != 0)
		return lwq_err_set(err, "%s: cannot make a working copy: %s", t->final_path,
				   strerror(e));
	return 0;
}

/* Runs update on the copy; the copy's HDF5 close must succeed for the result to count. */
static int update_copy(const struct atomic_target *t, const char *path,
		       model_update_fn update, void *ctx, struct lwq_err *err)
{
	struct model_file *mf = model_file_open(t->temp_path, 1, err);
	if (!mf)
		return lwq_err_set(err, "%s: cannot open the working copy", path);
	model_file_set_display_path(mf, path);
	int rc = update(mf, ctx, err);
	if (rc == 0)
		rc = model_file_flush(mf, err);
	if (model_file_close(mf) != 0 && rc == 0)
		rc = lwq_err_set(err, "%s: cannot finish writing (disk full or file size limit)",
				 path);
	return rc;
}

/* Removes working copies (".NAME.tmp.PID", atomic_begin's names) left by killed runs:
   a process with that pid no longer exists. */
static void remove_stale_copies(const char *real)
{
	char dir[PATH_MAX], prefix[PATH_MAX + 16], stale[2 * PATH_MAX + 16];
	const char *slash = strrchr(real, '/');
	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - real) : 1, slash ? real : ".");
	if (!dir[0])
		snprintf(dir, sizeof dir, "/");
	snprintf(prefix, sizeof prefix, ".%s.tmp.", slash ? slash + 1 : real);
	DIR *d = opendir(dir);
	if (!d)
		return;
	size_t n = strlen(prefix);
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		const char *digits = e->d_name + n;
		if (strncmp(e->d_name, prefix, n) != 0 || !*digits ||
		    strspn(digits, "0123456789") != strlen(digits))
			continue;
		long pid = strtol(digits, NULL, 10);
		if (pid > 0 && pid != (long)getpid() && kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
			snprintf(stale, sizeof stale, "%s/%s", dir, e->d_name);
			unlink(stale);
		}
	}
	closedir(d);
}

/* The updated copy must fit beside the original before anything is written. */
static int check_room(const char *path, const char *real, uint64_t bytes,
		      struct lwq_err *err)
{
	struct lwq_err why = { "" };
	if (atomic_check_space(real, bytes, &why) == 0)
		return 0;
	char need[32];
	return lwq_err_set(err, "%s: not updated: the updated copy needs %s; %s", path,
			   format_size((double)bytes, need, sizeof need),
			   strstr(why.msg, "only ") ? strstr(why.msg, "only ") : why.msg);
}

/* An exclusive lock on the file that path names now (HDF5 readers hold shared ones). */
static int lock_original(const char *path, struct stat *st, struct lwq_err *err)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		lwq_err_set(err, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	struct stat now;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		lwq_err_set(err, "%s: in use by another process (another lwq?); try again when "
			    "it has finished", path);
	} else if (fstat(fd, st) != 0 || stat(path, &now) != 0 || now.st_ino != st->st_ino ||
		   now.st_dev != st->st_dev) {
		lwq_err_set(err, "%s: replaced by another process while opening; try again", path);
	} else {
		return fd;
	}
	close(fd);
	return -1;
}

/* The file an update of path replaces (the target of a symlinked model), if writable. */
static int update_target(const char *path, char real[PATH_MAX], struct lwq_err *err)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return lwq_err_set(err, "%s: cannot open: %s", path, strerror(errno));
	if (!S_ISLNK(st.st_mode))
		snprintf(real, PATH_MAX, "%s", path);
	else if (!realpath(path, real))
		return lwq_err_set(err, "%s: cannot open: %s", path, strerror(errno));
	if (access(real, W_OK) != 0)
		return lwq_err_set(err, "%s: cannot open for writing: %s", path, strerror(errno));
	return 0;
}

int model_file_check_update(const char *path, struct lwq_err *err)
{
	char real[PATH_MAX];
	struct stat st;
	if (update_target(path, real, err) != 0)
		return -1;
	int fd = lock_original(real, &st, err);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int model_file_update(const char *path, uint64_t new_bytes, model_update_fn update,
		      void *ctx, struct lwq_err *err)
{
	char real[PATH_MAX];
	struct stat st;
	if (update_target(path, real, err) != 0)
		return -1;
	struct atomic_target t;
	if (atomic_begin(&t, real, 1, err) != 0)
		return -1;
	int fd = lock_original(real, &st, err);
	if (fd < 0)
		return -1;
	remove_stale_copies(real);
	int rc = check_room(path, real, with_margin((uint64_t)st.st_size + new_bytes), err);
	atomic_remove_on_signal(&t);
	if (rc == 0)
		rc = make_copy(fd, &st, &t, err);
	if (rc == 0)
		rc = update_copy(&t, path, update, ctx, err);
	if (rc == 0)
		rc = atomic_commit(&t, err);
	else
		atomic_abort(&t);
	atomic_remove_on_signal(NULL);
	close(fd);   /* releases the lock, after the rename */
	return rc;
}
