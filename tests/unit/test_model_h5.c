/* test_model_h5.c: the HDF5 model file round-trips every kind of data bit for bit and
   rejects files that are not lwq models of a version we read. */
#include <hdf5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model_h5.h"
#include "scratch_dir.h"
#include "tap.h"

static struct model_config small_config(void)
{
	struct model_config c;
	memset(&c, 0, sizeof c);
	snprintf(c.architecture, sizeof c.architecture, "Qwen2ForCausalLM");
	c.n_layers = 2;
	c.hidden = 8;
	c.intermediate = 12;
	c.n_heads = 2;
	c.n_kv_heads = 1;
	c.head_dim = 4;
	c.vocab = 16;
	c.max_seq_len = 64;
	c.rope_theta = 500000.0;
	snprintf(c.rope_scaling, sizeof c.rope_scaling, "llama3");
	c.rope_factor = 8.0;
	c.rope_low_freq_factor = 1.0;
	c.rope_high_freq_factor = 4.0;
	c.rope_original_max_pos = 8192;
	c.norm_eps = 1e-6;
	c.tied_embeddings = 0;
	c.qkv_bias = 1;
	c.sliding_window = 4096;
	c.bos_id = 1;
	c.eos_id = 2;
	return c;
}

/* Deterministic values with awkward bit patterns: negatives, tiny, huge, signed zero. */
static void fill_bits(void *buf, size_t bytes, uint32_t seed)
{
	uint8_t *p = buf;
	for (size_t i = 0; i < bytes; i++) {
		seed = seed * 1664525u + 1013904223u;
		p[i] = (uint8_t)(seed >> 24);
	}
}

struct tensor {
	const char *name;
	enum dtype dt;
	int rank;
	int64_t dims[2];
	void *data;
};

static size_t tensor_bytes(const struct tensor *t)
{
	int64_t n = 1;
	for (int i = 0; i < t->rank; i++)
		n *= t->dims[i];
	return (size_t)n * dtype_size(t->dt);
}

