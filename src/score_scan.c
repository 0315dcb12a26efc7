/* score_scan.c: one pass over a model's linears for ZD, parameter counts and RTN errors.

   Weights stored as f16 or bf16 (every imported model unless --dtype f32) are read as
   their 16-bit words and counted into a histogram of the 65536 possible words: a
   tensor's moments and its count above one sigma come from that histogram, and so does
   the layer's count once the layer's mean and sigma are known. So each tensor is read
   once and touched once per weight (twice when RTN errors are wanted: they need the
   widened values). Weights stored as f32, or quantized, are counted the direct way,
   which reads them a second time. */
#include "score_scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blas_kernels.h"
#include "forward.h"
#include "layout.h"
#include "numeric.h"
#include "parallel.h"
#include "progress.h"

/* Column weights s_j of one layer's four input sites; all NULL without input stats. */
static int read_input_sq(struct model_file *mf, const struct model_config *cfg, int layer,
			 float *sq[SITE_COUNT], struct lwq_err *err)
{
	for (int k = 0; k < LIN_COUNT; k++) {
		int64_t rows, cols;
		enum input_site site = linear_input_site((enum linear_kind)k);
		if (sq[site])
			continue;
		linear_shape(cfg, (enum linear_kind)k, &rows, &cols);
		char path[128];
		snprintf(path, sizeof path, "%s/%03d/%s", ACT_INPUT_SQ, layer, input_site_names[site]);
		sq[site] = calloc((size_t)cols, sizeof(float));
		if (!sq[site] || model_file_get_f32(mf, path, sq[site], cols, err) < 0)
			return -1;
	}
	return 0;
}

/* What the scan of one layer holds: one linear's words and (for RTN errors, or when
   stored as f32) its values, word histograms per thread, per tensor and per layer, and
   the values of the words. */
struct layer_scan {
	float *buf;                /* sized for the largest linear */
	uint16_t *words;
	int64_t count;             /* words in use */
	int64_t *thread_counts;    /* [n_threads][WORD_PATTERNS] */
	int64_t tensor_counts[WORD_PATTERNS], layer_counts[WORD_PATTERNS];
	float values[2][WORD_PATTERNS];   /* [0] f16, [1] bf16 */
	int n_threads;
};

static void count_words_task(void *ctx, int64_t part, int slot)
{
	struct layer_scan *scan = ctx;
	int64_t *counts = scan->thread_counts + (int64_t)slot * WORD_PATTERNS;
	int64_t begin = part * scan->count / scan->n_threads;
	int64_t end = (part + 1) * scan->count / scan->n_threads;
	for (int64_t i = begin; i < end; i++)
		counts[scan->words[i]]++;
}

/* The histogram of scan->words on all threads: integer counts, so the same on any. */
static void count_words(struct layer_scan *scan)
{
	memset(scan->thread_counts, 0,
	       (size_t)scan->n_threads * WORD_PATTERNS * sizeof *scan->thread_counts);
	parallel_for(scan->n_threads, scan->n_threads, count_words_task, scan);
	memset(scan->tensor_counts, 0, sizeof scan->tensor_counts);
	for (int t = 0; t < scan->n_threads; t++) {
		const int64_t *counts = scan->thread_counts + (int64_t)t * WORD_PATTERNS;
		for (int p = 0; p < WORD_PATTERNS; p++)
			scan->tensor_counts[p] += counts[p];
	}
	for (int p = 0; p < WORD_PATTERNS; p++)
		scan->layer_counts[p] += scan->tensor_counts[p];
}

/* Reads one linear. A plain f16/bf16 weight is read as its words and counted; its
   values are widened into scan->buf only when `want_values`. Anything else is read as
   f32 into scan->buf. *stored says which: the half dtype, or DT_F32. */
