/* test_export.c: lwq export on a synthetic model whose rows suit the K-quants (256) except
   down (288, falls back): the GGUF file holds exactly the blocks of the permuted weights,
   RoPE attention scores survive the q/k permutation, and the quantized lwq file reads
   back bit-identical to RTN fake quantization. */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export.h"
#include "gguf_quants.h"
#include "gguf_names.h"
#include "gguf_read.h"
#include "layer_io.h"
#include "model_h5.h"
#include "quant_rtn.h"
#include "size_target.h"
#include "tap.h"

#define N_LAYERS 7
static char dir[256], model_path[300];
static uint32_t rng = 12345;

static float frand(void)
{
	rng = rng * 1664525u + 1013904223u;
	return (float)(rng >> 8) / 16777216.0f - 0.5f;
}

static struct model_config test_config(void)
{
	struct model_config c;
	memset(&c, 0, sizeof c);
	snprintf(c.architecture, sizeof c.architecture, "LlamaForCausalLM");
	snprintf(c.rope_scaling, sizeof c.rope_scaling, "none");
	c.n_layers = N_LAYERS, c.hidden = 256, c.intermediate = 288, c.n_heads = 4;
	c.n_kv_heads = 2, c.head_dim = 64, c.vocab = 64, c.max_seq_len = 128;
	c.rope_theta = 10000, c.norm_eps = 1e-5, c.bos_id = 0, c.eos_id = 1;
	c.rope_factor = 1, c.rope_low_freq_factor = 1, c.rope_high_freq_factor = 4;
	return c;
}

/* 64 tokens: <s>, </s>, a..z, then 36 merged pairs "ab", "cd", ... */
static char *tokenizer_json(void)
{
	static char json[8192];
	char vocab[4096] = "\"<s>\": 0, \"</s>\": 1", merges[2048] = "";
	int id = 2;
	for (char ch = 'a'; ch <= 'z'; ch++)
		snprintf(vocab + strlen(vocab), sizeof vocab - strlen(vocab), ", \"%c\": %d", ch, id++);
	for (int k = 0; id < 64; k++) {
		char a = (char)('a' + k % 26), b = (char)('a' + (k / 26 + k * 7 + 3) % 26);
		snprintf(vocab + strlen(vocab), sizeof vocab - strlen(vocab), ", \"%c%c\": %d", a, b, id++);
		snprintf(merges + strlen(merges), sizeof merges - strlen(merges), "%s\"%c %c\"",
			 k ? ", " : "", a, b);
	}
	snprintf(json, sizeof json,
		 "{\"added_tokens\": [{\"id\": 0, \"content\": \"<s>\", \"special\": true}, "
		 "{\"id\": 1, \"content\": \"</s>\", \"special\": true}], \"normalizer\": null, "
		 "\"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false, "
		 "\"use_regex\": true}, \"post_processor\": {\"type\": \"ByteLevel\"}, "
		 "\"model\": {\"type\": \"BPE\", \"vocab\": {%s}, \"merges\": [%s]}}", vocab, merges);
	return json;
}

static int write_random(struct model_file *mf, const char *name, int64_t rows, int64_t cols)
{
	int64_t n = rows * cols, dims[2] = { rows, cols };
	float *w = malloc((size_t)n * sizeof *w);
	for (int64_t i = 0; i < n; i++)
		w[i] = frand() * (cols > 1 ? 0.2f : 2.0f) + (cols > 1 ? 0.0f : 1.0f);
	int rc = model_file_write_weight(mf, name, DT_F32, w, rows > 1 ? 2 : 1,
					 rows > 1 ? dims : dims + 1, NULL);
	free(w);
	return rc;
}

