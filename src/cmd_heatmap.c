/* cmd_heatmap.c: lwq heatmap MODEL.h5 -o FILE.png|FILE.svg: the layer heatmap as a figure. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "curve_figure.h"
#include "explorer_load.h"
#include "figure.h"
#include "heatmap_figure.h"
#include "plan_file.h"

static const char heatmap_help[] =
	"Usage: lwq heatmap MODEL.h5 [--metric METRIC] [--plan PLAN.json] [--tokens]\n"
	"                   [--scale N] [--font FONT] -o FILE.png|FILE.svg [--force]\n"
	"       lwq heatmap MODEL.h5 --curves [--log] [--plan PLAN.json] -o FILE\n"
	"\n"
	"Draw the layer heatmap as a figure: one row per decoder layer, columns grouped\n"
	"under headers, values printed in the cells, a colour bar with ticks per group.\n"
	"With --curves, draw the stored sweeps instead: perplexity (and KL divergence when\n"
	"measured) against average bits, one line per order.\n"
	"A name ending in .svg writes SVG (vector, text stays text), .png a PNG.\n"
	"\n"
	"  -m, --metric METRIC  lim, zd, zd-tensor, rtn, tokens (per-token LIM), plan, or\n"
	"                       all (default: every column the file has, plus the plan)\n"
	"  -p, --plan PLAN.json add the plan's bits per layer (needed for --metric plan)\n"
	"      --tokens         add the per-token LIM panel (binned token positions)\n"
	"      --curves         draw the sweep curves (lwq sweep) instead of the heatmap;\n"
	"                       --plan marks the plan's average bits\n"
	"      --log            logarithmic y axes for --curves\n"
	"  -s, --scale N        PNG pixels per 1/96 inch, 1 to 8 (default 2)\n"
	"      --font FONT      fontconfig name or font file (default DejaVu Sans)\n"
	"      --color-scale S  value (default: linear over each colour bar's range) or\n"
	"                       rank (colour = rank among the layers; the bars say so)\n"
	"      --token-scale S  layer (default: each layer of the token panel on its own\n"
	"                       scale) or all (one scale for every layer)\n"
	"  -o, --output FILE    the .png or .svg to write (required)\n"
	"  -f, --force          overwrite FILE if it exists\n"
	"  -h, --help           show this help\n";

struct heatmap_args {
	const char *model, *plan, *out, *font;
	enum heatmap_metric metric;
	long scale;
	int force, by_rank, tokens, tokens_all, curves, log_y, heatmap_only;
};

enum { OPT_COLOR_SCALE = 256, OPT_TOKEN_SCALE, OPT_TOKENS, OPT_FONT, OPT_CURVES, OPT_LOG };

static int parse_options(int argc, char **argv, struct heatmap_args *a)
{
	static const struct option longopts[] = {
		{ "metric", required_argument, NULL, 'm' },
		{ "plan", required_argument, NULL, 'p' },
		{ "scale", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "color-scale", required_argument, NULL, OPT_COLOR_SCALE },
		{ "token-scale", required_argument, NULL, OPT_TOKEN_SCALE },
		{ "tokens", no_argument, NULL, OPT_TOKENS },
		{ "font", required_argument, NULL, OPT_FONT },
		{ "curves", no_argument, NULL, OPT_CURVES },
		{ "log", no_argument, NULL, OPT_LOG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "m:p:s:o:fh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			a->heatmap_only = 1;
			if (heatmap_metric_parse(optarg, &a->metric) != 0)
				return cli_usage_error("heatmap", "unknown metric '%s' (lim, zd, "
						       "zd-tensor, rtn, tokens, plan, all)", optarg);
			break;
		case 'p': a->plan = optarg; break;
		case 's':
			if (parse_int(optarg, 1, HEATMAP_MAX_SCALE, &a->scale) != 0)
				return cli_usage_error("heatmap", "--scale must be 1 to %d, not '%s'",
						       HEATMAP_MAX_SCALE, optarg);
			break;
		case 'o': a->out = optarg; break;
		case 'f': a->force = 1; break;
		case OPT_COLOR_SCALE:
			if (strcmp(optarg, "rank") != 0 && strcmp(optarg, "value") != 0)
				return cli_usage_error("heatmap", "--color-scale must be rank or value, "
						       "not '%s'", optarg);
			a->by_rank = strcmp(optarg, "rank") == 0;
			break;
		case OPT_TOKEN_SCALE:
			if (strcmp(optarg, "layer") != 0 && strcmp(optarg, "all") != 0)
				return cli_usage_error("heatmap", "--token-scale must be layer or all, "
						       "not '%s'", optarg);
			a->tokens_all = strcmp(optarg, "all") == 0;
			break;
		case OPT_TOKENS: a->tokens = 1; break;
		case OPT_FONT: a->font = optarg; break;
		case OPT_CURVES: a->curves = 1; break;
		case OPT_LOG: a->log_y = 1; break;
		default:
			return cli_usage_error("heatmap", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (cli_model_operand("heatmap", argc, argv, 0, &a->model) != 0)
		return EXIT_USAGE;
	if (!a->out)
		return cli_usage_error("heatmap", "missing -o FILE.png");
	if (!figure_path_supported(a->out))
		return cli_usage_error("heatmap", "%s: name the output .png or .svg", a->out);
	if (a->curves && (a->heatmap_only || a->tokens))
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
	if (cli_wants_help(argc, argv, heatmap_help))
		return EXIT_OK;
	struct heatmap_args a = { .metric = HM_ALL, .scale = 2 };
	int rc = parse_options(argc, argv, &a);
	if (rc != 0)
		return rc;
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
