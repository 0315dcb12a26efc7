/* cli.c: error lines and small option helpers for every verb. */
#include "cli.h"

#include <getopt.h>
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

int path_has_extension(const char *path, const char *ext)
{
	size_t n = strlen(path), k = strlen(ext);
	return n > k && strcasecmp(path + n - k, ext) == 0;
}

int path_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

int cli_model_operand(const char *verb, int argc, char **argv, int optional,
		      const char **model)
{
	*model = NULL;
	if (optind < argc - 1)
		return cli_usage_error(verb, "expected one MODEL.h5, got extra argument '%s'",
				       argv[optind + 1]);
	if (optind == argc && !optional)
		return cli_usage_error(verb, "expected one MODEL.h5, got none");
	if (optind < argc)
		*model = argv[optind];
	return 0;
}
