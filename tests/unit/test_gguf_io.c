/* test_gguf_io.c: what gguf_write.c writes, gguf_read.c reads back (metadata, tensor infos,
   offsets, data), byte-checked against the GGUF v3 layout; broken files fail cleanly. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gguf_quants.h"
#include "gguf_read.h"
#include "gguf_write.h"
#include "tap.h"

static char path[256];

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static uint8_t *slurp(const char *file, long *n)
{
	FILE *f = fopen(file, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*n = ftell(f);
	rewind(f);
	uint8_t *b = malloc((size_t)*n);
	if (b && fread(b, 1, (size_t)*n, f) != (size_t)*n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

static void spit(const char *file, const uint8_t *b, long n)
{
	FILE *f = fopen(file, "wb");
	fwrite(b, 1, (size_t)n, f);
	fclose(f);
}

static float w1[6] = { 1.5f, -2.0f, 0.25f, 3.0f, -0.5f, 8.0f };
static float w2[2 * 64];

static int write_sample(struct lwq_err *err)
{
	static const char *const toks[] = { "<s>", "Ġthe", "" };
	static const int32_t types[] = { 3, 1, 1 };
	struct gguf_writer *w = gguf_writer_new(32);
	gguf_kv_str(w, "general.architecture", "llama");
	gguf_kv_u32(w, "llama.block_count", 16);
	gguf_kv_f32(w, "llama.rope.freq_base", 10000.0f);
	gguf_kv_bool(w, "tokenizer.ggml.add_bos_token", 0);
	gguf_kv_str_array(w, "tokenizer.ggml.tokens", toks, 3);
	gguf_kv_i32_array(w, "tokenizer.ggml.token_type", types, 3);
	int64_t ne1[2] = { 3, 2 }, ne2[2] = { 64, 2 };
	int rc = gguf_add_tensor(w, "a.weight", GGUF_TYPE_F32, 2, ne1, err) == 0 &&
		 gguf_add_tensor(w, "blk.0.attn_q.weight", GGUF_TYPE_Q8_0, 2, ne2, err) == 1 ? 0 : -1;
	uint8_t q[2 * 68];
	gguf_quantize_row(GGUF_TYPE_Q8_0, w2, 128, q);
	uint64_t predicted = gguf_file_bytes(w);
	if (rc == 0)
		rc = gguf_write_begin(w, path, err);
	if (rc == 0)
		rc = gguf_write_data(w, w1, sizeof w1, err);
	if (rc == 0) /* the second tensor in two pieces */
		rc = gguf_write_data(w, q, 50, err) || gguf_write_data(w, q + 50, sizeof q - 50, err);
	if (rc == 0)
		rc = gguf_write_end(w, err);
	gguf_writer_free(w);
	long n = 0;
	free(slurp(path, &n));
	ok(rc == 0 && (uint64_t)n == predicted, "file written, %ld bytes as predicted (%llu)", n,
	   (unsigned long long)predicted);
	return rc;
}

static void test_layout_bytes(void)
{
	long n;
	uint8_t *b = slurp(path, &n);
	ok(b && memcmp(b, "GGUF", 4) == 0 && le(b + 4, 4) == 3 && le(b + 8, 8) == 2 &&
	   le(b + 16, 8) == 7, "header: magic GGUF, version 3, 2 tensors, 7 keys");
	/* first key: general.alignment (u32 32) */
	ok(b && le(b + 24, 8) == 17 && memcmp(b + 32, "general.alignment", 17) == 0 &&
	   le(b + 49, 4) == GGUF_VT_UINT32 && le(b + 53, 4) == 32,
	   "first key-value: general.alignment = u32 32");
	free(b);
}

static void test_read_back(void)
{
	struct lwq_err err = { "" };
	struct gguf_file *g = gguf_open(path, &err);
	ok(g != NULL, "reader opens the file (%s)", g ? "ok" : err.msg);
	if (!g)
		return;
	int64_t v = 0;
	const struct gguf_kv *toks = gguf_find_kv(g, "tokenizer.ggml.tokens");
	const struct gguf_kv *types = gguf_find_kv(g, "tokenizer.ggml.token_type");
	const struct gguf_kv *base = gguf_find_kv(g, "llama.rope.freq_base");
	const struct gguf_kv *bos = gguf_find_kv(g, "tokenizer.ggml.add_bos_token");
	ok(g->alignment == 32 && g->n_kv == 7 && g->n_tensors == 2, "alignment 32, 7 keys, 2 tensors");
	ok(strcmp(gguf_get_str(g, "general.architecture"), "llama") == 0 &&
	   gguf_get_int(g, "llama.block_count", &v) == 0 && v == 16, "string and u32 keys");
	ok(base && base->type == GGUF_VT_FLOAT32 && base->f == 10000.0 && bos &&
	   bos->type == GGUF_VT_BOOL && bos->u == 0, "f32 and bool keys");
	ok(toks && toks->array_type == GGUF_VT_STRING && toks->n == 3 &&
	   strcmp(toks->strs[1], "Ġthe") == 0 && strcmp(toks->strs[2], "") == 0,
	   "string array with UTF-8 and empty strings");
	ok(types && types->array_type == GGUF_VT_INT32 && types->n == 3 && types->ints[0] == 3,
	   "int32 array");
	const struct gguf_tensor *t0 = &g->tensors[0], *t1 = &g->tensors[1];
	ok(strcmp(t0->name, "a.weight") == 0 && t0->n_dims == 2 && t0->ne[0] == 3 &&
	   t0->ne[1] == 2 && t0->type == GGUF_TYPE_F32 && t0->offset == 0 && t0->bytes == 24,
	   "tensor 0: a.weight F32 [3, 2] at offset 0");
	ok(strcmp(t1->name, "blk.0.attn_q.weight") == 0 && t1->type == GGUF_TYPE_Q8_0 &&
	   t1->offset == 32 && t1->bytes == 136 && g->data_start % 32 == 0,
	   "tensor 1: Q8_0 [64, 2] at the next aligned offset 32, data section aligned");
	float back[128], want[128];
	uint8_t q[136];
	gguf_quantize_row(GGUF_TYPE_Q8_0, w2, 128, q);
	gguf_dequantize_row(GGUF_TYPE_Q8_0, q, 128, want);
	ok(gguf_read_tensor_f32(g, 0, back, 6, &err) == 0 && memcmp(back, w1, sizeof w1) == 0,
	   "F32 data reads back exactly");
	ok(gguf_read_tensor_f32(g, gguf_find_tensor(g, "blk.0.attn_q.weight"), back, 128, &err) == 0 &&
	   memcmp(back, want, sizeof want) == 0, "Q8_0 data dequantizes as written");
	gguf_close(g);
}

