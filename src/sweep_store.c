/* sweep_store.c: writes and reads the /sweeps/<order> groups of a model file. */
#include "sweep_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "score_store.h"

static const char *const array_names[4] = { "n_low", "avg_bits", "bytes", "ppl" };

static int is_rtn(const char *method)
{
	return method[0] == '\0' || strcmp(method, "rtn") == 0;
}

/* HDF5 names may not contain '/': a file order "file:a/b" is stored as "file:a_b". RTN
   curves keep the order's name; another method's are "<order>@<method>", so the curves
   of every method live side by side. */
static void group_name(const char *order, const char *method, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", SWEEPS_GROUP, order);
	for (char *p = buf + strlen(SWEEPS_GROUP) + 1; *p; p++)
		if (*p == '/')
			*p = '_';
	if (!is_rtn(method))
		snprintf(buf + strlen(buf), len - strlen(buf), "@%s", method);
}

int sweep_store_write(struct model_file *mf, const struct sweep_curve *c,
		      const struct sweep_tokens *tokens, struct lwq_err *err)
{
	char g[160], path[200];
	group_name(c->order, c->method, g, sizeof g);
	if (model_file_exists(mf, g))
		model_file_delete(mf, g);
	int64_t dims[1] = { c->n_points };
	const float *data[4] = { c->n_low, c->avg_bits, c->bytes, c->ppl };
	for (int k = 0; k < 4; k++) {
		snprintf(path, sizeof path, "%s/%s", g, array_names[k]);
		if (model_file_put_f32(mf, path, data[k], 1, dims, err) < 0)
			return -1;
	}
	snprintf(path, sizeof path, "%s/kld", g);
	if (c->kld && model_file_put_f32(mf, path, c->kld, 1, dims, err) < 0)
		return -1;
	const char *ints[6] = { "high_bits", "low_bits", "group_size", "windows", "seq_len", "offset" };
	int64_t values[6] = { c->high_bits, c->low_bits, c->group_size, tokens->windows,
			      tokens->seq_len, tokens->offset };
	for (int k = 0; k < 6; k++)
		if (model_file_set_attr_i64(mf, g, ints[k], values[k], err) < 0)
			return -1;
	if (model_file_set_attr_f64(mf, g, "baseline_ppl", c->baseline_ppl, err) < 0 ||
	    model_file_set_attr_str(mf, g, "order", c->order, err) < 0 ||
	    model_file_set_attr_str(mf, g, "method", is_rtn(c->method) ? "rtn" : c->method,
				    err) < 0 ||
	    model_file_set_attr_str(mf, g, "source", tokens->source, err) < 0)
		return -1;
	/* What the order was computed from (for lim orders, the activations). */
	char fingerprint[32];
	scores_fingerprint(mf, fingerprint, sizeof fingerprint);
	return model_file_set_attr_str(mf, g, "fingerprint", fingerprint, err);
}

int sweep_store_stale(struct model_file *mf, const char *name)
{
	char g[256], order[128] = "", stored[32], current[32];
	snprintf(g, sizeof g, "%s/%s", SWEEPS_GROUP, name);
	model_file_get_attr_str(mf, g, "order", order, sizeof order);
	if (strcmp(order, "lim") != 0 && strcmp(order, "reverse-lim") != 0)
		return 0;   /* other orders do not depend on the activations */
	/* Curves stored before the fingerprint was recorded cannot be judged: kept. */
	if (model_file_get_attr_str(mf, g, "fingerprint", stored, sizeof stored) < 0)
		return 0;
	scores_fingerprint(mf, current, sizeof current);
	return strcmp(stored, current) != 0;
}

int64_t sweep_store_points(struct model_file *mf, const char *order)
{
	char path[256];
	struct tensor_info info;
	struct lwq_err ignored = { "" };
	snprintf(path, sizeof path, "%s/%s/ppl", SWEEPS_GROUP, order);
	if (model_file_dataset_info(mf, path, &info, &ignored) != 0 || info.rank != 1 ||
	    info.count < 1)
		return 0;
	int64_t n = info.count;
	for (int k = 0; k < 4; k++) {
		snprintf(path, sizeof path, "%s/%s/%s", SWEEPS_GROUP, order, array_names[k]);
		if (model_file_dataset_info(mf, path, &info, &ignored) != 0 || info.count != n)
			return 0;
	}
	return n;
}

/* An integer attribute, also when an older writer stored it as a double; 0 when absent. */
static int64_t attr_int(struct model_file *mf, const char *path, const char *name)
{
	int64_t v = 0;
	double f;
	if (model_file_get_attr_i64(mf, path, name, &v) != 0 &&
	    model_file_get_attr_f64(mf, path, name, &f) == 0)
		v = (int64_t)f;
	return v;
}

int sweep_store_read(struct model_file *mf, const char *order, struct sweep_curve *c,
		     struct lwq_err *err)
{
	char path[256];
	float *arrays[4] = { c->n_low, c->avg_bits, c->bytes, c->ppl };
	for (int k = 0; k < 4; k++) {
		snprintf(path, sizeof path, "%s/%s/%s", SWEEPS_GROUP, order, array_names[k]);
		if (model_file_get_f32(mf, path, arrays[k], c->n_points, err) != 0)
			return -1;
	}
	/* Optional: KL divergence per point, when the sweep measured it. */
	struct tensor_info info;
	snprintf(path, sizeof path, "%s/%s/kld", SWEEPS_GROUP, order);
	if (model_file_exists(mf, path) && model_file_dataset_info(mf, path, &info, err) == 0 &&
	    info.rank == 1 && info.count == c->n_points) {
		free(c->kld);
		c->kld = malloc((size_t)c->n_points * sizeof *c->kld);
		if (!c->kld)
			return lwq_err_set(err, "out of memory");
		if (model_file_get_f32(mf, path, c->kld, c->n_points, err) != 0)
			return -1;
	}
	snprintf(path, sizeof path, "%s/%s", SWEEPS_GROUP, order);
	c->high_bits = (int)attr_int(mf, path, "high_bits");
	c->low_bits = (int)attr_int(mf, path, "low_bits");
	c->group_size = (int)attr_int(mf, path, "group_size");
	if (model_file_get_attr_f64(mf, path, "baseline_ppl", &c->baseline_ppl) != 0)
		c->baseline_ppl = 0;
	if (model_file_get_attr_str(mf, path, "method", c->method, sizeof c->method) != 0)
		snprintf(c->method, sizeof c->method, "rtn");
	return 0;
}
