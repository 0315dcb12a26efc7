/* bench_tokenizer.c: tokens per second encoding a text with a tokenizer.json (speed figure, not a test).
   Usage: bench_tokenizer [TOKENIZER.JSON TEXT [REPEATS]]
   Without arguments: $SHARED_DATA/models/lwq-ref-24L/{tokenizer.json,heldout.txt}. */

#include <stdio.h>
#include <stdlib.h>
#include "bench_clock.h"

#include "../unit/read_file.h"
#include "tokenizer.h"
#include "tokenizer_json.h"

int main(int argc, char **argv)
{
	char json_path[4096], text_path[4096];
	const char *data = getenv("SHARED_DATA");
	int repeats = argc > 3 ? atoi(argv[3]) : 5;
	if (argc >= 3) {
		snprintf(json_path, sizeof json_path, "%s", argv[1]);
		snprintf(text_path, sizeof text_path, "%s", argv[2]);
	} else if (data) {
		snprintf(json_path, sizeof json_path, "%s/models/lwq-ref-24L/tokenizer.json", data);
		snprintf(text_path, sizeof text_path, "%s/models/lwq-ref-24L/heldout.txt", data);
	} else {
		fprintf(stderr, "usage: bench_tokenizer TOKENIZER.JSON TEXT [REPEATS]\n");
		return 2;
	}
	size_t n_json, n_text;
	char *json = read_file(json_path, &n_json), *text = read_file(text_path, &n_text);
	if (!json || !text) {
		fprintf(stderr, "bench_tokenizer: cannot read %s\n", json ? text_path : json_path);
		return argc >= 3 ? 1 : 77; /* 77: the default shared data is absent, skipped */
	}
	struct lwq_err err = { "" };
	double t0 = bench_seconds(), c0 = bench_cpu_seconds();
	struct tokenizer *tok = tokenizer_from_json(json, n_json, &err);
	double t_load = bench_seconds() - t0, c_load = bench_cpu_seconds() - c0;
	if (!tok) {
		fprintf(stderr, "bench_tokenizer: %s\n", err.msg);
		return 1;
	}
	double best = 1e30, best_cpu = 1e30;
	size_t n_ids = 0;
	for (int r = 0; r < (repeats > 0 ? repeats : 1); r++) {
		int32_t *ids;
		t0 = bench_seconds();
		c0 = bench_cpu_seconds();
		if (tokenizer_encode(tok, text, n_text, 0, &ids, &n_ids, &err) < 0) {
			fprintf(stderr, "bench_tokenizer: %s\n", err.msg);
			return 1;
		}
		double t = bench_seconds() - t0, c = bench_cpu_seconds() - c0;
		best = t < best ? t : best;
		best_cpu = c < best_cpu ? c : best_cpu;
		free(ids);
	}
	printf("load %.3f s (%.3f s CPU), %d ids; encode %zu bytes -> %zu tokens in %.3f s "
	       "(best of %d): %.2f M tokens/s, %.1f MB/s (CPU time: %.2f M tokens/s)\n",
	       t_load, c_load, tokenizer_vocab_size(tok), n_text, n_ids, best, repeats,
	       n_ids / best / 1e6, n_text / best / 1e6, n_ids / best_cpu / 1e6);
	tokenizer_free(tok);
	free(json);
	free(text);
	return 0;
}
