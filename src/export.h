/* export.h: writing a quantized model as an lwq HDF5 file or a GGUF file for llama.cpp. */
#ifndef LWQ_EXPORT_H
#define LWQ_EXPORT_H

#include <stdint.h>

#include "gptq_run.h"
#include "model_h5.h"
#include "plan.h"
#include "progress.h"
#include "status.h"

enum export_format { EXPORT_LWQ, EXPORT_GGUF };

/* GGUF for a name ending in .gguf, else lwq. */
enum export_format export_format_for_path(const char *path);

struct method_options;

struct export_job {
	struct model_file *src;
	const struct bit_plan *plan;   /* bits per source layer; 0 drops the layer */
	const char *plan_path;         /* for messages and provenance */
	const char *path;              /* the (temporary) file to create */
	const char *out;               /* the final name, for messages */
	const char *name;              /* GGUF general.name; NULL: the model's name */
	int f16;                       /* GGUF: every linear F16 (input for llama-quantize) */
	int embed_f32;                 /* GGUF: token_embd/output as F32 instead of F16 */
	struct progress *progress;     /* one step per layer, plus one for the rest */
	struct gptq_runner *gptq;      /* store what GPTQ computes instead of rounding: lwq
					  codes, or GGUF blocks (a runner with rc.gguf) */
	int importance;                /* gguf: fit block scales weighted by capture's
					  per-column mean x^2 (activation-aware) */
};

/* What an export produced, for the summary line. */
struct export_stats {
	int n_layers_out;
	int64_t tensor_bytes;          /* bytes of tensor data written */
	int n_fallback;                /* GGUF: linears stored in a 32-value type instead */
	int fallback_bits[9];          /* GGUF: which widths fell back */
};

/* Checks that every layer's width can be stored in the format and that the plan keeps
   at least one layer: "layer 3: the lwq format stores 2, 3, 4 or 8 bits, not 7". */
int export_check_plan(enum export_format format, const struct bit_plan *plan,
		      const struct model_config *cfg, struct lwq_err *err);

/* Number of layers the plan keeps (bits != 0); without a plan, all of them. */
int export_kept_layers(const struct bit_plan *plan, const struct model_config *cfg);

int export_lwq(const struct export_job *job, struct export_stats *stats, struct lwq_err *err);
int export_gguf(const struct export_job *job, struct export_stats *stats, struct lwq_err *err);

/* Runs the export into a temp file beside final_path and renames it into place; sets
   job->path and job->out. With catch_signals, SIGINT/SIGTERM/SIGHUP remove the temp file
   (callers that own the terminal, like the explorer, keep their own handlers). */
int export_write_file(enum export_format format, struct export_job *job, const char *final_path,
		      int overwrite, int catch_signals, struct export_stats *stats,
		      struct lwq_err *err);

/* export_write_file with the quantizer of mo, as lwq export applies it: GPTQ through its
   runner (calibration loaded, so it may fail with "run lwq capture"), the GGUF block
   scales weighted by capture's statistics unless mo->no_importance. Sets job->gptq and
   job->importance; verb and quiet are for GPTQ's warnings. */
int export_with_method(enum export_format format, struct export_job *job,
		       const struct method_options *mo, const char *verb, int quiet,
		       const char *final_path, int overwrite, int catch_signals,
		       struct export_stats *stats, struct lwq_err *err);

/* The method options that export the file a quantizer's predictions are about
   ("rtn", "gguf", "gptq", "gguf-gptq"; NULL or "" is rtn) in `format`: GPTQ onto lwq's
   grid or onto GGUF's blocks, the GGUF export's own rounding for rtn and gguf; the lwq
   format refuses the GGUF quantizers. */
int export_method_for(const char *name, enum export_format format, struct method_options *mo,
		      struct lwq_err *err);

#endif
