/* model_h5_data.c: generic datasets, attributes and listings inside an lwq model file. */
#include "model_h5_internal.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define CHUNK_BYTES (1 << 20)

void h5_quiet(void)
{
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

int h5_path_exists(hid_t file, const char *path)
{
	char prefix[4096];
	size_t len = strlen(path);
	if (len >= sizeof prefix || path[0] != '/')
		return 0;
	if (len == 1)
		return 1;
	/* H5Lexists fails (rather than answering 0) when a parent is missing, so walk down. */
	for (size_t i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		memcpy(prefix, path, i);
		prefix[i] = '\0';
		if (H5Lexists(file, prefix, H5P_DEFAULT) <= 0)
			return 0;
	}
	return 1;
}

static int64_t product(int rank, const int64_t *dims)
{
	int64_t n = 1;
	for (int i = 0; i < rank; i++)
		n *= dims[i];
	return n;
}

hid_t h5_create_dataset(hid_t file, const char *path, hid_t file_type, int rank,
			const int64_t *dims)
{
	hsize_t shape[4], chunk[4];
	if (rank < 1 || rank > 4)
		return -1;
	for (int i = 0; i < rank; i++) {
		if (dims[i] < 0)
			return -1;
		shape[i] = chunk[i] = (hsize_t)dims[i];
	}
	if (h5_path_exists(file, path) && H5Ldelete(file, path, H5P_DEFAULT) < 0)
		return -1;
	hid_t space = H5Screate_simple(rank, shape, NULL);
	hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
	hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
	H5Pset_create_intermediate_group(lcpl, 1);
	H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER);
	/* Chunks of whole rows: one tensor, or a band of rows, reads without touching others.
	   Rows are split evenly so the last chunk is not mostly padding. */
	int64_t row_bytes = (int64_t)H5Tget_size(file_type) * product(rank - 1, dims + 1);
	if (product(rank, dims) > 0) {
		int64_t n_chunks = (dims[0] * row_bytes + CHUNK_BYTES - 1) / CHUNK_BYTES;
		chunk[0] = (hsize_t)((dims[0] + n_chunks - 1) / n_chunks);
		H5Pset_chunk(dcpl, rank, chunk);
		/* A checksum per chunk: a damaged byte in a weight is a read error, not a
		   silently different model. */
		H5Pset_fletcher32(dcpl);
	}
	hid_t dset = H5Dcreate2(file, path, file_type, space, lcpl, dcpl, H5P_DEFAULT);
	H5Pclose(dcpl);
	H5Pclose(lcpl);
	H5Sclose(space);
	return dset;
}

int h5_write_dataset(hid_t file, const char *path, hid_t file_type, hid_t mem_type,
		     const void *data, int rank, const int64_t *dims)
{
	hid_t dset = h5_create_dataset(file, path, file_type, rank, dims);
	if (dset < 0)
		return -1;
	herr_t rc = 0;
	if (product(rank, dims) > 0)
		rc = H5Dwrite(dset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
	H5Dclose(dset);
	return rc < 0 ? -1 : 0;
}

/* ---- attributes ---- */

static int attr_put(hid_t obj, const char *name, hid_t file_type, hid_t mem_type,
		    hid_t space, const void *value)
{
	if (H5Aexists(obj, name) > 0 && H5Adelete(obj, name) < 0)
		return -1;
	hid_t attr = H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT);
	if (attr < 0)
		return -1;
	herr_t rc = H5Awrite(attr, mem_type, value);
	H5Aclose(attr);
	return rc < 0 ? -1 : 0;
}

static int attr_put_scalar(hid_t obj, const char *name, hid_t file_type, hid_t mem_type,
			   const void *value)
{
	hid_t space = H5Screate(H5S_SCALAR);
	int rc = attr_put(obj, name, file_type, mem_type, space, value);
	H5Sclose(space);
	return rc;
}

