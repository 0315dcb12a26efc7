/* test_old_strings.c: model files of the older layout, whose string attributes (weight
   dtypes, the format, config strings) are variable-length strings in HDF5's global heap.
   Such a file reads as before; damaged in its heap or in the references to it, info and
   eval end with exit 0, or exit 1 and one line, never a crash or sanitizer report. */
#include <hdf5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model_h5.h"
#include "read_file.h"
#include "scratch_dir.h"
#include "synth_model.h"
#include "tap.h"
#include "verb_child.h"
#include "xorshift.h"

/* ---- writing the older layout ---- */

struct names { char list[64][64]; int n; };

static herr_t note_fixed_string(hid_t obj, const char *name, const H5A_info_t *info, void *op)
{
	struct names *names = op;
	(void)info;
	hid_t attr = H5Aopen(obj, name, H5P_DEFAULT), type = H5Aget_type(attr);
	if (H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) == 0 && names->n < 64)
		snprintf(names->list[names->n++], 64, "%s", name);
	H5Tclose(type);
	H5Aclose(attr);
	return 0;
}

/* Rewrites every fixed-length string attribute of one object as a variable-length one. */
static herr_t to_vlen(hid_t file, const char *path, const H5O_info_t *info, void *op)
{
	int *count = op;
	(void)info;
	hid_t obj = H5Oopen(file, path, H5P_DEFAULT);
	struct names names = { .n = 0 };
	H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, note_fixed_string, &names);
	for (int i = 0; i < names.n; i++) {
		hid_t attr = H5Aopen(obj, names.list[i], H5P_DEFAULT), type = H5Aget_type(attr);
		size_t size = H5Tget_size(type);
		char *value = calloc(size + 1, 1);
		hid_t mem = H5Tcopy(H5T_C_S1);
		H5Tset_size(mem, size + 1);
		H5Tset_cset(mem, H5Tget_cset(type));
		H5Aread(attr, mem, value);
		H5Tclose(mem);
		H5Tclose(type);
		H5Aclose(attr);
		H5Adelete(obj, names.list[i]);
		hid_t vtype = H5Tcopy(H5T_C_S1), space = H5Screate(H5S_SCALAR);
		H5Tset_size(vtype, H5T_VARIABLE);   /* UTF-8, as the older lwq wrote them */
		H5Tset_cset(vtype, H5T_CSET_UTF8);
		attr = H5Acreate2(obj, names.list[i], vtype, space, H5P_DEFAULT, H5P_DEFAULT);
		const char *p = value;
		if (attr >= 0 && H5Awrite(attr, vtype, &p) >= 0)
			(*count)++;
		H5Aclose(attr);
		H5Sclose(space);
		H5Tclose(vtype);
		free(value);
	}
	H5Oclose(obj);
	return 0;
}

static int write_old_layout(const char *path)
{
	hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
	int count = 0;
	if (file < 0 || H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_NATIVE, to_vlen, &count,
				  H5O_INFO_BASIC) < 0)
		count = -1;
	H5Fclose(file);
	return count;
}

/* ---- running verbs on damaged copies ---- */

static size_t find(const unsigned char *bytes, size_t n, const char *what, size_t from)
{
	size_t k = strlen(what);
	for (size_t i = from; i + k <= n; i++)
		if (memcmp(bytes + i, what, k) == 0)
			return i;
	return n;
}

static uint64_t rng_state = 0x2545f4914f6cdd1du;

