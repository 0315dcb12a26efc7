/* cmd_info.c: lwq info: what a model file holds, as text or as a stable JSON object. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "commands.h"
#include "import_map.h"
#include "import_tokenizer.h"
#include "layout.h"
#include "model_h5.h"
#include "options.h"
#include "score_store.h"
#include "sweep_store.h"

struct info_options {
	int json;
};

static const struct opt info_opts[] = {
	OPT_FLAG("json", 'j', struct info_options, json,
		 "print one JSON object (fields documented in lwq(1))"),
	OPT_END,
};

static const struct verb_options info_cli = { "info",
	"Usage: lwq info MODEL.h5 [--json]\n"
	"\n"
	"Summarize an lwq model file: architecture, shapes, RoPE, parameter counts,\n"
	"storage per dtype, file size, and which analysis results it carries\n"
	"(tokenizer, activations, scores, plans, sweeps).\n"
	"\n", info_opts, NULL };

/* Storage of the weights, by dtype. */
struct weight_totals {
	int64_t tensors;
	int64_t bytes[DT_COUNT];
	int64_t values;
	int64_t quantized;         /* weights stored as quantized groups (lwq export) */
	int64_t quantized_bytes;   /* their codes, scales and zeros */
	int64_t other;             /* expected weights that are missing or unreadable */
};

/* Bytes of the datasets inside a quantized weight's group. */
static int64_t quantized_bytes(struct model_file *mf, const char *name)
{
	static const char *const parts[] = { "codes", "scales", "zeros" };
	int64_t sum = 0;
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		char path[512];
		struct tensor_info info;
		struct lwq_err err = { "" };
		snprintf(path, sizeof path, "/weights/%s/%s", name, parts[i]);
		if (model_file_dataset_info(mf, path, &info, &err) == 0)
			sum += info.count * (i == 0 ? 1 : (int64_t)dtype_size(info.dtype));
	}
	return sum;
}

static void sum_weights(struct model_file *mf, struct weight_totals *w)
{
	memset(w, 0, sizeof *w);
	struct expected_tensor *want = NULL;
	int n = expected_tensors(model_file_config(mf), &want);
	for (int i = 0; i < n; i++) {
		struct tensor_info info;
		struct lwq_err err = { "" };
		if (model_file_weight_bits(mf, want[i].name) > 0) {
			w->quantized++;
			w->quantized_bytes += quantized_bytes(mf, want[i].name);
			continue;
		}
		if (model_file_weight_info(mf, want[i].name, &info, &err) != 0) {
			w->other++;
			continue;
		}
		w->tensors++;
		w->values += info.count;
		w->bytes[info.dtype] += info.count * (int64_t)dtype_size(info.dtype);
	}
	free(want);
}

static json_t *json_names(struct model_file *mf, const char *path)
{
	char **names;
	int n = model_file_list(mf, path, &names);
	json_t *list = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(list, json_string(names[i]));
	model_file_free_names(names, n);
	return list;
}

static json_t *json_attr_int(struct model_file *mf, const char *path, const char *name)
{
	int64_t v;
	return model_file_get_attr_i64(mf, path, name, &v) == 0 ? json_integer(v) : json_null();
}

