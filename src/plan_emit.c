/* plan_emit.c: a bit plan in other tools' terms: lwq JSON, CSV, a llama-quantize command
   and a GPTQModel `dynamic` config (formats documented in lwq(1), PLAN FORMATS). */
#include "plan_emit.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gguf_names.h"
#include "plan_file.h"

/* A growing string; on allocation failure it becomes NULL and stays so. */
struct text {
	char *s;
	size_t len, cap;
};

static void text_add(struct text *t, const char *fmt, ...) LWQ_PRINTF(2, 3);

static void text_add(struct text *t, const char *fmt, ...)
{
	if (t->cap && !t->s)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (t->len + (size_t)n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 1024;
		while (cap < t->len + (size_t)n + 1)
			cap *= 2;
		char *grown = realloc(t->s, cap);
		if (!grown) {
			free(t->s);
			t->s = NULL;
			t->cap = 1;
			return;
		}
		t->s = grown, t->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

static char *text_done(struct text *t, struct lwq_err *err)
{
	if (!t->s)
		lwq_err_set(err, "out of memory");
	return t->s;
}

/* layer,bits,params,bytes: one row per layer, bytes as the lwq format stores it. */
static char *emit_csv(const struct bit_plan *plan, const struct model_config *cfg,
		      struct lwq_err *err)
{
	struct text t = { 0 };
	text_add(&t, "layer,bits,params,bytes\n");
	for (int i = 0; i < plan->n_layers; i++)
		text_add(&t, "%d,%d,%lld,%lld\n", i, plan->bits[i],
			 (long long)layer_linear_params(cfg),
			 (long long)layer_bytes_rtn(cfg, plan->bits[i], plan->group_size));
	return text_done(&t, err);
}

/* ---- llama-quantize ---- */

static int lower_type_name(int type, char *buf, size_t len)
{
	const char *name = gguf_type_name(type);
	size_t i = 0;
	for (; name[i] && i + 1 < len; i++)
		buf[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i]);
	buf[i] = '\0';
	return 0;
}

/* The most common linear type of the plan: llama-quantize's base type. */
static int base_type(const struct bit_plan *plan)
{
	int best = GGUF_TYPE_Q8_0, best_count = 0;
	for (int i = 0; i < plan->n_layers; i++) {
		int t = gguf_type_ideal_for_bits(plan->bits[i]), count = 0;
		for (int j = 0; j < plan->n_layers; j++)
			count += gguf_type_ideal_for_bits(plan->bits[j]) == t;
		if (t >= 0 && t != GGUF_TYPE_F16 && count > best_count)
			best = t, best_count = count;
	}
	return best;
}

/* One --tensor-type per layer and type: the layer's linears that share a type go into
   one regular expression. `index` is the layer's number after pruning, since
   llama-quantize renumbers the remaining blocks before it matches patterns. */
static void emit_layer_overrides(struct text *t, const struct model_config *cfg, int index,
				 int bits)
{
	int done[LIN_COUNT] = { 0 };
	for (int k = 0; k < LIN_COUNT; k++) {
		if (done[k])
			continue;
		int type = gguf_linear_type(cfg, (enum linear_kind)k, bits);
		char names[160] = "", tname[16];
		int n = 0;
		for (int j = k; j < LIN_COUNT; j++)
			if (!done[j] && gguf_linear_type(cfg, (enum linear_kind)j, bits) == type) {
				done[j] = 1;
				snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
					 n++ ? "|" : "", gguf_linear_names[j]);
			}
		lower_type_name(type, tname, sizeof tname);
		text_add(t, "  --tensor-type 'blk\\.%d\\.%s%s%s\\.weight=%s' \\\n", index,
			 n > 1 ? "(" : "", names, n > 1 ? ")" : "", tname);
	}
}

