/* import_model.c: the import pipeline: source opened, checked, and copied (or linked)
   tensor by tensor into a new model file, with the tokenizer. */
#include "import_model.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "cli.h"
#include "file_read.h"
#include "import_map.h"
#include "import_tokenizer.h"
#include "model_h5.h"
#include "progress.h"

static int open_hf(struct import_source *s, const char *dir, struct lwq_err *err)
{
	char path[4096];
	struct stat sb;
	s->format = "hf-safetensors";
	snprintf(path, sizeof path, "%s/config.json", dir);
	if (stat(path, &sb) != 0)
		return lwq_err_set(err, "%s: not a Hugging Face model directory (no config.json)",
				   dir);
	if (hf_config_load(path, &s->cfg, err) != 0)
		return -1;
	s->st = safetensors_open_dir(dir, err);
	if (!s->st)
		return -1;
	snprintf(path, sizeof path, "%s/tokenizer.json", dir);
	if (stat(path, &sb) == 0)
		snprintf(s->tokenizer_path, sizeof s->tokenizer_path, "%s", path);
	return 0;
}

int import_source_open(struct import_source *s, const char *src, struct lwq_err *err)
{
	struct stat sb;
	memset(s, 0, sizeof *s);
	if (stat(src, &sb) != 0)
		return lwq_err_set(err, "%s: cannot open: %s", src, strerror(errno));
	if (S_ISDIR(sb.st_mode))
		return open_hf(s, src, err);
	s->format = "llama2c";
	s->l2c = llama2c_open(src, err);
	if (!s->l2c)
		return -1;
	s->cfg = *llama2c_config(s->l2c);
	return 0;
}

void import_source_close(struct import_source *s)
{
	safetensors_close(s->st);
	llama2c_close(s->l2c);
}

/* Converts n values between storage types, rounding to nearest even when narrowing. */
static void convert_values(enum dtype from, const void *src, enum dtype to, void *dst,
			   size_t n)
{
	const uint16_t *h = src;
	const float *f = src;
	for (size_t i = 0; i < n; i++) {
		float v = from == DT_F32 ? f[i] : from == DT_F16 ? f16_to_f32(h[i])
						: bf16_to_f32(h[i]);
		if (to == DT_F32)
			((float *)dst)[i] = v;
		else
			((uint16_t *)dst)[i] = to == DT_F16 ? f32_to_f16(v) : f32_to_bf16(v);
	}
}

/* Reads one tensor from the source into buf as stored; sets *dt. */
static int read_tensor(struct import_source *s, const struct expected_tensor *t, void *buf,
		       enum dtype *dt, struct lwq_err *err)
{
	if (s->l2c) {
		*dt = DT_F32;
		return llama2c_read(s->l2c, t->layer, t->tensor, buf, t->count, err);
	}
	const struct st_tensor *st = safetensors_find(s->st, t->hf_name);
	*dt = (enum dtype)st->dtype;
	return safetensors_read(s->st, st, buf, err);
}

static int write_tensors(struct import_source *s, struct model_file *mf,
			 const struct expected_tensor *want, int n, int target,
			 struct lwq_err *err)
{
	int64_t largest = 0;
	for (int i = 0; i < n; i++)
		if (want[i].count > largest)
			largest = want[i].count;
	void *raw = malloc((size_t)largest * 4), *converted = malloc((size_t)largest * 4);
	int rc = raw && converted ? 0 : lwq_err_set(err, "out of memory (%lld values)",
						  (long long)largest);
	struct progress p;
	progress_start(&p, "import", "tensors", n);
	for (int i = 0; i < n && rc == 0; i++) {
		enum dtype dt;
		rc = read_tensor(s, &want[i], raw, &dt, err);
		if (rc != 0)
			break;
		const void *data = raw;
		enum dtype out = target < 0 ? dt : (enum dtype)target;
		if (out != dt) {
			convert_values(dt, raw, out, converted, (size_t)want[i].count);
			data = converted;
		}
		rc = model_file_write_weight(mf, want[i].name, out, data, want[i].rank,
					     want[i].dims, err);
		progress_step(&p, want[i].name, 0);
	}
	progress_finish(&p);
	free(raw);
	free(converted);
	return rc;
}

/* import --link: every weight becomes a reference to its bytes in a shard, and each
   shard's size and mtime are recorded so a later change is caught, not misread. */