int h5_attr_put_str(hid_t obj, const char *name, const char *value)
{
	/* Fixed-length, NUL-terminated UTF-8: stored in the attribute itself. Variable-length
	   strings live in HDF5's global heap, whose reader overruns its buffers on a damaged
	   file; files that have them are still read. */
	hid_t type = H5Tcopy(H5T_C_S1);
	H5Tset_size(type, strlen(value) + 1);
	H5Tset_strpad(type, H5T_STR_NULLTERM);
	H5Tset_cset(type, H5T_CSET_UTF8);
	int rc = attr_put_scalar(obj, name, type, type, value);
	H5Tclose(type);
	return rc;
}

int h5_attr_put_i64(hid_t obj, const char *name, int64_t value)
{
	return attr_put_scalar(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

int h5_attr_put_f64(hid_t obj, const char *name, double value)
{
	return attr_put_scalar(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

int h5_attr_put_int_array(hid_t obj, const char *name, const int *values, int n)
{
	hsize_t dim = (hsize_t)n;
	hid_t space = H5Screate_simple(1, &dim, NULL);
	int rc = attr_put(obj, name, H5T_STD_I32LE, H5T_NATIVE_INT, space, values);
	H5Sclose(space);
	return rc;
}

/* Opens attribute `name` if it exists and holds exactly `n` elements. */
static hid_t attr_open_sized(hid_t obj, const char *name, hssize_t n)
{
	if (H5Aexists(obj, name) <= 0)
		return -1;
	hid_t attr = H5Aopen(obj, name, H5P_DEFAULT);
	if (attr < 0)
		return -1;
	hid_t space = H5Aget_space(attr);
	hssize_t points = H5Sget_simple_extent_npoints(space);
	H5Sclose(space);
	if (points != n) {
		H5Aclose(attr);
		return -1;
	}
	return attr;
}

/* No string attribute lwq writes comes near this; a damaged size must not allocate. */
#define ATTR_STR_MAX ((size_t)1 << 20)

/* Text lwq could have written: valid UTF-8 without control characters but tab and
   newline. A damaged string fails here rather than in whoever prints or compares it.
   A character cut by a full buffer (of len bytes) is dropped. */
static int is_text(char *s, size_t len)
{
	size_t used = strlen(s);
	utf8proc_uint8_t *p = (utf8proc_uint8_t *)s;
	while (*p) {
		utf8proc_int32_t c;
		utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);
		if (n <= 0 && used + 1 == len && (size_t)(p - (utf8proc_uint8_t *)s) + 4 > used) {
			*p = '\0';
			return 1;
		}
		if (n <= 0 || (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
			return 0;
		p += n;
	}
	return 1;
}

int h5_attr_get_str(hid_t obj, const char *name, char *buf, size_t len)
{
	hid_t attr = attr_open_sized(obj, name, 1);
	if (attr < 0)
		return -1;
	hid_t type = H5Aget_type(attr);
	int rc = -1;
	if (H5Tget_class(type) == H5T_STRING && len > 0) {
		hid_t mem = H5Tcopy(H5T_C_S1);
		/* HDF5 converts no character sets, so read in the one the file used. */
		H5Tset_cset(mem, H5Tget_cset(type));
		if (H5Tis_variable_str(type) > 0) {
			H5Tset_size(mem, H5T_VARIABLE);
			rc = h5_vlen_cache_lookup(attr, buf, len) == 0 ? 0
			   : h5_attr_read_vlen_str(attr, mem, buf, len);
		} else if (H5Tget_size(type) <= ATTR_STR_MAX) {
			size_t size = H5Tget_size(type) + 1;
			char *s = calloc(size, 1);
			H5Tset_size(mem, size);
			if (s && H5Aread(attr, mem, s) >= 0) {
				snprintf(buf, len, "%s", s);
				rc = 0;
			}
			free(s);
		}
		H5Tclose(mem);
	}
	H5Tclose(type);
	H5Aclose(attr);
	if (rc == 0 && is_text(buf, len))
		return 0;
	if (len > 0)
		buf[0] = '\0';      /* callers that fall back to a default print no garbage */
	return -1;
}

/* Reads n numeric values, converted by HDF5 to mem_type. */
static int attr_get_numeric(hid_t obj, const char *name, hid_t mem_type, void *value, int n)
{
	hid_t attr = attr_open_sized(obj, name, n);
	if (attr < 0)
		return -1;
	hid_t type = H5Aget_type(attr);
	H5T_class_t cls = H5Tget_class(type);
	int rc = -1;
	if ((cls == H5T_INTEGER || cls == H5T_FLOAT) && H5Aread(attr, mem_type, value) >= 0)
		rc = 0;
	H5Tclose(type);
	H5Aclose(attr);
	return rc;
}

int h5_attr_get_i64(hid_t obj, const char *name, int64_t *value)
{
	return attr_get_numeric(obj, name, H5T_NATIVE_INT64, value, 1);
}

int h5_attr_get_f64(hid_t obj, const char *name, double *value)
{
	return attr_get_numeric(obj, name, H5T_NATIVE_DOUBLE, value, 1);
}

int h5_attr_get_int_array(hid_t obj, const char *name, int *values, int n)
{
	return attr_get_numeric(obj, name, H5T_NATIVE_INT, values, n);
}

/* ---- dataset shapes and f32 reads ---- */

/* The file type agrees with the dtype attribute: f32 is a 4-byte float, f16 and bf16
   2-byte integers holding the bits. Datasets without the attribute (activations,
   scores) may be any numeric type HDF5 converts. */
static int stored_type_matches(hid_t dset, enum dtype dt)
{
	if (H5Aexists(dset, "dtype") <= 0)
		return 1;
	hid_t type = H5Dget_type(dset);
	if (type < 0)
		return 0;
	H5T_class_t cls = H5Tget_class(type);
	size_t size = H5Tget_size(type);
	H5Tclose(type);
	return dt == DT_F32 ? cls == H5T_FLOAT && size == 4 : cls == H5T_INTEGER && size == 2;
}

int h5_dataset_shape(hid_t dset, struct tensor_info *info)
{
	hsize_t dims[8];
	hid_t space = H5Dget_space(dset);
	int rank = H5Sget_simple_extent_ndims(space);
	if (rank < 0 || rank > 4 || H5Sget_simple_extent_dims(space, dims, NULL) < 0) {
		H5Sclose(space);
		return -1;
	}
	H5Sclose(space);
	memset(info, 0, sizeof *info);
	info->rank = rank;
	info->count = 1;
	for (int i = 0; i < rank; i++) {
		/* A damaged size must not overflow the count or ask for absurd buffers. */
		if (dims[i] > ((hsize_t)1 << 40) ||
		    (dims[i] > 0 && (uint64_t)info->count > ((uint64_t)1 << 40) / dims[i]))
			return -1;
		info->dims[i] = (int64_t)dims[i];
		info->count *= info->dims[i];
	}
	char name[16];
	int dt = DT_F32;
	if (H5Aexists(dset, "dtype") > 0 &&
	    (h5_attr_get_str(dset, "dtype", name, sizeof name) != 0 ||
	     (dt = dtype_from_name(name)) < 0))
		return -1;   /* a weight whose storage type cannot be told */
	info->dtype = (enum dtype)dt;
	return stored_type_matches(dset, info->dtype) ? 0 : -1;
}

int h5_read_f32(hid_t dset, const struct tensor_info *info, hid_t file_space,
		hid_t mem_space, float *dst, int64_t count)
{
	if (info->dtype == DT_F32)
		return H5Dread(dset, H5T_NATIVE_FLOAT, mem_space, file_space, H5P_DEFAULT,
			       dst) < 0 ? -1 : 0;
	/* Half types are stored as their raw 16-bit patterns; widen them here. */
	uint16_t *bits = malloc((size_t)(count > 0 ? count : 1) * sizeof *bits);
	if (!bits)
		return -1;
	int rc = -1;
	if (H5Dread(dset, H5T_NATIVE_UINT16, mem_space, file_space, H5P_DEFAULT, bits) >= 0) {
		convert_to_f32(info->dtype, bits, dst, (size_t)count);
		rc = 0;
	}
	free(bits);
	return rc;
}

/* ---- the public generic interface ---- */

int model_file_exists(struct model_file *mf, const char *path)
{
	return h5_path_exists(mf->file, path);
}

int model_file_delete(struct model_file *mf, const char *path)
{
	if (!h5_path_exists(mf->file, path) || strcmp(path, "/") == 0)
		return -1;
	return H5Ldelete(mf->file, path, H5P_DEFAULT) < 0 ? -1 : 0;
}

static int put(struct model_file *mf, const char *path, hid_t file_type, hid_t mem_type,
	       const void *data, int rank, const int64_t *dims, struct lwq_err *err)
{
	if (!mf->writable)
		return lwq_err_set(err, "%s: opened read-only, cannot write %s", mf->path, path);
	if (h5_write_dataset(mf->file, path, file_type, mem_type, data, rank, dims) != 0)
		return lwq_err_set(err, "%s: cannot write %s (disk full?)", mf->path, path);
	return 0;
}

int model_file_put_f32(struct model_file *mf, const char *path, const float *data,
		       int rank, const int64_t *dims, struct lwq_err *err)
{
	return put(mf, path, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, data, rank, dims, err);
}

int model_file_put_f16(struct model_file *mf, const char *path, const float *data,
		       int rank, const int64_t *dims, struct lwq_err *err)
{
	int64_t n = rank >= 1 && rank <= 4 ? product(rank, dims) : 0;
	uint16_t *bits = malloc((size_t)(n > 0 ? n : 1) * sizeof *bits);
	if (!bits)
		return lwq_err_set(err, "%s: out of memory writing %s", mf->path, path);
	for (int64_t i = 0; i < n; i++)
		bits[i] = f32_to_f16(data[i]);
	int rc = put(mf, path, H5T_STD_U16LE, H5T_NATIVE_UINT16, bits, rank, dims, err);
	free(bits);
	if (rc == 0)
		rc = model_file_set_attr_str(mf, path, "dtype", "f16", err);
	return rc;
}

int model_file_put_i32(struct model_file *mf, const char *path, const int32_t *data,
		       int rank, const int64_t *dims, struct lwq_err *err)
{
	return put(mf, path, H5T_STD_I32LE, H5T_NATIVE_INT32, data, rank, dims, err);
}

int model_file_put_bytes(struct model_file *mf, const char *path, const void *data,
			 size_t n, struct lwq_err *err)
{
	int64_t dim = (int64_t)n;
	return put(mf, path, H5T_STD_U8LE, H5T_NATIVE_UINT8, data, 1, &dim, err);
}

static hid_t open_dataset(struct model_file *mf, const char *path, struct tensor_info *info,
			  struct lwq_err *err)
{
	if (!h5_path_exists(mf->file, path)) {
		lwq_err_set(err, "%s: no dataset %s", mf->path, path);
		return -1;
	}
	hid_t dset = H5Dopen2(mf->file, path, H5P_DEFAULT);
	if (dset < 0 || h5_dataset_shape(dset, info) != 0) {
		if (dset >= 0)
			H5Dclose(dset);
		lwq_err_set(err, "%s: %s is not a readable dataset", mf->path, path);
		return -1;
	}
	return dset;
}

int model_file_dataset_info(struct model_file *mf, const char *path,
			    struct tensor_info *info, struct lwq_err *err)
{
	hid_t dset = open_dataset(mf, path, info, err);
	if (dset < 0)
		return -1;
	H5Dclose(dset);
	return 0;
}

/* Opens path and checks that it holds exactly `count` values. */
static hid_t open_sized(struct model_file *mf, const char *path, struct tensor_info *info,
			int64_t count, struct lwq_err *err)
{
	hid_t dset = open_dataset(mf, path, info, err);
	if (dset >= 0 && info->count != count) {
		H5Dclose(dset);
		lwq_err_set(err, "%s: %s holds %lld values, expected %lld", mf->path, path,
			    (long long)info->count, (long long)count);
		return -1;
	}
	return dset;
}

int model_file_get_f32(struct model_file *mf, const char *path, float *dst, int64_t count,
		       struct lwq_err *err)
{
	struct tensor_info info;
	hid_t dset = open_sized(mf, path, &info, count, err);
	if (dset < 0)
		return -1;
	int rc = h5_read_f32(dset, &info, H5S_ALL, H5S_ALL, dst, count);
	H5Dclose(dset);
	return rc ? lwq_err_set(err, "%s: cannot read %s (damaged file?)", mf->path, path) : 0;
}

int model_file_get_i32(struct model_file *mf, const char *path, int32_t *dst, int64_t count,
		       struct lwq_err *err)
{
	struct tensor_info info;
	hid_t dset = open_sized(mf, path, &info, count, err);
	if (dset < 0)
		return -1;
	herr_t rc = H5Dread(dset, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, dst);
	H5Dclose(dset);
	return rc < 0 ? lwq_err_set(err, "%s: cannot read %s as integers", mf->path, path) : 0;
}

int model_file_get_f32_rows(struct model_file *mf, const char *path, int64_t row0,
			    int64_t nrows, float *dst, struct lwq_err *err)
{
	struct tensor_info info;
	hid_t dset = open_dataset(mf, path, &info, err);
	if (dset < 0)
		return -1;
	if (info.rank < 2 || row0 < 0 || nrows < 0 || row0 + nrows > info.dims[0]) {
		H5Dclose(dset);
		return lwq_err_set(err, "%s: rows [%lld, %lld) outside %s", mf->path,
				   (long long)row0, (long long)(row0 + nrows), path);
	}
	hsize_t start[4] = { (hsize_t)row0 }, size[4] = { (hsize_t)nrows };
	for (int i = 1; i < info.rank; i++)
		size[i] = (hsize_t)info.dims[i];
	hid_t file_space = H5Dget_space(dset);
	hid_t mem_space = H5Screate_simple(info.rank, size, NULL);
	H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, NULL, size, NULL);
	int64_t count = nrows * (info.dims[0] ? info.count / info.dims[0] : 0);
	int rc = count == 0 ? 0 : h5_read_f32(dset, &info, file_space, mem_space, dst, count);
	H5Sclose(mem_space);
	H5Sclose(file_space);
	H5Dclose(dset);
	return rc ? lwq_err_set(err, "%s: cannot read rows of %s (damaged file?)", mf->path, path) : 0;
}

int model_file_get_bytes(struct model_file *mf, const char *path, char **out, size_t *n,
			 struct lwq_err *err)
{
	struct tensor_info info;
	hid_t dset = open_dataset(mf, path, &info, err);
	if (dset < 0)
		return -1;
	char *buf = info.rank == 1 ? malloc((size_t)info.count + 1) : NULL;
	if (!buf || (info.count > 0 && H5Dread(dset, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL,
					       H5P_DEFAULT, buf) < 0)) {
		free(buf);
		H5Dclose(dset);
		return lwq_err_set(err, "%s: cannot read %s as bytes", mf->path, path);
	}
	H5Dclose(dset);
	buf[info.count] = '\0';
	*out = buf;
	*n = (size_t)info.count;
	return 0;
}

/* ---- attributes on any object ---- */

/* Opens the object at path; when `create` is set, a missing path becomes a group. */
static hid_t open_object(struct model_file *mf, const char *path, int create)
{
	if (h5_path_exists(mf->file, path))
		return H5Oopen(mf->file, path, H5P_DEFAULT);
	if (!create)
		return -1;
	hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
	H5Pset_create_intermediate_group(lcpl, 1);
	hid_t group = H5Gcreate2(mf->file, path, lcpl, H5P_DEFAULT, H5P_DEFAULT);
	H5Pclose(lcpl);
	return group;
}

enum attr_kind { ATTR_STR, ATTR_F64, ATTR_I64 };

static int set_attr(struct model_file *mf, const char *path, const char *name,
		    enum attr_kind kind, const void *value, struct lwq_err *err)
{
	if (!mf->writable)
		return lwq_err_set(err, "%s: opened read-only, cannot set %s on %s", mf->path,
				   name, path);
	hid_t obj = open_object(mf, path, 1);
	if (obj < 0)
		return lwq_err_set(err, "%s: cannot create %s", mf->path, path);
	int rc = kind == ATTR_STR ? h5_attr_put_str(obj, name, value)
	       : kind == ATTR_F64 ? h5_attr_put_f64(obj, name, *(const double *)value)
	       : h5_attr_put_i64(obj, name, *(const int64_t *)value);
	H5Oclose(obj);
	return rc ? lwq_err_set(err, "%s: cannot set attribute %s on %s", mf->path, name, path)
		  : 0;
}

int model_file_set_attr_str(struct model_file *mf, const char *path, const char *name,
			    const char *value, struct lwq_err *err)
{
	return set_attr(mf, path, name, ATTR_STR, value, err);
}

int model_file_set_attr_f64(struct model_file *mf, const char *path, const char *name,
			    double value, struct lwq_err *err)
{
	return set_attr(mf, path, name, ATTR_F64, &value, err);
}

int model_file_set_attr_i64(struct model_file *mf, const char *path, const char *name,
			    int64_t value, struct lwq_err *err)
{
	return set_attr(mf, path, name, ATTR_I64, &value, err);
}

static int get_attr(struct model_file *mf, const char *path, const char *name,
		    enum attr_kind kind, void *value, size_t len)
{
	hid_t obj = open_object(mf, path, 0);
	if (obj < 0)
		return -1;
	int rc = kind == ATTR_STR ? h5_attr_get_str(obj, name, value, len)
	       : kind == ATTR_F64 ? h5_attr_get_f64(obj, name, value)
	       : h5_attr_get_i64(obj, name, value);
	H5Oclose(obj);
	return rc;
}

int model_file_get_attr_str(struct model_file *mf, const char *path, const char *name,
			    char *buf, size_t len)
{
	return get_attr(mf, path, name, ATTR_STR, buf, len);
}

int model_file_get_attr_f64(struct model_file *mf, const char *path, const char *name,
			    double *value)
{
	return get_attr(mf, path, name, ATTR_F64, value, 0);
}

int model_file_get_attr_i64(struct model_file *mf, const char *path, const char *name,
			    int64_t *value)
{
	return get_attr(mf, path, name, ATTR_I64, value, 0);
}

/* ---- listing ---- */

struct name_list {
	char **names;
	int n, cap;
};

static herr_t collect_name(hid_t group, const char *name, const H5L_info_t *info, void *op)
{
	struct name_list *list = op;
	if (list->n == list->cap) {
		int cap = list->cap ? 2 * list->cap : 16;
		char **grown = realloc(list->names, (size_t)cap * sizeof *grown);
		if (!grown)
			return -1;
		list->names = grown;
		list->cap = cap;
	}
	list->names[list->n] = strdup(name);
	return list->names[list->n++] ? 0 : -1;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int model_file_list(struct model_file *mf, const char *path, char ***names)
{
	*names = NULL;
	if (!h5_path_exists(mf->file, path))
		return -1;
	hid_t group = H5Gopen2(mf->file, path, H5P_DEFAULT);
	if (group < 0)
		return -1;
	struct name_list list = { 0 };
	herr_t rc = H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, NULL, collect_name, &list);
	H5Gclose(group);
	if (rc < 0) {
		model_file_free_names(list.names, list.n);
		return -1;
	}
	qsort(list.names, (size_t)list.n, sizeof *list.names, compare_names);
	*names = list.names;
	return list.n;
}

void model_file_free_names(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
