/* real_model.c: the shared real models, imported with the lwq binary and loaded whole for tests. */
#include "real_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "layer_io.h"
#include "scratch_dir.h"
#include "tap.h"

static char model_path[4096];

/* The program's scratch directory, removed with everything in it at exit. */
static void ensure_temp_dir(void)
{
	static int made;
	if (made++)
		return;
	scratch_dir("unit");
	atexit(scratch_dir_remove);
}

const char *test_scratch_file(void)
{
	static char path[4096];
	ensure_temp_dir();
	snprintf(path, sizeof path, "%s", scratch_path("scratch.h5"));
	unlink(path);
	return path;
}

const char *real_model_file(const char *name, const char *file)
{
	static char buf[4096];
	snprintf(buf, sizeof buf, "%s/models/%s/%s", getenv("SHARED_DATA"), name, file);
	return buf;
}

const char *real_model_import(const char *name, char *why, size_t why_len)
{
	const char *lwq = getenv("LWQ");
	if (!tap_shared_data())
		return snprintf(why, why_len, "../shared/data is absent"), NULL;
	if (!lwq)
		return snprintf(why, why_len, "LWQ is not set"), NULL;
	ensure_temp_dir();
	char file[300];
	snprintf(file, sizeof file, "%s.h5", name);
	snprintf(model_path, sizeof model_path, "%s", scratch_path(file));
	if (access(model_path, R_OK) == 0)
		return model_path;
	char cmd[3 * 4096];
	snprintf(cmd, sizeof cmd, "'%s' --quiet import '%s/models/%s' -o '%s' >/dev/null 2>&1",
		 lwq, getenv("SHARED_DATA"), name, model_path);
	if (system(cmd) != 0) {
		model_path[0] = '\0';
		return snprintf(why, why_len, "lwq import of %s failed", name), NULL;
	}
	return model_path;
}

struct test_model *test_model_read(struct model_file *mf, struct lwq_err *err)
{
	const struct model_config *cfg = model_file_config(mf);
	struct test_model *m = calloc(1, sizeof *m);
	m->cfg = *cfg;
	m->layers = calloc((size_t)cfg->n_layers, sizeof *m->layers);
	int64_t vh = (int64_t)cfg->vocab * cfg->hidden;
	m->embed = weight_read_alloc(mf, "embed", vh, err);
	m->final_norm = m->embed ? weight_read_alloc(mf, "final_norm", cfg->hidden, err) : NULL;
	if (m->final_norm && !cfg->tied_embeddings)
		m->lm_head = weight_read_alloc(mf, "lm_head", vh, err);
	int ok_so_far = m->final_norm && (cfg->tied_embeddings || m->lm_head);
	for (int l = 0; l < cfg->n_layers && ok_so_far; l++) {
		m->layers[l] = layer_weights_new(cfg, err);
		ok_so_far = m->layers[l] && layer_weights_read(mf, l, m->layers[l], err) == 0;
	}
	if (!ok_so_far) {
		test_model_free(m);
		return NULL;
	}
	test_model_link_ref(m);
	return m;
}

int read_ids_file(const char *path, int64_t first, int64_t n, int32_t *ids)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	unsigned char b[4];
	int rc = fseek(f, (long)(first * 4), SEEK_SET);
	for (int64_t i = 0; i < n && rc == 0; i++) {
		if (fread(b, 1, 4, f) != 4)
			rc = -1;
		else
			ids[i] = (int32_t)((uint32_t)b[0] | (uint32_t)b[1] << 8 |
					   (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24);
	}
	fclose(f);
	return rc;
}
