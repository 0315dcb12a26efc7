/* bench_clock.h: the one wall clock every bench reads (monotonic, in seconds). */
#ifndef LWQ_BENCH_CLOCK_H
#define LWQ_BENCH_CLOCK_H

#include <time.h>

static inline double bench_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU seconds of this process: on a loaded machine, what the work itself costs. */
static inline double bench_cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

#endif
