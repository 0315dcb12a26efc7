/* progress.c: one self-erasing status line; silent in pipes and under --quiet. */
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

double monotonic_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void progress_start(struct progress *p, const char *verb, const char *unit, int64_t total)
{
	p->verb = verb;
	p->unit = unit;
	p->total = total;
	p->done = 0;
	p->start = monotonic_seconds();
	p->last_draw = 0;
	p->work_done = 0;
	p->work_unit = NULL;
	p->enabled = !cli_quiet && isatty(STDERR_FILENO);
}

void progress_step(struct progress *p, const char *label, double work)
{
	p->done++;
	p->work_done += work;
	if (!p->enabled)
		return;
	double now = monotonic_seconds();
	if (now - p->last_draw < 0.1 && p->done < p->total)
		return;
	p->last_draw = now;
	double elapsed = now - p->start;
	double eta = p->done > 0 ? elapsed / (double)p->done * (double)(p->total - p->done) : 0;
	fprintf(stderr, "\r\033[K%s: %s %lld/%lld", p->verb, p->unit,
		(long long)p->done, (long long)p->total);
	if (label)
		fprintf(stderr, " %s", label);
	if (p->work_unit && elapsed > 0)
		fprintf(stderr, ", %.0f %s", p->work_done / elapsed, p->work_unit);
	fprintf(stderr, ", ETA %.0fs", eta);
	fflush(stderr);
}

void progress_finish(struct progress *p)
{
	if (p->enabled) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
	}
}