static int read_linear(struct model_file *mf, int layer, enum linear_kind k,
		       struct layer_scan *scan, int64_t count, int want_values,
		       enum dtype *stored, struct lwq_err *err)
{
	char name[64];
	struct tensor_info info;
	weight_name(name, sizeof name, layer, linear_names[k]);
	*stored = DT_F32;
	if (model_file_weight_bits(mf, name) != 0 ||
	    model_file_weight_info(mf, name, &info, err) < 0 || info.dtype == DT_F32 ||
	    info.count != count)
		return model_file_read_weight_f32(mf, name, scan->buf, count, err);
	if (model_file_read_weight_raw(mf, name, scan->words, (size_t)count * sizeof *scan->words,
				       err) < 0)
		return -1;
	scan->count = count;
	count_words(scan);
	if (want_values)
		convert_to_f32(info.dtype, scan->words, scan->buf, (size_t)count);
	*stored = info.dtype;
	return 0;
}

/* The RTN errors of one linear at each width, one width per thread: each width sums in
   the same order as on one thread, so the results do not depend on the thread count. */
struct rtn_widths {
	const float *w, *col_weight;
	int64_t rows, cols;
	int group_size;
	struct rtn_error_sums sums[SCORE_RTN_LEVELS];
	int rc[SCORE_RTN_LEVELS];
	struct lwq_err errs[SCORE_RTN_LEVELS];
};

static void rtn_width_task(void *ctx, int64_t b, int slot)
{
	(void)slot;
	struct rtn_widths *j = ctx;
	j->rc[b] = rtn_error(j->w, j->rows, j->cols, score_rtn_bits[b], j->group_size,
			     j->col_weight, &j->sums[b], &j->errs[b]);
}

static int rtn_errors(const struct layer_scan *scan, int64_t rows, int64_t cols,
		      const struct score_request *req, const float *col_weight, int layer,
		      enum linear_kind k, struct layer_scores *s, struct lwq_err *err)
{
	struct rtn_widths j = { .w = scan->buf, .col_weight = col_weight, .rows = rows,
				.cols = cols, .group_size = req->group_size };
	parallel_for(scan->n_threads, SCORE_RTN_LEVELS, rtn_width_task, &j);
	for (int b = 0; b < SCORE_RTN_LEVELS; b++) {
		if (j.rc[b] < 0) {
			*err = j.errs[b];
			return lwq_err_prefix(err, linear_names[k]);
		}
		int64_t at = ((int64_t)layer * LIN_COUNT + k) * SCORE_RTN_LEVELS + b;
		s->rtn_err[at] = (float)rtn_rel_error(&j.sums[b]);
		if (s->rtn_werr)
			s->rtn_werr[at] = (float)rtn_rel_error_weighted(&j.sums[b]);
	}
	return 0;
}

/* The layer's weights above one layer sigma, the direct way: a second read of each. */
static int count_above_by_reading(struct model_file *mf, int layer, struct layer_scan *scan,
				  const struct moments *whole, int64_t *above, struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	*above = 0;
	for (int k = 0; k < LIN_COUNT; k++) {
		int64_t rows, cols;
		char name[64];
		linear_shape(cfg, (enum linear_kind)k, &rows, &cols);
		weight_name(name, sizeof name, layer, linear_names[k]);
		if (model_file_read_weight_f32(mf, name, scan->buf, rows * cols, err) < 0)
			return -1;
		*above += count_above_one_sigma(scan->buf, rows * cols, whole->mean,
						moments_std(whole));
	}
	return 0;
}

