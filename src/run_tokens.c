/* run_tokens.c: token options shared by eval and capture (--text/--ids, offset, windows). */
#include "run_tokens.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "layout.h"
#include "token_source.h"

int run_tokens_check(const char *verb, const struct run_tokens *rt)
{
	if (!rt->text_path == !rt->ids_path)
		return cli_usage_error(verb, "give exactly one of --text FILE and --ids FILE.i32");
	return 0;
}

int run_tokens_finish(const char *verb, int argc, char **argv, const struct run_tokens *rt,
		      const char **model)
{
	int status = cli_model_operand(verb, argc, argv, 0, model);
	if (status == 0)
		status = run_tokens_check(verb, rt);
	if (status == 0 && rt->threads > 0)
		openblas_set_num_threads(rt->threads);
	return status;
}

int run_tokens_load(struct model_file *mf, struct run_tokens *rt, int32_t **ids,
		    struct lwq_err *err)
{
	if (rt->windows > 0)
		return load_tokens(mf, rt->text_path, rt->ids_path, rt->offset, rt->windows,
				   rt->seq_len, ids, err);
	int rc = load_tokens_all_windows(mf, rt->text_path, rt->ids_path, rt->offset,
					 rt->seq_len, rt->max_windows > 0 ? rt->max_windows : 1 << 20,
					 &rt->windows, ids, err);
	rt->windows_defaulted = rc == 0;
	if (rc < 0)
		rt->windows = 0;
	return rc;
}

void run_tokens_warn_length(const char *verb, struct model_file *mf,
			    const struct run_tokens *rt)
{
	int max = model_file_config(mf)->max_seq_len;
	if (max > 0 && rt->seq_len > max && !cli_quiet)
		fprintf(stderr, "lwq: %s: note: windows of %d tokens are longer than the %d "
			"positions the model was trained for\n", verb, rt->seq_len, max);
}

const char *run_tokens_source(const struct run_tokens *rt, char *buf, size_t len)
{
	if (rt->text_path)
		snprintf(buf, len, "text:%s", rt->text_path);
	else
		snprintf(buf, len, "ids:%s", rt->ids_path);
	return buf;
}

/* Two sources name the same file: the same words, or the same file once resolved. */
static int same_source(const char *a, const char *b)
{
	if (strcmp(a, b) == 0)
		return 1;
	char ra[4096], rb[4096];
	if (strncmp(a, b, 5) != 0 || !realpath(a + 5, ra) || !realpath(b + 5, rb))
		return 0;
	return strcmp(ra, rb) == 0;
}

int run_tokens_calibration(struct model_file *mf, const struct run_tokens *rt,
			   int64_t *begin, int64_t *end)
{
	char recorded[4200], ours[4200];
	int64_t offset, windows, seq_len;
	if (!model_file_exists(mf, ACT_GROUP) ||
	    model_file_get_attr_str(mf, ACT_GROUP, "source", recorded, sizeof recorded) != 0 ||
	    model_file_get_attr_i64(mf, ACT_GROUP, "offset", &offset) != 0 ||
	    model_file_get_attr_i64(mf, ACT_GROUP, "windows", &windows) != 0 ||
	    model_file_get_attr_i64(mf, ACT_GROUP, "seq_len", &seq_len) != 0)
		return 0;
	if (!same_source(recorded, run_tokens_source(rt, ours, sizeof ours)))
		return 0;
	*begin = offset;
	*end = offset + windows * seq_len;
	return 1;
}
