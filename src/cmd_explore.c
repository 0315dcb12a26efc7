/* cmd_explore.c: lwq explore [MODEL.h5]: loads the model's data and runs the explorer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cli.h"
#include "commands.h"
#include "explorer_load.h"
#include "demo_model.h"
#include "export.h"
#include "heatmap_figure.h"
#include "options.h"
#include "plan_file.h"
#include "run_method.h"

struct explore_options {
	const char *model;
	int synthetic;             /* layers of a generated model; 0: a file */
	int target;                /* enum size_target */
};

static const char *const target_names[] = { "lwq", "gguf", NULL };

static const struct opt explore_opts[] = {
	OPT_INT("synthetic", 0, "N", struct explore_options, synthetic, 1, 512,
		"explore a generated model of N layers (no file needed)"),
	OPT_CHOICE("target", 0, "lwq|gguf", struct explore_options, target, target_names,
		   "what sizes and budgets count: lwq storage (default) or the GGUF file's "
		   "tensors (short-row fallbacks included)"),
	OPT_END,
};

static const struct verb_options explore_cli = { "explore",
	"Usage: lwq explore [--target lwq|gguf] [MODEL.h5]\n"
	"       lwq [MODEL.h5]\n"
	"\n"
	"Open the interactive explorer: a heatmap of layer scores (LIM, ZD, ZD per tensor,\n"
	"RTN error), per-token LIM, and a budget slider that shows which layers stay at high\n"
	"precision. Press ? inside for every key.\n"
	"\n"
	"Without MODEL.h5 the demo model opens: $LWQ_DEMO, else the demo.h5 installed with\n"
	"this lwq (in ../share/lwq beside the executable, or where it was configured).\n"
	"\n", explore_opts, NULL };

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

/* The quantized model as lwq export writes it: GGUF when the name ends in .gguf, with
   the quantizer the screen predicts with (m). */
static int export_model_hook(void *ctx, const struct export_request *req, struct lwq_err *err)
{
	const struct explore_session *session = ctx;
	const struct bit_plan *plan = req->plan;
	const char *path = req->path;
	enum export_format format = export_format_for_path(path);
	struct model_file *mf = model_file_open(session->data->path, 0, err);
	if (!mf)
		return -1;
	struct method_options mo;
	int rc = export_check_plan(format, plan, model_file_config(mf), err);
	if (rc == 0)
		rc = export_method_for(req->method, format, &mo, err);
	if (rc == 0) {
		struct progress silent; /* the terminal belongs to the explorer */
		memset(&silent, 0, sizeof silent);
		struct export_job job = { .src = mf, .plan = plan, .plan_path = "explorer",
					  .progress = &silent };
		struct export_stats stats;
		rc = export_with_method(format, &job, &mo, "explore", 1, path, req->overwrite, 0,
					&stats, err);
	}
	model_file_close(mf);
	return rc;
}

int cmd_explore(int argc, char **argv)
{
	struct explore_options o = { 0 };
	char demo[4200], footer[4300];
	const char *found = demo_model_path(demo, sizeof demo);
	snprintf(footer, sizeof footer, "Demo model here: %s\n",
		 found ? found : "none found (set LWQ_DEMO)");
	struct verb_options cli = explore_cli;   /* --help says which demo this binary finds */
	cli.footer = footer;
	int rc = options_parse(&cli, argc, argv, &o);
	if (rc == 0)
		rc = cli_model_operand("explore", argc, argv, 1, &o.model);
	if (rc != 0)
		return options_exit(rc);
	int synthetic = o.synthetic;
	const char *model = o.model;
	if (!model && !synthetic && !(model = found))
		return cli_error("explore", "no MODEL.h5 given and no demo model installed "
			       "(set LWQ_DEMO or give a file)");
	struct lwq_err err = { "" };
	struct explorer_data *d = synthetic ? explorer_data_synthetic((int)synthetic, 4096, 1)
					    : explorer_load(model, &err);
	if (!d)
		return err.msg[0] ? cli_report("explore", &err) : cli_error("explore", "out of memory");
	d->target = (enum size_target)o.target;
	struct explore_session session = { d };
	d->hooks = (struct explorer_hooks){ &session, export_plan_hook, export_png_hook,
					    synthetic ? NULL : export_model_hook };
	rc = explorer_run(d, &err);
	explorer_data_free(d);
	return rc == 0 ? EXIT_OK : cli_report("explore", &err);
}