static int make_model(void)
{
	struct model_config c = test_config();
	struct lwq_err err = { "" };
	struct model_file *mf = model_file_create(model_path, &c, "synthetic", "synth-7L", &err);
	if (!mf)
		return -1;
	int rc = write_random(mf, "embed", c.vocab, c.hidden) | write_random(mf, "lm_head", c.vocab, c.hidden) |
		 write_random(mf, "final_norm", 1, c.hidden);
	char name[64];
	for (int i = 0; i < c.n_layers; i++) {
		for (int k = 0; k < LIN_COUNT; k++) {
			int64_t rows, cols;
			linear_shape(&c, (enum linear_kind)k, &rows, &cols);
			rc |= write_random(mf, weight_name(name, sizeof name, i, linear_names[k]), rows, cols);
		}
		rc |= write_random(mf, weight_name(name, sizeof name, i, "attn_norm"), 1, c.hidden);
		rc |= write_random(mf, weight_name(name, sizeof name, i, "mlp_norm"), 1, c.hidden);
	}
	const char *json = tokenizer_json();
	rc |= model_file_put_bytes(mf, "/tokenizer/json", json, strlen(json), &err);
	rc |= model_file_set_attr_str(mf, "/tokenizer", "kind", "hf-tokenizer-json", &err);
	model_file_close(mf);
	return rc ? -1 : 0;
}

static float *read_weight(struct model_file *mf, int layer, const char *tensor, int64_t n)
{
	char name[64];
	float *w = malloc((size_t)n * sizeof *w);
	if (model_file_read_weight_f32(mf, weight_name(name, sizeof name, layer, tensor), w, n, NULL)) {
		free(w);
		return NULL;
	}
	return w;
}

/* The GGUF row holding Hugging Face row s of a q/k matrix with head size hd: the first
   half of a head goes to even rows, the second half to odd rows. */
static int64_t gguf_row_of(int64_t s, int64_t hd)
{
	int64_t h = s / hd, t = s % hd;
	return h * hd + (t < hd / 2 ? 2 * t : 2 * (t - hd / 2) + 1);
}

static struct bit_plan *make_plan(const int *bits)
{
	struct bit_plan *p = bit_plan_new(N_LAYERS);
	struct model_config c = test_config();
	for (int i = 0; i < N_LAYERS; i++)
		p->bits[i] = bits[i];
	p->group_size = 32;
	p->model_params = total_params(&c);
	snprintf(p->model_name, sizeof p->model_name, "synth-7L");
	return p;
}

static int run(struct model_file *mf, struct bit_plan *plan, enum export_format f, int f16,
	       const char *out, struct export_stats *st, struct lwq_err *err)
{
	struct progress prog;
	progress_start(&prog, "export", "layer", N_LAYERS + 1);
	struct export_job job = { .src = mf, .plan = plan, .plan_path = "plan.json", .path = out,
				  .out = out, .f16 = f16, .progress = &prog };
	return f == EXPORT_GGUF ? export_gguf(&job, st, err) : export_lwq(&job, st, err);
}

