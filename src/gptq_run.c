/* gptq_run.c: GPTQ over a model file, layer after layer, true-sequential inside each layer.
 *
 * The calibration streams x (every calibration token's residual stream entering the
 * next layer to quantize) are the only state carried from layer to layer. For one layer:
 *   stage      linears        Hessian from the inputs seen when the layer runs with
 *   attn       q, k, v        nothing quantized yet (the input RMSNorm does not depend
 *                             on the layer's linears)
 *   o          o              q, k, v quantized
 *   mlp        gate, up       q, k, v, o quantized
 *   down       down           everything but down quantized
 * Each stage runs the layer on a copy of x and watches the one input site; after the
 * last stage x itself goes through the quantized layer. Memory: the layer's weights,
 * two copies of the streams, one Hessian and the layer's codes. */
#include "gptq_run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "gguf_grid.h"
#include "gguf_quants.h"
#include "layer_io.h"
#include "layer_pass.h"
#include "progress.h"
#include "quant_method.h"

struct gptq_runner {
	struct model_file *mf;
	const struct model_config *cfg;
	struct gptq_run_config rc;
	int64_t n_tokens;
	int call;                      /* windows per layer_forward call */
	struct forward_state *fs;
	float *x, *xs;                 /* [n_tokens, hidden] streams, and a scratch copy */
	int next_layer;                /* the layer x enters; -1: not embedded yet */
	int group;                     /* group size */
	struct gptq_linear_codes codes[LIN_COUNT];
	uint8_t *gguf_rows[LIN_COUNT];         /* rc.gguf: each linear's GGUF rows */
	size_t gguf_bytes[LIN_COUNT];          /* their allocated size */
	int gguf_type[LIN_COUNT];
	struct gptq_layer_report report;
	struct gptq_layer_report *reports;     /* [n_layers] */
};

static const struct {
	enum input_site site;
	int first, count;              /* linears (linear_kind) fed by the site */
} stages[] = {
	{ SITE_ATTN, LIN_Q, 3 },
	{ SITE_O, LIN_O, 1 },
	{ SITE_MLP, LIN_GATE, 2 },
	{ SITE_DOWN, LIN_DOWN, 1 },
};

static int site_width(const struct model_config *cfg, enum input_site site)
{
	if (site == SITE_O)
		return cfg->n_heads * cfg->head_dim;
	return site == SITE_DOWN ? cfg->intermediate : cfg->hidden;
}

/* ---- setup ----------------------------------------------------------------------- */

static int alloc_codes(struct gptq_runner *gr, struct lwq_err *err)
{
	int g = gr->group;
	for (int k = 0; k < LIN_COUNT; k++) {
		int64_t rows, cols;
		linear_shape(gr->cfg, (enum linear_kind)k, &rows, &cols);
		struct gptq_linear_codes *c = &gr->codes[k];
		c->codes = malloc((size_t)(rows * cols));
		c->scales = malloc((size_t)(rows * (cols / g)) * sizeof(float));
		c->zeros = malloc((size_t)(rows * (cols / g)) * sizeof(float));
		if (!c->codes || !c->scales || !c->zeros)
			return lwq_err_set(err, "out of memory for one layer's GPTQ codes");
	}
	return 0;
}

/* Fewer calibration rows than inputs leave the Hessian singular: GPTQ still runs (the
   damping makes it invertible) but compensates along directions it never saw. Past that
   the Hessian is still a noisy estimate: on the demo model at 2 bits, 1.5 tokens per
   input of down gave a perplexity worse than RTN, 3 per input beat it, and it kept
   improving up to 23 per input; the published method calibrates on 128 x 2048 tokens.
   Below TOKENS_PER_INPUT per input of the widest linear a warning says so. */
#define TOKENS_PER_INPUT 10
static void warn_few_tokens(const struct gptq_runner *gr)
{
	int widest = SITE_ATTN;
	for (int s = 0; s < SITE_COUNT; s++)
		if (site_width(gr->cfg, (enum input_site)s) > site_width(gr->cfg, widest))
			widest = s;
	int need = site_width(gr->cfg, (enum input_site)widest);
	const char *name = widest == SITE_DOWN ? "down" : widest == SITE_O ? "o" : "q";
	if (gr->rc.quiet || gr->n_tokens >= (int64_t)TOKENS_PER_INPUT * need)
		return;
	if (gr->n_tokens < need)
		fprintf(stderr, "lwq: %s: warning: %lld calibration tokens are fewer than the %d "
			"inputs of the widest linear (%s): its Hessian is singular and GPTQ "
			"leans on damping; calibrate on at least %d tokens\n", gr->rc.verb,
			(long long)gr->n_tokens, need, name, TOKENS_PER_INPUT * need);
	else
		fprintf(stderr, "lwq: %s: warning: %lld calibration tokens are fewer than %d per "
			"input of the widest linear (%s, %d inputs): its Hessian is a noisy "
			"estimate and GPTQ can do worse than RTN; calibrate on at least %d tokens\n",
			gr->rc.verb, (long long)gr->n_tokens, TOKENS_PER_INPUT, name, need,
			TOKENS_PER_INPUT * need);
}

