/* model_h5.c: the lwq HDF5 model file (see man/lwq-format.5): root attributes and weights. */
#include "model_h5_internal.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_read.h"
#include "model_h5_quant.h"

char *weight_name(char *buf, size_t len, int layer, const char *tensor)
{
	snprintf(buf, len, "layers/%03d/%s", layer, tensor);
	return buf;
}

/* ---- the model_config <-> root attribute table ---- */

enum field_kind { FIELD_INT, FIELD_F64, FIELD_STR };

/* Each model_config field is stored under its Hugging Face config.json name. Optional
   fields take `fallback` when a file lacks them (files from older minor versions). */
struct config_field {
	const char *attr;
	enum field_kind kind;
	size_t offset;
	size_t size;
	int required;
	double fallback;
};

#define FIELD(name, kind, member, req, dflt) \
	{ name, kind, offsetof(struct model_config, member), \
	  sizeof(((struct model_config *)0)->member), req, dflt }

static const struct config_field config_fields[] = {
	FIELD("architecture", FIELD_STR, architecture, 1, 0),
	FIELD("num_hidden_layers", FIELD_INT, n_layers, 1, 0),
	FIELD("hidden_size", FIELD_INT, hidden, 1, 0),
	FIELD("intermediate_size", FIELD_INT, intermediate, 1, 0),
	FIELD("num_attention_heads", FIELD_INT, n_heads, 1, 0),
	FIELD("num_key_value_heads", FIELD_INT, n_kv_heads, 1, 0),
	FIELD("head_dim", FIELD_INT, head_dim, 1, 0),
	FIELD("vocab_size", FIELD_INT, vocab, 1, 0),
	FIELD("max_position_embeddings", FIELD_INT, max_seq_len, 0, 0),
	FIELD("rope_theta", FIELD_F64, rope_theta, 1, 0),
	FIELD("rope_scaling_type", FIELD_STR, rope_scaling, 0, 0),
	FIELD("rope_scaling_factor", FIELD_F64, rope_factor, 0, 1),
	FIELD("rope_low_freq_factor", FIELD_F64, rope_low_freq_factor, 0, 1),
	FIELD("rope_high_freq_factor", FIELD_F64, rope_high_freq_factor, 0, 4),
	FIELD("rope_original_max_position_embeddings", FIELD_INT, rope_original_max_pos, 0, 0),
	FIELD("rms_norm_eps", FIELD_F64, norm_eps, 1, 0),
	FIELD("tie_word_embeddings", FIELD_INT, tied_embeddings, 1, 0),
	FIELD("qkv_bias", FIELD_INT, qkv_bias, 0, 0),
	FIELD("qk_norm", FIELD_INT, qk_norm, 0, 0),
	FIELD("sliding_window", FIELD_INT, sliding_window, 0, 0),
	FIELD("bos_token_id", FIELD_INT, bos_id, 0, -1),
	FIELD("eos_token_id", FIELD_INT, eos_id, 0, -1),
};
#define N_CONFIG_FIELDS (sizeof config_fields / sizeof config_fields[0])

static int write_config_attrs(hid_t root, const struct model_config *cfg)
{
	const char *base = (const char *)cfg;
	for (size_t i = 0; i < N_CONFIG_FIELDS; i++) {
		const struct config_field *f = &config_fields[i];
		const void *p = base + f->offset;
		int rc;
		if (f->kind == FIELD_INT)
			rc = h5_attr_put_i64(root, f->attr, *(const int *)p);
		else if (f->kind == FIELD_F64)
			rc = h5_attr_put_f64(root, f->attr, *(const double *)p);
		else
			rc = h5_attr_put_str(root, f->attr, *(const char *)p ? p : "none");
		if (rc)
			return -1;
	}
	return 0;
}

/* Fills cfg from the root attributes; names the first missing required one. */
static int read_config_attrs(hid_t root, struct model_config *cfg, const char *path,
			     struct lwq_err *err)
{
	char *base = (char *)cfg;
	memset(cfg, 0, sizeof *cfg);
	for (size_t i = 0; i < N_CONFIG_FIELDS; i++) {
		const struct config_field *f = &config_fields[i];
		void *p = base + f->offset;
		int64_t iv;
		double dv;
		int rc;
		if (f->kind == FIELD_INT) {
			rc = h5_attr_get_i64(root, f->attr, &iv);
			if (rc == 0 && (iv < -2147483647 || iv > 2147483647))
				return lwq_err_set(err, "%s: root attribute %s = %lld is out of range",
						   path, f->attr, (long long)iv);
			*(int *)p = rc == 0 ? (int)iv : (int)f->fallback;
		} else if (f->kind == FIELD_F64) {
			rc = h5_attr_get_f64(root, f->attr, &dv);
			*(double *)p = rc == 0 ? dv : f->fallback;
		} else {
			rc = h5_attr_get_str(root, f->attr, p, f->size);
			if (rc != 0)
				snprintf(p, f->size, "none");
		}
		/* an optional field's fallback is for files without it, not for a damaged one */
		if (rc != 0 && H5Aexists(root, f->attr) > 0)
			return lwq_err_set(err, "%s: root attribute '%s' is damaged or of the wrong "
					   "type", path, f->attr);
		if (rc != 0 && f->required)
			return lwq_err_set(err, "%s: missing root attribute '%s'", path, f->attr);
	}
	return 0;
}