int main(void)
{
	scratch_dir("oldstr");
	char model[4200], damaged[4200], ids[4200], err_path[4200];
	snprintf(model, sizeof model, "%s", scratch_path("old.h5"));
	snprintf(damaged, sizeof damaged, "%s", scratch_path("damaged.h5"));
	snprintf(ids, sizeof ids, "%s", scratch_path("ids.i32"));
	snprintf(err_path, sizeof err_path, "%s", scratch_path("stderr"));

	struct model_config cfg = synth_config(2, 0, 0);
	struct test_model *m = synth_model_new(&cfg, 7);
	struct lwq_err err = { "" };
	ok(test_model_write(m, model, &err) == 0, "a two-layer model written (%s)", err.msg);
	int32_t tokens[64];
	synth_ids(tokens, 64, cfg.vocab, 3);
	FILE *f = fopen(ids, "wb");
	ok(f && fwrite(tokens, sizeof tokens, 1, f) == 1 && fclose(f) == 0, "token ids written");

	char *eval[] = { "eval", damaged, "--ids", ids, "--windows", "2", "--seq-len", "32",
			 "--threads", "1", NULL };
	char *info[] = { "info", damaged, NULL };
	rename(model, damaged);
	ok(run_verb_child(eval, err_path, 60, NULL) == RAN_OK, "eval of the current layout");
	rename(damaged, model);

	int converted = write_old_layout(model);
	ok(converted >= 2 + 7 * cfg.n_layers, "%d string attributes rewritten as variable-length",
	   converted);
	size_t n = 0;
	unsigned char *bytes = (unsigned char *)read_file(model, &n);
	ok(bytes != NULL, "read the old-layout file (%zu bytes)", n);
	if (!bytes)
		return tap_done();
	size_t heap = find(bytes, n, "GCOL", 0);
	ok(heap < n, "its strings live in a global heap collection at byte %zu", heap);
	if (heap == n)
		return tap_done();

	/* the old layout reads: the same weights, so the same perplexity */
	struct model_file *mf = model_file_open(model, 0, &err);
	int same = mf != NULL;
	for (int l = 0; same && l < cfg.n_layers; l++) {
		char name[64];
		struct tensor_info ti;
		weight_name(name, sizeof name, l, "attn_norm");
		same = model_file_weight_info(mf, name, &ti, &err) == 0 && ti.dtype == DT_F32;
	}
	ok(same, "old layout opens and its weights' dtype reads as f32 (%s)", err.msg);
	ok(mf && !strcmp(model_file_source(mf), "synthetic"), "its source attribute reads back");
	if (mf)
		model_file_close(mf);
	/* the strings of a file are read once per file and process: a file changed since is
	   read again */
	hid_t file = H5Fopen(model, H5F_ACC_RDWR, H5P_DEFAULT);
	hid_t vtype = H5Tcopy(H5T_C_S1), space = H5Screate(H5S_SCALAR);
	H5Tset_size(vtype, H5T_VARIABLE);
	H5Tset_cset(vtype, H5T_CSET_UTF8);
	H5Adelete(file, "source");
	hid_t attr = H5Acreate2(file, "source", vtype, space, H5P_DEFAULT, H5P_DEFAULT);
	const char *changed = "changed since";
	H5Awrite(attr, vtype, &changed);
	H5Aclose(attr);
	H5Sclose(space);
	H5Tclose(vtype);
	H5Fclose(file);
	mf = model_file_open(model, 0, &err);
	ok(mf && !strcmp(model_file_source(mf), "changed since"),
	   "a file changed on disk: its strings are read again (source '%s')",
	   mf ? model_file_source(mf) : err.msg);
	if (mf)
		model_file_close(mf);

	/* damage: bytes of the heap collection (its header, object headers, sizes, the
	   strings), and bytes right after each "dtype" name (the references into the heap) */
	enum { N_POSITIONS = 150 };
	size_t positions[N_POSITIONS];
	int n_pos = 0;
	for (size_t i = 0; i < 48 && heap + i < n; i++)
		positions[n_pos++] = heap + i;
	while (n_pos < 110)
		positions[n_pos++] = heap + 48 + (size_t)(xorshift64(&rng_state) % 1200);
	for (size_t at = find(bytes, n, "dtype", 0); at < n && n_pos < N_POSITIONS;
	     at = find(bytes, n, "dtype", at + 1))
		for (int k = 0; k < 2 && n_pos < N_POSITIONS; k++)
			positions[n_pos++] = at + 6 + (size_t)(xorshift64(&rng_state) % 40);
	int failures = 0, clean_errors = 0, runs = 0;
	for (int v = 0; v < n_pos; v++) {
		size_t at = positions[v];
		if (at >= n)
			continue;
		unsigned char saved = bytes[at];
		bytes[at] ^= (unsigned char)(v % 4 == 0 ? 0xff : 1 + xorshift64(&rng_state) % 255);
		f = fopen(damaged, "wb");
		if (!f || fwrite(bytes, 1, n, f) != n || fclose(f) != 0)
			abort();
		bytes[at] = saved;
		char **verb = v % 2 ? info : eval;
		int status;
		enum verb_outcome o = run_verb_child(verb, err_path, 60, &status);
		runs++;
		clean_errors += o == CLEAN_ERROR;
		if (o >= CRASH) {
			failures++;
			printf("# %s with byte %zu (heap + %zd) flipped: %s (%s %d)\n", verb[0], at,
			       (ssize_t)(at - heap), verb_outcome_names[o],
			       WIFSIGNALED(status) ? "signal" : "exit",
			       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
			char cmd[4400];
			snprintf(cmd, sizeof cmd, "head -5 '%s' | sed 's/^/#   /'", err_path);
			fflush(stdout);
			if (system(cmd) != 0)
				printf("#   (stderr unreadable)\n");
		}
	}
	ok(failures == 0, "%d damaged old-layout files: no crash, hang, sanitizer report or "
	   "multi-line error (%d failures, %d clean errors)", runs, failures, clean_errors);
	free(bytes);
	test_model_free(m);
	scratch_dir_remove();
	return tap_done();
}