static json_t *config_json(const struct model_config *c)
{
	json_t *o = json_object();
	json_object_set_new(o, "num_hidden_layers", json_integer(c->n_layers));
	json_object_set_new(o, "hidden_size", json_integer(c->hidden));
	json_object_set_new(o, "intermediate_size", json_integer(c->intermediate));
	json_object_set_new(o, "num_attention_heads", json_integer(c->n_heads));
	json_object_set_new(o, "num_key_value_heads", json_integer(c->n_kv_heads));
	json_object_set_new(o, "head_dim", json_integer(c->head_dim));
	json_object_set_new(o, "vocab_size", json_integer(c->vocab));
	json_object_set_new(o, "max_position_embeddings", json_integer(c->max_seq_len));
	json_object_set_new(o, "rope_theta", json_real(c->rope_theta));
	json_object_set_new(o, "rope_scaling_type", json_string(c->rope_scaling));
	json_object_set_new(o, "rope_scaling_factor", json_real(c->rope_factor));
	json_object_set_new(o, "rope_low_freq_factor", json_real(c->rope_low_freq_factor));
	json_object_set_new(o, "rope_high_freq_factor", json_real(c->rope_high_freq_factor));
	json_object_set_new(o, "rope_original_max_position_embeddings",
			    json_integer(c->rope_original_max_pos));
	json_object_set_new(o, "rms_norm_eps", json_real(c->norm_eps));
	json_object_set_new(o, "tie_word_embeddings", json_boolean(c->tied_embeddings));
	json_object_set_new(o, "qkv_bias", json_boolean(c->qkv_bias));
	json_object_set_new(o, "qk_norm", json_boolean(c->qk_norm));
	json_object_set_new(o, "sliding_window", json_integer(c->sliding_window));
	json_object_set_new(o, "bos_token_id", json_integer(c->bos_id));
	json_object_set_new(o, "eos_token_id", json_integer(c->eos_id));
	return o;
}

static json_t *tokenizer_json(struct model_file *mf)
{
	char kind[64];
	if (model_file_get_attr_str(mf, "/tokenizer", "kind", kind, sizeof kind) != 0)
		return json_null();
	struct tensor_info info;
	struct lwq_err err = { "" };
	int64_t bytes = model_file_dataset_info(mf, "/tokenizer/json", &info, &err) == 0
			? info.count : 0;
	json_t *o = json_pack("{s:s, s:I}", "kind", kind, "bytes", (json_int_t)bytes);
	if (bytes > 0) {
		struct tokenizer_facts facts;
		tokenizer_facts_load(mf, &facts);
		json_object_set_new(o, "description", json_string(facts.description));
		json_object_set_new(o, "vocab_size", json_integer(facts.vocab_size));
		json_object_set_new(o, "pattern_family", json_string(facts.pattern_family));
		json_object_set_new(o, "bos_id", facts.bos_id >= 0 ? json_integer(facts.bos_id)
								   : json_null());
		json_object_set_new(o, "bos_source", json_string(facts.bos_source));
	}
	return o;
}

/* How lwq export quantized the file (root attributes), or null for an unquantized one. */
static json_t *quantized_json(struct model_file *mf)
{
	int64_t quantized = 0, group = 0, layers = 0;
	double avg_bits = 0;
	char quantizer[64] = "", order[64] = "";
	if (model_file_get_attr_i64(mf, "/", "quantized", &quantized) != 0 || !quantized)
		return json_null();
	model_file_get_attr_i64(mf, "/", "quant_group_size", &group);
	model_file_get_attr_i64(mf, "/", "source_layers", &layers);
	model_file_get_attr_f64(mf, "/", "plan_avg_bits", &avg_bits);
	model_file_get_attr_str(mf, "/", "quantizer", quantizer, sizeof quantizer);
	model_file_get_attr_str(mf, "/", "plan_order", order, sizeof order);
	return json_pack("{s:s, s:I, s:f, s:s, s:I}", "quantizer", quantizer, "group_size",
			 (json_int_t)group, "avg_bits", avg_bits, "plan_order", order,
			 "source_layers", (json_int_t)layers);
}

/* Results computed from activations a later capture replaced: "scores", "sweeps/lim". */
static json_t *stale_json(struct model_file *mf)
{
	json_t *stale = json_array();
	if (scores_stale(mf))
		json_array_append_new(stale, json_string("scores"));
	char **names = NULL;
	int n = model_file_exists(mf, SWEEPS_GROUP) ? model_file_list(mf, SWEEPS_GROUP, &names) : 0;
	for (int i = 0; i < n; i++) {
		char what[200];
		snprintf(what, sizeof what, "sweeps/%s", names[i]);
		if (sweep_store_stale(mf, names[i]))
			json_array_append_new(stale, json_string(what));
	}
	if (n > 0)
		model_file_free_names(names, n);
	return stale;
}

