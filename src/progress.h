/* progress.h: "layer k of N, tokens/s, ETA" on stderr when it is a terminal. */
#ifndef LWQ_PROGRESS_H
#define LWQ_PROGRESS_H

#include <stdint.h>

struct progress {
	const char *verb;          /* "import", "capture", ... */
	const char *unit;          /* "tensors", "windows", ... */
	int64_t total;
	int64_t done;
	double start;              /* monotonic seconds */
	double last_draw;
	double work_done;          /* e.g. tokens, for the rate */
	const char *work_unit;     /* "tok/s" or NULL */
	int enabled;
};

/* Enabled only when stderr is a terminal and --quiet was not given. */
void progress_start(struct progress *p, const char *verb, const char *unit, int64_t total);
/* Marks one more item done (and `work` more units of work, e.g. tokens). */
void progress_step(struct progress *p, const char *label, double work);
/* Clears the line. */
void progress_finish(struct progress *p);

double monotonic_seconds(void);

#endif