/* ---- creating ---- */

/* The handle before its HDF5 file is created or opened. */
static struct model_file *model_file_alloc(const char *path, int writable, struct lwq_err *err)
{
	struct model_file *mf = calloc(1, sizeof *mf);
	if (!mf) {
		lwq_err_set(err, "%s: out of memory", path);
		return NULL;
	}
	snprintf(mf->path, sizeof mf->path, "%s", path);
	mf->writable = writable;
	return mf;
}

struct model_file *model_file_create(const char *path, const struct model_config *cfg,
				     const char *source, const char *model_name,
				     struct lwq_err *err)
{
	h5_quiet();
	if (model_config_validate(cfg, err) != 0) {
		lwq_err_prefix(err, path);
		return NULL;
	}
	struct model_file *mf = model_file_alloc(path, 1, err);
	if (!mf)
		return NULL;
	snprintf(mf->source, sizeof mf->source, "%s", source ? source : "");
	snprintf(mf->model_name, sizeof mf->model_name, "%s", model_name ? model_name : "");
	mf->cfg = *cfg;
	mf->version[0] = LWQ_FORMAT_MAJOR;
	mf->version[1] = LWQ_FORMAT_MINOR;
	/* The 1.10 file format indexes chunks with compact fixed arrays instead of B-trees
	   (about 1.5 MB less for a 24-layer model); any HDF5 >= 1.10 reads it. */
	hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
	H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110);
	mf->file = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, fapl);
	H5Pclose(fapl);
	if (mf->file < 0) {
		lwq_err_set(err, "%s: cannot create HDF5 file (exists, or directory not writable)",
			    path);
		free(mf);
		return NULL;
	}
	static const int version[2] = { LWQ_FORMAT_MAJOR, LWQ_FORMAT_MINOR };
	hid_t root = H5Gopen2(mf->file, "/", H5P_DEFAULT);
	int rc = h5_attr_put_str(root, "format", LWQ_FORMAT_NAME) |
		 h5_attr_put_int_array(root, "format_version", version, 2) |
		 h5_attr_put_str(root, "source", mf->source) |
		 h5_attr_put_str(root, "model_name", mf->model_name) |
		 h5_attr_put_str(root, "lwq_version", PACKAGE_VERSION) |
		 write_config_attrs(root, cfg);
	H5Gclose(root);
	hid_t weights = H5Gcreate2(mf->file, "/weights", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	if (weights >= 0)
		H5Gclose(weights);
	if (rc != 0 || weights < 0) {
		lwq_err_set(err, "%s: cannot write the root attributes", path);
		model_file_close(mf);
		return NULL;
	}
	return mf;
}

hid_t dtype_file_type(enum dtype dt)
{
	return dt == DT_F32 ? H5T_IEEE_F32LE : H5T_STD_U16LE;
}

static hid_t dtype_mem_type(enum dtype dt)
{
	return dt == DT_F32 ? H5T_NATIVE_FLOAT : H5T_NATIVE_UINT16;
}

int model_file_write_weight(struct model_file *mf, const char *name, enum dtype dt,
			    const void *data, int rank, const int64_t *dims,
			    struct lwq_err *err)
{
	char path[512];
	snprintf(path, sizeof path, "/weights/%s", name);
	if (!mf->writable)
		return lwq_err_set(err, "%s: opened read-only, cannot write %s", mf->path, path);
	if (dt < 0 || dt >= DT_COUNT)
		return lwq_err_set(err, "%s: bad dtype for %s", mf->path, path);
	if (h5_write_dataset(mf->file, path, dtype_file_type(dt), dtype_mem_type(dt), data,
			     rank, dims) != 0)
		return lwq_err_set(err, "%s: cannot write %s (disk full?)", mf->path, path);
	return model_file_set_attr_str(mf, path, "dtype", dtype_name(dt), err);
}

/* ---- opening ---- */

