/* cli.c: error lines, size parsing and small option helpers for every verb. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

int cli_quiet = 0;

static void vreport(const char *verb, const char *fmt, va_list ap)
{
	fprintf(stderr, "lwq: ");
	if (verb && *verb)
		fprintf(stderr, "%s: ", verb);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cli_error(const char *verb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(verb, fmt, ap);
	va_end(ap);
	return EXIT_USER;
}

int cli_usage_error(const char *verb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(verb, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'lwq %s --help'.\n", verb ? verb : "");
	return EXIT_USAGE;
}

int cli_report(const char *verb, const struct lwq_err *err)
{
	return cli_error(verb, "%s", err->msg[0] ? err->msg : "unknown error");
}

int parse_double(const char *text, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int parse_int(const char *text, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (end == text || *end != '\0' || errno == ERANGE || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_size(const char *text, double *bytes)
{
	static const struct { const char *suffix; double mult; } units[] = {
		{ "KiB", 1024.0 }, { "MiB", 1048576.0 }, { "GiB", 1073741824.0 },
		{ "TiB", 1099511627776.0 },
		{ "KB", 1e3 }, { "MB", 1e6 }, { "GB", 1e9 }, { "TB", 1e12 },
		{ "Ki", 1024.0 }, { "Mi", 1048576.0 }, { "Gi", 1073741824.0 },
		{ "K", 1e3 }, { "M", 1e6 }, { "G", 1e9 }, { "T", 1e12 }, { "B", 1.0 },
	};
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (end == text || errno == ERANGE || !isfinite(v) || v < 0)
		return -1;
	while (*end == ' ')
		end++;
	double mult = 1.0;
	if (*end) {
		size_t i, n = sizeof units / sizeof units[0];
		for (i = 0; i < n; i++)
			if (strcasecmp(end, units[i].suffix) == 0)
				break;
		if (i == n)
			return -1;
		mult = units[i].mult;
	}
	*bytes = v * mult;
	return 0;
}

const char *format_size(double bytes, char *buf, size_t len)
{
	static const char *const names[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;
	double v = bytes;
	while (fabs(v) >= 1024.0 && u < 4) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f B", v);
	else
		snprintf(buf, len, "%.2f %s", v, names[u]);
	return buf;
}

int path_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

int cli_wants_help(int argc, char **argv, const char *help)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(help, stdout);
			return 1;
		}
	}
	return 0;
}
