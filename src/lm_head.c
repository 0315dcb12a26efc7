/* lm_head.c: the final norm and LM head, the head read and scored band by band.
 *
 * Loop order: band outermost, so each band is read once per call however many windows
 * are scored; the states of every scored row (a few doubles each) carry the softmax
 * statistics from band to band (vocab_online.h). */
#include "lm_head.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "layer_io.h"

/* Rows of logits per product: about 16 MiB of them, at most one window (the figures of
   the whole-matrix head, kept for one band). */
#define LOGITS_BYTES ((int64_t)16 << 20)

static int64_t band_rows_override;

void lm_head_set_band_rows(int64_t rows)
{
	band_rows_override = rows > 0 ? rows : 0;
}

struct lm_head {
	struct model_file *mf;
	const struct model_config *cfg;
	char path[32];                 /* /weights/lm_head or /weights/embed */
	const char *name;
	float *norm;                   /* [hidden] */
	float *band;                   /* [band_rows, hidden] */
	int64_t band_rows, loaded_v0, loaded_n;
	float *lb, *lq;                /* [chunk_rows, band_rows] logits */
	int chunk_rows;
};

static float *alloc_floats(int64_t n)
{
	return malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
}

struct lm_head *lm_head_open(struct model_file *mf, int seq_len, struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	struct lm_head *h = calloc(1, sizeof *h);
	if (!h)
		return lwq_err_set(err, "%s: out of memory for the LM head", model_file_path(mf)),
		       NULL;
	h->mf = mf, h->cfg = cfg, h->loaded_n = 0;
	h->name = cfg->tied_embeddings ? "embed" : "lm_head";
	snprintf(h->path, sizeof h->path, "/weights/%s", h->name);
	struct tensor_info info;
	h->norm = weight_read_alloc(mf, "final_norm", cfg->hidden, err);
	if (!h->norm || model_file_weight_info(mf, h->name, &info, err) < 0) {
		lm_head_free(h);
		return NULL;
	}
	if (info.count != (int64_t)cfg->vocab * cfg->hidden) {
		lwq_err_set(err, "%s: /weights/%s holds %lld values, expected %lld",
			    model_file_path(mf), h->name, (long long)info.count,
			    (long long)cfg->vocab * cfg->hidden);
		lm_head_free(h);
		return NULL;
	}
	int64_t rows = band_rows_override ? band_rows_override
		: LM_HEAD_BAND_BYTES / ((int64_t)cfg->hidden * (int64_t)sizeof(float));
	h->band_rows = rows < 1 ? 1 : rows > cfg->vocab ? cfg->vocab : rows;
	int64_t chunk = LOGITS_BYTES / (h->band_rows * (int64_t)sizeof(float));
	h->chunk_rows = chunk < 1 ? 1 : chunk > seq_len ? seq_len : (int)chunk;
	h->band = alloc_floats(h->band_rows * cfg->hidden);
	h->lb = alloc_floats((int64_t)h->chunk_rows * h->band_rows);
	h->lq = alloc_floats((int64_t)h->chunk_rows * h->band_rows);
	if (!h->band || !h->lb || !h->lq) {
		lwq_err_set(err, "%s: out of memory for a band of the LM head (%lld rows)",
			    model_file_path(mf), (long long)h->band_rows);
		lm_head_free(h);
		return NULL;
	}
	return h;
}

void lm_head_free(struct lm_head *h)
{
	if (!h)
		return;
	free(h->norm);
	free(h->band);
	free(h->lb);
	free(h->lq);
	free(h);
}

void lm_head_norm(const struct lm_head *h, struct forward_state *fs, float *x, int64_t rows)
{
	forward_norm_rows(fs, x, x, h->norm, rows);
}

/* Vocabulary rows [v0, v0 + n) into h->band, unless they are there already (a head of
   one band is read once). */
static int load_band(struct lm_head *h, int64_t v0, int64_t n, struct lwq_err *err)
{
	if (h->loaded_n == n && h->loaded_v0 == v0)
		return 0;
	h->loaded_n = 0;
	if (model_file_get_f32_rows(h->mf, h->path, v0, n, h->band, err) < 0)
		return -1;
	for (int64_t i = 0; i < n * h->cfg->hidden; i++)
		if (!isfinite(h->band[i]))
			return lwq_err_set(err, "%s: NaN or infinity in weight %s",
					   model_file_path(h->mf), h->name);
	h->loaded_v0 = v0, h->loaded_n = n;
	return 0;
}

static void start_states(const struct head_streams *s, int64_t rows)
{
	for (int64_t i = 0; s->nll && i < rows; i++)
		nll_online_start(&s->nll[i]);
	for (int64_t i = 0; s->kld && i < rows * s->n_quant; i++)
		kld_online_start(&s->kld[i]);
}

/* The band in h against nb rows of the streams starting at x_at; their states start at
   row0. */
static void score_chunk(struct lm_head *h, struct forward_state *fs,
			const struct head_streams *s, int64_t rows, int64_t row0, int64_t x_at,
			int nb, int64_t v0, int n, const int32_t *targets)
{
	int hidden = h->cfg->hidden, threads = forward_n_threads(fs);
	if (s->base)
		band_logits(s->base + x_at, nb, hidden, h->band, n, h->lb);
	/* quant[0] last: its NLL overwrites its logits, which may be the base's */
	for (int k = s->n_quant - 1; k >= 0; k--) {
		float *lq = h->lq;
		if (s->quant[k] == s->base)
			lq = h->lb;
		else
			band_logits(s->quant[k] + x_at, nb, hidden, h->band, n, lq);
		if (s->kld)
			kld_online_rows(threads, h->lb, lq, nb, n, v0, targets,
					s->kld + (int64_t)k * rows + row0);
		if (k == 0 && s->nll)
			nll_online_rows(threads, lq, nb, n, v0, targets, s->nll + row0);
	}
}

int lm_head_score(struct lm_head *h, struct forward_state *fs, const struct head_streams *s,
		  struct lwq_err *err)
{
	int T = forward_seq_len(fs), hidden = h->cfg->hidden, scored = T - 1 - s->score_from;
	int64_t rows = (int64_t)s->windows * scored, vocab = h->cfg->vocab;
	start_states(s, rows);
	for (int64_t v0 = 0; v0 < vocab; v0 += h->band_rows) {
		int n = (int)(vocab - v0 < h->band_rows ? vocab - v0 : h->band_rows);
		if (load_band(h, v0, n, err) < 0)
			return -1;
		for (int w = 0; w < s->windows; w++)
			for (int r0 = s->score_from; r0 < T - 1; r0 += h->chunk_rows) {
				int nb = T - 1 - r0 < h->chunk_rows ? T - 1 - r0 : h->chunk_rows;
				int64_t at = ((int64_t)w * T + r0) * hidden;
				score_chunk(h, fs, s, rows,
					    (int64_t)w * scored + (r0 - s->score_from), at,
					    nb, v0, n, s->ids + (int64_t)w * T + r0 + 1);
			}
	}
	return 0;
}