static void test_round_trip(void)
{
	struct model_config cfg = small_config();
	struct lwq_err err = { "" };
	const char *path = scratch_path("model.h5");
	struct tensor ts[] = {
		{ "embed", DT_BF16, 2, { 16, 8 }, NULL },
		{ "final_norm", DT_F32, 1, { 8 }, NULL },
		{ "lm_head", DT_F16, 2, { 16, 8 }, NULL },
		{ "layers/000/q", DT_F32, 2, { 8, 8 }, NULL },
		{ "layers/000/k", DT_F16, 2, { 4, 8 }, NULL },
		{ "layers/000/v", DT_BF16, 2, { 4, 8 }, NULL },
		{ "layers/000/q_bias", DT_F16, 1, { 8 }, NULL },
		{ "layers/000/attn_norm", DT_BF16, 1, { 8 }, NULL },
		{ "layers/001/down", DT_F32, 2, { 8, 12 }, NULL },
		{ "layers/001/big", DT_F32, 2, { 700, 600 }, NULL },
	};
	int nt = (int)(sizeof ts / sizeof ts[0]);
	struct model_file *mf = model_file_create(path, &cfg, "/models/x", "tiny", &err);
	ok(mf != NULL, "create (%s)", err.msg);
	if (!mf)
		return;
	for (int i = 0; i < nt; i++) {
		ts[i].data = malloc(tensor_bytes(&ts[i]));
		fill_bits(ts[i].data, tensor_bytes(&ts[i]), (uint32_t)i + 7);
		if (ts[i].dt == DT_F32) /* keep f32 patterns clear of NaN payload canonicalisation */
			for (size_t k = 0; k < tensor_bytes(&ts[i]) / 4; k++)
				((float *)ts[i].data)[k] = (float)(k % 97) * 0.37f - 11.0f;
		ok(model_file_write_weight(mf, ts[i].name, ts[i].dt, ts[i].data, ts[i].rank,
					   ts[i].dims, &err) == 0, "write %s", ts[i].name);
	}
	model_file_close(mf);
	ok(model_file_create(path, &cfg, "", "", &err) == NULL, "create refuses an existing file");

	mf = model_file_open(path, 0, &err);
	ok(mf != NULL, "reopen (%s)", err.msg);
	if (!mf)
		return;
	const struct model_config *c = model_file_config(mf);
	ok(memcmp(c, &cfg, sizeof cfg) == 0, "config round-trips exactly");
	ok(strcmp(c->rope_scaling, "llama3") == 0 && c->rope_original_max_pos == 8192 &&
	   c->sliding_window == 4096 && c->bos_id == 1 && c->qkv_bias == 1, "config details");
	ok(strcmp(model_file_source(mf), "/models/x") == 0, "source attr");
	ok(strcmp(model_file_model_name(mf), "tiny") == 0, "model_name attr");
	char fmt[32];
	ok(model_file_get_attr_str(mf, "/", "format", fmt, sizeof fmt) == 0 &&
	   strcmp(fmt, "lwq-model") == 0, "format attr");
	int64_t layers;
	ok(model_file_get_attr_i64(mf, "/", "num_hidden_layers", &layers) == 0 && layers == 2,
	   "HF-named config attribute");

	for (int i = 0; i < nt; i++) {
		struct tensor_info info;
		size_t bytes = tensor_bytes(&ts[i]);
		int got = model_file_weight_info(mf, ts[i].name, &info, &err);
		ok(got == 0 && info.dtype == ts[i].dt && info.rank == ts[i].rank &&
		   info.dims[0] == ts[i].dims[0] && (ts[i].rank == 1 || info.dims[1] == ts[i].dims[1]),
		   "info %s", ts[i].name);
		void *raw = malloc(bytes);
		ok(model_file_read_weight_raw(mf, ts[i].name, raw, bytes, &err) == 0 &&
		   memcmp(raw, ts[i].data, bytes) == 0, "%s raw bytes are bit-exact", ts[i].name);
		size_t n = bytes / dtype_size(ts[i].dt);
		float *f = malloc(n * sizeof *f), *want = malloc(n * sizeof *want);
		convert_to_f32(ts[i].dt, ts[i].data, want, n);
		ok(model_file_read_weight_f32(mf, ts[i].name, f, (int64_t)n, &err) == 0 &&
		   memcmp(f, want, n * sizeof *f) == 0, "%s as f32", ts[i].name);
		free(f);
		free(want);
		free(raw);
	}
	float one[4];
	struct tensor_info none;
	ok(model_file_read_weight_f32(mf, "final_norm", one, 4, &err) != 0 &&
	   strstr(err.msg, "expected 4"), "wrong count is refused: %s", err.msg);
	ok(model_file_weight_info(mf, "layers/000/gate", &none, &err) != 0 &&
	   strstr(err.msg, "no weight /weights/layers/000/gate"), "absent weight: %s", err.msg);
	ok(model_file_put_f32(mf, "/scores/x", one, 1, (int64_t[]){ 4 }, &err) != 0 &&
	   strstr(err.msg, "read-only"), "read-only file refuses writes");

	char **names;
	int n = model_file_list(mf, "/weights/layers/000", &names);
	ok(n == 5 && strcmp(names[0], "attn_norm") == 0 && strcmp(names[1], "k") == 0 &&
	   strcmp(names[4], "v") == 0, "list is sorted (%d names)", n);
	model_file_free_names(names, n);
	n = model_file_list(mf, "/weights", &names);
	ok(n == 4 && strcmp(names[0], "embed") == 0 && strcmp(names[2], "layers") == 0,
	   "list /weights");
	model_file_free_names(names, n);
	ok(model_file_list(mf, "/nothing", &names) == -1, "list of an absent group is -1");
	model_file_close(mf);

	/* The big tensor is chunked in bands of whole rows of at most ~1 MiB. */
	hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	hid_t d = H5Dopen2(f, "/weights/layers/001/big", H5P_DEFAULT);
	hid_t dcpl = H5Dget_create_plist(d);
	hsize_t chunk[2] = { 0, 0 };
	int chunked = H5Pget_layout(dcpl) == H5D_CHUNKED && H5Pget_chunk(dcpl, 2, chunk) == 2;
	ok(chunked && chunk[1] == 600 && chunk[0] * 600 * 4 <= (1 << 20) && chunk[0] < 700,
	   "weights are chunked by rows (%llu x %llu)", (unsigned long long)chunk[0],
	   (unsigned long long)chunk[1]);
	H5Pclose(dcpl);
	H5Dclose(d);
	H5Fclose(f);
	for (int i = 0; i < nt; i++)
		free(ts[i].data);
}

