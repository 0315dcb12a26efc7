/* layout.h: dataset paths that verbs write and the explorer reads (man/lwq-format.5). */
#ifndef LWQ_LAYOUT_H
#define LWQ_LAYOUT_H

/* lwq capture */
#define ACT_GROUP        "/activations"
#define ACT_COS          "/activations/cos"          /* f32 [n_layers, n_tokens] per-token cos(x_i, x_i+1) */
#define ACT_STREAMS      "/activations/streams"      /* f16 [n_layers + 1, n_kept, hidden] residual streams */
#define ACT_STREAM_POS   "/activations/stream_tokens" /* i32 [n_kept] token positions kept */
#define ACT_INPUT_SQ     "/activations/input_sq"     /* group: NNN/{attn,o,mlp,down} f32 [in] sum x^2 per column */
#define ACT_TOKENS       "/activations/tokens"       /* i32 [n_tokens] calibration ids */
#define ACT_TEMP_GROUP   "/activations_incomplete"   /* written first, then renamed */
/* attrs on /activations: windows, seq_len, offset, n_tokens, n_kept, source */

/* lwq score */
#define SCORES_GROUP     "/scores"
#define SCORES_LIM       "/scores/lim"               /* f32 [n_layers] */
#define SCORES_ZD        "/scores/zd"                /* f32 [n_layers] */
#define SCORES_ZD_TENSOR "/scores/zd_tensor"         /* f32 [n_layers, 7] q k v o gate up down */
#define SCORES_PARAMS    "/scores/params"            /* f32 [n_layers] linear params per layer */
#define SCORES_RTN_ERR   "/scores/rtn_err"           /* f32 [n_layers, 7, 4] rel. Frobenius error at 2,3,4,8 bits */
#define SCORES_RTN_WERR  "/scores/rtn_err_weighted"  /* f32 [n_layers, 7, 4] weighted by input_sq */
/* attrs on /scores: group_size, fingerprint (of weights + activations used) */
/* lwq score --measure: one layer alone at each width, KL divergence to the unquantized model */
#define SCORES_MEASURED  "/scores/measured"          /* group, kept when /scores is recomputed */
/*   kld f32 [n_layers, n_widths], top1 f32 [n_layers, n_widths], widths i32 [n_widths];
     attrs method, group_size, windows, seq_len, offset, score_from, source, seconds */

/* lwq sweep: one group per order, e.g. /sweeps/lim */
#define SWEEPS_GROUP     "/sweeps"
/*   /sweeps/<order>/n_low f32 [k], avg_bits f32 [k], bytes f32 [k], ppl f32 [k];
     optional kld f32 [k] (mean KL divergence to the unquantized model, nats/token);
     attrs high_bits, low_bits, group_size, windows, seq_len, offset, baseline_ppl */

/* lwq plan -o also stores the last plan here as JSON bytes */
#define PLANS_GROUP      "/plans"

#endif