static void check_gguf_metadata(struct gguf_file *g)
{
	int64_t v;
	const struct gguf_kv *toks = gguf_find_kv(g, "tokenizer.ggml.tokens");
	const struct gguf_kv *types = gguf_find_kv(g, "tokenizer.ggml.token_type");
	const struct gguf_kv *merges = gguf_find_kv(g, "tokenizer.ggml.merges");
	ok(!strcmp(gguf_get_str(g, "general.architecture"), "llama") &&
	   !strcmp(gguf_get_str(g, "general.name"), "synth-7L"), "architecture llama, name synth-7L");
	static const struct { const char *key; int64_t want; } ints[] = {
		{ "llama.block_count", 6 }, { "llama.context_length", 128 },
		{ "llama.embedding_length", 256 }, { "llama.feed_forward_length", 288 },
		{ "llama.attention.head_count", 4 }, { "llama.attention.head_count_kv", 2 },
		{ "llama.rope.dimension_count", 64 }, { "llama.vocab_size", 64 },
		{ "general.alignment", 32 }, { "tokenizer.ggml.bos_token_id", 0 },
		{ "tokenizer.ggml.eos_token_id", 1 }, { "general.quantization_version", 2 },
	};
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
		ok(gguf_get_int(g, ints[i].key, &v) == 0 && v == ints[i].want, "%s = %lld",
		   ints[i].key, (long long)ints[i].want);
	ok(gguf_find_kv(g, "llama.rope.freq_base")->f == 10000.0 &&
	   fabs(gguf_find_kv(g, "llama.attention.layer_norm_rms_epsilon")->f - 1e-5) < 1e-10,
	   "rope freq_base 10000, rms eps 1e-5 (f32)");
	ok(!strcmp(gguf_get_str(g, "tokenizer.ggml.model"), "gpt2") &&
	   !strcmp(gguf_get_str(g, "tokenizer.ggml.pre"), "gpt-2"), "tokenizer gpt2, pre gpt-2");
	ok(toks && toks->n == 64 && !strcmp(toks->strs[0], "<s>") && !strcmp(toks->strs[2], "a") &&
	   !strcmp(toks->strs[28], "ad"), "64 tokens in id order");
	ok(types && types->n == 64 && types->ints[0] == 3 && types->ints[1] == 3 &&
	   types->ints[2] == 1, "added tokens are control (3), others normal (1)");
	ok(merges && merges->n == 36 && !strcmp(merges->strs[0], "a d"), "36 merges \"a d\", ...");
	ok(gguf_find_kv(g, "tokenizer.ggml.add_bos_token")->u == 0, "add_bos_token false");
}

/* Every linear of kept layer `layer` (block `blk`): stored bytes equal the blocks of the
   (q/k permuted) weights, and the values dequantize close to the originals. */
static void check_gguf_layer(struct gguf_file *g, struct model_file *mf, int layer, int blk,
			     int bits)
{
	static const char *const names[LIN_COUNT] = { "attn_q", "attn_k", "attn_v", "attn_output",
						       "ffn_gate", "ffn_up", "ffn_down" };
	struct model_config c = test_config();
	int same = 1, near = 1, typed = 1;
	for (int k = 0; k < LIN_COUNT; k++) {
		int64_t rows, cols;
		linear_shape(&c, (enum linear_kind)k, &rows, &cols);
		int want_type = cols % 256 == 0 ? gguf_type_ideal_for_bits(bits)
						: bits <= 4 ? GGUF_TYPE_Q4_0 : bits == 5 ? GGUF_TYPE_Q5_0 : GGUF_TYPE_Q8_0;
		char tname[64];
		snprintf(tname, sizeof tname, "blk.%d.%s.weight", blk, names[k]);
		int ti = gguf_find_tensor(g, tname);
		float *w = read_weight(mf, layer, linear_names[k], rows * cols);
		if (ti < 0 || !w || g->tensors[ti].type != want_type || g->tensors[ti].ne[0] != cols ||
		    g->tensors[ti].ne[1] != rows) {
			typed = 0;
			free(w);
			continue;
		}
		float *perm = malloc((size_t)(rows * cols) * sizeof *perm);
		for (int64_t s = 0; s < rows; s++) {
			int64_t r = k == LIN_Q || k == LIN_K ? gguf_row_of(s, c.head_dim) : s;
			memcpy(perm + r * cols, w + s * cols, (size_t)cols * sizeof *perm);
		}
		size_t bytes = g->tensors[ti].bytes;
		uint8_t *want = malloc(bytes), *got = malloc(bytes);
		gguf_quantize_row(want_type, perm, rows * cols, want);
		gguf_read_tensor_raw(g, ti, got, bytes, NULL);
		same &= memcmp(want, got, bytes) == 0;
		float *back = malloc((size_t)(rows * cols) * sizeof *back);
		gguf_dequantize_row(want_type, got, rows * cols, back);
		double e = 0, s2 = 0;
		for (int64_t i = 0; i < rows * cols; i++)
			e += (back[i] - perm[i]) * (double)(back[i] - perm[i]), s2 += (double)perm[i] * perm[i];
		near &= sqrt(e / s2) < ldexp(1.0, 1 - (want_type == GGUF_TYPE_Q4_0 ? 4 : bits));
		free(w), free(perm), free(want), free(got), free(back);
	}
	ok(typed, "block %d (layer %d, %d bits): types and shapes [cols, rows]", blk, layer, bits);
	ok(same, "block %d: stored blocks equal the quantized (q/k permuted) weights", blk);
	ok(near, "block %d: values dequantize within 2^-(bits-1) relative RMS error", blk);
}

