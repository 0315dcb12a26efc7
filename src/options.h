/* options.h: one option table per verb drives its parsing and its --help text.

   A verb declares its options as a table of one-line entries, each naming the field of
   the verb's options struct the value goes to:

	static const struct opt eval_opts[] = {
		OPT_STR("plan", 'p', "PLAN.json", struct eval_options, plan,
			"bit plan to apply (from lwq plan)"),
		OPT_FLAG("json", 'j', struct eval_options, json, "print one JSON object"),
		OPT_END,
	};

   Adding an option is one entry in the table (plus its .TP paragraph in the verb's
   section of man/lwq.1, which tests/cli/docs.sh checks). The kinds:
	OPT_FLAG    sets an int field to 1
	OPT_STR     keeps the argument (const char *)
	OPT_INT     a whole number within [lo, hi] into an int, long or int64_t field
	OPT_NUM     a number into a double field
	OPT_SIZE    a size in bytes ("3.2MiB", "850MB", "1e9") into a double field
	OPT_CHOICE  one of a NULL-terminated list of words; its index into an int field
	OPT_CALL    any other syntax: fn(arg, opts) returns NULL when the argument is good,
	            else what it should have been ("a count, all or none")
   Help text is wrapped to the terminal's 80 columns; '\n' forces a new line.

   One meaning per short option across every verb (checked by tests/cli/docs.sh):
	-a avg-bits  -b budget  -c csv  -d dtype  -e emit  -f force  -F format
	-g group-size  -H high  -i ids  -j json  -k keep-streams  -l low  -L seq-len
	-m metric  -M mid  -n name  -N high-layers  -o output  -O offset  -p plan  -P pin
	-r order(s)  -s scale  -t text  -T threads  -w windows
   and in every verb -h/--help and -q/--quiet (also accepted before the verb).
   A new option takes a free letter or none (0). */
#ifndef LWQ_OPTIONS_H
#define LWQ_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

enum opt_kind { OPT_KIND_FLAG, OPT_KIND_STR, OPT_KIND_INT, OPT_KIND_NUM, OPT_KIND_SIZE,
		OPT_KIND_CHOICE, OPT_KIND_CALL };

/* OPT_CALL's parser: NULL when arg is good (stored into opts), else what it should be. */
typedef const char *(*opt_parse_fn)(const char *arg, void *opts);

struct opt {
	const char *name;          /* long name without the dashes; NULL ends the table */
	int short_name;            /* one letter, or 0 */
	const char *arg;           /* the value's name in --help ("FILE"); NULL: a flag */
	const char *help;
	enum opt_kind kind;
	size_t offset, size;       /* the destination field in the verb's options struct */
	long long lo, hi;          /* OPT_INT bounds */
	const char *const *choices;    /* OPT_CHOICE */
	opt_parse_fn parse;        /* OPT_CALL */
};

#define OPT_FIELD_(type, field) offsetof(type, field), sizeof(((type *)0)->field)
#define OPT_FLAG(name, sh, type, field, help) \
	{ name, sh, NULL, help, OPT_KIND_FLAG, OPT_FIELD_(type, field), 0, 0, NULL, NULL }
#define OPT_STR(name, sh, arg, type, field, help) \
	{ name, sh, arg, help, OPT_KIND_STR, OPT_FIELD_(type, field), 0, 0, NULL, NULL }
#define OPT_INT(name, sh, arg, type, field, lo, hi, help) \
	{ name, sh, arg, help, OPT_KIND_INT, OPT_FIELD_(type, field), lo, hi, NULL, NULL }
#define OPT_NUM(name, sh, arg, type, field, help) \
	{ name, sh, arg, help, OPT_KIND_NUM, OPT_FIELD_(type, field), 0, 0, NULL, NULL }
#define OPT_SIZE(name, sh, arg, type, field, help) \
	{ name, sh, arg, help, OPT_KIND_SIZE, OPT_FIELD_(type, field), 0, 0, NULL, NULL }
#define OPT_CHOICE(name, sh, arg, type, field, words, help) \
	{ name, sh, arg, help, OPT_KIND_CHOICE, OPT_FIELD_(type, field), 0, 0, words, NULL }
#define OPT_CALL(name, sh, arg, fn, help) \
	{ name, sh, arg, help, OPT_KIND_CALL, 0, 0, 0, 0, NULL, fn }
#define OPT_END { NULL, 0, NULL, NULL, OPT_KIND_FLAG, 0, 0, 0, 0, NULL, NULL }

/* A verb's command line: its usage text (synopsis and description, ending in a blank
   line), its option table, and text printed after the options (or NULL). */
struct verb_options {
	const char *verb;
	const char *usage;
	const struct opt *opts;
	const char *footer;
};

/* Returned by options_parse when --help was printed: the verb exits 0. */
#define OPTIONS_HELP_SHOWN (-1)

/* Parses argv[1..] into the struct at dest, in the table's order of appearance on the
   command line (options and operands may mix; "--" ends the options). On return optind
   indexes the first operand. Returns 0; OPTIONS_HELP_SHOWN after printing --help; or
   EXIT_USAGE after printing a one-line usage error. Sets cli_quiet for -q/--quiet. */
int options_parse(const struct verb_options *vo, int argc, char **argv, void *dest);

/* The verb's --help text (usage, one line or more per option, footer) on out. */
void options_print_help(const struct verb_options *vo, FILE *out);

/* The exit status for a nonzero options_parse result. */
static inline int options_exit(int rc)
{
	return rc == OPTIONS_HELP_SHOWN ? 0 : rc;
}

#endif
