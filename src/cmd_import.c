/* cmd_import.c: lwq import: the command line of the import pipeline (import_model.h),
   writing to a temp file that is renamed into place. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "cli.h"
#include "commands.h"
#include "import_model.h"
#include "model_h5.h"
#include "options.h"
#include "progress.h"

static const char *parse_dtype(const char *arg, void *opts)
{
	struct import_options *o = opts;
	if (strcmp(arg, "keep") == 0)
		o->dtype = -1;
	else if ((o->dtype = dtype_from_name(arg)) < 0)
		return "keep, f32, f16 or bf16";
	return NULL;
}

static const struct opt import_opts[] = {
	OPT_STR("output", 'o', "MODEL.h5", struct import_options, out, "file to write (required)"),
	OPT_FLAG("force", 'f', struct import_options, force, "overwrite MODEL.h5 if it exists"),
	OPT_STR("name", 'n', "NAME", struct import_options, name,
		"model name stored in the file (default: SRC's base name)"),
	OPT_CALL("dtype", 'd', "TYPE", parse_dtype,
		 "keep (default), f32, f16 or bf16: storage type of weights"),
	OPT_FLAG("link", 0, struct import_options, link,
		 "leave the weights in SRC's safetensors files and refer to them (no copy); "
		 "those files must then stay unchanged"),
	OPT_END,
};

static const struct verb_options import_cli = { "import",
	"Usage: lwq import SRC -o MODEL.h5 [--force] [--name NAME] [--dtype TYPE] [--link]\n"
	"\n"
	"Convert a model into an lwq model file. SRC is a Hugging Face model directory\n"
	"(config.json, model.safetensors or model.safetensors.index.json with shards,\n"
	"tokenizer.json) or a llama2.c checkpoint (.bin).\n"
	"\n", import_opts, NULL };

static int parse_options(int argc, char **argv, struct import_options *o)
{
	memset(o, 0, sizeof *o);
	o->dtype = -1;
	int rc = options_parse(&import_cli, argc, argv, o);
	if (rc != 0)
		return rc;
	if (optind + 1 != argc)
		return cli_usage_error("import", optind == argc ? "missing SRC"
							      : "only one SRC can be imported");
	o->src = argv[optind];
	if (!o->out)
		return cli_usage_error("import", "missing -o MODEL.h5");
	if (o->link && o->dtype >= 0)
		return cli_usage_error("import", "--link keeps the weights as stored; "
				       "it cannot be combined with --dtype");
	return 0;
}

static void print_summary(const struct import_options *o, const struct model_config *cfg,
			  int64_t n_tensors, double seconds)
{
	struct stat sb;
	char size[32] = "?";
	if (stat(o->out, &sb) == 0)
		format_size((double)sb.st_size, size, sizeof size);
	printf("%s: %s, %d layers, %.2fM parameters, %lld tensors, %s, %.1f s\n", o->out,
	       cfg->architecture, cfg->n_layers, (double)total_params(cfg) / 1e6,
	       (long long)n_tensors, size, seconds);
}

int cmd_import(int argc, char **argv)
{
	struct import_options o;
	int rc = parse_options(argc, argv, &o);
	if (rc != 0)
		return options_exit(rc);
	struct lwq_err err = { "" };
	struct atomic_target target;
	if (atomic_begin(&target, o.out, o.force, &err) != 0)
		return cli_report("import", &err);
	double start = monotonic_seconds();
	struct import_source s;
	int64_t n_tensors = 0;
	if (import_source_open(&s, o.src, &err) != 0) {
		import_source_close(&s);
		return cli_report("import", &err);
	}
	unlink(target.temp_path); /* a leftover of an earlier run with our pid */
	atomic_remove_on_signal(&target);
	rc = import_write_model(&s, &o, target.temp_path, &n_tensors, &err);
	if (rc == 0)
		rc = atomic_commit(&target, &err);
	else
		atomic_abort(&target);
	atomic_remove_on_signal(NULL);
	if (rc == 0 && !cli_quiet)
		print_summary(&o, &s.cfg, n_tensors, monotonic_seconds() - start);
	if (rc == 0)
		cli_next_step("import", "lwq capture %s --text FILE (calibration activations, "
			      "for LIM), then lwq score %s", o.out, o.out);
	import_source_close(&s);
	return rc == 0 ? EXIT_OK : cli_report("import", &err);
}
