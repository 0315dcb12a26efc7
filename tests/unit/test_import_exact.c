/* test_import_exact.c: every imported weight equals its source bit for bit. Reads the
   sources with its own code (fread at raw offsets), not with src/safetensors.c or
   src/llama2c.c. With no arguments it imports the shared models itself; with
   "SRC MODEL.h5" it checks a file that `lwq import` wrote. */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli.h"
#include "commands.h"
#include "model_h5.h"
#include "scratch_dir.h"
#include "tap.h"

static void *read_range(const char *path, long offset, size_t n)
{
	FILE *f = fopen(path, "rb");
	void *buf = malloc(n ? n : 1);
	if (!f || fseek(f, offset, SEEK_SET) != 0 || fread(buf, 1, n, f) != n) {
		free(buf);
		buf = NULL;
	}
	if (f)
		fclose(f);
	return buf;
}

static long file_size(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* The lwq name of a Hugging Face tensor name, written out independently of import_map. */
static int lwq_name(const char *hf, char *out, size_t len)
{
	static const char *const map[][2] = {
		{ "self_attn.q_proj.weight", "q" }, { "self_attn.k_proj.weight", "k" },
		{ "self_attn.v_proj.weight", "v" }, { "self_attn.o_proj.weight", "o" },
		{ "self_attn.q_proj.bias", "q_bias" }, { "self_attn.k_proj.bias", "k_bias" },
		{ "self_attn.v_proj.bias", "v_bias" }, { "mlp.gate_proj.weight", "gate" },
		{ "mlp.up_proj.weight", "up" }, { "mlp.down_proj.weight", "down" },
		{ "input_layernorm.weight", "attn_norm" },
		{ "post_attention_layernorm.weight", "mlp_norm" },
	};
	int layer, used = 0;
	if (strcmp(hf, "model.embed_tokens.weight") == 0)
		return snprintf(out, len, "embed"), 0;
	if (strcmp(hf, "model.norm.weight") == 0)
		return snprintf(out, len, "final_norm"), 0;
	if (strcmp(hf, "lm_head.weight") == 0)
		return snprintf(out, len, "lm_head"), 0;
	if (sscanf(hf, "model.layers.%d.%n", &layer, &used) != 1 || used == 0)
		return -1;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(hf + used, map[i][0]) == 0)
			return snprintf(out, len, "layers/%03d/%s", layer, map[i][1]), 0;
	return -1;
}

static void check_safetensors_model(const char *dir, const char *h5)
{
	char st_path[4096];
	snprintf(st_path, sizeof st_path, "%s/model.safetensors", dir);
	uint8_t *len_bytes = read_range(st_path, 0, 8);
	uint64_t hlen = 0;
	for (int i = 7; len_bytes && i >= 0; i--)
		hlen = hlen << 8 | len_bytes[i];
	free(len_bytes);
	char *htext = read_range(st_path, 8, (size_t)hlen);
	json_t *header = htext ? json_loadb(htext, (size_t)hlen, 0, NULL) : NULL;
	free(htext);
	struct lwq_err err = { "" };
	struct model_file *mf = model_file_open(h5, 0, &err);
	ok(header && mf, "%s: source header and model file open (%s)", dir, err.msg);
	if (!header || !mf) {
		json_decref(header);
		model_file_close(mf);
		return;
	}
	int checked = 0, exact = 0;
	const char *name;
	json_t *entry;
	json_object_foreach(header, name, entry) {
		char lname[128];
		if (strcmp(name, "__metadata__") == 0)
			continue;
		checked++;
		const char *dt = json_string_value(json_object_get(entry, "dtype"));
		json_t *off = json_object_get(entry, "data_offsets");
		long begin = (long)json_integer_value(json_array_get(off, 0));
		size_t n = (size_t)(json_integer_value(json_array_get(off, 1)) - begin);
		uint8_t *want = read_range(st_path, 8 + (long)hlen + begin, n);
		uint8_t *got = malloc(n ? n : 1);
		struct tensor_info info;
		int same = want && lwq_name(name, lname, sizeof lname) == 0 &&
			   model_file_weight_info(mf, lname, &info, &err) == 0 &&
			   strcasecmp(dtype_name(info.dtype), dt) == 0 &&
			   model_file_read_weight_raw(mf, lname, got, n, &err) == 0 &&
			   memcmp(got, want, n) == 0;
		if (!same)
			printf("# %s differs (%s)\n", name, err.msg);
		exact += same;
		free(want);
		free(got);
	}
	ok(checked > 0 && exact == checked, "%s: %d of %d tensors bit-exact", dir, exact, checked);

	char tok_path[4096], *tok = NULL;
	size_t tok_n = 0;
	snprintf(tok_path, sizeof tok_path, "%s/tokenizer.json", dir);
	char *want_tok = read_range(tok_path, 0, (size_t)file_size(tok_path));
	ok(want_tok && model_file_get_bytes(mf, "/tokenizer/json", &tok, &tok_n, &err) == 0 &&
	   tok_n == (size_t)file_size(tok_path) && memcmp(tok, want_tok, tok_n) == 0,
	   "%s: tokenizer.json stored byte for byte", dir);
	free(tok);
	free(want_tok);
	model_file_close(mf);
	json_decref(header);
}

