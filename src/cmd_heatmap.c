/* cmd_heatmap.c: lwq heatmap MODEL.h5 -o FILE.png|FILE.svg: the layer heatmap as a figure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "curve_figure.h"
#include "explorer_load.h"
#include "figure.h"
#include "heatmap_figure.h"
#include "options.h"
#include "plan_file.h"

struct heatmap_args {
	const char *model, *plan, *out, *font;
	enum heatmap_metric metric;
	int scale;
	int force, by_rank, tokens, tokens_all, curves, log_y, metric_given;
};

static const char *parse_metric(const char *arg, void *opts)
{
	struct heatmap_args *a = opts;
	a->metric_given = 1;
	if (heatmap_metric_parse(arg, &a->metric) != 0)
		return "lim, zd, zd-tensor, rtn, tokens, plan, measured or all";
	return NULL;
}

static const char *const color_scales[] = { "value", "rank", NULL };
static const char *const token_scales[] = { "layer", "all", NULL };

static const struct opt heatmap_opts[] = {
	OPT_CALL("metric", 'm', "METRIC", parse_metric,
		 "lim, zd, zd-tensor, rtn, tokens (per-token LIM), plan, measured (KLD of each "
		 "layer alone, lwq score --measure), or all (default: every column the file "
		 "has, plus the plan)"),
	OPT_STR("plan", 'p', "PLAN.json", struct heatmap_args, plan,
		"add the plan's bits per layer (needed for --metric plan)"),
	OPT_FLAG("tokens", 0, struct heatmap_args, tokens,
		 "add the per-token LIM panel (binned token positions)"),
	OPT_FLAG("curves", 0, struct heatmap_args, curves,
		 "draw the sweep curves (lwq sweep) instead of the heatmap; --plan marks the "
		 "plan's average bits"),
	OPT_FLAG("log", 0, struct heatmap_args, log_y, "logarithmic y axes for --curves"),
	OPT_INT("scale", 's', "N", struct heatmap_args, scale, 1, HEATMAP_MAX_SCALE,
		"PNG pixels per 1/96 inch, 1 to 8 (default 2)"),
	OPT_STR("font", 0, "FONT", struct heatmap_args, font,
		"fontconfig name or font file (default DejaVu Sans)"),
	OPT_CHOICE("color-scale", 0, "S", struct heatmap_args, by_rank, color_scales,
		   "value (default: linear over each colour bar's range) or rank (colour = rank "
		   "among the layers; the bars say so)"),
	OPT_CHOICE("token-scale", 0, "S", struct heatmap_args, tokens_all, token_scales,
		   "layer (default: each layer of the token panel on its own scale) or all (one "
		   "scale for every layer)"),
	OPT_STR("output", 'o', "FILE", struct heatmap_args, out,
		"the .png or .svg to write (required)"),
	OPT_FLAG("force", 'f', struct heatmap_args, force, "overwrite FILE if it exists"),
	OPT_END,
};

static const struct verb_options heatmap_cli = { "heatmap",
	"Usage: lwq heatmap MODEL.h5 [--metric METRIC] [--plan PLAN.json] [--tokens]\n"
	"                   [--scale N] [--font FONT] -o FILE.png|FILE.svg [--force]\n"
	"       lwq heatmap MODEL.h5 --curves [--log] [--plan PLAN.json] -o FILE\n"
	"\n"
	"Draw the layer heatmap as a figure: one row per decoder layer, columns grouped\n"
	"under headers, values printed in the cells, a colour bar with ticks per group.\n"
	"With --curves, draw the stored sweeps instead: perplexity (and KL divergence when\n"
	"measured) against average bits, one line per order.\n"
	"A name ending in .svg writes SVG (vector, text stays text), .png a PNG.\n"
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
	if (!figure_path_supported(a->out))
		return cli_usage_error("heatmap", "%s: name the output .png or .svg", a->out);
	if (a->curves && (a->metric_given || a->tokens))
		return cli_usage_error("heatmap", "--curves draws sweeps: --metric and --tokens "
				       "are for the heatmap");
	if (a->log_y && !a->curves)
		return cli_usage_error("heatmap", "--log is for --curves");
	if (a->metric == HM_PLAN && !a->plan)
		return cli_usage_error("heatmap", "--metric plan needs --plan PLAN.json");
	return 0;
}

static int render_and_write(const struct heatmap_args *a, const struct explorer_data *d,
			    const struct bit_plan *plan, struct lwq_err *err)
{
	struct heatmap_options o = { a->metric, plan, (double)a->scale,
				     a->by_rank ? SCALE_RANK : SCALE_VALUE, a->tokens,
				     !a->tokens_all, a->font };
	struct font *font = font_open(a->font, err);
	if (!font)
		return -1;
	struct curve_options co = { a->log_y, plan };
	struct figure *fig = a->curves ? curve_figure(d, &co, font, NULL, err)
				       : heatmap_figure(d, &o, font, NULL, err);
	int rc = fig ? figure_write(fig, a->out, o.scale, a->force, err) : -1;
	char size[64];
	if (rc == 0 && !cli_quiet && a->curves)
		printf("wrote %s: %s, %d sweep curves\n", a->out,
		       figure_size_text(fig, a->out, o.scale, size, sizeof size), d->n_sweeps);
	else if (rc == 0 && !cli_quiet)
		printf("wrote %s: %s, %d layers, metric %s\n", a->out,
		       figure_size_text(fig, a->out, o.scale, size, sizeof size), d->n_layers,
		       heatmap_metric_name(a->metric));
	figure_free(fig);
	font_free(font);
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
