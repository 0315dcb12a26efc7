/* scratch_dir.c: one temporary directory per test program, removed with its contents. */

#include <stdio.h>
#include <stdlib.h>

#include "scratch_dir.h"

static char dir[512];

const char *scratch_dir(const char *prefix)
{
	if (dir[0])
		return dir;
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/lwq-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
	if (!mkdtemp(dir)) {
		printf("Bail out! cannot create the temporary directory %s\n", dir);
		exit(1);
	}
	return dir;
}

const char *scratch_path(const char *name)
{
	static char buf[8][768];
	static int next;
	char *p = buf[next++ % 8];
	snprintf(p, sizeof buf[0], "%s/%s", dir, name);
	return p;
}

void scratch_dir_remove(void)
{
	if (!dir[0])
		return;
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
	dir[0] = '\0';
}
