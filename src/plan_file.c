/* plan_file.c: the "lwq-plan" JSON file, written atomically and read back with validation. */
#include "plan_file.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"

#define PLAN_FORMAT "lwq-plan"
#define PLAN_VERSION 1

static int plan_levels(const struct bit_plan *plan)
{
	return plan->mid_bits > 0 ? 3 : 2;
}

static int plan_n_high(const struct bit_plan *plan)
{
	int n = 0;
	for (int i = 0; i < plan->n_layers; i++)
		n += plan->bits[i] == plan->high_bits;
	return n;
}

/* The layer list is rendered one compact entry per line, the rest by jansson, so a plan
   of 128 layers stays readable: the placeholder string is replaced by the list. */
static char *splice_layers(char *text, const struct bit_plan *plan)
{
	/* Anchored on the key: a string value (a model name) holding the placeholder has its
	   quotes escaped, so it cannot match. */
	static const char key[] = "\"layers\": ", placeholder[] = "\"@LAYERS@\"";
	char *at = strstr(text, "\"layers\": \"@LAYERS@\"");
	if (at)
		at += strlen(key);
	size_t per_line = 48, n = strlen(text);
	char *out = at ? malloc(n + (size_t)plan->n_layers * per_line + 16) : NULL;
	if (!out) {
		free(text);
		return NULL;
	}
	size_t len = (size_t)(at - text);
	memcpy(out, text, len);
	len += (size_t)sprintf(out + len, "[\n");
	for (int i = 0; i < plan->n_layers; i++)
		len += (size_t)sprintf(out + len, "    {\"layer\": %d, \"bits\": %d}%s\n", i,
				       plan->bits[i], i + 1 < plan->n_layers ? "," : "");
	len += (size_t)sprintf(out + len, "  ]%s\n", at + strlen(placeholder));
	free(text);
	return out;
}

char *plan_to_json(const struct bit_plan *plan, const struct model_config *cfg)
{
	json_t *root = json_object(), *model = json_object(), *totals = json_object();
	json_object_set_new(root, "format", json_string(PLAN_FORMAT));
	json_object_set_new(root, "version", json_integer(PLAN_VERSION));
	json_object_set_new(model, "name", json_string(plan->model_name));
	/* Unknown (a plan read without one and without a model): left out, not written as
	   0, which no model would match when the plan is read back. */
	if (plan->model_params > 0)
		json_object_set_new(model, "params", json_integer(plan->model_params));
	json_object_set_new(model, "n_layers", json_integer(plan->n_layers));
	json_object_set_new(root, "model", model);
	json_object_set_new(root, "order", json_string(plan->order));
	json_object_set_new(root, "levels", json_integer(plan_levels(plan)));
	json_object_set_new(root, "high_bits", json_integer(plan->high_bits));
	if (plan->mid_bits > 0)
		json_object_set_new(root, "mid_bits", json_integer(plan->mid_bits));
	json_object_set_new(root, "low_bits", json_integer(plan->low_bits));
	json_object_set_new(root, "group_size", json_integer(plan->group_size));
	json_t *pins = json_array();
	for (int i = 0; plan->pinned && i < plan->n_layers; i++)
		if (plan->pinned[i])
			json_array_append_new(pins, json_integer(i));
	if (json_array_size(pins))     /* only plans made with pins say so */
		json_object_set(root, "pins", pins);
	json_decref(pins);
	json_object_set_new(root, "layers", json_string("@LAYERS@"));
	if (cfg)
		json_object_set_new(totals, "bytes", json_integer(plan_bytes(cfg, plan)));
	json_object_set_new(totals, "avg_bits", json_real(plan_avg_bits(cfg, plan)));
	json_object_set_new(totals, "n_high", json_integer(plan_n_high(plan)));
	json_object_set_new(root, "totals", totals);
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	json_decref(root);
	return text ? splice_layers(text, plan) : NULL;
}

int plan_write_file(const char *path, const struct bit_plan *plan,
		    const struct model_config *cfg, int overwrite, struct lwq_err *err)
{
	char *text = plan_to_json(plan, cfg);
	if (!text)
		return lwq_err_set(err, "%s: cannot format the plan", path);
	int rc = atomic_write_file(path, text, strlen(text), overwrite, err);
	free(text);
	return rc;
}