static void test_generic(void)
{
	struct model_config cfg = small_config();
	struct lwq_err err = { "" };
	const char *path = scratch_path("generic.h5");
	struct model_file *mf = model_file_create(path, &cfg, "", "", &err);
	model_file_close(mf);
	mf = model_file_open(path, 1, &err);
	ok(mf != NULL, "open writable (%s)", err.msg);
	if (!mf)
		return;
	float lim[5] = { 0.5f, -1.25f, 3e-7f, 1e6f, 0.0f }, back[24];
	ok(model_file_put_f32(mf, "/scores/lim", lim, 1, (int64_t[]){ 5 }, &err) == 0 &&
	   model_file_get_f32(mf, "/scores/lim", back, 5, &err) == 0 &&
	   memcmp(back, lim, sizeof lim) == 0, "f32 dataset round-trips");
	float big[2] = { 9.0f, 8.0f };
	ok(model_file_put_f32(mf, "/scores/lim", big, 1, (int64_t[]){ 2 }, &err) == 0 &&
	   model_file_get_f32(mf, "/scores/lim", back, 2, &err) == 0 && back[1] == 8.0f,
	   "put replaces an existing dataset with another shape");

	float streams[24];
	for (int i = 0; i < 24; i++)
		streams[i] = (float)i * 0.1f - 1.0f;
	int64_t dims3[3] = { 3, 2, 4 };
	ok(model_file_put_f16(mf, "/activations/streams", streams, 3, dims3, &err) == 0,
	   "put_f16");
	struct tensor_info info;
	ok(model_file_dataset_info(mf, "/activations/streams", &info, &err) == 0 &&
	   info.rank == 3 && info.dims[2] == 4 && info.count == 24 && info.dtype == DT_F16,
	   "dataset_info of f16 data");
	int exact = model_file_get_f32(mf, "/activations/streams", back, 24, &err) == 0;
	for (int i = 0; exact && i < 24; i++)
		exact = back[i] == f16_to_f32(f32_to_f16(streams[i]));
	ok(exact, "get_f32 widens f16-stored data");
	float rows[8];
	exact = model_file_get_f32_rows(mf, "/activations/streams", 2, 1, rows, &err) == 0;
	for (int i = 0; exact && i < 8; i++)
		exact = rows[i] == f16_to_f32(f32_to_f16(streams[16 + i]));
	ok(exact, "get_f32_rows reads one band");
	ok(model_file_get_f32_rows(mf, "/activations/streams", 2, 2, rows, &err) != 0,
	   "rows past the end are refused: %s", err.msg);

	int32_t ids[6] = { 0, 1, -5, 2147483647, 42, 7 }, ids_back[6];
	ok(model_file_put_i32(mf, "/activations/tokens", ids, 1, (int64_t[]){ 6 }, &err) == 0 &&
	   model_file_get_i32(mf, "/activations/tokens", ids_back, 6, &err) == 0 &&
	   memcmp(ids, ids_back, sizeof ids) == 0, "i32 dataset round-trips");
	ok(model_file_get_f32(mf, "/activations/tokens", back, 5, &err) != 0, "count mismatch");

	const char json[] = "{\"model\": {\"vocab\": {}}}";
	char *bytes = NULL;
	size_t nbytes = 0;
	ok(model_file_put_bytes(mf, "/tokenizer/json", json, strlen(json), &err) == 0 &&
	   model_file_get_bytes(mf, "/tokenizer/json", &bytes, &nbytes, &err) == 0 &&
	   nbytes == strlen(json) && strcmp(bytes, json) == 0, "bytes round-trip, NUL-terminated");
	free(bytes);
	ok(model_file_put_bytes(mf, "/plans/empty", "", 0, &err) == 0 &&
	   model_file_get_bytes(mf, "/plans/empty", &bytes, &nbytes, &err) == 0 && nbytes == 0,
	   "empty bytes dataset");
	free(bytes);

	char s[64];
	double dv;
	int64_t iv;
	ok(model_file_set_attr_str(mf, "/tokenizer", "kind", "hf-tokenizer-json", &err) == 0 &&
	   model_file_set_attr_str(mf, "/tokenizer", "kind", "none", &err) == 0 &&
	   model_file_get_attr_str(mf, "/tokenizer", "kind", s, sizeof s) == 0 &&
	   strcmp(s, "none") == 0, "string attribute replaced");
	ok(model_file_set_attr_f64(mf, "/sweeps/lim", "baseline_ppl", 12.5, &err) == 0 &&
	   model_file_get_attr_f64(mf, "/sweeps/lim", "baseline_ppl", &dv) == 0 && dv == 12.5,
	   "f64 attribute on a newly created group");
	ok(model_file_set_attr_i64(mf, "/scores/lim", "group_size", 128, &err) == 0 &&
	   model_file_set_attr_i64(mf, "/scores/lim", "group_size", -3, &err) == 0 &&
	   model_file_get_attr_i64(mf, "/scores/lim", "group_size", &iv) == 0 && iv == -3,
	   "i64 attribute on a dataset, replaced");
	ok(model_file_get_attr_i64(mf, "/scores/lim", "absent", &iv) == -1 &&
	   model_file_get_attr_str(mf, "/nowhere", "kind", s, sizeof s) == -1,
	   "absent attributes are -1");
	ok(model_file_exists(mf, "/scores/lim") && !model_file_exists(mf, "/a/b/c") &&
	   model_file_exists(mf, "/"), "exists");
	ok(model_file_delete(mf, "/scores/lim") == 0 && !model_file_exists(mf, "/scores/lim") &&
	   model_file_delete(mf, "/scores/lim") == -1, "delete");

	/* A group under /weights is the quantized form: the plain reader says so. */
	ok(model_file_set_attr_str(mf, "/weights/layers/000/q", "scheme", "rtn", &err) == 0 &&
	   model_file_weight_info(mf, "layers/000/q", &info, &err) != 0 &&
	   strstr(err.msg, "quantized"), "a weight group is recognized: %s", err.msg);
	ok(model_file_flush(mf, &err) == 0, "flush");
	model_file_close(mf);

	mf = model_file_open(path, 0, &err);
	ok(mf && model_file_get_attr_f64(mf, "/sweeps/lim", "baseline_ppl", &dv) == 0,
	   "writes persist after close");
	model_file_close(mf);
}

