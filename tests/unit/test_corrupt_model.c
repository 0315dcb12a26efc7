/* test_corrupt_model.c: a real model file (the demo, imported, captured and scored)
   damaged at a few hundred seeded places (a byte flipped, a range zeroed, the file cut
   short); info, plan, score and a one-window eval on each must end with exit 0, or
   exit 1 and one line, never a crash, a hang, a sanitizer report or HDF5's own error
   stack. Each verb runs in a forked child of this program (no exec per run). */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model_h5.h"
#include "read_file.h"
#include "scratch_dir.h"
#include "tap.h"
#include "verb_child.h"
#include "xorshift.h"

#define N_VARIANTS 300
#define SECONDS_PER_RUN 30

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

/* Damages the working copy at path (the clean bytes, n of them) in place and returns
   how to undo it: the file is restored from `bytes` afterwards, so each variant costs a
   few writes instead of a whole copy. */
struct damage { size_t at, span; };

static struct damage damage(int fd, const unsigned char *bytes, size_t n, int variant,
			    char *what, size_t len)
{
	/* Positions: a third anywhere, a third in the first 64 KiB (superblock, root group,
	   early object headers), a third in the last 256 KiB (where the latest results and
	   their metadata went). */
	uint64_t r = xorshift64(&rng_state);
	size_t at = r % 3 == 0 ? (size_t)(xorshift64(&rng_state) % n)
		  : r % 3 == 1 ? (size_t)(xorshift64(&rng_state) % (n < 65536 ? n : 65536))
			       : n - 1 - (size_t)(xorshift64(&rng_state) % (n < 262144 ? n : 262144));
	struct damage d = { at, 1 };
	int kind = variant % 5;
	if (kind < 3) {
		unsigned char b = bytes[at] ^ (unsigned char)(1 + xorshift64(&rng_state) % 255);
		if (pwrite(fd, &b, 1, (off_t)at) != 1)
			abort();
		snprintf(what, len, "byte %zu flipped", at);
	} else if (kind == 3) {
		static const unsigned char zeros[4096];
		d.span = 16 + (size_t)(xorshift64(&rng_state) % 4081);
		if (at + d.span > n)
			d.span = n - at;
		if (pwrite(fd, zeros, d.span, (off_t)at) != (ssize_t)d.span)
			abort();
		snprintf(what, len, "%zu bytes zeroed at %zu", d.span, at);
	} else {
		d.span = n - at;
		if (ftruncate(fd, (off_t)at) != 0)
			abort();
		snprintf(what, len, "cut to %zu bytes", at);
	}
	return d;
}

static void undo(int fd, const unsigned char *bytes, struct damage d)
{
	if (pwrite(fd, bytes + d.at, d.span, (off_t)d.at) != (ssize_t)d.span)
		abort();
}

int main(void)
{
	scratch_dir("corrupt");
	const char *shared = getenv("SHARED_DATA");
	char dir[4096], ids[4200], model[4200], clean[4200], err_path[4200], plan_out[4200];
	snprintf(dir, sizeof dir, "%s/models/lwq-demo-16L", shared ? shared : "../shared/data");
	snprintf(ids, sizeof ids, "%s/heldout.ids.i32", dir);
	if (access(ids, R_OK) != 0)
		tap_skip_all("../shared/data is absent");
	snprintf(clean, sizeof clean, "%s", scratch_path("clean.h5"));
	snprintf(model, sizeof model, "%s", scratch_path("damaged.h5"));
	snprintf(err_path, sizeof err_path, "%s", scratch_path("stderr"));
	snprintf(plan_out, sizeof plan_out, "%s", scratch_path("plan.json"));

	char *import[] = { "import", dir, "-o", clean, NULL };
	char *capture[] = { "capture", clean, "--ids", ids, "--windows", "2", "--seq-len", "32", NULL };
	char *score[] = { "score", clean, NULL };
	int ready = run_verb_child(import, err_path, SECONDS_PER_RUN, NULL) == RAN_OK &&
		    run_verb_child(capture, err_path, SECONDS_PER_RUN, NULL) == RAN_OK &&
		    run_verb_child(score, err_path, SECONDS_PER_RUN, NULL) == RAN_OK;
	ok(ready, "the demo model imported, captured (2 x 32 tokens) and scored");
	if (!ready)
		return tap_done();
	size_t n = 0;
	unsigned char *bytes = (unsigned char *)read_file(clean, &n);
	ok(bytes != NULL, "read the clean file (%zu bytes)", n);
	if (!bytes)
		return tap_done();

	char *runs[4][12] = {
		{ "info", model, NULL },
		{ "plan", model, "--avg-bits", "3", NULL },
		{ "score", model, NULL },
		/* one thread: the damage is what is tested, and BLAS worker threads spinning
		   in every child cost more CPU than the evaluation itself */
		{ "eval", model, "--ids", ids, "--windows", "1", "--seq-len", "16", "--threads", "1",
		  NULL },
	};
	int counts[4][N_OUTCOMES] = { { 0 } };
	int failures = 0;
	FILE *copy = fopen(model, "wb");
	ok(copy && fwrite(bytes, 1, n, copy) == n && fclose(copy) == 0, "a working copy");
	int fd = open(model, O_WRONLY);
	for (int v = 0; v < N_VARIANTS; v++) {
		char what[128];
		struct damage d = damage(fd, bytes, n, v, what, sizeof what);
		for (int k = 0; k < 4; k++) {
			enum verb_outcome o = run_verb_child(runs[k], err_path, SECONDS_PER_RUN, NULL);
			counts[k][o]++;
			if (o >= CRASH) {
				failures++;
				printf("# %s on the file with %s: %s\n", runs[k][0], what, verb_outcome_names[o]);
				char cmd[4400];
				snprintf(cmd, sizeof cmd, "head -5 '%s' | sed 's/^/#   /'", err_path);
				fflush(stdout);
				if (system(cmd) != 0)
					printf("#   (stderr unreadable)\n");
			}
		}
		undo(fd, bytes, d);
		/* score stores scores it had to recompute: a new file replaced the copy. */
		struct stat now, open_st;
		if (stat(model, &now) != 0 || fstat(fd, &open_st) != 0 || now.st_ino != open_st.st_ino) {
			close(fd);
			FILE *again = fopen(model, "wb");
			if (!again || fwrite(bytes, 1, n, again) != n || fclose(again) != 0)
				abort();
			fd = open(model, O_WRONLY);
		}
	}
	close(fd);
	for (int k = 0; k < 4; k++) {
		printf("# %-5s:", runs[k][0]);
		for (int o = 0; o < N_OUTCOMES; o++)
			printf(" %s %d%s", verb_outcome_names[o], counts[k][o], o + 1 < N_OUTCOMES ? "," : "\n");
	}
	ok(failures == 0, "%d damaged files x 4 verbs: no crash, hang, sanitizer report or "
	   "multi-line error (%d failures)", N_VARIANTS, failures);
	free(bytes);
	scratch_dir_remove();
	return tap_done();
}