/* An integer member; -1 with a message when absent or not an integer. */
static int get_int(json_t *obj, const char *key, long long *out, struct lwq_err *err)
{
	json_t *v = json_object_get(obj, key);
	*out = 0;
	if (!json_is_integer(v))
		return lwq_err_set(err, "\"%s\" is %s, not an integer", key, v ? "wrong" : "missing");
	*out = json_integer_value(v);
	return 0;
}

static int get_bits(json_t *obj, const char *key, int *out, struct lwq_err *err)
{
	long long v;
	*out = 0;
	if (get_int(obj, key, &v, err) < 0)
		return -1;
	if (v < 0 || v > 16 || !plan_bits_supported((int)v))
		return lwq_err_set(err, "\"%s\" is %lld bits (supported: 0, 2, 3, 4, 8)", key, v);
	*out = (int)v;
	return 0;
}

static int check_header(json_t *root, struct lwq_err *err)
{
	if (!json_is_object(root))
		return lwq_err_set(err, "not an lwq plan (the top level is not an object)");
	const char *format = json_string_value(json_object_get(root, "format"));
	if (!format || strcmp(format, PLAN_FORMAT) != 0)
		return lwq_err_set(err, "not an lwq plan (format is '%s', want '%s')",
				   format ? format : "missing", PLAN_FORMAT);
	long long version;
	if (get_int(root, "version", &version, err) < 0)
		return -1;
	if (version < 1 || version > PLAN_VERSION)
		return lwq_err_set(err, "plan version %lld is not one this lwq reads (%d)", version,
				   PLAN_VERSION);
	return 0;
}

/* Model identity and the layer count, checked against cfg when given. */
static int read_model(json_t *root, const struct model_config *cfg, int *n_layers,
		      struct bit_plan *plan, struct lwq_err *err)
{
	json_t *model = json_object_get(root, "model");
	long long n, params;
	if (!json_is_object(model))
		return lwq_err_set(err, "\"model\" is missing");
	if (get_int(model, "n_layers", &n, err) < 0)
		return -1;
	if (n <= 0 || n > 4096)
		return lwq_err_set(err, "plan has %lld layers", n);
	if (cfg && n != cfg->n_layers)
		return lwq_err_set(err, "plan has %lld layers, model has %d", n, cfg->n_layers);
	*n_layers = (int)n;
	if (!plan)
		return 0;
	const char *name = json_string_value(json_object_get(model, "name"));
	snprintf(plan->model_name, sizeof plan->model_name, "%s", name ? name : "");
	if (json_object_get(model, "params")) {
		if (get_int(model, "params", &params, err) < 0)
			return -1;
		if (cfg && params != total_params(cfg))
			return lwq_err_set(err, "plan is for a model with %lld parameters, this one "
					   "has %lld", params, (long long)total_params(cfg));
		plan->model_params = params;
	} else if (cfg) {
		plan->model_params = total_params(cfg);
	}
	return 0;
}

static int read_settings(json_t *root, const struct model_config *cfg, struct bit_plan *plan,
			 struct lwq_err *err)
{
	long long g, levels;
	if (get_bits(root, "high_bits", &plan->high_bits, err) < 0 ||
	    get_bits(root, "low_bits", &plan->low_bits, err) < 0 ||
	    get_int(root, "group_size", &g, err) < 0 || get_int(root, "levels", &levels, err) < 0)
		return -1;
	if (levels != 2 && levels != 3)
		return lwq_err_set(err, "\"levels\" is %lld, not 2 or 3", levels);
	plan->mid_bits = 0;
	if (levels == 3 && get_bits(root, "mid_bits", &plan->mid_bits, err) < 0)
		return -1;
	if (g <= 0 || g > 1 << 20)
		return lwq_err_set(err, "group size %lld is not positive", g);
	plan->group_size = (int)g;
	if (cfg && group_size_check(cfg, plan->group_size, err) < 0)
		return -1;
	const char *order = json_string_value(json_object_get(root, "order"));
	snprintf(plan->order, sizeof plan->order, "%s", order ? order : "manual");
	return 0;
}

