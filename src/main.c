/* main.c: lwq's entry point and verb table. */
#include <signal.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "blas_kernels.h"
#include "atomic_file.h"
#include "cli.h"
#include "commands.h"
#include "model_h5.h"

const struct verb verbs[] = {
	{ "import",  cmd_import,  "convert a Hugging Face or llama2.c model into an lwq model file" },
	{ "info",    cmd_info,    "summarize a model file" },
	{ "tokenize", cmd_tokenize, "turn a text into the model's token ids, or ids into text" },
	{ "capture", cmd_capture, "run calibration text through the model and store activations" },
	{ "score",   cmd_score,   "compute per-layer importance (LIM, ZD) and quantization errors" },
	{ "plan",    cmd_plan,    "turn a memory budget into a per-layer bit plan" },
	{ "sweep",   cmd_sweep,   "measure perplexity as layers move to low bits, per order" },
	{ "eval",    cmd_eval,    "perplexity of the model, optionally quantized by a plan" },
	{ "export",  cmd_export,  "write the quantized model (lwq HDF5 or GGUF)" },
	{ "heatmap", cmd_heatmap, "write a layer heatmap as PNG" },
	{ "explore", cmd_explore, "open the interactive explorer (the default)" },
	{ NULL, NULL, NULL },
};

const struct verb *verb_find(const char *name)
{
	for (const struct verb *v = verbs; v->name; v++)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: lwq [--quiet] VERB [options]\n"
		     "       lwq [MODEL.h5]          open the explorer (bundled demo by default)\n\n"
		     "Layer-wise quantization: score decoder layers, keep the important ones at\n"
		     "high precision, fit any memory budget.\n\nVerbs:\n");
	for (const struct verb *v = verbs; v->name; v++)
		fprintf(out, "  %-8s  %s\n", v->name, v->summary);
	fprintf(out, "\nRun 'lwq VERB --help' for a verb's options; 'man lwq' for details.\n");
}

/* Writes that fail must fail as errors lwq can report and clean up after: a file size
   limit gives EFBIG instead of killing the process, and HDF5 must not run its exit-time
   cleanup, which crashes on a file whose close failed (every file is closed explicitly). */
static void prepare_for_failed_writes(void)
{
	signal(SIGXFSZ, SIG_IGN);
	model_file_no_exit_cleanup();
}

/* Every verb's output reaches stdout through here: a write that failed (a full disk, a
   closed pipe reader) is an error of the verb, not a silent success. */
static int finish_output(const char *verb, int status)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return status;
	fprintf(stderr, "lwq: %s%scannot write output%s%s\n", verb ? verb : "", verb ? ": " : "",
		errno ? ": " : "", errno ? strerror(errno) : "");
	return status == EXIT_OK ? EXIT_USER : status;
}

static int run_verb(int argc, char **argv)
{
	if (argc == 0)
		return cmd_explore(1, (char *[]){ "explore", NULL });
	const struct verb *v = verb_find(argv[0]);
	if (v) {
		if (v->run != cmd_explore)   /* the explorer restores the terminal itself */
			atomic_note_interrupts(v->name);
		return v->run(argc, argv);
	}
	/* `lwq MODEL.h5` opens the explorer on that file. */
	if (path_exists(argv[0]) || strstr(argv[0], ".h5")) {
		argv[-1] = "explore";
		return cmd_explore(argc + 1, argv - 1);
	}
	fprintf(stderr, "lwq: '%s' is not a verb or a model file\nTry 'lwq --help'.\n", argv[0]);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	prepare_for_failed_writes();
	blas_pick_kernels(argv);
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
			cli_quiet = 1;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return finish_output(NULL, EXIT_OK);
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("lwq %s\n", PACKAGE_VERSION);
			blas_describe(stdout);
			return finish_output(NULL, EXIT_OK);
		} else {
			fprintf(stderr, "lwq: unknown option '%s'\nTry 'lwq --help'.\n", argv[i]);
			return EXIT_USAGE;
		}
	}
	const char *verb = i < argc && verb_find(argv[i]) ? argv[i] : "explore";
	return finish_output(verb, run_verb(argc - i, argv + i));
}