/* What `--method gguf` runs equals what the file holds: every linear of every kept
   layer, fake-quantized by the run's path, against the exported tensor decoded by the
   reader (q/k rows put back in Hugging Face order), bit for bit. */
static void check_gguf_method(struct gguf_file *g, struct model_file *mf, const int *bits)
{
	struct model_config c = test_config();
	struct lwq_err err = { "" };
	struct layer_weights *lw = layer_weights_new(&c, &err);
	int same = 1, ran = 1;
	for (int i = 0, blk = 0; lw && i < N_LAYERS; i++) {
		if (!bits[i])
			continue;
		ran &= layer_weights_load(mf, i, lw, &err) == 0 &&
		       layer_weights_quantize(&c, lw, QUANT_GGUF, bits[i], 32, &err) == 0;
		for (int k = 0; ran && k < LIN_COUNT; k++) {
			int64_t rows, cols;
			linear_shape(&c, (enum linear_kind)k, &rows, &cols);
			char tname[64];
			snprintf(tname, sizeof tname, "blk.%d.%s.weight", blk, gguf_linear_names[k]);
			float *file = malloc((size_t)(rows * cols) * sizeof *file);
			int ti = gguf_find_tensor(g, tname);
			same &= ti >= 0 && gguf_read_tensor_f32(g, ti, file, rows * cols, NULL) == 0;
			for (int64_t r = 0; same && r < rows; r++) {
				int64_t fr = k == LIN_Q || k == LIN_K ? gguf_row_of(r, c.head_dim) : r;
				same &= !memcmp(file + fr * cols, lw->lin[k] + r * cols,
						(size_t)cols * sizeof *file);
			}
			free(file);
		}
		blk++;
	}
	ok(lw && ran && same, "--method gguf weights equal the exported file's decoded tensors "
	   "bit for bit (K-quants and the rows-of-288 fallback)%s%s", ran ? "" : ": ",
	   ran ? "" : err.msg);
	layer_weights_free(lw);
}

static void test_gguf(struct model_file *mf)
{
	static const int bits[N_LAYERS] = { 8, 6, 5, 4, 0, 3, 2 };
	struct bit_plan *plan = make_plan(bits);
	struct export_stats st;
	struct lwq_err err = { "" };
	char out[300];
	snprintf(out, sizeof out, "%s/q.gguf", dir);
	int rc = run(mf, plan, EXPORT_GGUF, 0, out, &st, &err);
	ok(rc == 0, "GGUF export of widths 8 6 5 4 0 3 2 (%s)", rc ? err.msg : "ok");
	struct model_config c = test_config();
	ok(rc == 0 && plan_bytes_for(&c, SIZE_GGUF, plan) == st.tensor_bytes,
	   "--target gguf size of the plan = tensor bytes written (%lld, %lld)",
	   (long long)plan_bytes_for(&c, SIZE_GGUF, plan), (long long)st.tensor_bytes);
	ok(st.n_layers_out == 6 && st.n_fallback == 5,
	   "6 layers kept, 5 down projections (rows of 288) fell back (got %d, %d)",
	   st.n_layers_out, st.n_fallback);
	struct gguf_file *g = rc == 0 ? gguf_open(out, &err) : NULL;
	ok(g != NULL, "the GGUF file parses");
	if (g) {
		ok(g->n_tensors == 1 + 6 * 9 + 2, "57 tensors: token_embd, 6 x 9 per block, "
		   "output_norm, output");
		check_gguf_metadata(g);
		for (int i = 0, blk = 0; i < N_LAYERS; i++)
			if (bits[i])
				check_gguf_layer(g, mf, i, blk++, bits[i]);
		check_gguf_method(g, mf, bits);
		int te = gguf_find_tensor(g, "token_embd.weight"), nb = gguf_find_tensor(g, "blk.4.attn_norm.weight");
		float *emb = malloc(64 * 256 * sizeof *emb), *want = malloc(64 * 256 * sizeof *want);
		float norm[256], *norm_want = read_weight(mf, 5, "attn_norm", 256);
		model_file_read_weight_f32(mf, "embed", want, 64 * 256, NULL);
		int emb_ok = te >= 0 && g->tensors[te].type == GGUF_TYPE_F16 &&
			     gguf_read_tensor_f32(g, te, emb, 64 * 256, NULL) == 0;
		for (int i = 0; emb_ok && i < 64 * 256; i++)
			emb_ok = emb[i] == f16_to_f32(f32_to_f16(want[i]));
		ok(emb_ok, "token_embd is F16 [256, 64] holding the embedding rounded to f16");
		ok(nb >= 0 && g->tensors[nb].type == GGUF_TYPE_F32 && norm_want &&
		   gguf_read_tensor_f32(g, nb, norm, 256, NULL) == 0 && !memcmp(norm, norm_want, sizeof norm),
		   "blk.4.attn_norm (source layer 5, after the pruned one) is F32 and exact");
		free(emb), free(want), free(norm_want);
		gguf_close(g);
	}
	bit_plan_free(plan);
}

