/* test_plan_emit.c: each --emit format's shape, and that the emitted regular expressions
   select exactly the tensors (llama-quantize) or modules (GPTQModel) they are meant for. */

#include <jansson.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "plan_emit.h"
#include "plan_file.h"
#include "tap.h"

/* Rows of 256 (K-quants apply) except down, whose rows are 288 (falls back to Q4_0). */
static struct model_config cfg(void)
{
	struct model_config c;
	memset(&c, 0, sizeof c);
	snprintf(c.architecture, sizeof c.architecture, "LlamaForCausalLM");
	c.n_layers = 4, c.hidden = 256, c.intermediate = 288, c.n_heads = 4, c.n_kv_heads = 2;
	c.head_dim = 64, c.vocab = 64, c.rope_theta = 10000, c.norm_eps = 1e-5;
	return c;
}

static struct bit_plan *plan(const int *bits)
{
	struct model_config c = cfg();
	struct bit_plan *p = bit_plan_new(4);
	for (int i = 0; i < 4; i++)
		p->bits[i] = bits[i];
	p->group_size = 32;
	p->model_params = total_params(&c);
	snprintf(p->model_name, sizeof p->model_name, "m4");
	snprintf(p->order, sizeof p->order, "lim");
	return p;
}

/* re.match / std::regex_search semantics on the subset emitted (ERE). */
static int matches(const char *pattern, const char *text, int anchored)
{
	char full[512];
	snprintf(full, sizeof full, "%s%s", anchored ? "^" : "", pattern);
	regex_t re;
	if (regcomp(&re, full, REG_EXTENDED | REG_NOSUB) != 0)
		return -1;
	int m = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return m;
}

static void test_csv(void)
{
	struct model_config c = cfg();
	struct bit_plan *p = plan((int[]){ 4, 2, 0, 8 });
	char *s = plan_emit("csv", p, &c, NULL), want[256];
	snprintf(want, sizeof want, "layer,bits,params,bytes\n0,4,%lld,%lld\n1,2,%lld,%lld\n"
		 "2,0,%lld,0\n3,8,%lld,%lld\n", (long long)layer_linear_params(&c),
		 (long long)layer_bytes_rtn(&c, 4, 32), (long long)layer_linear_params(&c),
		 (long long)layer_bytes_rtn(&c, 2, 32), (long long)layer_linear_params(&c),
		 (long long)layer_linear_params(&c), (long long)layer_bytes_rtn(&c, 8, 32));
	ok(s && strcmp(s, want) == 0, "csv: header and one row per layer:\n%s", s ? s : "(null)");
	free(s);
	bit_plan_free(p);
}

static void test_json(void)
{
	struct model_config c = cfg();
	struct bit_plan *p = plan((int[]){ 4, 2, 0, 8 });
	char *s = plan_emit("json", p, &c, NULL), *direct = plan_to_json(p, &c);
	ok(s && direct && strcmp(s, direct) == 0, "json: the plan file format (plan_to_json)");
	free(s);
	free(direct);
	bit_plan_free(p);
}

/* The --tensor-type pattern of a line "  --tensor-type 'PATTERN=type' \" */
static int pattern_of(const char *line, char *pattern, size_t len, char *type, size_t tlen)
{
	const char *a = strchr(line, '\''), *eq = a ? strrchr(line, '=') : NULL;
	const char *b = a ? strchr(a + 1, '\'') : NULL;
	if (!a || !b || !eq || eq > b)
		return -1;
	snprintf(pattern, len, "%.*s", (int)(eq - a - 1), a + 1);
	snprintf(type, tlen, "%.*s", (int)(b - eq - 1), eq + 1);
	return 0;
}