static int link_tensors(struct import_source *s, struct model_file *mf,
			const struct expected_tensor *want, int n, struct lwq_err *err)
{
	int n_shards = s->st->n_shards;
	char (*paths)[PATH_MAX] = calloc((size_t)n_shards, sizeof *paths);
	if (!paths)
		return lwq_err_set(err, "out of memory");
	int rc = 0;
	for (int i = 0; i < n_shards && rc == 0; i++)
		if (!realpath(s->st->shards[i].path, paths[i]))
			rc = lwq_err_set(err, "%s: cannot resolve: %s", s->st->shards[i].path,
					 strerror(errno));
	for (int i = 0; i < n && rc == 0; i++) {
		const struct st_tensor *t = safetensors_find(s->st, want[i].hf_name);
		rc = model_file_link_weight(mf, want[i].name, (enum dtype)t->dtype,
					    want[i].rank, want[i].dims, paths[t->shard],
					    t->offset, t->bytes, err);
	}
	for (int i = 0; i < n_shards && rc == 0; i++)
		rc = model_file_record_link_source(mf, paths[i], err);
	free(paths);
	return rc;
}

static int write_tokenizer(struct import_source *s, struct model_file *mf,
			   struct lwq_err *err)
{
	if (!s->tokenizer_path[0])
		return model_file_set_attr_str(mf, "/tokenizer", "kind", "none", err);
	char *json;
	size_t len;
	if (read_whole_file(s->tokenizer_path, (size_t)1 << 30, &json, &len, err) != 0)
		return -1;
	int rc = model_file_put_bytes(mf, "/tokenizer/json", json, len, err);
	free(json);
	if (rc == 0)
		rc = model_file_set_attr_str(mf, "/tokenizer", "kind", "hf-tokenizer-json", err);
	if (rc == 0)
		rc = tokenizer_facts_store(mf, &s->tokenizer_facts, err);
	return rc;
}

/* Bytes the weights (unless linked) and the tokenizer take in the new file, known before
   anything is written. */
static uint64_t import_bytes(struct import_source *s, const struct expected_tensor *want,
			     int n, int target, int link)
{
	uint64_t bytes = 0;
	for (int i = 0; i < n && !link; i++) {
		enum dtype dt = DT_F32;
		if (target >= 0)
			dt = (enum dtype)target;
		else if (s->st)
			dt = (enum dtype)safetensors_find(s->st, want[i].hf_name)->dtype;
		bytes += (uint64_t)want[i].count * dtype_size(dt);
	}
	struct stat sb;
	if (s->tokenizer_path[0] && stat(s->tokenizer_path, &sb) == 0)
		bytes += (uint64_t)sb.st_size;
	return bytes;
}

/* Default model name: the last component of SRC without a trailing slash or .bin. */
static void default_name(const char *src, char *buf, size_t len)
{
	size_t n = strlen(src);
	while (n > 1 && src[n - 1] == '/')
		n--;
	size_t start = n;
	while (start > 0 && src[start - 1] != '/')
		start--;
	size_t end = n;
	if (end - start > 4 && strncmp(src + end - 4, ".bin", 4) == 0)
		end -= 4;
	snprintf(buf, len, "%.*s", (int)(end - start), src + start);
}

int import_write_model(struct import_source *s, const struct import_options *o,
		       const char *temp_path, int64_t *n_tensors, struct lwq_err *err)
{
	struct expected_tensor *want = NULL;
	int n = expected_tensors(&s->cfg, &want);
	if (n < 0)
		return lwq_err_set(err, "out of memory");
	*n_tensors = n;
	if ((s->st && check_safetensors(s->st, o->src, &s->cfg, want, n, err) != 0) ||
	    (s->tokenizer_path[0] &&
	     import_check_tokenizer(s->tokenizer_path, s->cfg.vocab, &s->tokenizer_facts,
				    err) != 0) ||
	    atomic_check_space(o->out, import_bytes(s, want, n, o->dtype, o->link), err) != 0) {
		free(want);
		return -1;
	}
	char name[256], source[PATH_MAX];
	if (o->name)
		snprintf(name, sizeof name, "%s", o->name);
	else
		default_name(o->src, name, sizeof name);
	if (!realpath(o->src, source))
		snprintf(source, sizeof source, "%s", o->src);
	struct model_file *mf = model_file_create(temp_path, &s->cfg, source, name, err);
	int rc = mf ? 0 : -1;
	if (mf)
		model_file_set_display_path(mf, o->out);
	if (rc == 0)
		rc = model_file_set_attr_str(mf, "/", "source_format", s->format, err);
	if (rc == 0 && o->link && !s->st)
		rc = lwq_err_set(err, "%s: --link needs safetensors files; a llama2.c "
				 "checkpoint must be copied (drop --link)", o->src);
	if (rc == 0)
		rc = o->link ? link_tensors(s, mf, want, n, err)
			     : write_tensors(s, mf, want, n, o->dtype, err);
	if (rc == 0)
		rc = write_tokenizer(s, mf, err);
	if (rc == 0)
		rc = model_file_flush(mf, err);
	if (model_file_close(mf) != 0 && rc == 0)
		rc = lwq_err_set(err, "%s: cannot finish writing (disk full or file size limit)",
				 o->out);
	free(want);
	return rc;
}

