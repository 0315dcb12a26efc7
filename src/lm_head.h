/* lm_head.h: the final norm and LM head of a model file, the head read in bands of
   vocabulary rows so that a 128k x 4096 head (2 GiB as f32) is never in memory whole. */
#ifndef LWQ_LM_HEAD_H
#define LWQ_LM_HEAD_H

#include <stdint.h>

#include "forward.h"
#include "model_h5.h"
#include "status.h"
#include "vocab_online.h"

/* Bands are at most this large; a head that fits is one band, read once and kept, and
   scored with the same products as a whole-matrix head. */
#define LM_HEAD_BAND_BYTES ((int64_t)128 << 20)

struct lm_head;

/* Reads the final norm and sizes the bands for windows of seq_len tokens. The head is
   /weights/lm_head, or /weights/embed when the model ties them. */
struct lm_head *lm_head_open(struct model_file *mf, int seq_len, struct lwq_err *err);
void lm_head_free(struct lm_head *h);

/* x[rows, hidden] = final_norm(x), in place, on the pass's threads. */
void lm_head_norm(const struct lm_head *h, struct forward_state *fs, float *x, int64_t rows);

/* What to score: windows of seq_len tokens whose streams went through the final norm
   (lm_head_norm). Positions score_from .. seq_len-2 of each window predict the next id;
   row i of the states is window i / scored, position score_from + i % scored, with
   scored = seq_len - 1 - score_from. */
struct head_streams {
	int windows, score_from;
	const int32_t *ids;                /* [windows * seq_len] */
	const float *base;                 /* unquantized stream; NULL without KLD */
	const float *const *quant;         /* n_quant streams (quant[k] may be base) */
	int n_quant;
	struct nll_online *nll;            /* quant[0]'s NLL states, or NULL */
	struct kld_online *kld;            /* [n_quant][rows]: base vs quant[k], or NULL */
};

/* Starts every state and feeds it the whole vocabulary, band by band. Errors name the
   file (unreadable head, NaN or infinity in a band). */
int lm_head_score(struct lm_head *h, struct forward_state *fs, const struct head_streams *s,
		  struct lwq_err *err);

/* Tests lower the band to exercise several; 0 restores LM_HEAD_BAND_BYTES. */
void lm_head_set_band_rows(int64_t rows);

#endif
