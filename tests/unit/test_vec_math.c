/* test_vec_math.c: the SIMD element-wise loops against plain scalar loops, bit for bit,
   and the task splitter of the forward pass. */
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "parallel.h"
#include "tap.h"
#include "vec_math.h"

#define MAX_N 300

static float value(int i)
{
	return (float)sin(i * 1.7) * 9.0f - 2.0f;
}

/* The documented order: 4 running sums over the full groups of 4, added up, then the
   remainder one by one. */
static float slow_exp_shifted_sum(float *v, int n, float shift)
{
	float acc[4] = { 0, 0, 0, 0 }, sum = 0;
	int full = n / 4 * 4;
	for (int i = 0; i < n; i++)
		v[i] = exp_approx(v[i] - shift);
	for (int i = 0; i < full; i++)
		acc[i % 4] += v[i];
	for (int k = 0; k < 4; k++)
		sum += acc[k];
	for (int i = full; i < n; i++)
		sum += v[i];
	return sum;
}

/* The documented order of sum_squares: 8 lanes in double, added up, then the rest. */
static double slow_sum_squares(const float *v, int n)
{
	double acc[8] = { 0 }, sum = 0;
	int full = n / 8 * 8;
	for (int i = 0; i < full; i++)
		acc[i % 8] += (double)v[i] * v[i];
	for (int k = 0; k < 8 && full > 0; k++)
		sum += acc[k];
	for (int i = full; i < n; i++)
		sum += (double)v[i] * v[i];
	return sum;
}

static void check_sum_squares(void)
{
	float a[MAX_N];
	int bad = 0;
	double worst = 0;
	for (int n = 1; n < MAX_N; n += (n < 40 ? 1 : 37)) {
		double plain = 0;
		for (int i = 0; i < n; i++) {
			a[i] = value(3 * i + n) * 1e3f;
			plain += (double)a[i] * a[i];
		}
		double fast = sum_squares(a, n), slow = slow_sum_squares(a, n);
		bad += memcmp(&fast, &slow, sizeof fast) != 0;
		double rel = fabs(fast - plain) / plain;
		worst = rel > worst ? rel : worst;
	}
	ok(bad == 0 && worst < 1e-14, "sum_squares equals the 8-lane order bit for bit (%d "
	   "lengths differ) and the one-by-one sum within %.1e", bad, worst);
}

static void check_weighted_scale(void)
{
	float x[MAX_N], w[MAX_N], out[MAX_N];
	int bad = 0;
	for (int n = 1; n < MAX_N; n += (n < 40 ? 1 : 37)) {
		for (int i = 0; i < n; i++)
			x[i] = value(i), w[i] = value(7 * i + 1);
		weighted_scale(out, x, w, 0.37f, n);
		for (int i = 0; i < n; i++) {
			float want = w[i] * (x[i] * 0.37f);
			bad += memcmp(&out[i], &want, sizeof want) != 0;
		}
		weighted_scale(x, x, w, 0.37f, n);     /* in place */
		bad += memcmp(x, out, (size_t)n * sizeof *x) != 0;
	}
	ok(bad == 0, "weighted_scale equals w * (x * s) bit for bit, in place too (%d differ)",
	   bad);
}

static void check_exp_sum(void)
{
	float a[MAX_N], b[MAX_N];
	int bad = 0;
	for (int n = 1; n < MAX_N; n += (n < 40 ? 1 : 37)) {
		for (int i = 0; i < n; i++)
			a[i] = b[i] = value(i + n);
		float fast = exp_shifted_sum(a, n, 3.0f);
		float slow = slow_exp_shifted_sum(b, n, 3.0f);
		bad += memcmp(&fast, &slow, sizeof fast) != 0 || memcmp(a, b, n * sizeof *a) != 0;
	}
	ok(bad == 0, "exp_shifted_sum equals the scalar loop bit for bit (%d lengths differ)",
	   bad);
	double worst = 0;
	for (int i = -870; i <= 880; i++) {
		float x = (float)(i / 10.0);
		double want = exp((double)x);
		double rel = fabs(exp_approx(x) - want) / want;
		worst = rel > worst ? rel : worst;
	}
	ok(worst < 3e-7, "exp_approx within 3e-7 of exp on [-87, 88] (worst %.2e)", worst);
}

static void check_others(void)
{
	float g[MAX_N], u[MAX_N], want[MAX_N];
	int bad_silu = 0, bad_max = 0, bad_scale = 0;
	for (int n = 1; n < MAX_N; n += (n < 40 ? 1 : 37)) {
		float m = -INFINITY;
		for (int i = 0; i < n; i++) {
			g[i] = value(i);
			u[i] = value(3 * i + 1);
			want[i] = g[i] / (1.0f + exp_approx(-g[i])) * u[i];
			m = g[i] > m ? g[i] : m;
		}
		bad_max += max_of(g, n) != m;
		silu_mul_in_place(g, u, n);
		bad_silu += memcmp(g, want, n * sizeof *g) != 0;
		for (int i = 0; i < n; i++)
			want[i] = u[i] * 0.37f;
		scale_in_place(u, n, 0.37f);
		bad_scale += memcmp(u, want, n * sizeof *u) != 0;
	}
	ok(bad_max == 0, "max_of equals the scalar maximum (%d lengths differ)", bad_max);
	ok(bad_silu == 0, "silu_mul_in_place equals the scalar formula bit for bit (%d differ)",
	   bad_silu);
	ok(bad_scale == 0, "scale_in_place equals the scalar product (%d differ)", bad_scale);
}

struct count_job {
	atomic_int hits[1000];
	atomic_int bad_slot;
	int n_threads;
};

static void count_task(void *arg, int64_t i, int slot)
{
	struct count_job *j = arg;
	atomic_fetch_add(&j->hits[i], 1);
	if (slot < 0 || slot >= j->n_threads)
		atomic_store(&j->bad_slot, 1);
}

static void count_range(void *arg, int64_t r0, int64_t r1)
{
	struct count_job *j = arg;
	for (int64_t r = r0; r < r1; r++)
		atomic_fetch_add(&j->hits[r], 1);
}

static void check_parallel(void)
{
	static struct count_job job;
	for (int t = 1; t <= 3; t++) {
		for (int n = 0; n <= 1000; n += 333) {
			memset(&job, 0, sizeof job);
			job.n_threads = t;
			parallel_for(t, n, count_task, &job);
			int once = 1;
			for (int i = 0; i < 1000; i++)
				once &= job.hits[i] == (i < n);
			ok(once && !job.bad_slot, "parallel_for, %d threads, %d tasks: each once, "
			   "slots in range", t, n);
			memset(&job, 0, sizeof job);
			parallel_rows(t, n, count_range, &job);
			once = 1;
			for (int i = 0; i < 1000; i++)
				once &= job.hits[i] == (i < n);
			ok(once, "parallel_rows, %d threads, %d rows: each row once", t, n);
		}
	}
}

int main(void)
{
	check_exp_sum();
	check_sum_squares();
	check_weighted_scale();
	check_others();
	check_parallel();
	printf("1..%d\n", tap_count);
	return tap_failed != 0;
}