/* HF rotate_half RoPE on one head: element i pairs with i + hd/2. */
static void rope_half(float *v, int hd, int pos)
{
	for (int i = 0; i < hd / 2; i++) {
		double a = pos * pow(10000.0, -2.0 * i / hd), x = v[i], y = v[i + hd / 2];
		v[i] = (float)(x * cos(a) - y * sin(a));
		v[i + hd / 2] = (float)(x * sin(a) + y * cos(a));
	}
}

/* llama.cpp's llama RoPE (normal mode): adjacent pairs 2i, 2i+1. */
static void rope_pairs(float *v, int hd, int pos)
{
	for (int i = 0; i < hd / 2; i++) {
		double a = pos * pow(10000.0, -2.0 * i / hd), x = v[2 * i], y = v[2 * i + 1];
		v[2 * i] = (float)(x * cos(a) - y * sin(a));
		v[2 * i + 1] = (float)(x * sin(a) + y * cos(a));
	}
}

static void matvec(const float *w, const float *x, float *y, int rows, int cols)
{
	for (int r = 0; r < rows; r++) {
		double s = 0;
		for (int c = 0; c < cols; c++)
			s += (double)w[r * cols + c] * x[c];
		y[r] = (float)s;
	}
}

/* Attention logits q(pos 7) . k(pos 3) of every head agree between the Hugging Face
   weights with rotate_half RoPE and the F16 GGUF weights with pairwise RoPE. */
