/* cli.h: what every verb shares: exit codes, error lines, option parsing helpers. */
#ifndef LWQ_CLI_H
#define LWQ_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "status.h"

enum exit_status {
	EXIT_OK = 0,
	EXIT_USER = 1,             /* bad input, failed work */
	EXIT_USAGE = 2,            /* bad command line */
};

/* Prints "lwq: VERB: message" on stderr (one line). Returns EXIT_USER. */
int cli_error(const char *verb, const char *fmt, ...) LWQ_PRINTF(2, 3);
/* Prints "lwq: VERB: message" plus a hint to run --help. Returns EXIT_USAGE. */
int cli_usage_error(const char *verb, const char *fmt, ...) LWQ_PRINTF(2, 3);
/* Prints "lwq: VERB: <err->msg>". Returns EXIT_USER. */
int cli_report(const char *verb, const struct lwq_err *err);

/* Set by --quiet (global); progress and chatter are suppressed. */
extern int cli_quiet;

/* Parses "850MB", "3.2GiB", "1e9", "123" into bytes (SI and IEC units, B optional). */
int parse_size(const char *text, double *bytes);
/* Formats bytes as "3.21 GiB" / "850.0 MiB" / "123 B". */
const char *format_size(double bytes, char *buf, size_t len);
/* Strict integer / float parsing for option values. */
int parse_int(const char *text, long min, long max, long *out);
int parse_double(const char *text, double *out);

/* True when path names an existing file. */
int path_exists(const char *path);

/* Prints the verb's help text if argv contains --help/-h; returns 1 when it did. */
int cli_wants_help(int argc, char **argv, const char *help);

#endif
