/* parallel.c: run independent pieces of the forward pass on a few threads. */
#include "parallel.h"

#include <pthread.h>
#include <stdatomic.h>

#define MAX_THREADS 64

struct job {
	void (*task)(void *ctx, int64_t i, int slot);
	void *ctx;
	int64_t n;
	atomic_int_fast64_t next;
};

/* Tasks are handed out one at a time, so uneven tasks (causal attention of late rows
   costs more than early ones) still balance. */
struct worker_arg {
	struct job *job;
	int slot;
};

static void *worker(void *arg)
{
	const struct worker_arg *w = arg;
	for (;;) {
		int64_t i = atomic_fetch_add(&w->job->next, 1);
		if (i >= w->job->n)
			return NULL;
		w->job->task(w->job->ctx, i, w->slot);
	}
}

void parallel_for(int n_threads, int64_t n_tasks,
		  void (*task)(void *ctx, int64_t i, int slot), void *ctx)
{
	struct job job = { task, ctx, n_tasks, 0 };
	if (n_threads > MAX_THREADS)
		n_threads = MAX_THREADS;
	if (n_threads > n_tasks)
		n_threads = (int)n_tasks;
	pthread_t tid[MAX_THREADS];
	struct worker_arg args[MAX_THREADS];
	int started = 0;
	for (int t = 1; t < n_threads; t++) {
		args[started] = (struct worker_arg){ &job, started + 1 };
		if (pthread_create(&tid[started], NULL, worker, &args[started]) == 0)
			started++;
	}
	/* The caller works too (slot 0); if no thread started it does everything. */
	struct worker_arg self = { &job, 0 };
	worker(&self);
	for (int t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
}

struct row_split {
	void (*range)(void *ctx, int64_t r0, int64_t r1);
	void *ctx;
	int64_t rows, blocks;
};

static void row_block(void *arg, int64_t b, int slot)
{
	const struct row_split *s = arg;
	s->range(s->ctx, b * s->rows / s->blocks, (b + 1) * s->rows / s->blocks);
}

void parallel_rows(int n_threads, int64_t rows,
		   void (*range)(void *ctx, int64_t r0, int64_t r1), void *ctx)
{
	if (rows <= 0)
		return;
	/* A few blocks per thread: enough to balance, few enough to keep rows contiguous. */
	int64_t blocks = n_threads > 1 ? 4 * (int64_t)n_threads : 1;
	if (blocks > rows)
		blocks = rows;
	struct row_split split = { range, ctx, rows, blocks };
	parallel_for(n_threads, blocks, row_block, &split);
}
