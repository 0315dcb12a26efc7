/* status.c: error message buffers shared by every layer. */
#include "status.h"

#include <stdio.h>
#include <string.h>

int lwq_err_vset(struct lwq_err *err, const char *fmt, va_list ap)
{
	if (err)
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	return -1;
}

int lwq_err_set(struct lwq_err *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lwq_err_vset(err, fmt, ap);
	va_end(ap);
	return -1;
}

int lwq_err_prefix(struct lwq_err *err, const char *prefix)
{
	if (!err)
		return -1;
	char old[sizeof err->msg];
	memcpy(old, err->msg, sizeof old);
	size_t n = strlen(prefix);
	if (n > sizeof err->msg - 3)
		n = sizeof err->msg - 3;
	memcpy(err->msg, prefix, n);
	memcpy(err->msg + n, ": ", 2);
	size_t room = sizeof err->msg - n - 3;
	size_t len = strnlen(old, room);
	memcpy(err->msg + n + 2, old, len);
	err->msg[n + 2 + len] = '\0';
	return -1;
}
