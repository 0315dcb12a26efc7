/* cli.h: what every verb shares: exit codes, error lines, option parsing helpers. */
#ifndef LWQ_CLI_H
#define LWQ_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "status.h"
#include "units.h"   /* parse_size, format_size, parse_int, parse_double */

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


/* True when the file name ends in ext (".gguf"), in any case: the one place a format is
   told from a name. */
int path_has_extension(const char *path, const char *ext);

/* True when path names an existing file. */
int path_exists(const char *path);

/* The one MODEL.h5 operand left after getopt (argv[optind..argc)). Sets *model (NULL
   when optional and absent) and returns 0; otherwise prints the usage error "expected one
   MODEL.h5, got none" or "..., got extra argument 'X'" and returns EXIT_USAGE. */
int cli_model_operand(const char *verb, int argc, char **argv, int optional,
		      const char **model);

#endif
