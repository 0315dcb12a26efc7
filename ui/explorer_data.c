/* explorer_data.c: the explorer's data model: allocation, and a synthetic model for tests. */
#include "explorer_data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct explorer_data *explorer_data_new(const struct model_config *cfg, const char *name)
{
	struct explorer_data *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->cfg = *cfg;
	d->n_layers = cfg->n_layers;
	d->total_params = total_params(cfg);
	d->group_size = group_size_default(cfg);
	snprintf(d->model_name, sizeof d->model_name, "%s", name ? name : "");
	return d;
}

void explorer_data_free(struct explorer_data *d)
{
	if (!d)
		return;
	free(d->lim);
	free(d->zd);
	free(d->zd_tensor);
	free(d->rtn_layer);
	free(d->cos);
	free(d->measured);
	for (int i = 0; i < d->n_sweeps; i++)
		sweep_curve_free(&d->sweeps[i]);
	free(d->sweeps);
	free(d);
}

struct sweep_curve *explorer_data_add_sweep(struct explorer_data *d, const char *order,
					    int n_points)
{
	struct sweep_curve *grown = realloc(d->sweeps, (size_t)(d->n_sweeps + 1) * sizeof *grown);
	if (!grown)
		return NULL;
	d->sweeps = grown;
	struct sweep_curve *c = &d->sweeps[d->n_sweeps];
	if (sweep_curve_alloc(c, order, n_points) < 0)
		return NULL;
	d->n_sweeps++;
	return c;
}

void explorer_data_note_missing(struct explorer_data *d, const char *what, const char *verb)
{
	size_t used = strlen(d->missing);
	snprintf(d->missing + used, sizeof d->missing - used, "%s%s (lwq %s)",
		 used ? ", " : "", what, verb);
}

/* ---- synthetic model ---------------------------------------------------------- */

/* splitmix64: small, seedable, identical on every platform. */
static double next_uniform(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0;
}

static void synthetic_config(struct model_config *cfg, int n_layers)
{
	memset(cfg, 0, sizeof *cfg);
	snprintf(cfg->architecture, sizeof cfg->architecture, "LlamaForCausalLM");
	snprintf(cfg->rope_scaling, sizeof cfg->rope_scaling, "none");
	cfg->n_layers = n_layers;
	cfg->hidden = 128;
	cfg->intermediate = 352;
	cfg->n_heads = 4;
	cfg->n_kv_heads = 2;
	cfg->head_dim = 32;
	cfg->vocab = 2048;
	cfg->max_seq_len = 512;
	cfg->rope_theta = 10000;
	cfg->norm_eps = 1e-5;
	cfg->bos_id = cfg->eos_id = -1;
}

/* Mean cos of a layer: the first and last layers change the stream most. */
static double synthetic_mean_cos(int i, int n, uint64_t *rng)
{
	double edge = 0.45 * exp(-1.2 * i) + 0.35 * exp(-1.5 * (n - 1 - i));
	return 0.93 - edge - 0.04 * next_uniform(rng);
}

static void synthetic_scores(struct explorer_data *d, uint64_t *rng)
{
	int n = d->n_layers;
	for (int i = 0; i < n; i++) {
		d->lim[i] = (float)-synthetic_mean_cos(i, n, rng);
		d->zd[i] = (float)(0.14 + 0.03 * next_uniform(rng) + 0.01 * sin(i * 0.7));
		for (int t = 0; t < LIN_COUNT; t++)
			d->zd_tensor[i * LIN_COUNT + t] =
				(float)(d->zd[i] + 0.02 * (next_uniform(rng) - 0.5));
		/* RTN error roughly halves per extra bit. */
		double base = 0.45 + 0.15 * next_uniform(rng);
		for (int b = 0; b < SCORE_RTN_LEVELS; b++)
			d->rtn_layer[i * SCORE_RTN_LEVELS + b] =
				(float)(base / pow(2.0, score_rtn_bits[b] - 2));
	}
}

