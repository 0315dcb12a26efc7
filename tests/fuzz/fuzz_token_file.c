/* fuzz_token_file.c: token-id files and text files loaded for a run (--ids / --text),
   against a small model file holding a byte-level tokenizer. The first 4 input bytes
   choose the mode (bit 0: text instead of ids, bit 1: every window), windows and
   sequence length (1..16 each) and the offset (0..255); the rest is the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "model_h5.h"
#include "token_source.h"

/* A 256-token byte-level BPE tokenizer (each byte as GPT-2's printable stand-in). */
static char *byte_tokenizer(void)
{
	static char json[16384];
	size_t n = (size_t)snprintf(json, sizeof json,
		"{\"normalizer\": null, \"pre_tokenizer\": {\"type\": \"ByteLevel\", "
		"\"add_prefix_space\": false, \"use_regex\": true}, \"post_processor\": null, "
		"\"added_tokens\": [{\"id\": 256, \"content\": \"<s>\", \"special\": true}], "
		"\"model\": {\"type\": \"BPE\", \"merges\": [], \"vocab\": {");
	for (int b = 0, extra = 0; b < 256; b++) {
		int printable = (b >= 33 && b < 127) || (b >= 161 && b < 173) || b >= 174;
		unsigned cp = printable ? (unsigned)b : 256u + (unsigned)extra++;
		char utf8[4];
		if (cp < 0x80)
			utf8[0] = (char)cp, utf8[1] = 0;
		else
			utf8[0] = (char)(0xc0 | cp >> 6), utf8[1] = (char)(0x80 | (cp & 0x3f)), utf8[2] = 0;
		if (cp == '"' || cp == '\\')
			n += (size_t)snprintf(json + n, sizeof json - n, "\"\\%s\": %d,", utf8, b);
		else
			n += (size_t)snprintf(json + n, sizeof json - n, "\"%s\": %d,", utf8, b);
	}
	snprintf(json + n - 1, sizeof json - n + 1, "}}}");
	return json;
}

/* The model file, made once per process. */
static struct model_file *model(void)
{
	static struct model_file *mf;
	if (mf)
		return mf;
	static const struct model_config cfg = {
		.architecture = "LlamaForCausalLM", .n_layers = 1, .hidden = 8, .intermediate = 8,
		.n_heads = 2, .n_kv_heads = 1, .head_dim = 4, .vocab = 300, .rope_theta = 10000,
		.norm_eps = 1e-5, .tied_embeddings = 1, .bos_id = 256, .eos_id = -1,
	};
	char path[512];
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(path, sizeof path, "%s/lwq-fuzz-model-%ld.h5", dir, (long)getpid());
	unlink(path);
	struct lwq_err err = { "" };
	struct model_file *w = model_file_create(path, &cfg, "fuzz", "fuzz", &err);
	const char *json = byte_tokenizer();
	if (!w || model_file_put_bytes(w, "/tokenizer/json", json, strlen(json), &err) != 0 ||
	    model_file_set_attr_str(w, "/tokenizer", "kind", "hf-tokenizer-json", &err) != 0 ||
	    model_file_close(w) != 0)
		abort();
	mf = model_file_open(path, 0, &err);
	unlink(path);   /* stays open; nothing to clean up at exit */
	if (!mf)
		abort();
	return mf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model_file *mf = model();
	if (size < 4)
		return 0;
	int text = data[0] & 1, all = data[0] & 2;
	int windows = 1 + data[1] % 16, seq_len = 1 + data[2] % 16;
	int64_t offset = data[3];
	const char *path = fuzz_file(text ? ".txt" : ".i32", data + 4, size - 4);
	if (!path)
		return 0;
	struct lwq_err err = { "" };
	int32_t *ids = NULL;
	int got = 0, rc;
	if (all)
		rc = load_tokens_all_windows(mf, text ? path : NULL, text ? NULL : path, offset,
					     seq_len, windows, &got, &ids, &err);
	else
		rc = load_tokens(mf, text ? path : NULL, text ? NULL : path, offset, windows,
				 seq_len, &ids, &err);
	if (rc == 0) {
		int64_t n = (int64_t)(all ? got : windows) * seq_len;
		for (int64_t i = 0; i < n; i++)
			if (ids[i] < 0 || ids[i] >= 300)
				abort();   /* an id the model cannot embed got through */
	}
	free(ids);
	return 0;
}
