/* plan.c: a per-layer bit plan and the storage it costs (docs/method.md section 3). */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bit_plan *bit_plan_new(int n_layers)
{
	if (n_layers <= 0)
		return NULL;
	struct bit_plan *plan = calloc(1, sizeof *plan);
	if (!plan)
		return NULL;
	plan->bits = calloc((size_t)n_layers, sizeof *plan->bits);
	plan->pinned = calloc((size_t)n_layers, sizeof *plan->pinned);
	if (!plan->bits || !plan->pinned) {
		free(plan->bits);
		free(plan->pinned);
		free(plan);
		return NULL;
	}
	plan->n_layers = n_layers;
	plan->group_size = 128;
	plan->high_bits = 4;
	plan->low_bits = 2;
	snprintf(plan->order, sizeof plan->order, "manual");
	return plan;
}

void bit_plan_free(struct bit_plan *plan)
{
	if (!plan)
		return;
	free(plan->bits);
	free(plan->pinned);
	free(plan);
}

/* Storage of one [rows, cols] linear, as the lwq export format writes it:
 *   codes  ceil(bits * rows * cols / 8) bytes, packed little-endian (pack_codes)
 *   groups rows * ceil(cols / G), each with an f16 scale and an f16 zero point (4 bytes)
 * bits 0 (pruned) costs nothing; bits 16 is the unquantized f16/bf16 tensor, no groups. */
static int64_t linear_bytes(int64_t rows, int64_t cols, int bits, int group_size)
{
	int64_t n = rows * cols;
	if (bits <= 0)
		return 0;
	if (bits >= 16)
		return 2 * n;
	int64_t groups = rows * ((cols + group_size - 1) / group_size);
	return (bits * n + 7) / 8 + groups * 4;
}

int64_t layer_bytes_rtn(const struct model_config *cfg, int bits, int group_size)
{
	if (group_size <= 0)
		group_size = 1;
	int64_t sum = 0;
	for (int k = 0; k < LIN_COUNT; k++) {
		int64_t rows, cols;
		linear_shape(cfg, (enum linear_kind)k, &rows, &cols);
		sum += linear_bytes(rows, cols, bits, group_size);
	}
	return sum;
}

int64_t fixed_bytes(const struct model_config *cfg)
{
	return 2 * non_linear_params(cfg);
}

int64_t plan_bytes(const struct model_config *cfg, const struct bit_plan *plan)
{
	/* Layers share one shape, so each distinct width is priced once. */
	int64_t cache_bits[4] = { -1, -1, -1, -1 }, cache_bytes[4] = { 0 };
	int64_t total = fixed_bytes(cfg);
	for (int i = 0; i < plan->n_layers; i++) {
		int b = plan->bits[i], slot = 0;
		while (slot < 4 && cache_bits[slot] != b && cache_bits[slot] != -1)
			slot++;
		if (slot == 4) {
			total += layer_bytes_rtn(cfg, b, plan->group_size);
			continue;
		}
		if (cache_bits[slot] == -1) {
			cache_bits[slot] = b;
			cache_bytes[slot] = layer_bytes_rtn(cfg, b, plan->group_size);
		}
		total += cache_bytes[slot];
	}
	return total;
}

double plan_avg_bits(const struct model_config *cfg, const struct bit_plan *plan)
{
	(void)cfg; /* every layer has the same linear parameter count */
	if (plan->n_layers <= 0)
		return 0.0;
	int64_t sum = 0;
	for (int i = 0; i < plan->n_layers; i++)
		sum += plan->bits[i];
	return (double)sum / plan->n_layers;
}

/* Row lengths (input features) of the seven linears: q k v gate up read hidden, o reads
   heads * head_dim, down reads intermediate. A group never straddles two rows. */
int group_size_check(const struct model_config *cfg, int group_size, struct lwq_err *err)
{
	if (group_size <= 0)
		return lwq_err_set(err, "group size %d must be positive", group_size);
	for (int k = 0; k < LIN_COUNT; k++) {
		int64_t rows, cols;
		linear_shape(cfg, (enum linear_kind)k, &rows, &cols);
		if (cols % group_size != 0)
			return lwq_err_set(err, "group size %d does not divide the row length %lld of %s",
					   group_size, (long long)cols, linear_names[k]);
	}
	return 0;
}

int group_size_default(const struct model_config *cfg)
{
	for (int g = 128; g > 1; g /= 2)
		if (group_size_check(cfg, g, NULL) == 0)
			return g;
	return 1;
}

int plan_bits_supported(int bits)
{
	return bits == 0 || bits == 2 || bits == 3 || bits == 4 || bits == 8;
}