/* The checks that give a one-line reason why a file is not an lwq model of our version. */
static int check_format(hid_t root, const char *path, int version[2], struct lwq_err *err)
{
	char format[64];
	if (h5_attr_get_str(root, "format", format, sizeof format) != 0)
		return lwq_err_set(err, "%s: not an lwq model file (no format attribute)", path);
	if (strcmp(format, LWQ_FORMAT_NAME) != 0)
		return lwq_err_set(err, "%s: not an lwq model file (format '%s')", path, format);
	if (h5_attr_get_int_array(root, "format_version", version, 2) != 0)
		return lwq_err_set(err, "%s: no readable format_version attribute", path);
	if (version[0] > LWQ_FORMAT_MAJOR)
		return lwq_err_set(err, "%s: format version %d.%d is newer than this lwq "
				   "supports (%d.x)", path, version[0], version[1], LWQ_FORMAT_MAJOR);
	if (version[0] < 1)
		return lwq_err_set(err, "%s: format version %d.%d is not valid", path,
				   version[0], version[1]);
	return 0;
}

static int check_openable(const char *path, int writable, struct lwq_err *err)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return lwq_err_set(err, "%s: cannot open: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return lwq_err_set(err, "%s: is a directory, not a model file", path);
	if (access(path, writable ? R_OK | W_OK : R_OK) != 0)
		return lwq_err_set(err, "%s: cannot open%s: %s", path,
				   writable ? " for writing" : "", strerror(errno));
	if (H5Fis_hdf5(path) <= 0) {
		const char *foreign = foreign_model_hint(path);
		return foreign ? lwq_err_set(err, "%s: not an lwq model file but %s", path, foreign)
			       : lwq_err_set(err, "%s: not an HDF5 file", path);
	}
	return 0;
}

/* HDF5 1.10 (superblock version 3) sets a status flag in the superblock while a file is
   open for writing and clears it on close; a writer that dies leaves it set, and the
   library then refuses every open. The superblock sits at 0, 512, 1024, ... (after any
   user block): signature, version, two size bytes, then the flags byte. */
