/* parallel.h: run independent pieces of the forward pass on a few threads. */
#ifndef LWQ_PARALLEL_H
#define LWQ_PARALLEL_H

#include <stdint.h>

/* Calls task(ctx, i, slot) once for each i in [0, n_tasks), on up to n_threads threads
   (the caller's included); returns when all are done. Tasks must be independent; slot
   (0 <= slot < n_threads) names the thread running the task, for per-thread scratch. */
void parallel_for(int n_threads, int64_t n_tasks,
		  void (*task)(void *ctx, int64_t i, int slot), void *ctx);

/* Splits rows [0, rows) into contiguous ranges and calls range(ctx, r0, r1) on each. */
void parallel_rows(int n_threads, int64_t rows,
		   void (*range)(void *ctx, int64_t r0, int64_t r1), void *ctx);

#endif