static int check_config(struct model_file *mf, const struct gptq_run_config *rc,
			struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	if (!rc->independent && (!rc->plan || rc->plan->n_layers != cfg->n_layers))
		return lwq_err_set(err, "%s: GPTQ needs a plan for its %d layers",
				   model_file_path(mf), cfg->n_layers);
	int group = rc->independent ? rc->group_size : rc->plan->group_size;
	/* GGUF's blocks are the groups there */
	if (!rc->gguf && group_size_check(cfg, group, err) < 0)
		return lwq_err_prefix(err, model_file_path(mf));
	if (rc->windows < 1 || rc->seq_len < 1 || !rc->ids)
		return lwq_err_set(err, "%s: no calibration tokens for GPTQ: run lwq capture on "
				   "the model first (or give --calib-text or --calib-ids)",
				   model_file_path(mf));
	int64_t n = (int64_t)rc->windows * rc->seq_len;
	for (int64_t t = 0; t < n; t++)
		if (rc->ids[t] < 0 || rc->ids[t] >= cfg->vocab)
			return lwq_err_set(err, "%s: calibration token %lld is id %d, outside the "
					   "vocabulary [0, %d)", model_file_path(mf), (long long)t,
					   rc->ids[t], cfg->vocab);
	return 0;
}

struct gptq_runner *gptq_runner_new(struct model_file *mf, const struct gptq_run_config *rc,
				    struct lwq_err *err)
{
	if (check_config(mf, rc, err) < 0)
		return NULL;
	struct gptq_runner *gr = calloc(1, sizeof *gr);
	if (!gr)
		return lwq_err_set(err, "out of memory"), NULL;
	gr->mf = mf;
	gr->cfg = model_file_config(mf);
	gr->rc = *rc;
	gr->n_tokens = (int64_t)rc->windows * rc->seq_len;
	gr->next_layer = -1;
	gr->group = rc->independent ? rc->group_size : rc->plan->group_size;
	gr->call = call_windows(gr->cfg, rc->seq_len, rc->windows);
	gr->fs = forward_new(gr->cfg, rc->seq_len, gr->call, err);
	size_t stream_bytes = (size_t)(gr->n_tokens * gr->cfg->hidden) * sizeof(float);
	gr->x = malloc(stream_bytes);
	gr->xs = malloc(stream_bytes);
	gr->reports = calloc((size_t)gr->cfg->n_layers, sizeof *gr->reports);
	if (!gr->fs || !gr->x || !gr->xs || !gr->reports ||
	    (!rc->gguf && alloc_codes(gr, err) < 0)) {
		if (gr->fs && (!gr->x || !gr->xs))
			lwq_err_set(err, "out of memory for %lld calibration streams",
				    (long long)gr->n_tokens);
		gptq_runner_free(gr);
		return NULL;
	}
	warn_few_tokens(gr);
	return gr;
}

void gptq_runner_free(struct gptq_runner *gr)
{
	if (!gr)
		return;
	forward_free(gr->fs);
	free(gr->x);
	free(gr->xs);
	free(gr->reports);
	for (int k = 0; k < LIN_COUNT; k++) {
		free(gr->codes[k].codes);
		free(gr->codes[k].scales);
		free(gr->codes[k].zeros);
		free(gr->gguf_rows[k]);
	}
	free(gr);
}

/* ---- running the calibration windows -------------------------------------------- */

static int embed(struct gptq_runner *gr, struct lwq_err *err)
{
	if (embed_read_tokens(gr->mf, gr->rc.ids, gr->n_tokens, gr->x, err) < 0)
		return -1;
	gr->next_layer = 0;
	return 0;
}

/* Every calibration window through lw, in place on streams x. */
static void forward_all(struct gptq_runner *gr, const struct layer_weights *lw, float *x,
			const struct forward_hooks *hooks)
{
	int64_t stride = (int64_t)gr->rc.seq_len * gr->cfg->hidden;
	for (int w = 0; w < gr->rc.windows; w += gr->call) {
		int count = gr->rc.windows - w < gr->call ? gr->rc.windows - w : gr->call;
		layer_forward(gr->fs, lw, x + w * stride, count, hooks);
	}
}

