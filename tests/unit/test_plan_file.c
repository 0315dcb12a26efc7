/* test_plan_file.c: plan JSON round trip, and every way a plan file can be wrong. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plan.h"
#include "plan_file.h"
#include "scratch_dir.h"
#include "tap.h"

static struct model_config config16(void)
{
	struct model_config c;
	memset(&c, 0, sizeof c);
	c.n_layers = 16;
	c.hidden = 128;
	c.intermediate = 352;
	c.n_heads = 4;
	c.n_kv_heads = 2;
	c.head_dim = 32;
	c.vocab = 2048;
	c.rope_theta = 10000;
	c.norm_eps = 1e-5;
	return c;
}

static struct bit_plan *sample_plan(const struct model_config *c)
{
	struct bit_plan *p = bit_plan_new(c->n_layers);
	for (int i = 0; i < c->n_layers; i++)
		p->bits[i] = i % 3 == 0 ? 2 : 4;
	p->group_size = 32;
	snprintf(p->order, sizeof p->order, "random:42");
	snprintf(p->model_name, sizeof p->model_name, "demo \"16L\"");
	p->model_params = total_params(c);
	return p;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static void test_round_trip(void)
{
	struct model_config c = config16();
	struct bit_plan *p = sample_plan(&c);
	const char *path = scratch_path("plan.json");
	struct lwq_err err = { "" };
	ok(plan_write_file(path, p, &c, 0, &err) == 0, "plan written");
	ok(plan_write_file(path, p, &c, 0, &err) < 0, "existing file not overwritten without force: %s", err.msg);
	struct bit_plan *q = plan_read_file(path, &c, &err);
	ok(q != NULL, "plan read back%s%s", q ? "" : ": ", q ? "" : err.msg);
	if (!q)
		return;
	ok(q->n_layers == 16 && memcmp(p->bits, q->bits, 16 * sizeof(int)) == 0, "bits survive");
	ok(q->group_size == 32 && q->high_bits == 4 && q->low_bits == 2 && q->mid_bits == 0,
	   "group size and widths survive");
	ok(strcmp(q->order, "random:42") == 0 && strcmp(q->model_name, "demo \"16L\"") == 0 &&
	   q->model_params == total_params(&c), "order, model name (with quotes) and params survive");
	char *text = plan_to_json(p, &c);
	char want[64];
	snprintf(want, sizeof want, "\"bytes\": %lld", (long long)plan_bytes(&c, p));
	ok(strstr(text, "\"format\": \"lwq-plan\"") && strstr(text, "\"version\": 1") &&
	   strstr(text, want) && strstr(text, "\"n_high\": 10") && strstr(text, "\"levels\": 2"),
	   "JSON names the format, version, bytes, n_high and levels");
	free(text);
	q->mid_bits = 3;
	q->high_bits = 8;
	q->low_bits = 0;
	text = plan_to_json(q, &c);
	struct bit_plan *r = plan_from_json(text, &c, &err);
	ok(r && r->mid_bits == 3 && r->high_bits == 8 && r->low_bits == 0 && strstr(text, "\"levels\": 3"),
	   "three-level plan with pruning round-trips");
	free(text);
	bit_plan_free(r);
	int none = 1;
	for (int i = 0; i < 16; i++)
		none &= !q->pinned[i];
	ok(none, "a plan made without pins reads back with none");
	text = plan_to_json(p, &c);
	ok(!strstr(text, "\"pins\""), "... and its JSON has no \"pins\" key");
	free(text);
	p->pinned[3] = p->pinned[12] = 1;
	text = plan_to_json(p, &c);
	r = plan_from_json(text, &c, &err);
	int same = r != NULL;
	for (int i = 0; same && i < 16; i++)
		same = r->pinned[i] == (i == 3 || i == 12);
	ok(same && strstr(text, "\"pins\": [") && strstr(text, "\"layers\"") > strstr(text, "\"pins\""),
	   "pinned layers 3 and 12 are listed under \"pins\" before the layers and read back");
	free(text);
	bit_plan_free(r);
	bit_plan_free(q);
	bit_plan_free(p);
}

/* Writes the sample plan's JSON with `from` replaced by `to` and reads it back. */
static int read_edited(const char *from, const char *to, const struct model_config *cfg,
		       struct lwq_err *err)
{
	struct model_config c = config16();
	struct bit_plan *p = sample_plan(&c);
	char *text = plan_to_json(p, &c);
	bit_plan_free(p);
	char *at = strstr(text, from);
	if (!at) {
		free(text);
		return lwq_err_set(err, "test bug: '%s' not in the JSON", from);
	}
	char *edited = malloc(strlen(text) + strlen(to) + 1);
	sprintf(edited, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	const char *path = scratch_path("plan.json");
	write_text(path, edited);
	free(edited);
	free(text);
	struct bit_plan *q = plan_read_file(path, cfg, err);
	bit_plan_free(q);
	return q ? 0 : -1;
}

/* The message must start with "DIR/plan.json: " + want. */
static void expect_error(const char *from, const char *to, const struct model_config *cfg,
			 const char *want, const char *what)
{
	struct lwq_err err = { "" };
	memset(&err, 0, sizeof err);
	int rc = read_edited(from, to, cfg, &err);
	char full[600];
	snprintf(full, sizeof full, "%s: %s", scratch_path("plan.json"), want);
	ok(rc < 0 && strncmp(err.msg, full, strlen(full)) == 0, "%s: %s", what, err.msg);
}

static void test_bad_files(void)
{
	struct model_config c = config16(), c32 = config16();
	c32.n_layers = 32;
	expect_error("\"version\": 1,", "\"version\": 1", &c,
		     "not valid JSON (line ", "malformed JSON");
	expect_error("lwq-plan", "lwq-model", &c,
		     "not an lwq plan (format is 'lwq-model', want 'lwq-plan')", "wrong format");
	expect_error("\"version\": 1", "\"version\": 2", &c,
		     "plan version 2 is not one this lwq reads (1)", "newer version");
	expect_error("\"n_layers\": 16", "\"n_layers\": 16", &c32,
		     "plan has 16 layers, model has 32", "layer count mismatch");
	expect_error("\"layer\": 15", "\"layer\": 16", &c,
		     "layer 16 is outside the model (16 layers)", "layer index outside the model");
	expect_error("\"layer\": 15", "\"layer\": 14", &c, "layer 14 is listed twice", "duplicate layer");
	expect_error("\"layer\": 15, \"bits\": 2", "\"layer\": 15, \"bits\": 5", &c,
		     "layers[15]: \"bits\" is 5 bits (supported: 0, 2, 3, 4, 8)", "unsupported bits");
	expect_error("\"group_size\": 32", "\"group_size\": 128", &c,
		     "group size 128 does not divide the row length 352 of down", "group size vs rows");
	expect_error("\"group_size\": 32", "\"group_size\": \"32\"", &c,
		     "\"group_size\" is wrong, not an integer", "group size as a string");
	char params[64];
	snprintf(params, sizeof params, "\"params\": %lld", (long long)total_params(&c));
	char want[128];
	snprintf(want, sizeof want, "plan is for a model with 7 parameters, this one has %lld",
		 (long long)total_params(&c));
	expect_error(params, "\"params\": 7", &c, want, "params mismatch");
	expect_error("\"group_size\": 32,", "\"group_size\": 32, \"pins\": [16],", &c,
		     "pins[0] is not a layer of the model (0..15)", "a pin outside the model");
	expect_error("\"group_size\": 32,", "\"group_size\": 32, \"pins\": 3,", &c,
		     "\"pins\" is not an array of layer indices", "pins not a list");
	struct lwq_err err = { "" };
	ok(plan_read_file("/nonexistent/plan.json", &c, &err) == NULL &&
	   strcmp(err.msg, "/nonexistent/plan.json: cannot open: No such file or directory") == 0,
	   "missing file: %s", err.msg);
	ok(plan_from_json("[1, 2]", &c, &err) == NULL &&
	   strcmp(err.msg, "not an lwq plan (the top level is not an object)") == 0, "array: %s", err.msg);
	ok(plan_from_json("", &c, &err) == NULL && strstr(err.msg, "not valid JSON"), "empty: %s", err.msg);
}

int main(void)
{
	scratch_dir("plan");
	test_round_trip();
	test_bad_files();
	scratch_dir_remove();
	return tap_done();
}
