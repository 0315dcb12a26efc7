/* model_h5_quant.c: weights stored quantized in the lwq file (written by lwq export) and
   read back dequantized, so every reader of weights runs a quantized file unchanged. */
#include "model_h5_quant.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_h5_internal.h"
#include "quant_rtn.h"

#define QUANTIZER_NAME "rtn-asym"

static void quant_path(char *buf, size_t len, const char *name, const char *part)
{
	snprintf(buf, len, "/weights/%s%s%s", name, part ? "/" : "", part ? part : "");
}

int model_file_write_quantized(struct model_file *mf, const char *name, int bits,
			       int group_size, int64_t rows, int64_t cols, const uint8_t *packed,
			       const float *scales, const float *zeros, struct lwq_err *err)
{
	char group[512], path[512];
	int64_t dims[2] = { rows, cols / group_size };
	size_t n_bytes = (size_t)((bits * rows * cols + 7) / 8);
	quant_path(group, sizeof group, name, NULL);
	quant_path(path, sizeof path, name, "codes");
	if (model_file_put_bytes(mf, path, packed, n_bytes, err) != 0)
		return -1;
	quant_path(path, sizeof path, name, "scales");
	if (model_file_put_f16(mf, path, scales, 2, dims, err) != 0)
		return -1;
	quant_path(path, sizeof path, name, "zeros");
	if (model_file_put_f16(mf, path, zeros, 2, dims, err) != 0)
		return -1;
	if (model_file_set_attr_i64(mf, group, "bits", bits, err) != 0 ||
	    model_file_set_attr_i64(mf, group, "group_size", group_size, err) != 0 ||
	    model_file_set_attr_i64(mf, group, "rows", rows, err) != 0 ||
	    model_file_set_attr_i64(mf, group, "cols", cols, err) != 0 ||
	    model_file_set_attr_str(mf, group, "quantizer", QUANTIZER_NAME, err) != 0)
		return -1;
	return 0;
}

int quant_weight_exists(struct model_file *mf, const char *name)
{
	char path[512];
	quant_path(path, sizeof path, name, "codes");
	return model_file_exists(mf, path);
}

struct quant_shape {
	int64_t bits, group_size, rows, cols;
};

/* Reads and checks the group's attributes against each other. */
static int read_shape(struct model_file *mf, const char *name, struct quant_shape *q,
		      struct lwq_err *err)
{
	char group[512], quantizer[64] = "";
	quant_path(group, sizeof group, name, NULL);
	if (model_file_get_attr_i64(mf, group, "bits", &q->bits) != 0 ||
	    model_file_get_attr_i64(mf, group, "group_size", &q->group_size) != 0 ||
	    model_file_get_attr_i64(mf, group, "rows", &q->rows) != 0 ||
	    model_file_get_attr_i64(mf, group, "cols", &q->cols) != 0)
		return lwq_err_set(err, "%s: %s lacks its bits/group_size/rows/cols attributes",
				   model_file_path(mf), group);
	model_file_get_attr_str(mf, group, "quantizer", quantizer, sizeof quantizer);
	if (strcmp(quantizer, QUANTIZER_NAME) != 0)
		return lwq_err_set(err, "%s: %s is quantized with '%s'; lwq reads %s",
				   model_file_path(mf), group, quantizer, QUANTIZER_NAME);
	if (q->bits < 1 || q->bits > 8 || q->rows <= 0 || q->cols <= 0 || q->group_size <= 0 ||
	    q->cols % q->group_size != 0 || q->rows > (INT64_C(1) << 40) / q->cols)
		return lwq_err_set(err, "%s: %s has inconsistent attributes (bits %lld, group %lld, "
				   "%lld x %lld)", model_file_path(mf), group, (long long)q->bits,
				   (long long)q->group_size, (long long)q->rows, (long long)q->cols);
	return 0;
}

int quant_weight_info(struct model_file *mf, const char *name, struct tensor_info *info,
		      struct lwq_err *err)
{
	struct quant_shape q;
	if (read_shape(mf, name, &q, err) != 0)
		return -1;
	memset(info, 0, sizeof *info);
	info->dtype = DT_F32;
	info->rank = 2;
	info->dims[0] = q.rows;
	info->dims[1] = q.cols;
	info->count = q.rows * q.cols;
	return 0;
}

int model_file_weight_bits(struct model_file *mf, const char *name)
{
	struct quant_shape q;
	char path[512];
	if (quant_weight_exists(mf, name))
		return read_shape(mf, name, &q, NULL) == 0 ? (int)q.bits : -1;
	quant_path(path, sizeof path, name, NULL);
	return model_file_exists(mf, path) ? 0 : -1;
}

/* Codes, scales and zeros, checked to have exactly the sizes the attributes imply. */
static int read_parts(struct model_file *mf, const char *name, const struct quant_shape *q,
		      uint8_t *codes, float *scales, float *zeros, struct lwq_err *err)
{
	char path[512];
	char *packed = NULL;
	size_t n_packed = 0;
	int64_t n = q->rows * q->cols, n_groups = q->rows * (q->cols / q->group_size);
	quant_path(path, sizeof path, name, "codes");
	if (model_file_get_bytes(mf, path, &packed, &n_packed, err) != 0)
		return -1;
	if (n_packed != (size_t)((q->bits * n + 7) / 8)) {
		free(packed);
		return lwq_err_set(err, "%s: %s holds %zu bytes, expected %lld", model_file_path(mf),
				   path, n_packed, (long long)((q->bits * n + 7) / 8));
	}
	unpack_codes((const uint8_t *)packed, (size_t)n, (int)q->bits, codes);
	free(packed);
	quant_path(path, sizeof path, name, "scales");
	if (model_file_get_f32(mf, path, scales, n_groups, err) != 0)
		return -1;
	quant_path(path, sizeof path, name, "zeros");
	return model_file_get_f32(mf, path, zeros, n_groups, err);
}

