/* cmd_tokenize.c: lwq tokenize: a text to the model's token ids, or ids back to text. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "cli.h"
#include "commands.h"
#include "file_read.h"
#include "model_h5.h"
#include "options.h"
#include "token_source.h"
#include "tokenizer.h"

#define MAX_TEXT ((size_t)1 << 31)

struct tokenize_options {
	const char *text, *output, *decode;
	int use_stdin, special, json;
};

static const struct opt tokenize_opts[] = {
	OPT_STR("text", 't', "FILE", struct tokenize_options, text, "UTF-8 text to tokenize"),
	OPT_FLAG("stdin", 0, struct tokenize_options, use_stdin,
		 "read the text from standard input"),
	OPT_FLAG("special", 0, struct tokenize_options, special,
		 "add what the post-processor adds (BOS/EOS), as Hugging Face's "
		 "add_special_tokens=True"),
	OPT_STR("decode", 0, "IDS.i32", struct tokenize_options, decode,
		"print the text of little-endian int32 ids instead"),
	OPT_STR("output", 'o', "FILE", struct tokenize_options, output,
		"write the ids (little-endian int32) or the decoded text to FILE"),
	OPT_FLAG("json", 'j', struct tokenize_options, json,
		 "print one JSON object: {\"count\", \"ids\"} or {\"count\", \"text\"}"),
	OPT_END,
};

static const struct verb_options tokenize_cli = { "tokenize",
	"Usage: lwq tokenize MODEL.h5 (--text FILE | --stdin) [--special] [-o OUT.i32] [--json]\n"
	"       lwq tokenize MODEL.h5 --decode IDS.i32 [-o OUT.txt] [--json]\n"
	"\n"
	"Encode a text with the tokenizer stored in the model file (its tokenizer.json,\n"
	"with the Hugging Face library's ids), or decode ids back to text. Without -o\n"
	"the ids are printed as decimal numbers, one line of them.\n"
	"\n", tokenize_opts, NULL };

static int read_stdin(char **out, size_t *len, struct lwq_err *err)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, stdin);
		n += got;
		if (got == 0)
			break;
		if (n == cap) {
			char *bigger = cap < MAX_TEXT ? realloc(buf, 2 * cap + 1) : NULL;
			if (!bigger) {
				free(buf);
				return lwq_err_set(err, "standard input: text too large");
			}
			buf = bigger;
			cap *= 2;
		}
	}
	if (!buf || ferror(stdin)) {
		free(buf);
		return lwq_err_set(err, "standard input: %s", buf ? "read error" : "out of memory");
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static void le_bytes(const int32_t *ids, size_t n, unsigned char *out)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t v = (uint32_t)ids[i];
		out[4 * i] = (unsigned char)v;
		out[4 * i + 1] = (unsigned char)(v >> 8);
		out[4 * i + 2] = (unsigned char)(v >> 16);
		out[4 * i + 3] = (unsigned char)(v >> 24);
	}
}

static int print_ids(const struct tokenize_options *o, const int32_t *ids, size_t n)
{
	if (o->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, json_integer(ids[i]));
		json_t *obj = json_pack("{s:I, s:o}", "count", (json_int_t)n, "ids", arr);
		if (o->output)
			json_object_set_new(obj, "output", json_string(o->output));
		json_dumpf(obj, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(obj);
		return 0;
	}
	for (size_t i = 0; !o->output && i < n; i++)
		printf("%s%d", i ? " " : "", ids[i]);
	if (!o->output)
		putchar('\n');
	return 0;
}

static int encode(struct model_file *mf, const struct tokenize_options *o, struct lwq_err *err)
{
	const char *source = o->text ? o->text : "standard input";
	char *text = NULL;
	size_t len = 0, n = 0;
	int32_t *ids = NULL;
	int rc = o->text ? read_whole_file(o->text, MAX_TEXT, &text, &len, err)
			 : read_stdin(&text, &len, err);
	if (rc != 0)
		return -1;
	struct tokenizer *tok = tokenizer_from_model(mf, err);
	if (!tok || tokenizer_encode(tok, text, len, o->special, &ids, &n, err) < 0) {
		if (tok)
			lwq_err_prefix(err, source);
		tokenizer_free(tok);
		free(text);
		return -1;
	}
	tokenizer_free(tok);
	free(text);
	if (o->output) {
		unsigned char *bytes = malloc(4 * n + 1);
		if (!bytes)
			rc = lwq_err_set(err, "out of memory");
		else
			le_bytes(ids, n, bytes);
		if (rc == 0)
			rc = atomic_write_file(o->output, bytes, 4 * n, 1, err);
		free(bytes);
	}
	if (rc == 0)
		rc = print_ids(o, ids, n);
	free(ids);
	return rc;
}

static int decode(struct model_file *mf, const struct tokenize_options *o, struct lwq_err *err)
{
	char *raw = NULL, *text = NULL;
	size_t len = 0, text_len = 0;
	if (read_whole_file(o->decode, MAX_TEXT, &raw, &len, err) != 0)
		return -1;
	if (len % 4) {
		free(raw);
		return lwq_err_set(err, "%s: size %zu is not a multiple of 4 (little-endian int32 "
				   "ids)", o->decode, len);
	}
	size_t n = len / 4;
	int32_t *ids = malloc((n + 1) * sizeof *ids);
	const unsigned char *b = (const unsigned char *)raw;
	for (size_t i = 0; ids && i < n; i++)
		ids[i] = (int32_t)((uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
				   (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24);
	free(raw);
	struct tokenizer *tok = ids ? tokenizer_from_model(mf, err) : NULL;
	int rc = tok ? tokenizer_decode(tok, ids, n, &text, &text_len, err) : -1;
	if (rc < 0 && tok)
		lwq_err_prefix(err, o->decode);
	if (!ids)
		lwq_err_set(err, "out of memory");
	tokenizer_free(tok);
	free(ids);
	if (rc == 0 && o->output)
		rc = atomic_write_file(o->output, text, text_len, 1, err);
	if (rc == 0 && o->json) {
		json_t *obj = json_pack("{s:I, s:s%}", "count", (json_int_t)n, "text", text, text_len);
		json_dumpf(obj, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(obj);
	} else if (rc == 0 && !o->output) {
		fwrite(text, 1, text_len, stdout);
	}
	free(text);
	return rc;
}

int cmd_tokenize(int argc, char **argv)
{
	struct tokenize_options o = { 0 };
	int rc = options_parse(&tokenize_cli, argc, argv, &o);
	if (rc != 0)
		return options_exit(rc);
	const char *path;
	if (cli_model_operand("tokenize", argc, argv, 0, &path) != 0)
		return EXIT_USAGE;
	int sources = !!o.text + !!o.use_stdin + !!o.decode;
	if (sources != 1)
		return cli_usage_error("tokenize", "give exactly one of --text, --stdin and --decode");
	if (o.decode && o.special)
		return cli_usage_error("tokenize", "--special applies to encoding, not --decode");
	struct lwq_err err = { "" };
	struct model_file *mf = model_file_open(path, 0, &err);
	if (!mf)
		return cli_report("tokenize", &err);
	rc = o.decode ? decode(mf, &o, &err) : encode(mf, &o, &err);
	model_file_close(mf);
	if (rc != 0)
		return cli_report("tokenize", &err);
	return EXIT_OK;      /* main checks that stdout took it all */
}