static int scan_layer(struct model_file *mf, const struct score_request *req, int layer,
		      struct layer_scan *scan, float *const sq[SITE_COUNT],
		      struct layer_scores *s, struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	struct moments whole = { 0, 0, 0 }, part;
	enum dtype layer_dtype = DT_F32;
	int from_words = 1;
	memset(scan->layer_counts, 0, sizeof scan->layer_counts);
	for (int k = 0; k < LIN_COUNT; k++) {
		int64_t rows, cols, above;
		enum dtype stored;
		linear_shape(cfg, (enum linear_kind)k, &rows, &cols);
		if (read_linear(mf, layer, (enum linear_kind)k, scan, rows * cols, req->with_rtn,
				&stored, err) < 0)
			return -1;
		if (stored == DT_F32 || (k > 0 && stored != layer_dtype))
			from_words = 0;
		layer_dtype = stored;
		if (stored == DT_F32) {
			moments_of(scan->buf, rows * cols, &part);
			above = count_above_one_sigma(scan->buf, rows * cols, part.mean,
						      moments_std(&part));
		} else {
			const float *values = scan->values[stored == DT_BF16];
			moments_of_words(scan->tensor_counts, values, &part);
			above = count_above_one_sigma_words(scan->tensor_counts, values, part.mean,
							    moments_std(&part));
		}
		moments_merge(&whole, &part);
		s->zd_tensor[layer * LIN_COUNT + k] = (float)((double)above / (double)(rows * cols));
		const float *weights = sq[linear_input_site((enum linear_kind)k)];
		if (req->with_rtn && rtn_errors(scan, rows, cols, req, weights, layer,
						(enum linear_kind)k, s, err) < 0)
			return -1;
	}
	int64_t above = 0;
	if (from_words)
		above = count_above_one_sigma_words(scan->layer_counts,
						    scan->values[layer_dtype == DT_BF16],
						    whole.mean, moments_std(&whole));
	else if (count_above_by_reading(mf, layer, scan, &whole, &above, err) < 0)
		return -1;
	s->zd[layer] = (float)((double)above / (double)whole.n);
	s->params[layer] = (float)whole.n;
	return 0;
}

static int64_t largest_linear(const struct model_config *cfg)
{
	int64_t most = 0;
	for (int k = 0; k < LIN_COUNT; k++) {
		int64_t rows, cols;
		linear_shape(cfg, (enum linear_kind)k, &rows, &cols);
		if (rows * cols > most)
			most = rows * cols;
	}
	return most;
}

static void layer_scan_free(struct layer_scan *scan)
{
	if (!scan)
		return;
	free(scan->buf);
	free(scan->words);
	free(scan->thread_counts);
	free(scan);
}

static struct layer_scan *layer_scan_new(const struct model_config *cfg)
{
	int64_t most = largest_linear(cfg);
	struct layer_scan *scan = calloc(1, sizeof *scan);
	if (!scan)
		return NULL;
	scan->n_threads = blas_thread_count();
	scan->buf = malloc((size_t)most * sizeof *scan->buf);
	scan->words = malloc((size_t)most * sizeof *scan->words);
	scan->thread_counts = malloc((size_t)scan->n_threads * WORD_PATTERNS *
				     sizeof *scan->thread_counts);
	if (!scan->buf || !scan->words || !scan->thread_counts) {
		layer_scan_free(scan);
		return NULL;
	}
	word_values(0, scan->values[0]);
	word_values(1, scan->values[1]);
	return scan;
}

int scores_scan_weights(struct model_file *mf, const struct score_request *req,
			struct layer_scores *s, struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	struct layer_scan *scan = layer_scan_new(cfg);
	if (!scan)
		return lwq_err_set(err, "out of memory");
	int weighted = req->with_rtn && model_file_exists(mf, ACT_INPUT_SQ);
	struct progress p;
	progress_start(&p, "score", "layers", s->n_layers);
	int rc = 0;
	for (int l = 0; l < s->n_layers && rc == 0; l++) {
		float *sq[SITE_COUNT] = { NULL };
		if (weighted)
			rc = read_input_sq(mf, cfg, l, sq, err);
		if (rc == 0)
			rc = scan_layer(mf, req, l, scan, sq, s, err);
		for (int site = 0; site < SITE_COUNT; site++)
			free(sq[site]);
		progress_step(&p, NULL, 0);
		if (rc < 0) {
			char where[32];
			snprintf(where, sizeof where, "layer %d", l);
			lwq_err_prefix(err, where);
		}
	}
	progress_finish(&p);
	layer_scan_free(scan);
	return rc;
}
