/* model_h5_link.c: weights kept in the source's files (lwq import --link): HDF5 external
   storage at the tensors' byte offsets, and the size and mtime check that guards it. */
#include "model_h5_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LINK_GROUP "/linked_sources"

int model_file_link_weight(struct model_file *mf, const char *name, enum dtype dt, int rank,
			   const int64_t *dims, const char *file, uint64_t offset,
			   uint64_t bytes, struct lwq_err *err)
{
	char path[512];
	snprintf(path, sizeof path, "/weights/%s", name);
	if (!mf->writable)
		return lwq_err_set(err, "%s: opened read-only, cannot write %s", mf->path, path);
	if (dt < 0 || dt >= DT_COUNT || rank < 1 || rank > 4)
		return lwq_err_set(err, "%s: bad dtype or rank for %s", mf->path, path);
	hsize_t shape[4];
	uint64_t count = 1;
	for (int i = 0; i < rank; i++) {
		shape[i] = (hsize_t)dims[i];
		count *= (uint64_t)dims[i];
	}
	/* External storage is raw bytes in the dataset's file type: the little-endian words
	   safetensors stores are exactly that, so nothing is converted or copied. */
	if (count * H5Tget_size(dtype_file_type(dt)) != bytes)
		return lwq_err_set(err, "%s: %s: tensor %s is %llu bytes, its shape needs %llu",
				   mf->path, file, name, (unsigned long long)bytes,
				   (unsigned long long)(count * H5Tget_size(dtype_file_type(dt))));
	hid_t space = H5Screate_simple(rank, shape, NULL);
	hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
	hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
	H5Pset_create_intermediate_group(lcpl, 1);
	H5Pset_layout(dcpl, H5D_CONTIGUOUS);
	H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER);
	herr_t rc = H5Pset_external(dcpl, file, (off_t)offset, (hsize_t)bytes);
	hid_t dset = rc < 0 ? -1 : H5Dcreate2(mf->file, path, dtype_file_type(dt), space, lcpl,
					      dcpl, H5P_DEFAULT);
	H5Pclose(dcpl);
	H5Pclose(lcpl);
	H5Sclose(space);
	if (dset < 0)
		return lwq_err_set(err, "%s: cannot link %s to %s", mf->path, path, file);
	H5Dclose(dset);
	return model_file_set_attr_str(mf, path, "dtype", dtype_name(dt), err);
}

static int64_t mtime_ns(const struct stat *sb)
{
	return (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
}

int model_file_record_link_source(struct model_file *mf, const char *file,
				  struct lwq_err *err)
{
	struct stat sb;
	if (stat(file, &sb) != 0)
		return lwq_err_set(err, "%s: cannot stat: %s", file, strerror(errno));
	char path[64];
	int n = model_file_link_sources(mf);
	snprintf(path, sizeof path, LINK_GROUP "/%03d", n < 0 ? 0 : n);
	if (model_file_set_attr_str(mf, path, "path", file, err) != 0 ||
	    model_file_set_attr_i64(mf, path, "size", (int64_t)sb.st_size, err) != 0 ||
	    model_file_set_attr_i64(mf, path, "mtime_ns", mtime_ns(&sb), err) != 0)
		return -1;
	return 0;
}

int model_file_link_sources(struct model_file *mf)
{
	char **names;
	int n = model_file_list(mf, LINK_GROUP, &names);
	if (n < 0)
		return 0;
	model_file_free_names(names, n);
	return n;
}

/* Checks one recorded source against the file on disk now. */
static int check_source(struct model_file *mf, const char *entry, struct lwq_err *err)
{
	char group[64], file[PATH_MAX];
	int64_t size, mtime;
	snprintf(group, sizeof group, LINK_GROUP "/%s", entry);
	if (model_file_get_attr_str(mf, group, "path", file, sizeof file) != 0 ||
	    model_file_get_attr_i64(mf, group, "size", &size) != 0 ||
	    model_file_get_attr_i64(mf, group, "mtime_ns", &mtime) != 0)
		return lwq_err_set(err, "%s: %s lacks path, size or mtime_ns", mf->path, group);
	struct stat sb;
	if (stat(file, &sb) != 0)
		return lwq_err_set(err, "%s: %s (its weights are linked from there by import "
				   "--link; put the file back or import again)", file,
				   strerror(errno));
	char what[96] = "";
	if ((int64_t)sb.st_size != size)
		snprintf(what, sizeof what, "size now %lld bytes, was %lld", (long long)sb.st_size,
			 (long long)size);
	else if (mtime_ns(&sb) != mtime)
		snprintf(what, sizeof what, "modification time differs from the recorded one");
	if (what[0])
		return lwq_err_set(err, "%s: changed since %s was imported with --link (%s); "
				   "import again", file, mf->path, what);
	return 0;
}

int model_file_check_link_sources(struct model_file *mf, struct lwq_err *err)
{
	char **names;
	int n = model_file_list(mf, LINK_GROUP, &names);
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++)
		rc = check_source(mf, names[i], err);
	if (n > 0)
		model_file_free_names(names, n);
	return rc;
}
