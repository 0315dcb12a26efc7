/* model_h5_internal.h: what model_h5.c and model_h5_data.c share (not for other modules). */
#ifndef LWQ_MODEL_H5_INTERNAL_H
#define LWQ_MODEL_H5_INTERNAL_H

#include <hdf5.h>

#include "model_h5.h"

struct model_file {
	hid_t file;
	int writable;
	char path[4096];
	struct model_config cfg;
	char source[256];
	char model_name[256];
	int version[2];            /* format_version as read (or written) */
};

/* Turns off HDF5's own error stack printing, so failures surface as one lwq line. */
void h5_quiet(void);

/* 1 when every component of the absolute path exists. */
int h5_path_exists(hid_t file, const char *path);

/* Creates the dataset at path (replacing an existing one, creating parent groups),
   chunked along the first dimension in pieces of about 1 MiB. Returns the id or < 0. */
hid_t h5_create_dataset(hid_t file, const char *path, hid_t file_type, int rank,
			const int64_t *dims);
/* Writes a whole dataset in one call and closes it; 0 or -1. */
int h5_write_dataset(hid_t file, const char *path, hid_t file_type, hid_t mem_type,
		     const void *data, int rank, const int64_t *dims);

/* Scalar attributes on an open object; an existing attribute is replaced. */
int h5_attr_put_str(hid_t obj, const char *name, const char *value);
int h5_attr_put_i64(hid_t obj, const char *name, int64_t value);
int h5_attr_put_f64(hid_t obj, const char *name, double value);
int h5_attr_put_int_array(hid_t obj, const char *name, const int *values, int n);
/* -1 when absent or of the wrong kind. Strings may be fixed or variable length; one
   that is not UTF-8 text (control bytes other than tab and newline) is -1 too. On -1,
   buf holds "". */
int h5_attr_get_str(hid_t obj, const char *name, char *buf, size_t len);
int h5_attr_get_i64(hid_t obj, const char *name, int64_t *value);
int h5_attr_get_f64(hid_t obj, const char *name, double *value);
/* A scalar variable-length string attribute, read as mem (a C string type of variable
   size) in a child process so a damaged heap cannot crash the caller; -1 when the read
   failed or died. */
int h5_attr_read_vlen_str(hid_t attr, hid_t mem, char *buf, size_t len);
/* The same attribute from the file's variable-length strings, all read by one child per
   file (model_h5_vlen_cache.c); -1 when it is not among them. */
int h5_vlen_cache_lookup(hid_t attr, char *buf, size_t len);
/* Reads exactly n ints; -1 when absent or of another length. */
int h5_attr_get_int_array(hid_t obj, const char *name, int *values, int n);

/* The HDF5 type a weight of dtype dt is stored as (f16/bf16 as little-endian uint16). */
hid_t dtype_file_type(enum dtype dt);

/* Shape of an open dataset plus its storage dtype (attr "dtype"; f32 when absent). */
int h5_dataset_shape(hid_t dset, struct tensor_info *info);
/* Reads a whole open dataset as f32: f16/bf16 bit patterns are converted, other
   numeric types go through HDF5's conversion. count must equal the dataset's size. */
int h5_read_f32(hid_t dset, const struct tensor_info *info, hid_t file_space,
		hid_t mem_space, float *dst, int64_t count);

#endif
