/* commands.h: the verb table; one cmd_<verb>.c file per verb. */
#ifndef LWQ_COMMANDS_H
#define LWQ_COMMANDS_H

/* Each verb gets argv[0] = verb name and returns an exit status (see cli.h). */
typedef int (*verb_fn)(int argc, char **argv);

struct verb {
	const char *name;
	verb_fn run;
	const char *summary;
};

int cmd_import(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_tokenize(int argc, char **argv);
int cmd_capture(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_heatmap(int argc, char **argv);
int cmd_explore(int argc, char **argv);

extern const struct verb verbs[];
const struct verb *verb_find(const char *name);

#endif