int quant_weight_read_f32(struct model_file *mf, const char *name, float *dst,
			  int64_t count, struct lwq_err *err)
{
	struct quant_shape q;
	if (read_shape(mf, name, &q, err) != 0)
		return -1;
	if (q.rows * q.cols != count)
		return lwq_err_set(err, "%s: /weights/%s holds %lld values, expected %lld",
				   model_file_path(mf), name, (long long)(q.rows * q.cols),
				   (long long)count);
	int64_t n_groups = q.rows * (q.cols / q.group_size);
	uint8_t *codes = malloc((size_t)count);
	float *scales = malloc((size_t)n_groups * sizeof *scales);
	float *zeros = malloc((size_t)n_groups * sizeof *zeros);
	int rc = -1;
	if (!codes || !scales || !zeros)
		lwq_err_set(err, "%s: out of memory reading /weights/%s", model_file_path(mf), name);
	else if (read_parts(mf, name, &q, codes, scales, zeros, err) == 0) {
		rtn_dequantize(codes, scales, zeros, q.rows, q.cols, (int)q.group_size, dst);
		rc = 0;
	}
	free(codes);
	free(scales);
	free(zeros);
	return rc;
}

struct attr_copy {
	hid_t dst;
	int failed;
};

/* Copies one attribute unless dst already has one of that name. The value goes through
   memory in the attribute's native type; variable-length strings are reclaimed after. */
static herr_t copy_one_attr(hid_t obj, const char *name, const H5A_info_t *ainfo, void *op)
{
	struct attr_copy *c = op;
	(void)ainfo;
	if (H5Aexists(c->dst, name) > 0)
		return 0;
	hid_t attr = H5Aopen(obj, name, H5P_DEFAULT);
	hid_t ftype = H5Aget_type(attr), space = H5Aget_space(attr);
	if (H5Tis_variable_str(ftype) > 0) {
		/* an older file's string: read without trusting its heap, stored fixed-length */
		H5Tclose(ftype);
		H5Sclose(space);
		H5Aclose(attr);
		enum { VALUE_MAX = 65536 };
		char *value = malloc(VALUE_MAX);
		if (!value || h5_attr_get_str(obj, name, value, VALUE_MAX) != 0 ||
		    h5_attr_put_str(c->dst, name, value) != 0)
			c->failed = 1;
		free(value);
		return c->failed ? -1 : 0;
	}
	hid_t mtype = H5Tget_native_type(ftype, H5T_DIR_ASCEND);
	hssize_t n = H5Sget_simple_extent_npoints(space);
	size_t size = H5Tget_size(mtype);
	void *buf = n >= 0 && size > 0 ? calloc((size_t)(n ? n : 1), size) : NULL;
	hid_t out = -1;
	if (!buf || H5Aread(attr, mtype, buf) < 0) {
		c->failed = 1;
	} else {
		out = H5Acreate2(c->dst, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
		if (out < 0 || H5Awrite(out, mtype, buf) < 0)
			c->failed = 1;
		if (H5Tdetect_class(mtype, H5T_VLEN) > 0 || H5Tis_variable_str(mtype) > 0)
			H5Dvlen_reclaim(mtype, space, H5P_DEFAULT, buf);
	}
	if (out >= 0)
		H5Aclose(out);
	free(buf);
	H5Tclose(mtype);
	H5Tclose(ftype);
	H5Sclose(space);
	H5Aclose(attr);
	return c->failed ? -1 : 0;
}

int model_file_copy_attrs(struct model_file *src, const char *from_path,
			  struct model_file *dst, const char *to_path, struct lwq_err *err)
{
	if (!dst->writable)
		return lwq_err_set(err, "%s: opened read-only, cannot write %s", dst->path, to_path);
	hid_t from = H5Oopen(src->file, from_path, H5P_DEFAULT);
	hid_t to = H5Oopen(dst->file, to_path, H5P_DEFAULT);
	struct attr_copy c = { to, from < 0 || to < 0 };
	if (!c.failed && H5Aiterate2(from, H5_INDEX_NAME, H5_ITER_INC, NULL, copy_one_attr, &c) < 0)
		c.failed = 1;
	if (from >= 0)
		H5Oclose(from);
	if (to >= 0)
		H5Oclose(to);
	return c.failed ? lwq_err_set(err, "%s: cannot copy the attributes of %s", dst->path,
				      to_path) : 0;
}

void model_file_no_exit_cleanup(void)
{
	H5dont_atexit();
}

int model_file_mark_quantized(struct model_file *mf, struct lwq_err *err)
{
	static const int version[2] = { LWQ_FORMAT_MAJOR, LWQ_FORMAT_MINOR_QUANTIZED };
	hid_t root = H5Gopen2(mf->file, "/", H5P_DEFAULT);
	int rc = root < 0 || h5_attr_put_int_array(root, "format_version", version, 2) != 0 ||
		 h5_attr_put_i64(root, "quantized", 1) != 0;
	if (root >= 0)
		H5Gclose(root);
	return rc ? lwq_err_set(err, "%s: cannot mark the file as quantized", mf->path) : 0;
}
