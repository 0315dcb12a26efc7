/* plan_emit.h: a plan in other tools' terms (llama-quantize args, GPTQModel dynamic, CSV). */
#ifndef LWQ_PLAN_EMIT_H
#define LWQ_PLAN_EMIT_H

#include "model_config.h"
#include "plan.h"

/* Formats: "json", "csv", "llama-quantize", "gptqmodel". Returns a malloc'd string or
   NULL with err set when the format is unknown. */
char *plan_emit(const char *format, const struct bit_plan *plan,
		const struct model_config *cfg, struct lwq_err *err);
/* plan_emit; the llama-quantize command also passes `--imatrix PATH` when imatrix is
   not NULL (an importance matrix lwq export --imatrix-out wrote). */
char *plan_emit_imatrix(const char *format, const struct bit_plan *plan,
			const struct model_config *cfg, const char *imatrix, struct lwq_err *err);

#endif