/* The analysis sections other verbs add: null when absent, else a few key facts. */
static json_t *sections_json(struct model_file *mf)
{
	json_t *o = json_object();
	json_object_set_new(o, "quantized", quantized_json(mf));
	json_object_set_new(o, "tokenizer", tokenizer_json(mf));
	json_t *act = json_null();
	if (model_file_exists(mf, ACT_GROUP))
		act = json_pack("{s:o, s:o, s:o, s:o}",
				"n_tokens", json_attr_int(mf, ACT_GROUP, "n_tokens"),
				"windows", json_attr_int(mf, ACT_GROUP, "windows"),
				"seq_len", json_attr_int(mf, ACT_GROUP, "seq_len"),
				"datasets", json_names(mf, ACT_GROUP));
	json_object_set_new(o, "activations", act);
	json_object_set_new(o, "scores", !model_file_exists(mf, SCORES_GROUP) ? json_null()
			    : json_pack("{s:o, s:o}", "datasets", json_names(mf, SCORES_GROUP),
					"group_size", json_attr_int(mf, SCORES_GROUP, "group_size")));
	json_object_set_new(o, "plans", !model_file_exists(mf, PLANS_GROUP) ? json_null()
			    : json_pack("{s:o}", "names", json_names(mf, PLANS_GROUP)));
	json_object_set_new(o, "sweeps", !model_file_exists(mf, SWEEPS_GROUP) ? json_null()
			    : json_pack("{s:o}", "orders", json_names(mf, SWEEPS_GROUP)));
	json_object_set_new(o, "stale", stale_json(mf));
	return o;
}

static json_t *info_json(struct model_file *mf, const char *path)
{
	const struct model_config *c = model_file_config(mf);
	struct weight_totals w;
	struct stat sb;
	char source_format[64] = "";
	int major, minor;
	sum_weights(mf, &w);
	model_file_get_attr_str(mf, "/", "source_format", source_format, sizeof source_format);
	model_file_format_version(mf, &major, &minor);
	json_t *bytes = json_object();
	for (int d = 0; d < DT_COUNT; d++)
		json_object_set_new(bytes, dtype_name((enum dtype)d), json_integer(w.bytes[d]));
	int64_t linear = (int64_t)c->n_layers * layer_linear_params(c);
	json_t *o = json_pack("{s:s, s:I, s:[I,I], s:s, s:s, s:s, s:s}",
			      "file", path,
			      "file_size", (json_int_t)(stat(path, &sb) == 0 ? sb.st_size : 0),
			      "format_version", (json_int_t)major, (json_int_t)minor,
			      "model_name", model_file_model_name(mf),
			      "architecture", c->architecture,
			      "source", model_file_source(mf),
			      "source_format", source_format);
	json_object_set_new(o, "config", config_json(c));
	json_object_set_new(o, "parameters", json_pack("{s:I, s:I, s:I}",
			    "total", (json_int_t)total_params(c),
			    "layer_linears", (json_int_t)linear,
			    "outside_linears", (json_int_t)non_linear_params(c)));
	json_object_set_new(o, "weights", json_pack("{s:I, s:I, s:o, s:I, s:I, s:I, s:I}",
			    "tensors", (json_int_t)w.tensors, "values", (json_int_t)w.values,
			    "bytes_by_dtype", bytes, "quantized_tensors", (json_int_t)w.quantized,
			    "quantized_bytes", (json_int_t)w.quantized_bytes,
			    "other_tensors", (json_int_t)w.other,
			    "linked_files", (json_int_t)model_file_link_sources(mf)));
	json_t *sections = sections_json(mf);
	json_object_update(o, sections);
	json_decref(sections);
	return o;
}

