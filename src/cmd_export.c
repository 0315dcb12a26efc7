/* cmd_export.c: lwq export: the model quantized by a plan, as an lwq HDF5 file or a GGUF
   file for llama.cpp, written to a temp file and renamed into place. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "commands.h"
#include "export.h"
#include "options.h"
#include "imatrix_file.h"
#include "layout.h"
#include "model_update.h"
#include "plan_file.h"
#include "run_method.h"

struct export_options {
	const char *model, *plan, *out, *name;
	int format;                /* enum export_format, or -1 for "from the extension" */
	int force, f16, embed_f32, json;
	struct method_options method;
	const char *imatrix_out;
	int imatrix_only;          /* --imatrix-out without a model to export */
};

static const char *const format_names[] = { "lwq", "gguf", NULL };
static const char *const embed_names[] = { "f16", "f32", NULL };

static const struct opt export_opts[] = {
	OPT_STR("plan", 'p', "PLAN.json", struct export_options, plan,
		"the bit plan (required unless --f16)"),
	OPT_CHOICE("format", 'F', "FORMAT", struct export_options, format, format_names,
		   "lwq: an lwq model file whose linears are stored RTN-quantized (lwq eval runs "
		   "it directly); gguf: a GGUF file for llama.cpp (default: gguf when OUT ends "
		   "in .gguf, else lwq)"),
	OPT_STR("output", 'o', "OUT", struct export_options, out, "file to write (required)"),
	OPT_FLAG("force", 'f', struct export_options, force, "overwrite OUT if it exists"),
	OPT_FLAG("f16", 0, struct export_options, f16,
		 "gguf: every linear as F16, no plan (input for llama-quantize)"),
	OPT_STR("name", 'n', "NAME", struct export_options, name,
		"gguf: general.name (default: the model's name)"),
	OPT_CHOICE("embed-type", 0, "TYPE", struct export_options, embed_f32, embed_names,
		   "gguf: f16 (default) or f32 for token_embd and output"),
	OPT_FLAG("json", 'j', struct export_options, json, "print the summary as JSON"),
	METHOD_OPTS(struct export_options, method),
	OPT_STR("imatrix-out", 0, "FILE", struct export_options, imatrix_out,
		"also (or only, without -o) write llama.cpp's importance matrix from lwq "
		"capture's statistics, for llama-quantize --imatrix"),
	OPT_END,
};

static const struct verb_options export_cli = { "export",
	"Usage: lwq export MODEL.h5 --plan PLAN.json [--format lwq|gguf] -o OUT [--force]\n"
	"                  [--method rtn|gptq] [--damp F] [--act-order] [--no-importance]\n"
	"                  [--calib-text FILE | --calib-ids FILE.i32]\n"
	"       lwq export MODEL.h5 --format gguf --f16 -o OUT.gguf\n"
	"       lwq export MODEL.h5 --imatrix-out FILE [--force]\n"
	"\n"
	"Write the model quantized layer by layer as PLAN.json says (lwq plan -o).\n"
	"\n", export_opts,
	"GGUF types per layer width: 8 Q8_0, 6 Q6_K, 5 Q5_K, 4 Q4_K, 3 Q3_K, 2 Q2_K; K-quants\n"
	"need rows of a multiple of 256 values, shorter rows use Q4_0 (2-4 bits), Q5_0 (5) or\n"
	"Q8_0 (6), with a warning. Layers at 0 bits are dropped. See man lwq.\n" };

static int check_options(struct export_options *o)
{
	o->imatrix_only = o->imatrix_out && !o->out && !o->plan && !o->f16;
	if (o->imatrix_only)
		return method_options_check("export", &o->method);
	if (!o->out)
		return cli_usage_error("export", "missing -o OUT");
	if (o->format < 0)
		o->format = export_format_for_path(o->out);
	if (o->f16 && o->format != EXPORT_GGUF)
		return cli_usage_error("export", "--f16 is for --format gguf");
	if (o->f16 && o->plan)
		return cli_usage_error("export", "--f16 writes every layer at 16 bits; drop --plan");
	if (!o->f16 && !o->plan)
		return cli_usage_error("export", "missing --plan PLAN.json");
	if (o->format != EXPORT_GGUF && (o->name || o->embed_f32))
		return cli_usage_error("export", "--name and --embed-type are for --format gguf");
	if (o->method.method == QUANT_GGUF)
		return cli_usage_error("export", "--method gguf: use --format gguf (the GGUF block "
				       "types are what it writes)");
	if (o->method.method == QUANT_GGUF_GPTQ && o->format != EXPORT_GGUF)
		return cli_usage_error("export", "--method gguf-gptq is for --format gguf");
	/* the format gives the grid: GPTQ onto GGUF's block types */
	if (o->method.method == QUANT_GPTQ && o->format == EXPORT_GGUF)
		o->method.method = QUANT_GGUF_GPTQ;
	if (o->method.method == QUANT_GGUF_GPTQ && o->f16)
		return cli_usage_error("export", "--f16 stores every linear unquantized; drop "
				       "--method gptq");
	if (o->method.no_importance && o->format != EXPORT_GGUF)
		return cli_usage_error("export", "--no-importance is for --format gguf");
	return method_options_check("export", &o->method);
}

static int parse_options(int argc, char **argv, struct export_options *o)
{
	memset(o, 0, sizeof *o);
	o->format = -1;
	method_options_init(&o->method);
	int rc = options_parse(&export_cli, argc, argv, o);
	if (rc != 0)
		return rc;
	if (cli_model_operand("export", argc, argv, 0, &o->model) != 0)
		return EXIT_USAGE;
	return check_options(o);
}

