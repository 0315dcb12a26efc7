/* test_gguf_importance.c: on the real demo model with capture's statistics, the
   activation-aware GGUF export holds exactly what eval --method gguf runs, and differs
   from the export without the statistics; the GPTQ GGUF export holds exactly what eval
   --method gguf-gptq runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "gguf_names.h"
#include "gguf_read.h"
#include "layer_io.h"
#include "real_model.h"
#include "run_method.h"
#include "tap.h"

#define N_LAYERS 16

static const int plan_bits[N_LAYERS] = { 4, 2, 3, 8, 5, 6, 4, 2, 0, 3, 4, 2, 8, 6, 5, 4 };

/* The GGUF row holding Hugging Face row s of a q/k matrix (RoPE's interleaving). */
static int64_t gguf_row_of(int64_t s, int64_t hd)
{
	int64_t h = s / hd, t = s % hd;
	return h * hd + (t < hd / 2 ? 2 * t : 2 * (t - hd / 2) + 1);
}

static void method_init(struct method_options *mo, enum quant_method m, int no_importance)
{
	method_options_init(mo);
	mo->method = m;
	mo->damp = GPTQ_DAMP_DEFAULT;
	mo->no_importance = no_importance;
}

/* The export as lwq export --format gguf runs it: with gptq, through a GPTQ runner. */
static int export_to(struct model_file *mf, struct bit_plan *plan, int importance, int gptq,
		     const char *out, struct lwq_err *err)
{
	struct progress prog;
	struct export_stats st;
	struct method_options mo;
	struct method_run run;
	method_init(&mo, gptq ? QUANT_GGUF_GPTQ : QUANT_GGUF, !importance);
	if (method_run_start(&run, mf, plan, &mo, "test", 1, err) < 0)
		return -1;
	progress_start(&prog, "export", "layer", N_LAYERS + 1);
	struct export_job job = { .src = mf, .plan = plan, .plan_path = "plan.json", .path = out,
				  .out = out, .progress = &prog, .importance = importance,
				  .gptq = run.gptq };
	int rc = export_gguf(&job, &st, err);
	method_run_end(&run);
	return rc;
}

/* Every linear the run's hook produces against the file's decoded tensor. */
static int64_t compare(struct gguf_file *g, struct model_file *mf, struct bit_plan *plan,
		       enum quant_method m, int no_importance, int *ran)
{
	const struct model_config *c = model_file_config(mf);
	struct lwq_err err = { "" };
	struct method_options mo;
	method_init(&mo, m, no_importance);
	struct method_run run;
	struct layer_weights *lw = layer_weights_new(c, &err);
	int64_t differ = 0;
	*ran = method_run_start(&run, mf, plan, &mo, "test", 1, &err) == 0;
	for (int i = 0, blk = 0; *ran && i < N_LAYERS; i++) {
		if (!plan_bits[i])
			continue;
		*ran &= layer_weights_load(mf, i, lw, &err) == 0;
		*ran &= run.rq.quantize_layer ? run.rq.quantize_layer(run.rq.user, i, plan_bits[i],
								       lw, &err) == 0
					       : layer_weights_quantize(c, lw, QUANT_GGUF,
									plan_bits[i], 32, &err) == 0;
		for (int k = 0; *ran && k < LIN_COUNT; k++) {
			int64_t rows, cols;
			linear_shape(c, (enum linear_kind)k, &rows, &cols);
			char name[64];
			snprintf(name, sizeof name, "blk.%d.%s.weight", blk, gguf_linear_names[k]);
			float *file = malloc((size_t)(rows * cols) * sizeof *file);
			int ti = gguf_find_tensor(g, name);
			*ran &= ti >= 0 && gguf_read_tensor_f32(g, ti, file, rows * cols, NULL) == 0;
			for (int64_t r = 0; *ran && r < rows; r++) {
				int64_t fr = k <= LIN_K ? gguf_row_of(r, c->head_dim) : r;
				differ += memcmp(file + fr * cols, lw->lin[k] + r * cols,
						 (size_t)cols * sizeof *file) != 0;
			}
			free(file);
		}
		blk++;
	}
	if (!*ran)
		printf("# %s\n", err.msg);
	method_run_end(&run);
	layer_weights_free(lw);
	return differ;
}

int main(void)
{
	const char *path = real_model_or_skip("lwq-demo-16L", "activation-aware GGUF");
	if (!path)
		return tap_done();
	char cmd[8192], out_w[4200], out_p[4200], out_g[4200];
	snprintf(cmd, sizeof cmd, "\"%s\" --quiet capture '%s' --ids '%s' --windows 2 --seq-len 64 "
		 "--keep-streams none >/dev/null", getenv("LWQ"), path,
		 real_model_file("lwq-demo-16L", "heldout.ids.i32"));
	if (!ok(system(cmd) == 0, "capture 2 windows of 64 tokens"))
		return tap_done();
	snprintf(out_w, sizeof out_w, "%s.weighted.gguf", path);
	snprintf(out_p, sizeof out_p, "%s.plain.gguf", path);
	snprintf(out_g, sizeof out_g, "%s.gptq.gguf", path);
	struct lwq_err err = { "" };
	struct model_file *mf = model_file_open(path, 0, &err);
	struct bit_plan *plan = bit_plan_new(N_LAYERS);
	memcpy(plan->bits, plan_bits, sizeof plan_bits);
	plan->group_size = 32;
	int rc = mf ? export_to(mf, plan, 1, 0, out_w, &err) | export_to(mf, plan, 0, 0, out_p, &err) |
		      export_to(mf, plan, 1, 1, out_g, &err) : -1;
	if (!ok(rc == 0, "activation-aware, plain and GPTQ GGUF exports (%s)", rc ? err.msg : "ok"))
		return tap_done();
	struct gguf_file *gw = gguf_open(out_w, &err), *gp = gguf_open(out_p, &err);
	struct gguf_file *gg = gguf_open(out_g, &err);
	int ran;
	int64_t d = compare(gw, mf, plan, QUANT_GGUF, 0, &ran);
	ok(ran && d == 0, "activation-aware: eval --method gguf's weights are the file's, bit for "
	   "bit (%lld rows differ)", (long long)d);
	d = compare(gp, mf, plan, QUANT_GGUF, 1, &ran);
	ok(ran && d == 0, "--no-importance: the same for the plain export (%lld rows differ)",
	   (long long)d);
	d = compare(gp, mf, plan, QUANT_GGUF, 0, &ran);
	ok(ran && d > 0, "the statistics change the scales: %lld rows differ between the two",
	   (long long)d);
	d = compare(gg, mf, plan, QUANT_GGUF_GPTQ, 0, &ran);
	ok(ran && d == 0, "GPTQ: eval --method gguf-gptq's weights are the file's decoded, bit "
	   "for bit (%lld rows differ)", (long long)d);
	d = compare(gw, mf, plan, QUANT_GGUF_GPTQ, 0, &ran);
	ok(ran && d > 0, "GPTQ moves codes: %lld rows differ from the activation-aware export",
	   (long long)d);
	gguf_close(gw);
	gguf_close(gp);
	gguf_close(gg);
	remove(out_w);
	remove(out_p);
	remove(out_g);
	bit_plan_free(plan);
	model_file_close(mf);
	return tap_done();
}
