/* test_crashed_writer.c: a writer killed while holding a model file open leaves it marked
   in use; opening it then says so in one line and names the cure (h5clear -s FILE). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model_h5.h"
#include "scratch_dir.h"
#include "synth_model.h"
#include "tap.h"

/* A child opens the file and ends without closing it, as a killed process would. */
static int open_and_die(const char *path, int writable)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct lwq_err err = { "" };
		_exit(model_file_open(path, writable, &err) ? 0 : 3);
	}
	int status;
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) ?
	       WEXITSTATUS(status) : -1;
}

/* stderr of `$LWQ info path` and its exit status. */
static int lwq_info(const char *path, char *out, size_t len)
{
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "'%s' info '%s' 2>&1 >/dev/null", getenv("LWQ"), path);
	FILE *p = popen(cmd, "r");
	size_t n = p ? fread(out, 1, len - 1, p) : 0;
	out[n] = '\0';
	int status = p ? pclose(p) : -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(void)
{
	scratch_dir("crash");
	const char *path = scratch_path("model.h5");
	struct lwq_err err = { "" };
	if (tiny_model_create(path, "crash") < 0)
		tap_skip_all("cannot create a model file");

	ok(open_and_die(path, 0) == 0, "a reader that dies without closing...");
	struct model_file *mf = model_file_open(path, 1, &err);
	ok(mf != NULL, "...leaves the file usable");
	model_file_close(mf);

	ok(open_and_die(path, 1) == 0, "a writer dies without closing the file");
	char want[1024];
	snprintf(want, sizeof want, "%s: marked as in use by a writer (another lwq running, or "
		 "one that was killed); if none is running, clear it with: h5clear -s %s",
		 path, path);
	for (int writable = 0; writable <= 1; writable++) {
		mf = model_file_open(path, writable, &err);
		ok(mf == NULL && strcmp(err.msg, want) == 0, "opening it %s says it is marked in "
		   "use and how to clear it", writable ? "read-write" : "read-only");
		if (mf || strcmp(err.msg, want) != 0)
			printf("#   got: %s\n", mf ? "(opened)" : err.msg);
		model_file_close(mf);
	}

	if (getenv("LWQ")) {
		char out[2048], line[1200];
		snprintf(line, sizeof line, "lwq: info: %s\n", want);
		ok(lwq_info(path, out, sizeof out) == 1 && strcmp(out, line) == 0,
		   "lwq info: exit 1 and that one line");
	}

	if (system("command -v h5clear >/dev/null 2>&1") == 0) {
		char cmd[1024];
		snprintf(cmd, sizeof cmd, "h5clear -s '%s'", path);
		ok(system(cmd) == 0, "h5clear -s runs");
		mf = model_file_open(path, 1, &err);
		ok(mf != NULL, "after h5clear -s the file opens again");
		model_file_close(mf);
	}
	scratch_dir_remove();
	return tap_done();
}
