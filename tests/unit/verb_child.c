/* verb_child.c: one lwq verb in a forked child, judged by its exit and its stderr. */
#include "verb_child.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "model_h5.h"

const char *const verb_outcome_names[N_OUTCOMES] = {
	"exit 0", "exit 1 with one line", "crash", "hang", "sanitizer report",
	"more than one line on stderr",
};

static int (*verb_named(const char *name))(int, char **)
{
	return !strcmp(name, "info") ? cmd_info : !strcmp(name, "plan") ? cmd_plan
	     : !strcmp(name, "score") ? cmd_score : !strcmp(name, "eval") ? cmd_eval
	     : !strcmp(name, "import") ? cmd_import : !strcmp(name, "capture") ? cmd_capture
	     : NULL;
}

enum verb_outcome run_verb_child(char **argv, const char *err_path, int seconds, int *status)
{
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(null, 1);
		dup2(err, 2);
		signal(SIGXFSZ, SIG_IGN);
		model_file_no_exit_cleanup();
		alarm((unsigned)seconds);
		int argc = 0;
		while (argv[argc])
			argc++;
		int (*verb)(int, char **) = verb_named(argv[0]);
		int code = verb ? verb(argc, argv) : 99;
		fflush(NULL);
		_exit(code);
	}
	int wstatus = 0;
	if (pid < 0 || waitpid(pid, &wstatus, 0) != pid)
		return CRASH;
	if (status)
		*status = wstatus;
	FILE *f = fopen(err_path, "r");
	char line[4096];
	int lines = 0, sanitizer = 0;
	while (f && fgets(line, sizeof line, f)) {
		lines++;
		sanitizer |= strstr(line, "Sanitizer") || strstr(line, "runtime error");
	}
	if (f)
		fclose(f);
	if (sanitizer)
		return SANITIZER;
	if (WIFSIGNALED(wstatus))
		return WTERMSIG(wstatus) == SIGALRM ? HANG : CRASH;
	if (WEXITSTATUS(wstatus) > 1)
		return CRASH;
	if (lines > 1)
		return MULTI_LINE;
	return WEXITSTATUS(wstatus) == 0 ? RAN_OK : CLEAN_ERROR;
}