/* Measured KLD at 2, 3, 4, 8 bits: grows with the layer's RTN error and its LIM. */
static void synthetic_measured(struct explorer_data *d)
{
	static const int widths[4] = { 2, 3, 4, 8 };
	d->n_measured = 4;
	for (int w = 0; w < 4; w++)
		d->measured_widths[w] = widths[w];
	for (int i = 0; i < d->n_layers; i++)
		for (int w = 0; w < 4; w++) {
			double e = 0.5 / pow(2.0, widths[w] - 2) * (1.0 + 0.1 * sin(i * 1.3));
			d->measured[i * 4 + w] = (float)(e * e * (1.0 + d->lim[i]) * 0.5);
		}
}

/* Per-token cosines around the layer mean: a low-cosine sink at each window start, and
   a slow drift along the window, so the token map has structure to show. */
static void synthetic_tokens(struct explorer_data *d, uint64_t *rng)
{
	int n = d->n_layers;
	for (int i = 0; i < n; i++) {
		double mean = -d->lim[i];
		for (int64_t t = 0; t < d->n_tokens; t++) {
			int64_t pos = d->seq_len ? t % d->seq_len : t;
			double sink = 0.35 * exp(-(double)pos / 6.0);
			double drift = 0.03 * sin(6.2832 * (double)pos / (d->seq_len ? d->seq_len : 512));
			double noise = 0.05 * (next_uniform(rng) - 0.5);
			d->cos[i * d->n_tokens + t] = (float)(mean - sink + drift + noise);
		}
	}
}

/* Perplexity grows with the share of low-bit layers; better orders grow slower. */
static void synthetic_sweeps(struct explorer_data *d)
{
	static const struct { const char *order; double penalty; } orders[] = {
		{ "lim", 1.0 }, { "zd", 1.3 }, { "reverse-lim", 3.0 }, { "random", 2.0 },
	};
	int n = d->n_layers;
	for (size_t o = 0; o < sizeof orders / sizeof orders[0]; o++) {
		struct sweep_curve *c = explorer_data_add_sweep(d, orders[o].order, n + 1);
		if (!c)
			return;
		c->high_bits = 4;
		c->low_bits = 2;
		c->group_size = d->group_size;
		c->baseline_ppl = 12.0;
		for (int k = 0; k <= n; k++) {
			double frac = (double)k / n;
			c->n_low[k] = (float)k;
			c->avg_bits[k] = (float)(4.0 - 2.0 * frac);
			c->bytes[k] = (float)(fixed_bytes(&d->cfg) +
					      (n - k) * layer_bytes_rtn(&d->cfg, 4, d->group_size) +
					      k * layer_bytes_rtn(&d->cfg, 2, d->group_size));
			c->ppl[k] = (float)(12.4 * exp(orders[o].penalty * 1.6 * frac * frac));
		}
	}
}

struct explorer_data *explorer_data_synthetic(int n_layers, int64_t n_tokens, unsigned seed)
{
	struct model_config cfg;
	synthetic_config(&cfg, n_layers);
	struct explorer_data *d = explorer_data_new(&cfg, "synthetic");
	if (!d)
		return NULL;
	snprintf(d->path, sizeof d->path, "synthetic-%dL.h5", n_layers);
	size_t n = (size_t)n_layers;
	d->lim = calloc(n, sizeof(float));
	d->zd = calloc(n, sizeof(float));
	d->zd_tensor = calloc(n * LIN_COUNT, sizeof(float));
	d->rtn_layer = calloc(n * SCORE_RTN_LEVELS, sizeof(float));
	d->measured = calloc(n * 4, sizeof(float));
	d->n_tokens = n_tokens;
	d->seq_len = 512;
	d->cos = n_tokens > 0 ? calloc(n * (size_t)n_tokens, sizeof(float)) : NULL;
	if (!d->lim || !d->zd || !d->zd_tensor || !d->rtn_layer || !d->measured ||
	    (n_tokens > 0 && !d->cos)) {
		explorer_data_free(d);
		return NULL;
	}
	uint64_t rng = seed;
	synthetic_scores(d, &rng);
	synthetic_measured(d);
	if (d->cos)
		synthetic_tokens(d, &rng);
	synthetic_sweeps(d);
	return d;
}
