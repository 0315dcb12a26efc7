/* options.c: the table-driven option parser and --help writer shared by every verb. */
#include "options.h"

#include <assert.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_OPTS 64
#define HELP_WIDTH 80
/* Values given to getopt_long for long options without a letter: 1000 + table index. */
#define LONG_ONLY 1000

/* The options every verb takes, after its own. */
static const struct opt global_opts[] = {
	{ "quiet", 'q', NULL, "no progress lines or notes on standard error",
	  OPT_KIND_FLAG, 0, 0, 0, 0, NULL, NULL },
	{ "help", 'h', NULL, "show this help", OPT_KIND_FLAG, 0, 0, 0, 0, NULL, NULL },
};
#define N_GLOBAL (sizeof global_opts / sizeof global_opts[0])

static size_t table_len(const struct opt *opts)
{
	size_t n = 0;
	while (opts[n].name)
		n++;
	return n;
}

/* The i-th option of the verb's table followed by the global ones. */
static const struct opt *opt_at(const struct opt *opts, size_t n_own, size_t i)
{
	return i < n_own ? &opts[i] : &global_opts[i - n_own];
}

/* A table is a programming contract: names and letters are unique, kinds are complete. */
static void check_table(const struct opt *opts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct opt *a = opt_at(opts, n - N_GLOBAL, i);
		assert(a->help && a->help[0]);
		assert((a->arg == NULL) == (a->kind == OPT_KIND_FLAG));
		assert(a->kind != OPT_KIND_CALL || a->parse);
		assert(a->kind != OPT_KIND_CHOICE || a->choices);
		for (size_t j = i + 1; j < n; j++) {
			const struct opt *b = opt_at(opts, n - N_GLOBAL, j);
			assert(strcmp(a->name, b->name) != 0);
			assert(!a->short_name || a->short_name != b->short_name);
		}
	}
}

/* "lwq: VERB: --NAME must be WHAT, not 'ARG'" as a usage error. */
static int bad_value(const char *verb, const struct opt *o, const char *what, const char *arg)
{
	return cli_usage_error(verb, "--%s must be %s, not '%s'", o->name, what, arg);
}

static void store_int(void *field, size_t size, long v)
{
	if (size == sizeof(int))
		*(int *)field = (int)v;
	else if (size == sizeof(int64_t))
		*(int64_t *)field = v;
	else
		assert(!"OPT_INT field is neither int nor int64_t");
}

static int choice_index(const char *const *words, const char *arg)
{
	for (int i = 0; words[i]; i++)
		if (strcmp(words[i], arg) == 0)
			return i;
	return -1;
}

/* "a, b or c" */
static void choice_list(const char *const *words, char *buf, size_t len)
{
	buf[0] = 0;
	for (int i = 0; words[i]; i++) {
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", i == 0 ? "" : words[i + 1] ? ", " : " or ",
			 words[i]);
	}
}

/* Stores one option's value; 0 or EXIT_USAGE (message printed). */
static int apply(const char *verb, const struct opt *o, const char *arg, void *dest)
{
	void *field = (char *)dest + o->offset;
	char what[256];
	long v;
	int idx;
	const char *expected;
	switch (o->kind) {
	case OPT_KIND_FLAG:
		*(int *)field = 1;
		return 0;
	case OPT_KIND_STR:
		*(const char **)field = arg;
		return 0;
	case OPT_KIND_INT:
		if (parse_int(arg, (long)o->lo, (long)o->hi, &v) < 0) {
			if (o->hi >= (1LL << 20))
				snprintf(what, sizeof what, "a whole number >= %lld", o->lo);
			else
				snprintf(what, sizeof what, "%lld to %lld", o->lo, o->hi);
			return bad_value(verb, o, what, arg);
		}
		store_int(field, o->size, v);
		return 0;
	case OPT_KIND_NUM:
		if (parse_double(arg, (double *)field) < 0)
			return bad_value(verb, o, "a number", arg);
		return 0;
	case OPT_KIND_SIZE:
		if (parse_size(arg, (double *)field) < 0 || *(double *)field > 9e18)
			return bad_value(verb, o, "a size such as 3.2MiB, 850MB or 1e9", arg);
		return 0;
	case OPT_KIND_CHOICE:
		if ((idx = choice_index(o->choices, arg)) < 0) {
			choice_list(o->choices, what, sizeof what);
			return bad_value(verb, o, what, arg);
		}
		*(int *)field = idx;
		return 0;
	case OPT_KIND_CALL:
		expected = o->parse(arg, dest);
		return expected ? bad_value(verb, o, expected, arg) : 0;
	}
	return 0;
}

/* --help anywhere before "--" wins over every other word, as in git and tmux. */
static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	}
	return 0;
}

