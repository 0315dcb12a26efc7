/* verb_child.h: runs an lwq verb as main would, in a forked child (no exec per run), and
   says how it ended: the damaged-file tests judge hundreds of runs this way. */
#ifndef LWQ_VERB_CHILD_H
#define LWQ_VERB_CHILD_H

enum verb_outcome {
	RAN_OK, CLEAN_ERROR,                    /* exit 0; exit 1 with one line on stderr */
	CRASH, HANG, SANITIZER, MULTI_LINE,     /* failures */
	N_OUTCOMES
};
extern const char *const verb_outcome_names[N_OUTCOMES];

/* Runs argv (argv[0]: info, plan, score, eval, import or capture) with stdout to
   /dev/null and stderr in err_path, killed after `seconds`. The child's wait status
   goes to *status when status is not NULL. */
enum verb_outcome run_verb_child(char **argv, const char *err_path, int seconds, int *status);

#endif