static void test_rope_permutation(struct model_file *mf)
{
	struct export_stats st;
	struct lwq_err err = { "" };
	char out[300];
	snprintf(out, sizeof out, "%s/f16.gguf", dir);
	int rc = run(mf, NULL, EXPORT_GGUF, 1, out, &st, &err);
	struct gguf_file *g = rc == 0 ? gguf_open(out, &err) : NULL;
	ok(g && st.n_layers_out == N_LAYERS && st.n_fallback == 0, "--f16 export of all 7 layers");
	if (!g)
		return;
	float *wq = read_weight(mf, 2, "q", 256 * 256), *wk = read_weight(mf, 2, "k", 128 * 256);
	float *gq = malloc(256 * 256 * sizeof *gq), *gk = malloc(128 * 256 * sizeof *gk);
	gguf_read_tensor_f32(g, gguf_find_tensor(g, "blk.2.attn_q.weight"), gq, 256 * 256, NULL);
	gguf_read_tensor_f32(g, gguf_find_tensor(g, "blk.2.attn_k.weight"), gk, 128 * 256, NULL);
	for (int i = 0; i < 256 * 256; i++)
		wq[i] = f16_to_f32(f32_to_f16(wq[i]));
	for (int i = 0; i < 128 * 256; i++)
		wk[i] = f16_to_f32(f32_to_f16(wk[i]));
	float x[256], y[256], q1[256], k1[128], q2[256], k2[128];
	for (int i = 0; i < 256; i++)
		x[i] = frand(), y[i] = frand();
	matvec(wq, x, q1, 256, 256), matvec(wk, y, k1, 128, 256);
	matvec(gq, x, q2, 256, 256), matvec(gk, y, k2, 128, 256);
	int agree = 1;
	for (int h = 0; h < 4; h++) {
		float *a = q1 + 64 * h, *b = k1 + 64 * (h / 2), *c = q2 + 64 * h, *d = k2 + 64 * (h / 2);
		float ka[64], kb[64];
		memcpy(ka, b, sizeof ka), memcpy(kb, d, sizeof kb);
		rope_half(a, 64, 7), rope_half(ka, 64, 3), rope_pairs(c, 64, 7), rope_pairs(kb, 64, 3);
		double s1 = 0, s2 = 0, n = 0;
		for (int i = 0; i < 64; i++)
			s1 += (double)a[i] * ka[i], s2 += (double)c[i] * kb[i], n += fabs(a[i] * ka[i]);
		agree &= fabs(s1 - s2) <= 1e-5 * n;
	}
	ok(agree, "RoPE attention logits agree for all 4 heads after the q/k permutation");
	free(wq), free(wk), free(gq), free(gk);
	gguf_close(g);
}

static void test_lwq(struct model_file *mf)
{
	static const int bits[N_LAYERS] = { 8, 4, 0, 3, 2, 4, 2 };
	struct bit_plan *plan = make_plan(bits);
	struct model_config c = test_config();
	struct export_stats st;
	struct lwq_err err = { "" };
	char out[300];
	snprintf(out, sizeof out, "%s/q.h5", dir);
	int rc = run(mf, plan, EXPORT_LWQ, 0, out, &st, &err);
	ok(rc == 0 && st.n_layers_out == 6, "lwq export of widths 8 4 0 3 2 4 2 (%s)", rc ? err.msg : "ok");
	struct model_file *q = rc == 0 ? model_file_open(out, 0, &err) : NULL;
	ok(q && model_file_config(q)->n_layers == 6, "the output opens as a 6-layer model");
	if (!q) {
		bit_plan_free(plan);
		return;
	}
	int exact = 1, widths = 1;
	int64_t want_bytes = 0;
	for (int i = 0, blk = 0; i < N_LAYERS; i++) {
		if (!bits[i])
			continue;
		for (int k = 0; k < LIN_COUNT; k++) {
			int64_t rows, cols;
			char name[64];
			linear_shape(&c, (enum linear_kind)k, &rows, &cols);
			float *w = read_weight(mf, i, linear_names[k], rows * cols);
			float *got = read_weight(q, blk, linear_names[k], rows * cols);
			rtn_fake_quant(w, rows, cols, bits[i], 32, NULL);
			exact &= w && got && memcmp(w, got, (size_t)(rows * cols) * sizeof *w) == 0;
			widths &= model_file_weight_bits(q, weight_name(name, sizeof name, blk,
								       linear_names[k])) == bits[i];
			want_bytes += (bits[i] * rows * cols + 7) / 8 + 4 * rows * (cols / 32);
			free(w), free(got);
		}
		blk++;
	}
	want_bytes += 4 * (2 * 64 * 256 + 256 + 6 * 2 * 256); /* f32 source: kept as f32 */
	ok(exact, "every quantized linear reads back bit-identical to rtn_fake_quant");
	ok(widths, "model_file_weight_bits gives each layer's width");
	ok(st.tensor_bytes == want_bytes, "tensor bytes %lld = codes + 4 bytes per group + f32 "
	   "rest (%lld)", (long long)st.tensor_bytes, (long long)want_bytes);
	struct tensor_info info;
	int64_t src_layer = -1, quantized = 0;
	ok(model_file_weight_info(q, "layers/002/down", &info, NULL) == 0 && info.rank == 2 &&
	   info.dims[0] == 256 && info.dims[1] == 288, "weight_info of a quantized linear: [256, 288]");
	model_file_get_attr_i64(q, "/weights/layers/002", "source_layer", &src_layer);
	model_file_get_attr_i64(q, "/", "quantized", &quantized);
	ok(src_layer == 3 && quantized == 1, "layer 002 came from source layer 3; root quantized=1");
	char *tok = NULL;
	size_t n = 0;
	ok(model_file_get_bytes(q, "/tokenizer/json", &tok, &n, NULL) == 0 &&
	   n == strlen(tokenizer_json()), "tokenizer copied");
	free(tok);
	model_file_close(q);
	bit_plan_free(plan);
}