/* llama2.c's RoPE on one head: rotate interleaved pairs (2i, 2i+1) by pos * theta_i. */
static void rope_interleaved(float *v, int hd, int pos)
{
	for (int i = 0; i < hd; i += 2) {
		double a = pos * pow(10000.0, -(double)i / hd);
		float x = v[i], y = v[i + 1];
		v[i] = (float)(x * cos(a) - y * sin(a));
		v[i + 1] = (float)(x * sin(a) + y * cos(a));
	}
}

/* Hugging Face's rotate_half RoPE: pairs (i, i + hd/2). */
static void rope_half(float *v, int hd, int pos)
{
	for (int i = 0; i < hd / 2; i++) {
		double a = pos * pow(10000.0, -2.0 * i / hd);
		float x = v[i], y = v[i + hd / 2];
		v[i] = (float)(x * cos(a) - y * sin(a));
		v[i + hd / 2] = (float)(x * sin(a) + y * cos(a));
	}
}

static void matvec(const float *w, const float *x, float *y, int rows, int cols)
{
	for (int r = 0; r < rows; r++) {
		double s = 0;
		for (int c = 0; c < cols; c++)
			s += (double)w[(size_t)r * cols + c] * x[c];
		y[r] = (float)s;
	}
}

/* The attention logit of head 0 between positions 3 and 7 is the same with llama2.c's
   weights and RoPE as with the imported weights and rotate_half. */
static double logit(const float *wq, const float *wk, int dim, int hd, int half)
{
	float x3[256], x7[256], q[256], k[256];
	for (int i = 0; i < dim; i++) {
		x3[i] = (float)sin(i * 0.7 + 1);
		x7[i] = (float)cos(i * 1.3);
	}
	matvec(wq, x7, q, hd, dim);
	matvec(wk, x3, k, hd, dim);
	(half ? rope_half : rope_interleaved)(q, hd, 7);
	(half ? rope_half : rope_interleaved)(k, hd, 3);
	double s = 0;
	for (int i = 0; i < hd; i++)
		s += (double)q[i] * k[i];
	return s;
}

