/* test_stale_results.c: after capture --force replaces the activations, the scores and
   the lim sweep computed from the old ones are marked stale (lwq info, the explorer), and
   the explorer ranks layers by the LIM lwq plan uses, not the stored one. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "explorer_load.h"
#include "model_h5.h"
#include "score_store.h"
#include "scratch_dir.h"
#include "tap.h"

static const char *model, *ids;

static int lwq(const char *args)
{
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "'%s' %s >/dev/null 2>&1", getenv("LWQ"), args);
	return system(cmd);
}

/* The LIM lwq plan ranks by: the cached scores when current, else recomputed. */
static float *plan_lim(void)
{
	struct lwq_err err = { "" };
	struct model_file *mf = model_file_open(model, 0, &err);
	struct score_request req = { .skip_zd = 1 };
	struct layer_scores *s = mf ? scores_get(mf, &req, &err) : NULL;
	float *lim = s && s->lim ? malloc((size_t)s->n_layers * sizeof *lim) : NULL;
	if (lim)
		memcpy(lim, s->lim, (size_t)s->n_layers * sizeof *lim);
	layer_scores_free(s);
	model_file_close(mf);
	return lim;
}

static int same_lim(const float *a, const float *b, int n)
{
	for (int i = 0; i < n; i++)
		if (fabsf(a[i] - b[i]) > 1e-6f * fmaxf(1.0f, fabsf(b[i])))
			return 0;
	return 1;
}

static int has_sweep(const struct explorer_data *d, const char *order)
{
	for (int i = 0; i < d->n_sweeps; i++)
		if (strcmp(d->sweeps[i].order, order) == 0)
			return 1;
	return 0;
}

int main(void)
{
	const char *shared = getenv("SHARED_DATA");
	static char dir[4096], ids_path[4200], cmd[8192];
	snprintf(dir, sizeof dir, "%s/models/lwq-demo-16L", shared ? shared : "../shared/data");
	snprintf(ids_path, sizeof ids_path, "%s/heldout.ids.i32", dir);
	if (!getenv("LWQ") || access(ids_path, R_OK) != 0)
		tap_skip_all("needs $LWQ and ../shared/data");
	scratch_dir("stale");
	model = scratch_path("m.h5");
	ids = ids_path;
	snprintf(cmd, sizeof cmd, "-q import '%s' -o '%s'", dir, model);
	int rc = lwq(cmd);
	snprintf(cmd, sizeof cmd, "capture '%s' --ids '%s' --windows 2 --seq-len 64", model, ids);
	rc |= lwq(cmd);
	snprintf(cmd, sizeof cmd, "score '%s'", model);
	rc |= lwq(cmd);
	snprintf(cmd, sizeof cmd, "sweep '%s' --ids '%s' --windows 1 --seq-len 64 --orders lim,zd",
		 model, ids);
	rc |= lwq(cmd);
	ok(rc == 0, "import, capture at offset 0, score, sweep lim and zd");

	struct lwq_err err = { "" };
	struct explorer_data *d = explorer_load(model, &err);
	float *before = plan_lim();
	ok(d && before && d->lim && same_lim(d->lim, before, d->n_layers) &&
	   !strstr(d->missing, "stale") && has_sweep(d, "lim"),
	   "fresh: the explorer's LIM is lwq plan's, nothing stale, the lim sweep shown");
	explorer_data_free(d);

	snprintf(cmd, sizeof cmd, "capture '%s' --force --ids '%s' --windows 2 --seq-len 64 "
		 "--offset 4096", model, ids);
	ok(lwq(cmd) == 0, "capture --force at another offset");
	snprintf(cmd, sizeof cmd, "'%s' info '%s' | grep -q '^stale  *scores, sweeps/lim '",
		 getenv("LWQ"), model);
	ok(system(cmd) == 0, "lwq info lists the scores and the lim sweep as stale (not zd)");

	d = explorer_load(model, &err);
	float *after = plan_lim();
	ok(after && !same_lim(after, before, 16), "lwq plan's LIM changed with the activations");
	ok(d && d->lim && after && same_lim(d->lim, after, d->n_layers),
	   "the explorer ranks by that new LIM, not the stored one");
	ok(d && strstr(d->missing, "stale scores") && strstr(d->missing, "sweep lim is stale"),
	   "the explorer says the scores and the lim sweep are stale: %s", d ? d->missing : "");
	ok(d && !has_sweep(d, "lim") && has_sweep(d, "zd"),
	   "the stale lim curve is not drawn; the zd curve (no activations involved) is");
	explorer_data_free(d);

	snprintf(cmd, sizeof cmd, "score '%s'", model);
	ok(lwq(cmd) == 0, "lwq score again");
	d = explorer_load(model, &err);
	ok(d && d->lim && same_lim(d->lim, after, d->n_layers) && !strstr(d->missing, "stale scores"),
	   "the scores are current again");
	explorer_data_free(d);
	snprintf(cmd, sizeof cmd, "'%s' info '%s' | grep -q '^stale  *sweeps/lim '",
		 getenv("LWQ"), model);
	ok(system(cmd) == 0, "only the lim sweep stays stale until it is swept again");
	free(before);
	free(after);
	scratch_dir_remove();
	return tap_done();
}
