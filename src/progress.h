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
	/* Long items with nested work (a sweep's evaluations): what is running now and how
	   far its inner work got, shown on this one line instead of a second one. */
	char item[96];             /* "order lim, step 3/7"; "" between items */
	char inner[48];            /* "layer 12/24" */
	double inner_fraction;     /* of the current item, in [0, 1] */
};

/* Enabled only when stderr is a terminal and --quiet was not given. */
void progress_start(struct progress *p, const char *verb, const char *unit, int64_t total);
/* Marks one more item done (and `work` more units of work, e.g. tokens). */
void progress_step(struct progress *p, const char *label, double work);
/* Names the item now running, e.g. "order lim, step 3/7" (until the next step). */
void progress_item(struct progress *p, const char *label);
/* Nested work inside the current item reports here rather than drawing its own line:
   a short note ("layer 12/24"), the fraction of the item done, and `work` more units. */
void progress_nested(struct progress *p, const char *note, double fraction, double work);
/* Clears the line. */
void progress_finish(struct progress *p);

double monotonic_seconds(void);

#endif