static int read_layers(json_t *root, struct bit_plan *plan, struct lwq_err *err)
{
	json_t *layers = json_object_get(root, "layers");
	if (!json_is_array(layers))
		return lwq_err_set(err, "\"layers\" is missing or not an array");
	for (int i = 0; i < plan->n_layers; i++)
		plan->bits[i] = -1;
	size_t k;
	json_t *entry;
	json_array_foreach(layers, k, entry) {
		long long layer;
		int bits;
		if (!json_is_object(entry))
			return lwq_err_set(err, "layers[%zu] is not an object", k);
		if (get_int(entry, "layer", &layer, err) < 0 || get_bits(entry, "bits", &bits, err) < 0) {
			char where[32];
			snprintf(where, sizeof where, "layers[%zu]", k);
			return lwq_err_prefix(err, where);
		}
		if (layer < 0 || layer >= plan->n_layers)
			return lwq_err_set(err, "layer %lld is outside the model (%d layers)", layer,
					   plan->n_layers);
		if (plan->bits[layer] != -1)
			return lwq_err_set(err, "layer %lld is listed twice", layer);
		plan->bits[layer] = bits;
	}
	for (int i = 0; i < plan->n_layers; i++)
		if (plan->bits[i] == -1)
			return lwq_err_set(err, "layer %d has no bits", i);
	return 0;
}

/* The optional list of layers whose widths a pin forced. */
static int read_pins(json_t *root, struct bit_plan *plan, struct lwq_err *err)
{
	json_t *pins = json_object_get(root, "pins");
	if (!pins)
		return 0;
	if (!json_is_array(pins))
		return lwq_err_set(err, "\"pins\" is not an array of layer indices");
	size_t k;
	json_t *entry;
	json_array_foreach(pins, k, entry) {
		json_int_t layer = json_is_integer(entry) ? json_integer_value(entry) : -1;
		if (layer < 0 || layer >= plan->n_layers)
			return lwq_err_set(err, "pins[%zu] is not a layer of the model (0..%d)", k,
					   plan->n_layers - 1);
		plan->pinned[layer] = 1;
	}
	return 0;
}

struct bit_plan *plan_from_json(const char *text, const struct model_config *cfg,
				struct lwq_err *err)
{
	json_error_t jerr;
	json_t *root = json_loads(text, 0, &jerr);
	if (!root) {
		lwq_err_set(err, "not valid JSON (line %d: %s)", jerr.line, jerr.text);
		return NULL;
	}
	struct bit_plan *plan = NULL;
	int n_layers;
	if (check_header(root, err) == 0 && read_model(root, cfg, &n_layers, NULL, err) == 0) {
		plan = bit_plan_new(n_layers);
		if (!plan)
			lwq_err_set(err, "out of memory");
	}
	if (plan && (read_model(root, cfg, &n_layers, plan, err) < 0 ||
		     read_settings(root, cfg, plan, err) < 0 || read_layers(root, plan, err) < 0 ||
		     read_pins(root, plan, err) < 0)) {
		bit_plan_free(plan);
		plan = NULL;
	}
	json_decref(root);
	return plan;
}

struct bit_plan *plan_read_file(const char *path, const struct model_config *cfg,
				struct lwq_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		lwq_err_set(err, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	/* from here on, messages get the path prefixed once at the end */
	char *text = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			char *grown = cap > (64u << 20) ? NULL : realloc(text, cap);
			if (!grown) {
				free(text);
				fclose(f);
				lwq_err_set(err, "%s: too large for a plan file", path);
				return NULL;
			}
			text = grown;
		}
		size_t got = fread(text + len, 1, cap - len - 1, f);
		len += got;
		if (got == 0)
			break;
	}
	fclose(f);
	text[len] = '\0';
	struct bit_plan *plan = NULL;
	if (strlen(text) != len)
		lwq_err_set(err, "not valid JSON (it contains a NUL byte)");
	else
		plan = plan_from_json(text, cfg, err);
	free(text);
	if (!plan)
		lwq_err_prefix(err, path);
	return plan;
}
