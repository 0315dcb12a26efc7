/* progress.c: one self-erasing status line; silent in pipes and under --quiet. */
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static void draw(struct progress *p, const char *label);

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
	p->item[0] = p->inner[0] = '\0';
	p->inner_fraction = 0;
	draw(p, NULL);                 /* the line shows at once, not after the first item */
}

/* "42s", "5m 10s", "2h 05m": a long run's ETA in units a reader takes in at a glance. */
static const char *format_eta(double seconds, char *buf, size_t len)
{
	long s = seconds > 0 ? (long)(seconds + 0.5) : 0;
	if (s < 60)
		snprintf(buf, len, "%lds", s);
	else if (s < 3600)
		snprintf(buf, len, "%ldm %02lds", s / 60, s % 60);
	else
		snprintf(buf, len, "%ldh %02ldm", s / 3600, s % 3600 / 60);
	return buf;
}

/* Redraws the line at most ten times a second (and always on the first and last
   item). */
static void draw(struct progress *p, const char *label)
{
	double now = monotonic_seconds();
	if (!p->enabled || (now - p->last_draw < 0.1 && p->done < p->total && p->last_draw > 0))
		return;
	p->last_draw = now;
	double elapsed = now - p->start;
	double done = (double)p->done + (p->item[0] ? p->inner_fraction : 0);
	char eta[32];
	format_eta(done > 0 ? elapsed / done * ((double)p->total - done) : 0, eta, sizeof eta);
	if (p->item[0])
		fprintf(stderr, "\r\033[K%s: %s", p->verb, p->item);
	else
		fprintf(stderr, "\r\033[K%s: %s %lld/%lld", p->verb, p->unit, (long long)p->done,
			(long long)p->total);
	if (p->item[0] && p->inner[0])
		fprintf(stderr, ", %s", p->inner);
	else if (!p->item[0] && label)
		fprintf(stderr, " %s", label);
	/* before any work is done there is no rate or ETA yet, only the size of the job */
	if (p->work_unit && elapsed > 0 && p->work_done > 0)
		fprintf(stderr, ", %.0f %s", p->work_done / elapsed, p->work_unit);
	if (done > 0)
		fprintf(stderr, ", ETA %s", eta);
	else
		fputs(", starting", stderr);
	fflush(stderr);
}

void progress_step(struct progress *p, const char *label, double work)
{
	p->done++;
	p->work_done += work;
	p->item[0] = p->inner[0] = '\0';
	p->inner_fraction = 0;
	draw(p, label);
}

void progress_item(struct progress *p, const char *label)
{
	snprintf(p->item, sizeof p->item, "%s", label);
	p->inner[0] = '\0';
	p->inner_fraction = 0;
	p->last_draw = 0;              /* a new item shows at once */
	draw(p, NULL);
}

void progress_nested(struct progress *p, const char *note, double fraction, double work)
{
	snprintf(p->inner, sizeof p->inner, "%s", note ? note : "");
	p->inner_fraction = fraction < 0 ? 0 : fraction > 1 ? 1 : fraction;
	p->work_done += work;
	draw(p, NULL);
}

void progress_finish(struct progress *p)
{
	if (p->enabled) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
	}
}
