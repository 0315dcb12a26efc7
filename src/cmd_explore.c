/* cmd_explore.c: lwq explore [MODEL.h5]: loads the model's data and runs the explorer. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cli.h"
#include "commands.h"
#include "explorer_load.h"
#include "export.h"
#include "heatmap_figure.h"
#include "plan_file.h"

static const char explore_help[] =
	"Usage: lwq explore [MODEL.h5]\n"
	"       lwq [MODEL.h5]\n"
	"\n"
	"Open the interactive explorer: a heatmap of layer scores (LIM, ZD, ZD per tensor,\n"
	"RTN error), per-token LIM, and a budget slider that shows which layers stay at high\n"
	"precision. Press ? inside for every key.\n"
	"\n"
	"Without MODEL.h5 the demo model opens: $LWQ_DEMO, else the installed demo.h5.\n"
	"\n"
	"      --synthetic N   explore a generated model of N layers (no file needed)\n"
	"  -h, --help          show this help\n";

/* What the export hooks need: the data in memory (its path names the model file). */
struct explore_session {
	const struct explorer_data *data;
};

static int export_plan_hook(void *ctx, const struct export_request *req, struct lwq_err *err)
{
	const struct explore_session *session = ctx;
	return plan_write_file(req->path, req->plan, &session->data->cfg, req->overwrite, err);
}

/* The image uses the screen's colour scales, so its colours are the screen's. */
static int export_png_hook(void *ctx, const struct export_request *req, struct lwq_err *err)
{
	const struct explore_session *session = ctx;
	struct heatmap_options o = { .metric = HM_ALL, .plan = req->plan, .scale = 2,
				     .color_scale = req->color_by_value ? SCALE_VALUE : SCALE_RANK,
				     .tokens = session->data->cos != NULL,
				     .tokens_per_layer = req->tokens_per_layer };
	return heatmap_write(session->data, &o, req->path, req->overwrite, err);
}

/* The quantized model as lwq export writes it: GGUF when the name ends in .gguf. */
static int export_model_hook(void *ctx, const struct export_request *req, struct lwq_err *err)
{
	const struct explore_session *session = ctx;
	const struct bit_plan *plan = req->plan;
	const char *path = req->path;
	size_t n = strlen(path);
	enum export_format format = n > 5 && strcmp(path + n - 5, ".gguf") == 0 ? EXPORT_GGUF
										  : EXPORT_LWQ;
	struct model_file *mf = model_file_open(session->data->path, 0, err);
	if (!mf)
		return -1;
	int rc = export_check_plan(format, plan, model_file_config(mf), err);
	if (rc == 0) {
		struct progress silent; /* the terminal belongs to the explorer */
		memset(&silent, 0, sizeof silent);
		struct export_job job = { .src = mf, .plan = plan, .plan_path = "explorer",
					  .progress = &silent };
		struct export_stats stats;
		rc = export_write_file(format, &job, path, req->overwrite, 0, &stats, err);
	}
	model_file_close(mf);
	return rc;
}

/* $LWQ_DEMO, the installed demo, or the one in the source tree. */
static const char *default_model(void)
{
	const char *env = getenv("LWQ_DEMO");
	if (env && *env)
		return env;
	if (path_exists(LWQ_PKGDATADIR "/demo.h5"))
		return LWQ_PKGDATADIR "/demo.h5";
	if (path_exists(LWQ_SRCDIR "/data/demo.h5"))
		return LWQ_SRCDIR "/data/demo.h5";
	return NULL;
}

static int parse_options(int argc, char **argv, const char **model, long *synthetic)
{
	static const struct option longopts[] = {
		{ "synthetic", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (ch == 's' && parse_int(optarg, 1, 512, synthetic) != 0)
			return cli_usage_error("explore", "--synthetic needs 1 to 512 layers, not '%s'",
					       optarg);
		if (ch != 's')
			return cli_usage_error("explore", "unknown option '%s'", argv[optind - 1]);
	}
	return cli_model_operand("explore", argc, argv, 1, model);
}

int cmd_explore(int argc, char **argv)
{
	if (cli_wants_help(argc, argv, explore_help))
		return EXIT_OK;
	const char *model = NULL;
	long synthetic = 0;
	int rc = parse_options(argc, argv, &model, &synthetic);
	if (rc != 0)
		return rc;
	if (!model && !synthetic && !(model = default_model()))
		return cli_error("explore", "no MODEL.h5 given and no demo model installed "
			       "(set LWQ_DEMO or give a file)");
	struct lwq_err err = { "" };
	struct explorer_data *d = synthetic ? explorer_data_synthetic((int)synthetic, 4096, 1)
					    : explorer_load(model, &err);
	if (!d)
		return err.msg[0] ? cli_report("explore", &err) : cli_error("explore", "out of memory");
	struct explore_session session = { d };
	d->hooks = (struct explorer_hooks){ &session, export_plan_hook, export_png_hook,
					    synthetic ? NULL : export_model_hook };
	rc = explorer_run(d, &err);
	explorer_data_free(d);
	return rc == 0 ? EXIT_OK : cli_report("explore", &err);
}
