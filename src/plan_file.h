/* plan_file.h: the plan JSON file (documented in man lwq, section PLAN FILE). */
#ifndef LWQ_PLAN_FILE_H
#define LWQ_PLAN_FILE_H

#include "model_config.h"
#include "plan.h"
#include "status.h"

/* Serializes a plan (with its sizes for cfg) to a malloc'd JSON string. */
char *plan_to_json(const struct bit_plan *plan, const struct model_config *cfg);
/* Parses and validates plan JSON text (messages without a file name); cfg as below. */
struct bit_plan *plan_from_json(const char *text, const struct model_config *cfg,
				struct lwq_err *err);
/* Reads and validates a plan file; checks it against cfg when cfg is not NULL
   (layer count, params). */
struct bit_plan *plan_read_file(const char *path, const struct model_config *cfg,
				struct lwq_err *err);
/* Atomic write of plan_to_json. */
int plan_write_file(const char *path, const struct bit_plan *plan,
		    const struct model_config *cfg, int overwrite, struct lwq_err *err);

#endif