static void check_llama2c_model(const char *bin, const char *h5)
{
	int32_t *hdr = read_range(bin, 0, 28);
	struct lwq_err err = { "" };
	struct model_file *mf = model_file_open(h5, 0, &err);
	ok(hdr && mf, "%s: header and model file open (%s)", bin, err.msg);
	if (!hdr || !mf) {
		free(hdr);
		model_file_close(mf);
		return;
	}
	long dim = hdr[0], hid = hdr[1], L = hdr[2], nh = hdr[3], nkv = hdr[4];
	long vocab = labs(hdr[5]), seq = hdr[6], hd = dim / nh;
	float *all = read_range(bin, 28, (size_t)(file_size(bin) - 28));
	/* Offsets (in floats) of each array, following llama2.c's checkpoint order. */
	long emb = 0, rms_att = emb + vocab * dim, wq = rms_att + L * dim;
	long wk = wq + L * dim * dim, wv = wk + L * dim * nkv * hd, wo = wv + L * dim * nkv * hd;
	long rms_ffn = wo + L * dim * dim, w1 = rms_ffn + L * dim, w2 = w1 + L * dim * hid;
	long w3 = w2 + L * hid * dim, rms_final = w3 + L * dim * hid;
	long wcls = rms_final + dim + seq * hd;
	ok(hdr[5] > 0 || wcls + vocab * dim == (file_size(bin) - 28) / 4, "unshared layout");
	struct { const char *name; long at, per_layer, rows, cols; int rope; } t[] = {
		{ "attn_norm", rms_att, dim, dim, 1, 0 }, { "q", wq, dim * dim, dim, dim, 1 },
		{ "k", wk, nkv * hd * dim, nkv * hd, dim, 1 },
		{ "v", wv, nkv * hd * dim, nkv * hd, dim, 0 }, { "o", wo, dim * dim, dim, dim, 0 },
		{ "mlp_norm", rms_ffn, dim, dim, 1, 0 }, { "gate", w1, hid * dim, hid, dim, 0 },
		{ "down", w2, dim * hid, dim, hid, 0 }, { "up", w3, hid * dim, hid, dim, 0 },
	};
	int checked = 0, exact = 0;
	float *got = malloc((size_t)(vocab * dim) * sizeof *got);
	for (long l = 0; l < L; l++)
		for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
			char name[64];
			snprintf(name, sizeof name, "layers/%03ld/%s", l, t[i].name);
			const float *src = all + t[i].at + l * t[i].per_layer;
			int same = model_file_read_weight_f32(mf, name, got, t[i].rows * t[i].cols,
							      &err) == 0;
			for (long r = 0; same && r < t[i].rows; r++) {
				long h = r / hd, j = r % hd;
				long from = !t[i].rope ? r : j < hd / 2 ? h * hd + 2 * j
								: h * hd + 2 * (j - hd / 2) + 1;
				same = memcmp(got + r * t[i].cols, src + from * t[i].cols,
					      (size_t)t[i].cols * 4) == 0;
			}
			checked++;
			exact += same;
		}
	ok(checked == 9 * L && exact == checked, "%s: %d of %d layer tensors bit-exact "
	   "(q/k after undoing the RoPE row order)", bin, exact, checked);
	ok(model_file_read_weight_f32(mf, "embed", got, vocab * dim, &err) == 0 &&
	   memcmp(got, all + emb, (size_t)(vocab * dim) * 4) == 0, "embed bit-exact");
	ok(model_file_read_weight_f32(mf, "final_norm", got, dim, &err) == 0 &&
	   memcmp(got, all + rms_final, (size_t)dim * 4) == 0, "final_norm bit-exact");
	ok(model_file_config(mf)->tied_embeddings == (hdr[5] > 0), "tied classifier recorded");

	float *q = malloc((size_t)(dim * dim) * 4), *k = malloc((size_t)(dim * dim) * 4);
	model_file_read_weight_f32(mf, "layers/000/q", q, dim * dim, &err);
	model_file_read_weight_f32(mf, "layers/000/k", k, nkv * hd * dim, &err);
	double want = logit(all + wq, all + wk, (int)dim, (int)hd, 0);
	double have = logit(q, k, (int)dim, (int)hd, 1);
	ok(fabs(want - have) <= 1e-4 * (1 + fabs(want)), "attention logit preserved under "
	   "rotate_half RoPE: %.6f vs %.6f", have, want);
	char fmt[32];
	ok(model_file_get_attr_str(mf, "/", "source_format", fmt, sizeof fmt) == 0 &&
	   strcmp(fmt, "llama2c") == 0, "source_format = llama2c");
	free(q);
	free(k);
	free(got);
	free(all);
	free(hdr);
	model_file_close(mf);
}

static void check(const char *src, const char *h5)
{
	struct stat sb;
	if (stat(src, &sb) == 0 && S_ISDIR(sb.st_mode))
		check_safetensors_model(src, h5);
	else
		check_llama2c_model(src, h5);
}

int main(int argc, char **argv)
{
	if (argc == 3) {
		check(argv[1], argv[2]);
		return tap_done();
	}
	const char *data = tap_shared_data();
	if (!data)
		tap_skip_all("../shared/data is absent");
	cli_quiet = 1;
	const char *dir = scratch_dir("exact");
	const char *models[] = { "lwq-demo-16L", "stories260K/stories260K.bin" };
	for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
		char src[4096], out[4096];
		snprintf(src, sizeof src, "%s/models/%s", data, models[i]);
		snprintf(out, sizeof out, "%s/m%zu.h5", dir, i);
		char *args[] = { "import", "--name=x", src, "-o", out, NULL };
		ok(cmd_import(5, args) == 0, "import %s", models[i]);
		check(src, out);
		remove(out);
	}
	scratch_dir_remove();
	return tap_done();
}
