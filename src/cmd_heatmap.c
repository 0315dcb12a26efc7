/* cmd_heatmap.c: lwq heatmap MODEL.h5 -o FILE.png: the explorer's heatmap as an image. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "explorer_load.h"
#include "heatmap_image.h"
#include "options.h"
#include "plan_file.h"
#include "png_write.h"

struct heatmap_args {
	const char *model, *plan, *out;
	enum heatmap_metric metric;
	int scale;
	int force, by_value, tokens_all;
};

static const char *parse_metric(const char *arg, void *opts)
{
	struct heatmap_args *a = opts;
	if (heatmap_metric_parse(arg, &a->metric) != 0)
		return "lim, zd, zd-tensor, rtn, tokens, plan or all";
	return NULL;
}

static const char *const color_scales[] = { "rank", "value", NULL };
static const char *const token_scales[] = { "layer", "all", NULL };

static const struct opt heatmap_opts[] = {
	OPT_CALL("metric", 'm', "METRIC", parse_metric,
		 "lim, zd, zd-tensor, rtn, tokens (per-token LIM), plan, or all (default: every "
		 "column the file has, plus the plan)"),
	OPT_STR("plan", 'p', "PLAN.json", struct heatmap_args, plan,
		"add the plan's bits per layer (needed for --metric plan)"),
	OPT_INT("scale", 's', "N", struct heatmap_args, scale, 1, HEATMAP_MAX_SCALE,
		"pixels per font dot, 1 to 8 (default 2)"),
	OPT_CHOICE("color-scale", 0, "S", struct heatmap_args, by_value, color_scales,
		   "rank (default: colour = rank among the layers) or value (linear between "
		   "the 2nd and 98th percentile)"),
	OPT_CHOICE("token-scale", 0, "S", struct heatmap_args, tokens_all, token_scales,
		   "layer (default: each layer of the token map on its own scale) or all (one "
		   "scale for every layer)"),
	OPT_STR("output", 'o', "FILE", struct heatmap_args, out, "the PNG to write (required)"),
	OPT_FLAG("force", 'f', struct heatmap_args, force, "overwrite FILE if it exists"),
	OPT_END,
};

static const struct verb_options heatmap_cli = { "heatmap",
	"Usage: lwq heatmap MODEL.h5 [--metric METRIC] [--plan PLAN.json] [--scale N]\n"
	"                   -o FILE.png [--force]\n"
	"\n"
	"Write the layer heatmap as a PNG: one row per decoder layer, with the explorer's\n"
	"columns and colours, layer labels, a title and a legend.\n"
	"\n", heatmap_opts, NULL };

static int parse_options(int argc, char **argv, struct heatmap_args *a)
{
	int rc = options_parse(&heatmap_cli, argc, argv, a);
	if (rc != 0)
		return rc;
	if (cli_model_operand("heatmap", argc, argv, 0, &a->model) != 0)
		return EXIT_USAGE;
	if (!a->out)
		return cli_usage_error("heatmap", "missing -o FILE.png");
	if (a->metric == HM_PLAN && !a->plan)
		return cli_usage_error("heatmap", "--metric plan needs --plan PLAN.json");
	return 0;
}

static int render_and_write(const struct heatmap_args *a, const struct explorer_data *d,
			    const struct bit_plan *plan, struct lwq_err *err)
{
	struct heatmap_options o = { a->metric, plan, a->scale,
				     a->by_value ? SCALE_VALUE : SCALE_RANK, !a->tokens_all };
	struct canvas *c = heatmap_render(d, &o, err);
	if (!c)
		return -1;
	char title[256];
	snprintf(title, sizeof title, "lwq heatmap of %.120s (%s)", d->model_name,
		 heatmap_metric_name(a->metric));
	int rc = png_write_canvas(a->out, c, title, a->force, err);
	if (rc == 0 && !cli_quiet)
		printf("wrote %s: %dx%d pixels, %d layers, metric %s\n", a->out, c->width,
		       c->height, d->n_layers, heatmap_metric_name(a->metric));
	canvas_free(c);
	return rc;
}

int cmd_heatmap(int argc, char **argv)
{
	struct heatmap_args a = { .metric = HM_ALL, .scale = 2 };
	int rc = parse_options(argc, argv, &a);
	if (rc != 0)
		return options_exit(rc);
	struct lwq_err err = { "" };
	if (!a.force && path_exists(a.out)) /* before the (slower) model read */
		return cli_error("heatmap", "%s: already exists (use --force to overwrite)", a.out);
	struct explorer_data *d = explorer_load(a.model, &err);
	if (!d)
		return cli_report("heatmap", &err);
	struct bit_plan *plan = NULL;
	if (a.plan && !(plan = plan_read_file(a.plan, &d->cfg, &err))) {
		explorer_data_free(d);
		return cli_report("heatmap", &err);
	}
	rc = render_and_write(&a, d, plan, &err);
	bit_plan_free(plan);
	explorer_data_free(d);
	return rc == 0 ? EXIT_OK : cli_report("heatmap", &err);
}