static void test_llama_quantize(void)
{
	struct model_config c = cfg();
	struct bit_plan *p = plan((int[]){ 4, 2, 0, 8 });
	char *s = plan_emit("llama-quantize", p, &c, NULL);
	ok(s && strstr(s, "\nllama-quantize \\\n") && strstr(s, "--token-embedding-type f16 "
	   "--output-tensor-type f16") && strstr(s, "--prune-layers 2 \\\n") &&
	   strstr(s, "  model-f16.gguf model-lwq.gguf Q4_K\n"), "llama-quantize: command, f16 "
	   "embeddings, pruned layer, input, output and base type");
	int lines = 0, continued = 1, n_types = 0, right = 1;
	for (char *line = s ? strtok(s, "\n") : NULL; line; line = strtok(NULL, "\n")) {
		lines++;
		if (line[0] != '#' && !strstr(line, "model-lwq.gguf"))
			continued &= line[strlen(line) - 1] == '\\';
		char pattern[256], type[16];
		if (!strstr(line, "--tensor-type") || pattern_of(line, pattern, sizeof pattern, type,
								  sizeof type) != 0)
			continue;
		n_types++;
		/* after pruning layer 2, block 2 is source layer 3 (8 bits) */
		static const char *const want[3][2] = { { "q4_k", "q4_0" }, { "q2_k", "q4_0" },
							{ "q8_0", "q8_0" } };
		for (int blk = 0; blk < 3; blk++) {
			char q[64], down[64], other[64];
			snprintf(q, sizeof q, "blk.%d.attn_q.weight", blk);
			snprintf(down, sizeof down, "blk.%d.ffn_down.weight", blk);
			snprintf(other, sizeof other, "blk.%d.attn_norm.weight", blk);
			if (matches(pattern, q, 0) == 1)
				right &= !strcmp(type, want[blk][0]);
			if (matches(pattern, down, 0) == 1)
				right &= !strcmp(type, want[blk][blk == 2 ? 0 : 1]);
			right &= matches(pattern, other, 0) == 0;
		}
		right &= matches(pattern, "blk.12.attn_q.weight", 0) == 0;
	}
	ok(continued, "every command line but the last ends with a backslash (pasteable)");
	ok(n_types == 5, "5 --tensor-type overrides: two widths per K layer, one for Q8_0 (%d)",
	   n_types);
	ok(right, "each pattern selects its block's tensors with the exported types (Q4_K, "
	   "Q2_K, Q8_0; down falls back to Q4_0), never norms or other blocks");
	free(s);
	bit_plan_free(p);
}

static void test_gptqmodel(void)
{
	struct model_config c = cfg();
	struct bit_plan *p = plan((int[]){ 4, 2, 0, 8 });
	char *s = plan_emit("gptqmodel", p, &c, NULL);
	json_t *root = s ? json_loads(s, 0, NULL) : NULL, *dyn = json_object_get(root, "dynamic");
	ok(root && json_integer_value(json_object_get(root, "bits")) == 4 &&
	   json_integer_value(json_object_get(root, "group_size")) == 32 && json_object_size(dyn) == 4,
	   "gptqmodel: base bits and group size, one dynamic rule per layer");
	const char *key;
	json_t *rule;
	int right = 1, n_skip = 0;
	json_object_foreach(dyn, key, rule) {
		int layer = -1;
		for (int i = 0; i < 4; i++) {
			char module[64];
			snprintf(module, sizeof module, "model.layers.%d.self_attn.q_proj", i);
			if (matches(key + 2, module, 1) == 1)
				layer = layer < 0 ? i : 99;
		}
		right &= matches(key + 2, "model.layers.31.mlp.down_proj", 1) == 0 && layer >= 0 &&
			 layer < 4;
		if (layer < 0 || layer >= 4)
			continue;
		if (key[0] == '-')
			n_skip++, right &= p->bits[layer] == 0 && json_object_size(rule) == 0;
		else
			right &= key[0] == '+' && json_integer_value(json_object_get(rule, "bits")) ==
				 p->bits[layer] && json_integer_value(json_object_get(rule, "group_size")) == 32;
	}
	ok(right && n_skip == 1, "each key matches exactly its layer's modules (re.match), bits "
	   "per layer, the pruned layer as a '-:' rule");
	json_decref(root);
	free(s);
	bit_plan_free(p);
}

static void test_errors(void)
{
	struct model_config c = cfg();
	struct bit_plan *p = plan((int[]){ 4, 7, 4, 4 });
	struct lwq_err err = { "" };
	ok(!plan_emit("yaml", p, &c, &err) && strstr(err.msg, "unknown format 'yaml'"),
	   "unknown format: %s", err.msg);
	ok(!plan_emit("gptqmodel", p, &c, &err) && strstr(err.msg, "layer 1"),
	   "gptqmodel refuses 7 bits: %s", err.msg);
	ok(!plan_emit("llama-quantize", p, &c, &err) && strstr(err.msg, "no type for 7 bits"),
	   "llama-quantize refuses 7 bits: %s", err.msg);
	bit_plan_free(p);
}

int main(void)
{
	test_csv();
	test_json();
	test_llama_quantize();
	test_gptqmodel();
	test_errors();
	return tap_done();
}
