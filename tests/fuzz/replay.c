/* replay.c: runs one fuzz target's entry point on every saved input, with the normal
   compiler (and the sanitizers when configured with them), as a TAP test: the corpus in
   tests/fuzz/corpus/NAME and the crash inputs in tests/fuzz/crashes/NAME. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_util.h"

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	if (!f || fstat(fileno(f), &st) != 0) {
		if (f)
			fclose(f);
		return -1;
	}
	uint8_t *data = malloc((size_t)st.st_size + 1);
	size_t n = data ? fread(data, 1, (size_t)st.st_size, f) : 0;
	fclose(f);
	if (!data || n != (size_t)st.st_size) {
		free(data);
		return -1;
	}
	LLVMFuzzerTestOneInput(data, n);
	free(data);
	return 0;
}

/* Replays every regular file in dir; the count, or -1 when one cannot be read. */
static int replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int n = 0;
	char path[4096];
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (replay_file(path) != 0) {
			printf("# cannot read %s\n", path);
			n = -1;
			break;
		}
		n++;
	}
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	const char *top = getenv("TOP_SRCDIR") ? getenv("TOP_SRCDIR") : ".";
	char dir[4096];
	int failed = 0;
	/* Explicit files or directories (as libFuzzer takes them) replay those instead. */
	if (argc > 1) {
		for (int i = 1; i < argc; i++) {
			struct stat st;
			int n = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) ? replay_dir(argv[i])
									      : replay_file(argv[i]);
			failed |= n < 0;
		}
		return failed;
	}
	snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s", top, FUZZ_TARGET);
	int corpus = replay_dir(dir);
	snprintf(dir, sizeof dir, "%s/tests/fuzz/crashes/%s", top, FUZZ_TARGET);
	int crashes = replay_dir(dir);
	printf("1..2\n%s 1 - %s: %d corpus inputs replayed\n", corpus > 0 ? "ok" : "not ok",
	       FUZZ_TARGET, corpus);
	printf("%s 2 - %s: %d crash inputs replayed\n", crashes >= 0 ? "ok" : "not ok",
	       FUZZ_TARGET, crashes);
	return corpus > 0 && crashes >= 0 ? 0 : 1;
}