/* Rewrites one root attribute of an existing file with raw HDF5 calls. */
static void poke_root(const char *path, const char *attr, const int *version, const char *str)
{
	hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
	hid_t root = H5Gopen2(f, "/", H5P_DEFAULT);
	H5Adelete(root, attr);
	if (version) {
		hsize_t two = 2;
		hid_t space = H5Screate_simple(1, &two, NULL);
		hid_t a = H5Acreate2(root, attr, H5T_STD_I32LE, space, H5P_DEFAULT, H5P_DEFAULT);
		H5Awrite(a, H5T_NATIVE_INT, version);
		H5Aclose(a);
		H5Sclose(space);
	} else if (str) {
		hid_t type = H5Tcopy(H5T_C_S1); /* fixed-length, as other tools often write */
		H5Tset_size(type, strlen(str) + 1);
		hid_t space = H5Screate(H5S_SCALAR);
		hid_t a = H5Acreate2(root, attr, type, space, H5P_DEFAULT, H5P_DEFAULT);
		H5Awrite(a, type, str);
		H5Aclose(a);
		H5Sclose(space);
		H5Tclose(type);
	}
	H5Gclose(root);
	H5Fclose(f);
}

static void expect_open_error(const char *path, const char *want, const char *what)
{
	struct lwq_err err = { "" };
	struct model_file *mf = model_file_open(path, 0, &err);
	ok(mf == NULL && strstr(err.msg, want) && strncmp(err.msg, path, strlen(path)) == 0,
	   "%s: %s", what, err.msg);
	model_file_close(mf);
}

static struct model_config make_file(const char *path)
{
	struct model_config cfg = small_config();
	struct lwq_err err = { "" };
	model_file_close(model_file_create(path, &cfg, "", "", &err));
	return cfg;
}