/* Errors are about the layer the caller asked for; the caller names it and the file. */
static int check_streams(const struct gptq_runner *gr, struct lwq_err *err)
{
	int64_t n = gr->n_tokens * gr->cfg->hidden;
	for (int64_t i = 0; i < n; i++)
		if (!isfinite(gr->x[i]))
			return lwq_err_set(err, "NaN or infinity in the calibration activations "
					   "it puts out");
	return 0;
}

struct site_watch {
	enum input_site site;
	struct gptq_hessian *hs;
};

static void watch_site(void *user, enum input_site site, const float *x, int64_t rows,
		       int cols, int64_t ld)
{
	struct site_watch *sw = user;
	if (site == sw->site)
		gptq_hessian_add(sw->hs, x, rows, ld);
	(void)cols;
}

/* ---- one layer -------------------------------------------------------------------- */

/* The linear's GGUF type at `bits`; GPTQ onto its grid, or, for the F16 of rows no
   block type divides, just F16. The importance weights of the block fits are the mean
   x^2 of each input over the calibration rows: the diagonal of H / 2. */
static int quantize_linear_gguf(struct gptq_runner *gr, int k, int bits, float *w,
				const struct gptq_hessian *hs, struct gptq_stats *st,
				struct lwq_err *err)
{
	int64_t rows, cols;
	linear_shape(gr->cfg, (enum linear_kind)k, &rows, &cols);
	int type = gguf_type_for_bits(bits, cols);
	if (type < 0)
		return quant_method_check_bits(QUANT_GGUF_GPTQ, bits, err);
	size_t row_bytes = gguf_row_bytes(type, cols), need = row_bytes * (size_t)rows;
	if (need > gr->gguf_bytes[k]) {
		uint8_t *grown = realloc(gr->gguf_rows[k], need);
		if (!grown)
			return lwq_err_set(err, "out of memory for %s's GGUF rows", linear_names[k]);
		gr->gguf_rows[k] = grown;
		gr->gguf_bytes[k] = need;
	}
	gr->gguf_type[k] = type;
	memset(st, 0, sizeof *st);
	if (!gguf_type_has_grid(type)) {
		for (int64_t r = 0; r < rows; r++) {
			gguf_quantize_row(type, w + r * cols, cols, gr->gguf_rows[k] + r * row_bytes);
			gguf_dequantize_row(type, gr->gguf_rows[k] + r * row_bytes, cols, w + r * cols);
		}
		return 0;
	}
	float *imp = NULL;
	if (!gr->rc.no_importance && hs->n_rows > 0) {
		if (!(imp = malloc((size_t)cols * sizeof *imp)))
			return lwq_err_set(err, "out of memory");
		for (int64_t j = 0; j < cols; j++)
			imp[j] = (float)(hs->sum[j * cols + j] / (double)hs->n_rows);
	}
	int rc = gptq_quantize_gguf(w, rows, cols, type, imp, hs, &gr->rc.opt, gr->gguf_rows[k],
				    st, err);
	free(imp);
	return rc;
}

static int quantize_linear(struct gptq_runner *gr, int layer, int k, int bits,
			   struct layer_weights *lw, const struct gptq_hessian *hs,
			   struct lwq_err *err)
{
	int64_t rows, cols;
	linear_shape(gr->cfg, (enum linear_kind)k, &rows, &cols);
	struct gptq_linear_codes *c = &gr->codes[k];
	struct gptq_stats st;
	int rc = gr->rc.gguf ? quantize_linear_gguf(gr, k, bits, lw->lin[k], hs, &st, err)
			     : gptq_quantize_rtn(lw->lin[k], rows, cols, bits, gr->group, hs,
						 &gr->rc.opt, c->codes, c->scales, c->zeros, &st,
						 err);
	if (rc < 0)
		return lwq_err_prefix(err, linear_names[k]);
	if (st.damp_raises > 0 && !gr->rc.quiet)
		fprintf(stderr, "lwq: %s: warning: layer %d %s: the Hessian is not positive "
			"definite with damping %g; raised to %g\n", gr->rc.verb, layer,
			linear_names[k], gr->rc.opt.damp, st.damp);
	gr->report.loss[k] = st.loss;
	gr->report.damp[k] = st.damp;
	return 0;
}

static int64_t peak_rss_bytes(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (int64_t)ru.ru_maxrss * 1024;    /* Linux reports KiB */
}