static void warn_fallbacks(const struct export_stats *st)
{
	if (cli_quiet || st->n_fallback == 0)
		return;
	char widths[64] = "";
	for (int b = 2; b <= 8; b++)
		if (st->fallback_bits[b])
			snprintf(widths + strlen(widths), sizeof widths - strlen(widths), "%s%d",
				 widths[0] ? ", " : "", b);
	fprintf(stderr, "lwq: export: warning: %d linears at %s bits have rows that are not a "
		"multiple of 256 (needed by K-quants); stored as Q4_0 (2-4 bits), Q5_0 (5) or "
		"Q8_0 (6) instead\n", st->n_fallback, widths);
}

static void print_summary(const struct export_options *o, const struct export_stats *st,
			  const struct bit_plan *plan, const struct model_config *cfg)
{
	struct stat sb;
	long long on_disk = stat(o->out, &sb) == 0 ? (long long)sb.st_size : -1;
	long long predicted = plan ? (long long)plan_bytes(cfg, plan) : -1;
	const char *format = o->format == EXPORT_GGUF ? "gguf" : "lwq";
	if (o->json) {
		json_t *j = json_pack("{s:s, s:s, s:i, s:I, s:I, s:I, s:i}", "output", o->out,
				      "format", format, "layers", st->n_layers_out, "bytes",
				      (json_int_t)on_disk, "tensor_bytes", (json_int_t)st->tensor_bytes,
				      "plan_bytes", (json_int_t)predicted, "fallback_linears",
				      st->n_fallback);
		char *text = j ? json_dumps(j, JSON_PRESERVE_ORDER) : NULL;
		if (text)
			printf("%s\n", text);
		free(text);
		json_decref(j);
		return;
	}
	if (cli_quiet)
		return;
	char disk[32], plan_size[32];
	format_size((double)on_disk, disk, sizeof disk);
	printf("wrote %s: %s, %d layers, %s", o->out, format, st->n_layers_out, disk);
	if (plan)
		printf(" (plan %s, %.3f bits on average)", format_size((double)predicted, plan_size,
		       sizeof plan_size), plan_avg_bits(cfg, plan));
	printf("\n");
}

static int run_export(const struct export_options *o, struct model_file *mf,
		      const struct bit_plan *plan, struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	struct progress progress;
	struct export_stats stats;
	int steps = o->format == EXPORT_GGUF ? export_kept_layers(plan, cfg) : cfg->n_layers;
	struct export_job job = { .src = mf, .plan = plan, .plan_path = o->plan, .name = o->name,
				  .f16 = o->f16, .embed_f32 = o->embed_f32, .progress = &progress };
	progress_start(&progress, "export", "layer", steps + 1);
	int rc = export_with_method((enum export_format)o->format, &job, &o->method, "export",
				    cli_quiet || o->json, o->out, o->force, 1, &stats, err);
	progress_finish(&progress);
	if (rc == 0) {
		if (o->format == EXPORT_GGUF)
			warn_fallbacks(&stats);
		print_summary(o, &stats, plan, cfg);
	}
	return rc;
}

static int write_imatrix(const struct export_options *o, struct model_file *mf,
			 struct lwq_err *err)
{
	if (imatrix_write(mf, o->imatrix_out, o->force, err) < 0)
		return -1;
	if (!cli_quiet && !o->json)
		printf("wrote %s: importance matrix of %d layers x 7 linears\n", o->imatrix_out,
		       model_file_config(mf)->n_layers);
	return 0;
}

static int set_imatrix_path(struct model_file *mf, void *ctx, struct lwq_err *err)
{
	return model_file_set_attr_str(mf, ACT_GROUP, IMATRIX_PATH_ATTR, ctx, err);
}

/* Remembers the imatrix in the model file for plan --emit llama-quantize; the imatrix
   itself is written either way, so a model that cannot be updated only gets a warning. */
static int record_imatrix(const struct export_options *o)
{
	char abs_path[4096];
	struct lwq_err err = { "" };
	if (!realpath(o->imatrix_out, abs_path))
		snprintf(abs_path, sizeof abs_path, "%s", o->imatrix_out);
	if (model_file_update(o->model, 4096, set_imatrix_path, abs_path, &err) < 0 &&
	    !cli_quiet)
		fprintf(stderr, "lwq: export: warning: %s was written but not recorded in the "
			"model for plan --emit: %s\n", o->imatrix_out, err.msg);
	return EXIT_OK;
}

int cmd_export(int argc, char **argv)
{
	struct export_options o;
	struct lwq_err err = { "" };
	int rc = parse_options(argc, argv, &o);
	if (rc != 0)
		return options_exit(rc);
	struct model_file *mf = model_file_open(o.model, 0, &err);
	if (!mf)
		return cli_report("export", &err);
	if (o.imatrix_only) {
		rc = write_imatrix(&o, mf, &err);
		model_file_close(mf);
		return rc == 0 ? record_imatrix(&o) : cli_report("export", &err);
	}
	struct bit_plan *plan = NULL;
	if (o.plan) {
		plan = plan_read_file(o.plan, model_file_config(mf), &err);
		if (!plan) {
			if (strncmp(err.msg, o.plan, strlen(o.plan)) != 0)
				lwq_err_prefix(&err, o.plan);
			model_file_close(mf);
			return cli_report("export", &err);
		}
	}
	rc = export_check_plan((enum export_format)o.format, plan, model_file_config(mf), &err);
	if (rc != 0)
		lwq_err_prefix(&err, o.plan);
	else
		rc = run_export(&o, mf, plan, &err);
	if (rc == 0 && o.imatrix_out)
		rc = write_imatrix(&o, mf, &err);
	bit_plan_free(plan);
	model_file_close(mf);
	if (rc != 0)
		return cli_report("export", &err);
	return o.imatrix_out ? record_imatrix(&o) : EXIT_OK;
}