static json_int_t get_int(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static void print_list(const char *label, json_t *section, const char *key)
{
	json_t *list = json_object_get(section, key);
	size_t i;
	json_t *v;
	printf("%-14s", label);
	if (json_is_null(section)) {
		printf("absent\n");
		return;
	}
	json_array_foreach(list, i, v)
		printf("%s%s", i ? ", " : "", json_string_value(v));
	printf("%s\n", json_array_size(list) ? "" : "(empty)");
}

static void print_rope(json_t *c)
{
	const char *scaling = json_string_value(json_object_get(c, "rope_scaling_type"));
	printf("%-14stheta %g", "rope", json_real_value(json_object_get(c, "rope_theta")));
	if (strcmp(scaling, "none") == 0)
		printf(", no scaling\n");
	else if (strcmp(scaling, "linear") == 0)
		printf(", linear scaling x%g\n",
		       json_real_value(json_object_get(c, "rope_scaling_factor")));
	else
		printf(", %s scaling x%g (low %g, high %g, original context %lld)\n", scaling,
		       json_real_value(json_object_get(c, "rope_scaling_factor")),
		       json_real_value(json_object_get(c, "rope_low_freq_factor")),
		       json_real_value(json_object_get(c, "rope_high_freq_factor")),
		       (long long)get_int(c, "rope_original_max_position_embeddings"));
}

static void print_model(json_t *o)
{
	json_t *c = json_object_get(o, "config");
	json_t *fv = json_object_get(o, "format_version");
	char size[32];
	format_size((double)get_int(o, "file_size"), size, sizeof size);
	printf("%-14s%s (%s, format %lld.%lld)\n", "file", json_string_value(json_object_get(o, "file")),
	       size, (long long)json_integer_value(json_array_get(fv, 0)),
	       (long long)json_integer_value(json_array_get(fv, 1)));
	printf("%-14s%s (%s)\n", "model", json_string_value(json_object_get(o, "model_name")),
	       json_string_value(json_object_get(o, "architecture")));
	printf("%-14s%s (%s)\n", "source", json_string_value(json_object_get(o, "source")),
	       json_string_value(json_object_get(o, "source_format")));
	printf("%-14s%lld\n", "layers", (long long)get_int(c, "num_hidden_layers"));
	printf("%-14s%lld\n", "hidden", (long long)get_int(c, "hidden_size"));
	printf("%-14s%lld (%lld KV heads, head_dim %lld)\n", "heads",
	       (long long)get_int(c, "num_attention_heads"),
	       (long long)get_int(c, "num_key_value_heads"), (long long)get_int(c, "head_dim"));
	printf("%-14s%lld\n", "intermediate", (long long)get_int(c, "intermediate_size"));
	printf("%-14s%lld\n", "vocab", (long long)get_int(c, "vocab_size"));
	printf("%-14s%lld\n", "context", (long long)get_int(c, "max_position_embeddings"));
	print_rope(c);
	printf("%-14s%g\n", "rms_norm_eps", json_real_value(json_object_get(c, "rms_norm_eps")));
	printf("%-14s%s\n", "lm_head",
	       json_is_true(json_object_get(c, "tie_word_embeddings")) ? "tied to embeddings"
								       : "separate");
	printf("%-14s%s\n", "qkv bias", json_is_true(json_object_get(c, "qkv_bias")) ? "yes" : "no");
	if (json_is_true(json_object_get(c, "qk_norm")))
		printf("%-14s%s\n", "q/k norm", "per head, before RoPE");
	if (get_int(c, "sliding_window") > 0)
		printf("%-14s%lld\n", "sliding window", (long long)get_int(c, "sliding_window"));
	printf("%-14sbos %lld, eos %lld\n", "special ids", (long long)get_int(c, "bos_token_id"),
	       (long long)get_int(c, "eos_token_id"));
}

static void print_storage(json_t *o)
{
	json_t *p = json_object_get(o, "parameters"), *w = json_object_get(o, "weights");
	json_t *bytes = json_object_get(w, "bytes_by_dtype");
	printf("%-14s%.3fM total: %.3fM in layer linears, %.3fM outside\n", "parameters",
	       (double)get_int(p, "total") / 1e6, (double)get_int(p, "layer_linears") / 1e6,
	       (double)get_int(p, "outside_linears") / 1e6);
	printf("%-14s%lld tensors:", "weights", (long long)get_int(w, "tensors"));
	const char *key;
	json_t *v;
	json_object_foreach(bytes, key, v) {
		char size[32];
		if (json_integer_value(v) > 0)
			printf(" %s %s", key, format_size((double)json_integer_value(v), size,
							  sizeof size));
	}
	if (get_int(w, "quantized_tensors") > 0) {
		char size[32];
		printf(", %lld quantized %s", (long long)get_int(w, "quantized_tensors"),
		       format_size((double)get_int(w, "quantized_bytes"), size, sizeof size));
	}
	if (get_int(w, "other_tensors") > 0)
		printf(", %lld missing or unreadable", (long long)get_int(w, "other_tensors"));
	if (get_int(w, "linked_files") > 0)
		printf(", kept in %lld linked source file%s", (long long)get_int(w, "linked_files"),
		       get_int(w, "linked_files") == 1 ? "" : "s");
	printf("\n");
}

static void print_tokenizer(json_t *tok)
{
	json_t *bos = json_object_get(tok, "bos_id");
	printf("%s, %lld tokens, pattern %s, %lld bytes\n",
	       json_string_value(json_object_get(tok, "description")),
	       (long long)get_int(tok, "vocab_size"),
	       json_string_value(json_object_get(tok, "pattern_family")),
	       (long long)get_int(tok, "bytes"));
	if (json_is_integer(bos))
		printf("%-14sid %lld starts every --text window (from %s)\n", "BOS",
		       (long long)json_integer_value(bos),
		       json_string_value(json_object_get(tok, "bos_source")));
	else
		printf("%-14snone (--text windows start with the text)\n", "BOS");
}

static void print_sections(json_t *o)
{
	json_t *tok = json_object_get(o, "tokenizer"), *act = json_object_get(o, "activations");
	json_t *q = json_object_get(o, "quantized");
	if (json_is_object(q))
		printf("%-14s%s, group %lld, %.3f bits on average (plan %s, from %lld layers)\n",
		       "quantized", json_string_value(json_object_get(q, "quantizer")),
		       (long long)get_int(q, "group_size"),
		       json_real_value(json_object_get(q, "avg_bits")),
		       json_string_value(json_object_get(q, "plan_order")),
		       (long long)get_int(q, "source_layers"));
	printf("%-14s", "tokenizer");
	if (json_is_null(tok))
		printf("absent\n");
	else if (get_int(tok, "bytes") == 0)
		printf("%s\n", json_string_value(json_object_get(tok, "kind")));
	else if (!json_object_get(tok, "description"))
		printf("%s, %lld bytes\n", json_string_value(json_object_get(tok, "kind")),
		       (long long)get_int(tok, "bytes"));
	else
		print_tokenizer(tok);
	printf("%-14s", "activations");
	if (json_is_null(act))
		printf("absent\n");
	else
		printf("%lld tokens captured (%lld windows x %lld)\n",
		       (long long)get_int(act, "n_tokens"), (long long)get_int(act, "windows"),
		       (long long)get_int(act, "seq_len"));
	print_list("scores", json_object_get(o, "scores"), "datasets");
	print_list("plans", json_object_get(o, "plans"), "names");
	print_list("sweeps", json_object_get(o, "sweeps"), "orders");
	json_t *stale = json_object_get(o, "stale");
	if (json_array_size(stale) > 0) {
		size_t i;
		json_t *v;
		printf("%-14s", "stale");
		json_array_foreach(stale, i, v)
			printf("%s%s", i ? ", " : "", json_string_value(v));
		printf(" (computed from earlier activations: run lwq score, lwq sweep again)\n");
	}
}

int cmd_info(int argc, char **argv)
{
	struct info_options opt = { 0 };
	int rc = options_parse(&info_cli, argc, argv, &opt);
	if (rc != 0)
		return options_exit(rc);
	const char *path;
	if (cli_model_operand("info", argc, argv, 0, &path) != 0)
		return EXIT_USAGE;
	struct lwq_err err = { "" };
	struct model_file *mf = model_file_open(path, 0, &err);
	if (!mf)
		return cli_report("info", &err);
	json_t *o = info_json(mf, path);
	model_file_close(mf);
	if (opt.json) {
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
		putchar('\n');
	} else {
		print_model(o);
		print_storage(o);
		print_sections(o);
	}
	json_decref(o);
	return EXIT_OK;      /* main checks that stdout took it all */
}