static int quantize_stages(struct gptq_runner *gr, int layer, int bits,
			   struct layer_weights *lw, struct lwq_err *err)
{
	size_t stream_bytes = (size_t)(gr->n_tokens * gr->cfg->hidden) * sizeof(float);
	for (size_t s = 0; s < sizeof stages / sizeof stages[0]; s++) {
		struct site_watch sw = { stages[s].site, NULL };
		sw.hs = gptq_hessian_new(site_width(gr->cfg, sw.site), err);
		if (!sw.hs)
			return -1;
		if (sw.site == SITE_ATTN) {
			/* the input norm is all the layer does before q, k, v */
			rmsnorm_rows(gr->xs, gr->x, lw->attn_norm, gr->n_tokens, gr->cfg->hidden,
				     gr->cfg->norm_eps);
			gptq_hessian_add(sw.hs, gr->xs, gr->n_tokens, gr->cfg->hidden);
		} else {
			struct forward_hooks hooks = { watch_site, &sw };
			memcpy(gr->xs, gr->x, stream_bytes);
			forward_all(gr, lw, gr->xs, &hooks);
		}
		int rc = 0;
		for (int k = stages[s].first; rc == 0 && k < stages[s].first + stages[s].count; k++)
			rc = quantize_linear(gr, layer, k, bits, lw, sw.hs, err);
		gptq_hessian_free(sw.hs);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int quantize_one(struct gptq_runner *gr, int layer, int bits, struct layer_weights *lw,
			struct lwq_err *err)
{
	double start = monotonic_seconds();
	memset(&gr->report, 0, sizeof gr->report);
	if (quantize_stages(gr, layer, bits, lw, err) < 0)
		return -1;
	if (gr->rc.independent) {
		/* the streams stay where they are: the next trial of this layer, or the stored
		   layer on the way to the next one, starts from them */
		gr->next_layer = layer;
	} else {
		forward_all(gr, lw, gr->x, NULL);
		gr->next_layer = layer + 1;
	}
	gr->report.layer = layer;
	gr->report.bits = bits;
	gr->report.seconds = monotonic_seconds() - start;
	gr->report.peak_rss_bytes = peak_rss_bytes();
	gr->reports[layer] = gr->report;
	return check_streams(gr, err);
}

/* Layers before `layer` that the streams have not been through yet, as the plan has
   them, with lw as scratch. */
static int catch_up(struct gptq_runner *gr, int layer, struct layer_weights *lw,
		    struct lwq_err *err)
{
	for (int l = gr->next_layer; l < layer; l++) {
		int bits = gr->rc.independent ? 16 : gr->rc.plan->bits[l];
		gr->next_layer = l + 1;
		if (bits == 0)
			continue;
		if (layer_weights_load(gr->mf, l, lw, err) < 0)
			return -1;
		int rc = 0;
		if (bits < 16) {
			rc = quantize_one(gr, l, bits, lw, err);
		} else {
			forward_all(gr, lw, gr->x, NULL);
			rc = check_streams(gr, err);
		}
		if (rc < 0) {
			char where[48];
			snprintf(where, sizeof where, "on the way there, layer %d", l);
			return lwq_err_prefix(err, where);
		}
	}
	return 0;
}

static int runner_layer_at(struct gptq_runner *gr, int layer, int bits,
			   struct layer_weights *lw, struct lwq_err *err)
{
	if (bits <= 0 || bits >= 16)
		return lwq_err_set(err, "layer %d is not quantized by the plan (%d bits)", layer,
				   bits);
	if ((gr->next_layer < 0 || gr->next_layer > layer) && embed(gr, err) < 0)
		return -1;
	if (gr->next_layer < layer) {
		if (catch_up(gr, layer, lw, err) < 0)
			return -1;
		if (layer_weights_load(gr->mf, layer, lw, err) < 0)
			return -1;
	}
	return quantize_one(gr, layer, bits, lw, err);
}

int gptq_runner_layer(struct gptq_runner *gr, int layer, struct layer_weights *lw,
		      struct lwq_err *err)
{
	return runner_layer_at(gr, layer, gr->rc.plan->bits[layer], lw, err);
}

const struct gptq_linear_codes *gptq_runner_codes(const struct gptq_runner *gr, int k)
{
	return &gr->codes[k];
}

const uint8_t *gptq_runner_gguf_rows(const struct gptq_runner *gr, int k, int *type)
{
	*type = gr->gguf_type[k];
	return gr->gguf_rows[k];
}

const struct gptq_layer_report *gptq_runner_report(const struct gptq_runner *gr)
{
	return &gr->report;
}

const struct gptq_layer_report *gptq_runner_layer_report(const struct gptq_runner *gr,
							 int layer)
{
	return &gr->reports[layer];
}

int gptq_quantize_layer(void *user, int layer, int bits, struct layer_weights *lw,
			struct lwq_err *err)
{
	struct gptq_runner *gr = user;
	if (gr->rc.independent)
		return runner_layer_at(gr, layer, bits, lw, err);
	if (bits != gr->rc.plan->bits[layer])
		return lwq_err_set(err, "GPTQ runs the plan's %d bits, not %d",
				   gr->rc.plan->bits[layer], bits);
	return gptq_runner_layer(gr, layer, lw, err);
}
