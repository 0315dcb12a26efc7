/* test_options.c: the table-driven option parser stores every kind of value where the
   table says, leaves operands in place, and writes --help within 80 columns. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "options.h"
#include "tap.h"

struct demo {
	const char *name;
	int flag, count, choice, called;
	int64_t big;
	double num, size;
};

static const char *count_call(const char *arg, void *opts)
{
	struct demo *d = opts;
	if (strcmp(arg, "good") != 0)
		return "good";
	d->called++;
	return NULL;
}

static const char *const words[] = { "red", "green", "blue", NULL };

static const struct opt demo_opts[] = {
	OPT_STR("name", 'n', "NAME", struct demo, name, "a name"),
	OPT_FLAG("flag", 'f', struct demo, flag, "a flag"),
	OPT_INT("count", 'c', "N", struct demo, count, 1, 9, "a small count"),
	OPT_INT("big", 0, "N", struct demo, big, 0, INT64_MAX, "a 64-bit count"),
	OPT_NUM("num", 0, "X", struct demo, num, "a number"),
	OPT_SIZE("size", 's', "SIZE", struct demo, size, "a size"),
	OPT_CHOICE("colour", 0, "C", struct demo, choice, words, "red, green or blue"),
	OPT_CALL("call", 'C', "WORD", count_call,
		 "a long help text that has to wrap because it goes on and on past the "
		 "eightieth column of the terminal, twice over, so that the wrapping shows"),
	OPT_END,
};
static const struct verb_options demo_cli = { "demo", "Usage: demo\n\n", demo_opts, NULL };

/* Parses a NULL-terminated word list into d; returns options_parse's result. */
static int parse(struct demo *d, const char **words_in)
{
	char *argv[32];
	int argc = 0;
	argv[argc++] = "demo";
	for (; *words_in; words_in++)
		argv[argc++] = (char *)*words_in;
	argv[argc] = NULL;
	memset(d, 0, sizeof *d);
	return options_parse(&demo_cli, argc, argv, d);
}

static void test_kinds(void)
{
	struct demo d;
	int rc = parse(&d, (const char *[]){ "-fc", "7", "file.h5", "--name=x", "--big",
					     "8589934592", "--num", "2.5", "-s", "3KiB", "--colour",
					     "blue", "-C", "good", "--call", "good", NULL });
	ok(rc == 0, "a full command line parses");
	ok(d.flag == 1 && d.count == 7, "a cluster -fc 7 sets the flag and the count");
	ok(d.name && strcmp(d.name, "x") == 0, "--name=x keeps the string");
	ok(d.big == 8589934592LL, "an int64_t field holds 2^33");
	ok(d.num == 2.5 && d.size == 3072, "a number and a size");
	ok(d.choice == 2, "a choice stores the index of its word");
	ok(d.called == 2, "a call runs once per occurrence");
	ok(optind == 16, "the operand is moved behind the options (optind %d)", optind);
}

static void test_errors(void)
{
	struct demo d;
	FILE *saved = stderr;
	stderr = fopen("/dev/null", "w");
	int range = parse(&d, (const char *[]){ "--count", "10", NULL });
	int word = parse(&d, (const char *[]){ "--colour", "pink", NULL });
	int call = parse(&d, (const char *[]){ "-C", "bad", NULL });
	int unknown = parse(&d, (const char *[]){ "--nope", NULL });
	int missing = parse(&d, (const char *[]){ "--name", NULL });
	int quiet = parse(&d, (const char *[]){ "x", "-q", NULL });
	fclose(stderr);
	stderr = saved;
	ok(range == EXIT_USAGE, "a count out of range is a usage error");
	ok(word == EXIT_USAGE, "a word not in the list is a usage error");
	ok(call == EXIT_USAGE, "a call's refusal is a usage error");
	ok(unknown == EXIT_USAGE && missing == EXIT_USAGE, "unknown option, missing value");
	ok(quiet == 0 && cli_quiet == 1, "-q after an operand sets quiet");
	cli_quiet = 0;
}

static void test_help(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	options_print_help(&demo_cli, out);
	fclose(out);
	int widest = 0, lines = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"), lines++)
		if ((int)strlen(line) > widest)
			widest = (int)strlen(line);
	ok(widest <= 80, "help lines fit 80 columns (widest %d)", widest);
	free(text);
	out = open_memstream(&text, &len);
	options_print_help(&demo_cli, out);
	fclose(out);
	ok(strstr(text, "  -C, --call WORD  a long help text") != NULL,
	   "the help starts on the option's line, in the shared column");
	ok(strstr(text, "\n                   eightieth") != NULL ||
	   strstr(text, "\n                   past") != NULL, "continuation lines are indented");
	ok(strstr(text, "      --big N      a 64-bit") != NULL, "a long-only option is aligned with the rest");
	ok(strstr(text, "  -q, --quiet") && strstr(text, "  -h, --help"), "global options listed");
	free(text);
}

int main(void)
{
	test_kinds();
	test_errors();
	test_help();
	return tap_done();
}
