/* demo_model.c: finds the demo model relative to the executable, never in a build tree
   named at compile time. */
#include "demo_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* The directory of the running executable, or "" when /proc cannot say. */
static void exe_dir(char *buf, size_t len)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	buf[0] = 0;
	if (n <= 0)
		return;
	self[n] = 0;
	char *slash = strrchr(self, '/');
	if (slash)
		*slash = 0;
	snprintf(buf, len, "%s", self);
}

const char *demo_model_path(char *buf, size_t len)
{
	const char *env = getenv("LWQ_DEMO");
	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return buf;
	}
	char dir[4096];
	exe_dir(dir, sizeof dir);
	const char *const relative[] = { "/../share/lwq/demo.h5", NULL, "/data/demo.h5" };
	for (int i = 0; i < 3; i++) {
		if (relative[i] && dir[0])
			snprintf(buf, len, "%s%s", dir, relative[i]);
		else if (!relative[i])
			snprintf(buf, len, "%s", LWQ_PKGDATADIR "/demo.h5");
		else
			continue;
		char resolved[4096];
		if (!path_exists(buf))
			continue;
		if (realpath(buf, resolved))     /* ".../bin/../share" read as ".../share" */
			snprintf(buf, len, "%s", resolved);
		return buf;
	}
	return NULL;
}
