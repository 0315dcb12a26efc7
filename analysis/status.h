/* status.h: how analysis/ and src/ report errors: a message buffer, never printing. */
#ifndef LWQ_STATUS_H
#define LWQ_STATUS_H

#include <stdarg.h>

/* Filled by a failing function with "subject: problem" (e.g. "model.h5: no /weights").
   The CLI prefixes "lwq: VERB: " and prints it as one line. */
struct lwq_err {
	char msg[512];
};

#if defined(__GNUC__)
#define LWQ_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define LWQ_PRINTF(a, b)
#endif

/* Sets err->msg (when err is not NULL) and returns -1 so callers can `return lwq_fail_err(...)`. */
int lwq_err_set(struct lwq_err *err, const char *fmt, ...) LWQ_PRINTF(2, 3);
int lwq_err_vset(struct lwq_err *err, const char *fmt, va_list ap);
/* Prefixes an existing message with "prefix: " (adds the file name at the level that knows it). */
int lwq_err_prefix(struct lwq_err *err, const char *prefix);

#endif
