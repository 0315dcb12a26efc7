/* cmd_heatmap.c: lwq heatmap MODEL.h5 -o FILE.png: the explorer's heatmap as an image. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "explorer_load.h"
#include "heatmap_image.h"
#include "plan_file.h"
#include "png_write.h"

static const char heatmap_help[] =
	"Usage: lwq heatmap MODEL.h5 [--metric METRIC] [--plan PLAN.json] [--scale N]\n"
	"                   -o FILE.png [--force]\n"
	"\n"
	"Write the layer heatmap as a PNG: one row per decoder layer, with the explorer's\n"
	"columns and colours, layer labels, a title and a legend.\n"
	"\n"
	"  -m, --metric METRIC  lim, zd, zd-tensor, rtn, tokens (per-token LIM), plan, or\n"
	"                       all (default: every column the file has, plus the plan)\n"
	"  -p, --plan PLAN.json add the plan's bits per layer (needed for --metric plan)\n"
	"  -s, --scale N        pixels per font dot, 1 to 8 (default 2)\n"
	"      --color-scale S  rank (default: colour = rank among the layers) or value\n"
	"                       (linear between the 2nd and 98th percentile)\n"
	"      --token-scale S  layer (default: each layer of the token map on its own\n"
	"                       scale) or all (one scale for every layer)\n"
	"  -o, --output FILE    the PNG to write (required)\n"
	"  -f, --force          overwrite FILE if it exists\n"
	"  -h, --help           show this help\n";

struct heatmap_args {
	const char *model, *plan, *out;
	enum heatmap_metric metric;
	long scale;
	int force, by_value, tokens_all;
};

enum { OPT_COLOR_SCALE = 256, OPT_TOKEN_SCALE };

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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "m:p:s:o:fh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'm':
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
			a->by_value = strcmp(optarg, "value") == 0;
			break;
		case OPT_TOKEN_SCALE:
			if (strcmp(optarg, "layer") != 0 && strcmp(optarg, "all") != 0)
				return cli_usage_error("heatmap", "--token-scale must be layer or all, "
						       "not '%s'", optarg);
			a->tokens_all = strcmp(optarg, "all") == 0;
			break;
		default:
			return cli_usage_error("heatmap", "unknown option '%s'", argv[optind - 1]);
		}
	}
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
	struct heatmap_options o = { a->metric, plan, (int)a->scale,
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