/* getopt_long's tables from ours: a leading ':' so a missing value is told apart. */
static void build_getopt(const struct opt *opts, size_t n, struct option *longopts,
			 char *shorts)
{
	char *s = shorts;
	*s++ = ':';
	for (size_t i = 0; i < n; i++) {
		const struct opt *o = opt_at(opts, n - N_GLOBAL, i);
		int has_arg = o->arg ? required_argument : no_argument;
		longopts[i] = (struct option){ o->name, has_arg, NULL,
					       o->short_name ? o->short_name : LONG_ONLY + (int)i };
		if (o->short_name) {
			*s++ = (char)o->short_name;
			if (o->arg)
				*s++ = ':';
		}
	}
	longopts[n] = (struct option){ NULL, 0, NULL, 0 };
	*s = 0;
}

static const struct opt *find_option(const struct opt *opts, size_t n, int code)
{
	if (code >= LONG_ONLY)
		return opt_at(opts, n - N_GLOBAL, (size_t)(code - LONG_ONLY));
	for (size_t i = 0; i < n; i++)
		if (opt_at(opts, n - N_GLOBAL, i)->short_name == code)
			return opt_at(opts, n - N_GLOBAL, i);
	return NULL;
}

/* The word getopt stopped at, for an error: "--name" for a long option, "-x" for a
   short one (which may sit inside a cluster such as -fx). */
static const char *offending(const struct opt *opts, size_t n, char **argv, char *buf,
			     size_t len)
{
	const char *word = optind > 0 ? argv[optind - 1] : "";
	if (optopt <= 0)
		return word;               /* an unknown long option */
	const struct opt *o = find_option(opts, n, optopt);
	if (o && strncmp(word, "--", 2) == 0) {
		const char *name = word + 2;
		size_t name_len = strcspn(name, "=");
		if (strlen(o->name) == name_len && strncmp(name, o->name, name_len) == 0)
			return word;       /* a long option without its value */
	}
	snprintf(buf, len, "-%c", optopt);
	return buf;
}

int options_parse(const struct verb_options *vo, int argc, char **argv, void *dest)
{
	size_t n = table_len(vo->opts) + N_GLOBAL;
	assert(n <= MAX_OPTS);
	check_table(vo->opts, n);
	if (wants_help(argc, argv)) {
		options_print_help(vo, stdout);
		return OPTIONS_HELP_SHOWN;
	}
	struct option longopts[MAX_OPTS + 1];
	char shorts[3 * MAX_OPTS + 2], word[8];
	build_getopt(vo->opts, n, longopts, shorts);
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		if (c == ':')
			return cli_usage_error(vo->verb, "option '%s' needs a value",
					       offending(vo->opts, n, argv, word, sizeof word));
		const struct opt *o = c == '?' ? NULL : find_option(vo->opts, n, c);
		if (!o)
			return cli_usage_error(vo->verb, "unknown option '%s'",
					       offending(vo->opts, n, argv, word, sizeof word));
		if (o >= global_opts && o < global_opts + N_GLOBAL) {
			cli_quiet |= o->short_name == 'q';
			continue;
		}
		if (apply(vo->verb, o, optarg, dest) != 0)
			return EXIT_USAGE;
	}
	return 0;
}

/* Writes text from column `indent`, wrapped at HELP_WIDTH; the first line continues
   the current one, which ends at column `col`. */
static void print_wrapped(FILE *out, const char *text, int col, int indent)
{
	const char *p = text;
	if (col >= indent) {
		fprintf(out, "\n%*s", indent, "");
		col = indent;
	} else {
		fprintf(out, "%*s", indent - col, "");
		col = indent;
	}
	while (*p) {
		if (*p == '\n') {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
			p++;
			continue;
		}
		size_t word = strcspn(p, " \n");
		if (col > indent && col + 1 + (int)word > HELP_WIDTH) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%.*s", (int)word, p);
		col += (int)word;
		p += word;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
}

/* "  -t, --text FILE" or "      --offset N" */
static int option_label(const struct opt *o, char *buf, size_t len)
{
	char letter[8] = "    ";
	if (o->short_name)
		snprintf(letter, sizeof letter, "-%c, ", o->short_name);
	return snprintf(buf, len, "  %s--%s%s%s", letter, o->name, o->arg ? " " : "",
			o->arg ? o->arg : "");
}

void options_print_help(const struct verb_options *vo, FILE *out)
{
	size_t n = table_len(vo->opts) + N_GLOBAL;
	char label[128];
	int column = 0;
	for (size_t i = 0; i < n; i++) {
		int w = option_label(opt_at(vo->opts, n - N_GLOBAL, i), label, sizeof label);
		if (w > column && w <= 26)
			column = w;
	}
	column += 2;
	fputs(vo->usage, out);
	for (size_t i = 0; i < n; i++) {
		const struct opt *o = opt_at(vo->opts, n - N_GLOBAL, i);
		int w = option_label(o, label, sizeof label);
		fputs(label, out);
		print_wrapped(out, o->help, w, column);
	}
	if (vo->footer)
		fprintf(out, "\n%s", vo->footer);
}