static void test_rejections(void)
{
	const char *text = scratch_path("notes.txt");
	FILE *f = fopen(text, "w");
	fputs("this is not HDF5\n", f);
	fclose(f);
	expect_open_error(text, "not an HDF5 file", "plain text");
	expect_open_error(scratch_path("absent.h5"), "No such file", "missing file");
	expect_open_error(scratch_dir("h5"), "is a directory", "a directory");

	const char *other = scratch_path("other.h5");
	hid_t h = H5Fcreate(other, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	H5Fclose(h);
	expect_open_error(other, "not an lwq model file (no format attribute)", "bare HDF5");
	poke_root(other, "format", NULL, "something-else");
	expect_open_error(other, "not an lwq model file (format 'something-else')",
			  "HDF5 of another format (fixed-length string attribute)");

	const char *newer = scratch_path("newer.h5");
	make_file(newer);
	poke_root(newer, "format_version", (const int[]){ 2, 0 }, NULL);
	expect_open_error(newer, "format version 2.0 is newer than this lwq supports (1.x)",
			  "newer major version");
	poke_root(newer, "format_version", (const int[]){ 1, 7 }, NULL);
	struct lwq_err err = { "" };
	struct model_file *mf = model_file_open(newer, 0, &err);
	ok(mf != NULL, "a newer minor version opens");
	model_file_close(mf);

	const char *bad = scratch_path("badcfg.h5");
	make_file(bad);
	mf = model_file_open(bad, 1, &err);
	model_file_set_attr_i64(mf, "/", "num_key_value_heads", 3, &err);
	model_file_close(mf);
	expect_open_error(bad, "not a multiple", "inconsistent config");
	poke_root(bad, "hidden_size", NULL, NULL);
	expect_open_error(bad, "missing root attribute 'hidden_size'", "missing config attribute");

	struct model_config cfg = small_config();
	cfg.n_heads = 0;
	ok(model_file_create(scratch_path("zero.h5"), &cfg, "", "", &err) == NULL &&
	   access(scratch_path("zero.h5"), F_OK) != 0, "create validates the config first");
}

/* Fixtures for tests/cli/import_bad.sh: "foreign PATH" writes an HDF5 file of another
   format, "newer PATH" an lwq file claiming format version 2.0. */
static int make_fixture(const char *kind, const char *path)
{
	if (strcmp(kind, "foreign") == 0) {
		hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
		hsize_t n = 4;
		hid_t space = H5Screate_simple(1, &n, NULL);
		hid_t d = H5Dcreate2(f, "/data", H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT,
				     H5P_DEFAULT);
		H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT,
			 (const float[]){ 1, 2, 3, 4 });
		H5Dclose(d);
		H5Sclose(space);
		return H5Fclose(f) < 0;
	}
	if (strcmp(kind, "newer") == 0) {
		make_file(path);
		poke_root(path, "format_version", (const int[]){ 2, 0 }, NULL);
		return 0;
	}
	return 2;
}

/* A weight's dtype attribute that names no type, or disagrees with how the data is
   stored, makes the weight unreadable (one message) instead of misread. */
static void test_dtype_checks(void)
{
	struct model_config cfg = small_config();
	const char *path = scratch_path("dtype.h5");
	struct lwq_err err = { "" };
	struct model_file *mf = model_file_create(path, &cfg, "test", "dtype", &err);
	uint16_t bits[8] = { 0x3f80, 0x4000 };
	float values[8] = { 1, 2 };
	int64_t dims[1] = { 8 };
	int rc = mf ? model_file_write_weight(mf, "a", DT_BF16, bits, 1, dims, &err) |
		      model_file_write_weight(mf, "b", DT_F32, values, 1, dims, &err) |
		      model_file_set_attr_str(mf, "/weights/a", "dtype", "q9", &err) |
		      model_file_set_attr_str(mf, "/weights/b", "dtype", "bf16", &err) : -1;
	ok(rc == 0 && model_file_close(mf) == 0, "weights with a bad dtype attribute written");
	mf = model_file_open(path, 0, &err);
	struct tensor_info info;
	float out[8];
	ok(mf && model_file_weight_info(mf, "a", &info, &err) < 0 &&
	   strstr(err.msg, "/weights/a is not a readable weight"), "unknown dtype 'q9': %s", err.msg);
	ok(mf && model_file_read_weight_f32(mf, "b", out, 8, &err) < 0 &&
	   strstr(err.msg, "/weights/b is not a readable weight"),
	   "dtype bf16 on 4-byte floats: %s", err.msg);
	model_file_close(mf);
}

int main(int argc, char **argv)
{
	if (argc == 3)
		return make_fixture(argv[1], argv[2]);
	scratch_dir("h5");
	test_round_trip();
	test_generic();
	test_rejections();
	test_dtype_checks();
	scratch_dir_remove();
	return tap_done();
}
