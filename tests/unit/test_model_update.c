/* test_model_update.c: model_file_update leaves the model whole: unchanged when the
   update fails (by its own error, a full disk half-way, a reader holding the file),
   complete when it succeeds, and no working copy behind either way. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model_update.h"
#include "read_file.h"
#include "scratch_dir.h"
#include "synth_model.h"
#include "tap.h"

static int same_as(const char *path, const char *bytes, size_t n)
{
	size_t m;
	char *now = read_file(path, &m);
	int same = now && m == n && memcmp(now, bytes, n) == 0;
	free(now);
	return same;
}

/* Entries of the scratch directory other than . and the names given. */
static int stray_files(const char *keep1, const char *keep2)
{
	DIR *d = opendir(scratch_dir("update"));
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d)) != NULL;)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    strcmp(e->d_name, keep1) && strcmp(e->d_name, keep2)) {
			printf("#   stray file %s\n", e->d_name);
			n++;
		}
	if (d)
		closedir(d);
	return n;
}

static int64_t put_size;

static int put_values(struct model_file *mf, void *ctx, struct lwq_err *err)
{
	(void)ctx;
	float *v = calloc((size_t)put_size, sizeof *v);
	int rc = v ? model_file_put_f32(mf, "/scores/x", v, 1, &put_size, err) : -1;
	free(v);
	return rc;
}

static int fail_after_put(struct model_file *mf, void *ctx, struct lwq_err *err)
{
	if (put_values(mf, ctx, err) != 0)
		return -1;
	return lwq_err_set(err, "deliberate failure");
}

/* In a child limited to `limit` bytes per file (as `ulimit -f`): 0 when update failed with
   a message, 1 when it succeeded, 2 without a message, -1 when the child crashed. */
static int update_limited(const char *path, rlim_t limit)
{
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGXFSZ, SIG_IGN);
		struct rlimit lim = { limit, limit };
		setrlimit(RLIMIT_FSIZE, &lim);
		struct lwq_err err = { "" };
		int rc = model_file_update(path, 0, put_values, NULL, &err);
		if (rc != 0)
			printf("#   child: %s\n", err.msg);
		fflush(stdout);
		_exit(rc == 0 ? 1 : err.msg[0] ? 0 : 2);
	}
	int status;
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) ?
	       WEXITSTATUS(status) : -1;
}

int main(void)
{
	model_file_no_exit_cleanup();
	scratch_dir("update");
	const char *path = scratch_path("model.h5");
	if (tiny_model_create(path, "update") < 0)
		tap_skip_all("cannot create a model file");
	size_t n;
	char *before = read_file(path, &n);
	struct lwq_err err = { "" };

	put_size = 1000;
	ok(model_file_update(path, 0, fail_after_put, NULL, &err) == -1 &&
	   strstr(err.msg, "deliberate failure"), "an update that fails reports its error");
	ok(same_as(path, before, n), "...and leaves the file byte for byte as it was");
	ok(stray_files("model.h5", "") == 0, "...and no working copy behind");

	/* 4 MiB of values against a limit that lets the copy through but not the data. */
	put_size = 1 << 20;
	ok(update_limited(path, (rlim_t)n * 2 + (3 << 20)) == 0,
	   "a file size limit hit half-way: the update fails with a message, no crash");
	ok(same_as(path, before, n), "...the file is byte for byte as it was");
	ok(stray_files("model.h5", "") == 0, "...and no working copy is left");

	struct model_file *reader = model_file_open(path, 0, &err);
	put_size = 1000;
	ok(reader && model_file_update(path, 0, put_values, NULL, &err) == -1 &&
	   strstr(err.msg, "in use by another process"),
	   "an update while a reader holds the file is refused");
	model_file_close(reader);
	ok(same_as(path, before, n), "...and changes nothing");

	char stale[4200];
	pid_t dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	snprintf(stale, sizeof stale, "%s/.model.h5.tmp.%ld", scratch_dir("update"), (long)dead);
	fclose(fopen(stale, "w"));
	ok(symlink("model.h5", scratch_path("link.h5")) == 0, "a symlink to the model");
	ok(model_file_update(scratch_path("link.h5"), 0, put_values, NULL, &err) == 0,
	   "an update through the symlink succeeds");
	struct stat st;
	ok(lstat(scratch_path("link.h5"), &st) == 0 && S_ISLNK(st.st_mode),
	   "...the symlink stays a symlink");
	struct model_file *mf = model_file_open(path, 0, &err);
	struct tensor_info info;
	ok(mf && model_file_dataset_info(mf, "/scores/x", &info, &err) == 0 &&
	   info.count == 1000, "...the file it names holds the new dataset");
	model_file_close(mf);
	ok(stray_files("model.h5", "link.h5") == 0,
	   "...and the copy left by a killed run (dead pid) is removed");
	free(before);
	scratch_dir_remove();
	return tap_done();
}
