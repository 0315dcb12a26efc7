/* tap.h: a tiny TAP producer for the unit test programs. */
#ifndef LWQ_TAP_H
#define LWQ_TAP_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_count, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

static inline int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#include <stdarg.h>
static inline int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	tap_count++;
	printf("%s %d - ", pass ? "ok" : "not ok", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

/* |a - b| <= tol * max(1, |b|) */
static inline int close_rel(double a, double b, double tol)
{
	double scale = fabs(b) > 1.0 ? fabs(b) : 1.0;
	return fabs(a - b) <= tol * scale;
}

static inline void tap_skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	exit(0);
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

/* Path of ../shared/data (env SHARED_DATA), or NULL when absent. */
static inline const char *tap_shared_data(void)
{
	const char *p = getenv("SHARED_DATA");
	static char buf[4096];
	if (!p)
		return NULL;
	snprintf(buf, sizeof buf, "%s/README.md", p);
	FILE *f = fopen(buf, "r");
	if (!f)
		return NULL;
	fclose(f);
	return p;
}

#endif
