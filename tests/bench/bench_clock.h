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

#endif