static void test_plan_checks(void)
{
	struct model_config c = test_config();
	struct lwq_err err = { "" };
	int six[N_LAYERS] = { 4, 4, 6, 4, 4, 4, 4 }, none[N_LAYERS] = { 0 };
	struct bit_plan *p = make_plan(six);
	ok(export_check_plan(EXPORT_LWQ, p, &c, &err) < 0 &&
	   !strcmp(err.msg, "layer 2: the lwq format stores 2, 3, 4 or 8 bits, not 6"),
	   "6 bits refused for lwq: %s", err.msg);
	ok(export_check_plan(EXPORT_GGUF, p, &c, &err) == 0, "6 bits fine for GGUF (Q6_K)");
	p->bits[2] = 7;
	ok(export_check_plan(EXPORT_GGUF, p, &c, &err) < 0 && strstr(err.msg, "no type for 7 bits"),
	   "7 bits refused for GGUF: %s", err.msg);
	bit_plan_free(p);
	p = make_plan(none);
	ok(export_check_plan(EXPORT_GGUF, p, &c, &err) < 0 && strstr(err.msg, "prunes every layer"),
	   "a plan pruning everything: %s", err.msg);
	bit_plan_free(p);
}

/* The RTN stored form: scales and zeros are f16 values, even for a narrow group of large
   positive weights whose zero point would not fit f16. */
static void test_rtn_stored_form(void)
{
	float w[64], scales[2], zeros[2], back[64], fake[64];
	uint8_t codes[64];
	for (int i = 0; i < 64; i++)
		w[i] = i < 32 ? 1.0f + 1e-4f * (float)i : frand() * 0.3f;
	memcpy(fake, w, sizeof w);
	int rc = rtn_quantize(w, 1, 64, 8, 32, codes, scales, zeros, NULL);
	rtn_dequantize(codes, scales, zeros, 1, 64, 32, back);
	int f16_exact = 1;
	for (int k = 0; k < 2; k++)
		f16_exact &= f16_to_f32(f32_to_f16(scales[k])) == scales[k] &&
			     f16_to_f32(f32_to_f16(zeros[k])) == zeros[k];
	ok(rc == 0 && f16_exact && rtn_fake_quant(fake, 1, 64, 8, 32, NULL) == 0 &&
	   !memcmp(fake, back, sizeof back), "RTN scales/zeros are f16 values (narrow positive "
	   "group: zero %g), fake quant equals dequantization", zeros[0]);
}

int main(void)
{
	snprintf(dir, sizeof dir, "%s/lwq-test-export-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		tap_skip_all("cannot create a temporary directory");
	snprintf(model_path, sizeof model_path, "%s/synth.h5", dir);
	ok(make_model() == 0, "synthetic 7-layer model written");
	struct lwq_err err = { "" };
	struct model_file *mf = model_file_open(model_path, 0, &err);
	if (mf) {
		test_gguf(mf);
		test_rope_permutation(mf);
		test_lwq(mf);
		model_file_close(mf);
	}
	test_plan_checks();
	test_rtn_stored_form();
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
	return tap_done();
}