static void test_broken_files(void)
{
	long n;
	uint8_t *b = slurp(path, &n);
	char broken[300];
	struct lwq_err err = { "" };
	snprintf(broken, sizeof broken, "%s.broken", path);
	spit(broken, b, n - 30); /* the last 24 bytes are padding; cut into the data */
	struct gguf_file *g = gguf_open(broken, &err);
	ok(!g && strstr(err.msg, "truncated"), "truncated data: %s", err.msg);
	gguf_close(g);
	spit(broken, b, 100);
	g = gguf_open(broken, &err);
	ok(!g && strstr(err.msg, "truncated"), "cut inside the metadata: %s", err.msg);
	gguf_close(g);
	b[0] = 'X';
	spit(broken, b, n);
	g = gguf_open(broken, &err);
	ok(!g && strstr(err.msg, "bad magic"), "bad magic: %s", err.msg);
	gguf_close(g);
	b[0] = 'G';
	b[24] = 0xff, b[31] = 0x7f; /* absurd key length */
	spit(broken, b, n);
	g = gguf_open(broken, &err);
	ok(!g, "absurd string length rejected: %s", err.msg);
	gguf_close(g);
	/* general.alignment = 2^32 as a u64 (4 bytes longer than the u32 written): it used to
	   be truncated to 0 and divide by zero. */
	uint8_t *big = malloc((size_t)n + 4);
	b[24] = 17, b[31] = 0;
	memcpy(big, b, 49);
	uint64_t huge = UINT64_C(1) << 32;
	for (int i = 0; i < 4; i++)
		big[49 + i] = (uint8_t)(GGUF_VT_UINT64 >> (8 * i));
	for (int i = 0; i < 8; i++)
		big[53 + i] = (uint8_t)(huge >> (8 * i));
	memcpy(big + 61, b + 57, (size_t)n - 57);
	spit(broken, big, n + 4);
	g = gguf_open(broken, &err);
	ok(!g && strstr(err.msg, "general.alignment"), "alignment 2^32 rejected: %s", err.msg);
	gguf_close(g);
	free(big);
	unlink(broken);
	free(b);
}

static void test_writer_misuse(void)
{
	struct lwq_err err = { "" };
	struct gguf_writer *w = gguf_writer_new(32);
	int64_t ne[2] = { 100, 2 }, ok_ne[1] = { 256 };
	ok(gguf_add_tensor(w, "x", GGUF_TYPE_Q4_K, 2, ne, &err) < 0 && strstr(err.msg, "multiple"),
	   "row not a multiple of the block: %s", err.msg);
	ok(gguf_add_tensor(w, "y", GGUF_TYPE_Q4_K, 1, ok_ne, &err) == 0, "a valid tensor");
	ok(gguf_write_begin(w, path, &err) == 0, "begin");
	uint8_t block[200] = { 0 };
	ok(gguf_write_data(w, block, 200, &err) < 0 && strstr(err.msg, "more tensor data"),
	   "more data than declared: %s", err.msg);
	ok(gguf_write_end(w, &err) < 0 && strstr(err.msg, "0 of 1 tensors"),
	   "missing tensor data: %s", err.msg);
	gguf_writer_free(w);
}

/* A device that is always full: the error surfaces at the latest when the file is closed. */
static void test_disk_full(void)
{
	struct lwq_err err = { "" };
	struct gguf_writer *w = gguf_writer_new(32);
	int64_t ne[1] = { 4096 };
	float zeros[4096] = { 0 };
	gguf_add_tensor(w, "z", GGUF_TYPE_F32, 1, ne, &err);
	int rc = gguf_write_begin(w, "/dev/full", &err);
	if (rc == 0)
		rc = gguf_write_data(w, zeros, sizeof zeros, &err);
	if (rc == 0)
		rc = gguf_write_end(w, &err);
	ok(rc < 0 && strstr(err.msg, "write failed"), "writing to a full device fails: %s", err.msg);
	gguf_writer_free(w);
}

int main(void)
{
	snprintf(path, sizeof path, "%s/lwq-gguf-io-%ld.gguf", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		 (long)getpid());
	for (int i = 0; i < 128; i++)
		w2[i] = (float)((i * 37) % 101 - 50) * 0.01f;
	if (write_sample(&(struct lwq_err){ { 0 } }) == 0) {
		test_layout_bytes();
		test_read_back();
		test_broken_files();
	}
	test_writer_misuse();
	if (access("/dev/full", W_OK) == 0)
		test_disk_full();
	unlink(path);
	return tap_done();
}