static int marked_open_by_writer(const char *path)
{
	static const unsigned char signature[8] = { 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n' };
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	int marked = 0;
	unsigned char sb[12];
	for (long at = 0; at <= (1L << 30); at = at ? at * 2 : 512) {
		if (fseek(f, at, SEEK_SET) != 0 || fread(sb, 1, sizeof sb, f) != sizeof sb)
			break;
		if (memcmp(sb, signature, sizeof signature) == 0) {
			marked = sb[8] >= 3 && (sb[11] & 0x05);   /* write or SWMR-write access */
			break;
		}
	}
	fclose(f);
	return marked;
}

/* The path as a shell word, for advice the user can paste. */
static const char *shell_word(const char *path, char *buf, size_t len)
{
	if (strspn(path, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
			 "_./+-,:@%=") == strlen(path) && path[0] != '-')
		return path;
	if (strchr(path, '\'') || snprintf(buf, len, "'%s'", path) >= (int)len)
		return path;
	return buf;
}

static void explain_open_failure(const char *path, struct lwq_err *err)
{
	char word[4200];
	if (marked_open_by_writer(path))
		lwq_err_set(err, "%s: marked as in use by a writer (another lwq running, or one that "
			    "was killed); if none is running, clear it with: h5clear -s %s", path,
			    shell_word(path, word, sizeof word));
	else
		lwq_err_set(err, "%s: cannot open HDF5 file (damaged, or in use by another "
			    "process)", path);
}

struct model_file *model_file_open(const char *path, int writable, struct lwq_err *err)
{
	h5_quiet();
	if (check_openable(path, writable, err) != 0)
		return NULL;
	struct model_file *mf = model_file_alloc(path, writable, err);
	if (!mf)
		return NULL;
	mf->file = H5Fopen(path, writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT);
	if (mf->file < 0) {
		explain_open_failure(path, err);
		free(mf);
		return NULL;
	}
	hid_t root = H5Gopen2(mf->file, "/", H5P_DEFAULT);
	int rc = check_format(root, path, mf->version, err);
	if (rc == 0)
		rc = read_config_attrs(root, &mf->cfg, path, err);
	if (rc == 0 && model_config_validate(&mf->cfg, err) != 0)
		rc = lwq_err_prefix(err, path);
	if (rc == 0)
		rc = model_file_check_link_sources(mf, err);
	if (rc == 0) {
		h5_attr_get_str(root, "source", mf->source, sizeof mf->source);
		h5_attr_get_str(root, "model_name", mf->model_name, sizeof mf->model_name);
	}
	H5Gclose(root);
	if (rc != 0) {
		model_file_close(mf);
		return NULL;
	}
	return mf;
}

int model_file_close(struct model_file *mf)
{
	if (!mf)
		return 0;
	/* The final flush happens here: a writer must not trust its file if this fails. */
	int rc = mf->file >= 0 && H5Fclose(mf->file) < 0 ? -1 : 0;
	free(mf);
	return rc;
}

int model_file_flush(struct model_file *mf, struct lwq_err *err)
{
	if (mf->writable && H5Fflush(mf->file, H5F_SCOPE_GLOBAL) < 0)
		return lwq_err_set(err, "%s: cannot write to disk (disk full or file size limit)", mf->path);
	return 0;
}

const struct model_config *model_file_config(const struct model_file *mf)
{
	return &mf->cfg;
}

const char *model_file_path(const struct model_file *mf)
{
	return mf->path;
}

void model_file_set_display_path(struct model_file *mf, const char *path)
{
	snprintf(mf->path, sizeof mf->path, "%s", path);
}

void model_file_format_version(const struct model_file *mf, int *major, int *minor)
{
	*major = mf->version[0];
	*minor = mf->version[1];
}

const char *model_file_source(const struct model_file *mf)
{
	return mf->source;
}

const char *model_file_model_name(const struct model_file *mf)
{
	return mf->model_name;
}

/* ---- reading weights ---- */

/* Opens /weights/<name> as a plain dataset. This is the one place that decides how a
   weight is stored: a quantized weight (a group holding codes/scales/zeros) would be
   recognized here and handled by its own reader. */
static hid_t open_weight(struct model_file *mf, const char *name, struct tensor_info *info,
			 struct lwq_err *err)
{
	char path[512];
	snprintf(path, sizeof path, "/weights/%s", name);
	if (!h5_path_exists(mf->file, path)) {
		lwq_err_set(err, "%s: no weight %s", mf->path, path);
		return -1;
	}
	H5O_info_t oinfo;
	if (H5Oget_info_by_name(mf->file, path, &oinfo, H5P_DEFAULT) < 0) {
		lwq_err_set(err, "%s: cannot inspect %s", mf->path, path);
		return -1;
	}
	if (oinfo.type == H5O_TYPE_GROUP) {
		lwq_err_set(err, "%s: %s is stored quantized (a group); this reader needs a "
			    "plain dataset", mf->path, path);
		return -1;
	}
	hid_t dset = H5Dopen2(mf->file, path, H5P_DEFAULT);
	if (dset < 0 || h5_dataset_shape(dset, info) != 0) {
		if (dset >= 0)
			H5Dclose(dset);
		lwq_err_set(err, "%s: %s is not a readable weight", mf->path, path);
		return -1;
	}
	return dset;
}

int model_file_weight_info(struct model_file *mf, const char *name,
			   struct tensor_info *info, struct lwq_err *err)
{
	if (quant_weight_exists(mf, name))
		return quant_weight_info(mf, name, info, err);
	hid_t dset = open_weight(mf, name, info, err);
	if (dset < 0)
		return -1;
	H5Dclose(dset);
	return 0;
}

int model_file_read_weight_f32(struct model_file *mf, const char *name, float *dst,
			       int64_t count, struct lwq_err *err)
{
	if (quant_weight_exists(mf, name))
		return quant_weight_read_f32(mf, name, dst, count, err);
	struct tensor_info info;
	hid_t dset = open_weight(mf, name, &info, err);
	if (dset < 0)
		return -1;
	int rc = -1;
	if (info.count != count)
		lwq_err_set(err, "%s: /weights/%s holds %lld values, expected %lld", mf->path,
			    name, (long long)info.count, (long long)count);
	else if (h5_read_f32(dset, &info, H5S_ALL, H5S_ALL, dst, count) != 0)
		lwq_err_set(err, "%s: cannot read /weights/%s (damaged file?)", mf->path, name);
	else
		rc = 0;
	H5Dclose(dset);
	return rc;
}

int model_file_read_weight_raw(struct model_file *mf, const char *name, void *dst,
			       size_t bytes, struct lwq_err *err)
{
	struct tensor_info info;
	hid_t dset = open_weight(mf, name, &info, err);
	if (dset < 0)
		return -1;
	size_t want = (size_t)info.count * dtype_size(info.dtype);
	int rc = -1;
	if (bytes != want)
		lwq_err_set(err, "%s: /weights/%s holds %zu bytes, expected %zu", mf->path, name,
			    want, bytes);
	else if (H5Dread(dset, dtype_mem_type(info.dtype), H5S_ALL, H5S_ALL, H5P_DEFAULT,
			 dst) < 0)
		lwq_err_set(err, "%s: cannot read /weights/%s (damaged file?)", mf->path, name);
	else
		rc = 0;
	H5Dclose(dset);
	return rc;
}
