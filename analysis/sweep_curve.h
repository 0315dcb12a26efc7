/* sweep_curve.h: one measured sweep curve, the type lwq sweep measures, the model file
   stores and the explorer draws. */
#ifndef LWQ_SWEEP_CURVE_H
#define LWQ_SWEEP_CURVE_H

/* Perplexity as the n least important layers of `order` move to the low width. */
struct sweep_curve {
	char order[64];            /* "lim", "zd", ... (the /sweeps/<order> group name) */
	int n_points;
	float *n_low, *avg_bits, *bytes, *ppl;   /* [n_points] each */
	float *kld;                /* [n_points] KL divergence to the unquantized model
				      (nats/token); NULL when the sweep did not measure it */
	int high_bits, low_bits, group_size;
	double baseline_ppl;       /* unquantized model, 0 when unknown */
	char method[16];           /* quantizer: "rtn", "gguf", "gptq"; "" means rtn */
};

/* Clears c and allocates its arrays (zeroed, at least one element); 0 or -1. */
int sweep_curve_alloc(struct sweep_curve *c, const char *order, int n_points);
/* Frees the arrays (not c itself); safe on a cleared or half-allocated curve. */
void sweep_curve_free(struct sweep_curve *c);

#endif
