/* method_option.c: names for --method and --score-from. */
#include "method_option.h"

const char *const method_option_names[] = { "rtn", "gguf", "gptq", "gguf-gptq", NULL };

const char *score_from_convention(int score_from, int seq_len, char *buf, size_t len)
{
	if (score_from == 0)
		snprintf(buf, len, "every prediction");
	else if (score_from == seq_len / 2)
		snprintf(buf, len, "llama-perplexity (positions n/2..n-2)");
	else
		snprintf(buf, len, "positions %d..n-2", score_from);
	return buf;
}