static char *emit_llama_quantize(const struct bit_plan *plan, const struct model_config *cfg,
				 const char *imatrix, struct lwq_err *err)
{
	struct text t = { 0 };
	for (int i = 0; i < plan->n_layers; i++)
		if (plan->bits[i] != 0 && gguf_type_ideal_for_bits(plan->bits[i]) < 0) {
			lwq_err_set(err, "layer %d: GGUF has no type for %d bits", i, plan->bits[i]);
			return NULL;
		}
	text_add(&t, "# llama-quantize command for the lwq plan '%s' of %s (%d layers, %.3f bits "
		 "on average).\n", plan->order, plan->model_name[0] ? plan->model_name : "the model",
		 plan->n_layers, plan_avg_bits(cfg, plan));
	text_add(&t, "# Input: an F16 GGUF of the same model, e.g. from "
		 "'lwq export MODEL.h5 --format gguf --f16 -o model-f16.gguf'.\n");
	text_add(&t, "llama-quantize \\\n  --token-embedding-type f16 --output-tensor-type f16 \\\n");
	if (imatrix)
		text_add(&t, "  --imatrix '%s' \\\n", imatrix);
	int pruned = 0;
	for (int i = 0; i < plan->n_layers; i++)
		pruned += plan->bits[i] == 0;
	if (pruned) {
		text_add(&t, "  --prune-layers ");
		for (int i = 0, n = 0; i < plan->n_layers; i++)
			if (plan->bits[i] == 0)
				text_add(&t, "%s%d", n++ ? "," : "", i);
		text_add(&t, " \\\n");
	}
	for (int i = 0, index = 0; i < plan->n_layers; i++)
		if (plan->bits[i] != 0)
			emit_layer_overrides(&t, cfg, index++, plan->bits[i]);
	text_add(&t, "  model-f16.gguf model-lwq.gguf %s\n", gguf_type_name(base_type(plan)));
	return text_done(&t, err);
}

/* ---- GPTQModel ---- */

/* {"bits", "group_size", "dynamic": {"+:model\.layers\.3\..*": {"bits", "group_size"}}}:
   GPTQModel matches each key (after "+:" or "-:") with re.match against module names such
   as "model.layers.3.self_attn.q_proj"; "-:" leaves matching modules unquantized. */
static char *emit_gptqmodel(const struct bit_plan *plan, struct lwq_err *err)
{
	json_t *root = json_object(), *dynamic = json_object();
	json_object_set_new(root, "bits", json_integer(plan->high_bits));
	json_object_set_new(root, "group_size", json_integer(plan->group_size));
	for (int i = 0; i < plan->n_layers; i++) {
		int b = plan->bits[i];
		char key[64];
		if (b != 0 && b != 2 && b != 3 && b != 4 && b != 8) {
			json_decref(dynamic);
			json_decref(root);
			lwq_err_set(err, "layer %d: GPTQModel quantizes to 2, 3, 4 or 8 bits, not %d",
				    i, b);
			return NULL;
		}
		snprintf(key, sizeof key, "%s:model\\.layers\\.%d\\..*", b ? "+" : "-", i);
		json_t *over = json_object();
		if (b) {
			json_object_set_new(over, "bits", json_integer(b));
			json_object_set_new(over, "group_size", json_integer(plan->group_size));
		}
		json_object_set_new(dynamic, key, over);
	}
	json_object_set_new(root, "dynamic", dynamic);
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!s) {
		lwq_err_set(err, "out of memory");
		return NULL;
	}
	/* json_dumps' memory comes from jansson's allocator (malloc by default); hand back a
	   copy with a final newline so callers free() it like the other formats. */
	struct text t = { 0 };
	text_add(&t, "%s\n", s);
	free(s);
	return text_done(&t, err);
}

char *plan_emit(const char *format, const struct bit_plan *plan,
		const struct model_config *cfg, struct lwq_err *err)
{
	return plan_emit_imatrix(format, plan, cfg, NULL, err);
}

char *plan_emit_imatrix(const char *format, const struct bit_plan *plan,
			const struct model_config *cfg, const char *imatrix, struct lwq_err *err)
{
	if (strcmp(format, "json") == 0) {
		char *s = plan_to_json(plan, cfg);
		if (!s)
			lwq_err_set(err, "cannot serialize the plan");
		return s;
	}
	if (strcmp(format, "csv") == 0)
		return emit_csv(plan, cfg, err);
	if (strcmp(format, "llama-quantize") == 0)
		return emit_llama_quantize(plan, cfg, imatrix, err);
	if (strcmp(format, "gptqmodel") == 0)
		return emit_gptqmodel(plan, err);
	lwq_err_set(err, "unknown format '%s' (json, csv, llama-quantize, gptqmodel)", format);
	return NULL;
}
