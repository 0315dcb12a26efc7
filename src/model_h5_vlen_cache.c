/* model_h5_vlen_cache.c: every variable-length string attribute of an older model file,
 * read by one forked child per file instead of one per attribute.
 *
 * The isolation of model_h5_vlen.c costs a fork per read, and a run reads each weight's
 * dtype once per pass. So the first read in a file forks one child that visits the whole
 * file and sends back every such attribute it could read; later reads are looked up.
 * A child that dies half-way (a damaged heap) leaves what it sent before; what is
 * missing is read one attribute at a time, as before. Keyed by the file's identity, so a
 * file replaced or changed on disk is read again. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model_h5_internal.h"

#define PREFETCH_SECONDS 30

struct vlen_file {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	char *records;             /* "PATH\nNAME\0VALUE\0" ... */
	size_t len;
};
static struct vlen_file cache;

/* The open file's identity through its descriptor (the default sec2 driver). */
static int file_identity(hid_t obj, struct stat *st)
{
	hid_t file = H5Iget_file_id(obj);
	void *handle = NULL;
	int rc = file >= 0 && H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) >= 0 && handle &&
		 fstat(*(int *)handle, st) == 0 ? 0 : -1;
	if (file >= 0)
		H5Fclose(file);
	return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t put = write(fd, p, n);
		if (put <= 0)
			return -1;
		p += put;
		n -= (size_t)put;
	}
	return 0;
}

/* Where the child is: the object's path as H5Iget_name gives it, and the pipe. */
struct visit {
	char path[4096];
	int out;
};

static herr_t send_attr(hid_t obj, const char *name, const H5A_info_t *info, void *op)
{
	const struct visit *v = op;
	const char *path = v->path;
	int out = v->out;
	(void)info;
	hid_t attr = H5Aopen(obj, name, H5P_DEFAULT), type = H5Aget_type(attr);
	if (H5Tis_variable_str(type) > 0) {
		hid_t mem = H5Tcopy(H5T_C_S1);
		H5Tset_size(mem, H5T_VARIABLE);
		H5Tset_cset(mem, H5Tget_cset(type));
		char *s = NULL;
		if (H5Aread(attr, mem, &s) >= 0 && s &&
		    (write_all(out, path, strlen(path)) < 0 || write_all(out, "\n", 1) < 0 ||
		     write_all(out, name, strlen(name) + 1) < 0 || write_all(out, s, strlen(s) + 1) < 0))
			_exit(1);
		H5Tclose(mem);
	}
	H5Tclose(type);
	H5Aclose(attr);
	return 0;
}

static herr_t visit_object(hid_t file, const char *name, const H5O_info_t *info, void *op)
{
	struct visit *v = op;
	(void)info;
	int n = snprintf(v->path, sizeof v->path, "/%s", strcmp(name, ".") ? name : "");
	hid_t obj = n > 0 && (size_t)n < sizeof v->path ? H5Oopen(file, name, H5P_DEFAULT) : -1;
	if (obj >= 0) {
		H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, send_attr, v);
		H5Oclose(obj);
	}
	return 0;
}

/* In the child: every variable-length string attribute of the file, as records. */
static void child_visit(hid_t obj, int out)
{
	int null = open("/dev/null", O_WRONLY);
	if (null >= 0)
		dup2(null, STDERR_FILENO);
	alarm(PREFETCH_SECONDS);
	static struct visit v;     /* static: the path buffer is big */
	v.out = out;
	H5Ovisit2(H5Iget_file_id(obj), H5_INDEX_NAME, H5_ITER_NATIVE, visit_object, &v,
		  H5O_INFO_BASIC);
	_exit(0);
}

/* Reads the child's records to EOF; keeps the whole records of a child that died. */
static void prefetch(hid_t obj, const struct stat *st)
{
	free(cache.records);
	memset(&cache, 0, sizeof cache);
	cache.dev = st->st_dev;
	cache.ino = st->st_ino;
	cache.size = st->st_size;
	cache.mtime = st->st_mtim;
	int fds[2];
	if (pipe(fds) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child_visit(obj, fds[1]);
	}
	close(fds[1]);
	size_t cap = 0;
	for (;;) {
		if (pid < 0)
			break;
		if (cache.len + 4096 > cap) {
			char *more = realloc(cache.records, cap = 2 * cap + 65536);
			if (!more)
				break;
			cache.records = more;
		}
		ssize_t got = read(fds[0], cache.records + cache.len, cap - cache.len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		cache.len += (size_t)got;
	}
	close(fds[0]);
	while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	/* a record cut short by a dying child is dropped: end after the last whole one */
	size_t whole = 0, at = 0;
	int nuls = 0;
	for (; at < cache.len; at++)
		if (cache.records[at] == '\0' && ++nuls % 2 == 0)
			whole = at + 1;
	cache.len = whole;
}

int h5_vlen_cache_lookup(hid_t attr, char *buf, size_t len)
{
	struct stat st;
	char path[4096], name[1024];
	if (file_identity(attr, &st) < 0 || H5Iget_name(attr, path, sizeof path) <= 0 ||
	    H5Aget_name(attr, sizeof name, name) <= 0)
		return -1;
	if (!cache.records || cache.dev != st.st_dev || cache.ino != st.st_ino ||
	    cache.size != st.st_size || cache.mtime.tv_sec != st.st_mtim.tv_sec ||
	    cache.mtime.tv_nsec != st.st_mtim.tv_nsec)
		prefetch(attr, &st);
	size_t path_len = strlen(path);
	for (size_t at = 0; at < cache.len;) {
		const char *key = cache.records + at, *value = key + strlen(key) + 1;
		if (strncmp(key, path, path_len) == 0 && key[path_len] == '\n' &&
		    strcmp(key + path_len + 1, name) == 0) {
			snprintf(buf, len, "%s", value);
			return 0;
		}
		at = (size_t)(value - cache.records) + strlen(value) + 1;
	}
	return -1;
}
