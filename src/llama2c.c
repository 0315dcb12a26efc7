/* llama2c.c: llama2.c checkpoints, mapped onto the Hugging Face Llama layout. */
#include "llama2c.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_read.h"

/* The f32 arrays of a checkpoint, in file order. Per-layer arrays hold all layers
   back to back. */
enum l2c_array {
	A_EMBED, A_RMS_ATT, A_WQ, A_WK, A_WV, A_WO, A_RMS_FFN, A_W1, A_W2, A_W3,
	A_RMS_FINAL, A_FREQ_REAL, A_FREQ_IMAG, A_WCLS, A_COUNT
};

struct llama2c {
	int fd;
	char path[4096];
	struct model_config cfg;
	int seq_len;
	int shared_classifier;
	uint64_t offset[A_COUNT];   /* byte offset of each array */
	uint64_t per_layer[A_COUNT]; /* values per layer (0 for global arrays) */
};

/* The version 1/2 exporters start with this magic ("ak42"); only the legacy layout is read. */
#define LLAMA2C_MAGIC 0x616b3432

static int read_header(struct llama2c *l, int32_t h[7], struct lwq_err *err)
{
	ssize_t got = pread(l->fd, h, 7 * sizeof(int32_t), 0);
	if (got != 7 * (ssize_t)sizeof(int32_t))
		return lwq_err_set(err, "%s: too short for a llama2.c checkpoint", l->path);
	if (h[0] == LLAMA2C_MAGIC)
		return lwq_err_set(err, "%s: llama2.c export version %d is not supported "
				   "(only the legacy version 0 layout)", l->path, h[1]);
	return 0;
}

static void fill_config(struct llama2c *l, const int32_t h[7])
{
	struct model_config *c = &l->cfg;
	memset(c, 0, sizeof *c);
	snprintf(c->architecture, sizeof c->architecture, "LlamaForCausalLM");
	c->hidden = h[0];
	c->intermediate = h[1];
	c->n_layers = h[2];
	c->n_heads = h[3];
	c->n_kv_heads = h[4];
	/* A negative vocab size is llama2.c's flag for an unshared classifier. */
	l->shared_classifier = h[5] > 0;
	/* INT32_MIN has no positive counterpart: leave it negative for validation to reject. */
	c->vocab = h[5] < 0 && h[5] != INT32_MIN ? -h[5] : h[5];
	l->seq_len = h[6];
	c->max_seq_len = h[6];
	c->head_dim = h[3] > 0 ? h[0] / h[3] : 0;
	c->rope_theta = 10000.0;
	snprintf(c->rope_scaling, sizeof c->rope_scaling, "none");
	c->rope_factor = 1.0;
	c->rope_low_freq_factor = 1.0;
	c->rope_high_freq_factor = 4.0;
	c->norm_eps = 1e-5;
	c->tied_embeddings = l->shared_classifier;
	c->bos_id = 1;
	c->eos_id = 2;
}

/* Lays out the arrays and returns the total size the header implies. */
static uint64_t plan_offsets(struct llama2c *l)
{
	const struct model_config *c = &l->cfg;
	uint64_t dim = (uint64_t)c->hidden, hid = (uint64_t)c->intermediate;
	uint64_t kv_dim = (uint64_t)c->n_kv_heads * (uint64_t)c->head_dim;
	uint64_t q_dim = (uint64_t)c->n_heads * (uint64_t)c->head_dim;
	uint64_t layers = (uint64_t)c->n_layers;
	uint64_t half_rope = (uint64_t)l->seq_len * (uint64_t)c->head_dim / 2;
	const uint64_t values[A_COUNT] = {
		[A_EMBED] = (uint64_t)c->vocab * dim, [A_RMS_ATT] = dim, [A_WQ] = q_dim * dim,
		[A_WK] = kv_dim * dim, [A_WV] = kv_dim * dim, [A_WO] = dim * q_dim,
		[A_RMS_FFN] = dim, [A_W1] = hid * dim, [A_W2] = dim * hid, [A_W3] = hid * dim,
		[A_RMS_FINAL] = dim, [A_FREQ_REAL] = half_rope, [A_FREQ_IMAG] = half_rope,
		[A_WCLS] = l->shared_classifier ? 0 : (uint64_t)c->vocab * dim,
	};
	uint64_t pos = 7 * sizeof(int32_t);
	for (int a = 0; a < A_COUNT; a++) {
		int layered = a >= A_RMS_ATT && a <= A_W3;
		l->per_layer[a] = layered ? values[a] : 0;
		l->offset[a] = pos;
		pos += values[a] * (layered ? layers : 1) * sizeof(float);
	}
	return pos;
}

struct llama2c *llama2c_open(const char *path, struct lwq_err *err)
{
	struct llama2c *l = calloc(1, sizeof *l);
	if (!l) {
		lwq_err_set(err, "%s: out of memory", path);
		return NULL;
	}
	snprintf(l->path, sizeof l->path, "%s", path);
	l->fd = open(path, O_RDONLY);
	struct stat st;
	int32_t h[7];
	if (l->fd < 0 || fstat(l->fd, &st) != 0) {
		lwq_err_set(err, "%s: cannot open: %s", path, strerror(errno));
		llama2c_close(l);
		return NULL;
	}
	if (read_header(l, h, err) != 0)
		goto fail;
	fill_config(l, h);
	if (h[0] <= 0 || h[3] <= 0 || h[0] % h[3] != 0 || h[6] <= 0 || h[6] > (1 << 24)) {
		lwq_err_set(err, "%s: not a llama2.c checkpoint (header dim %d, heads %d, "
			    "seq_len %d)", path, h[0], h[3], h[6]);
		goto fail;
	}
	if (model_config_validate(&l->cfg, err) != 0) {
		lwq_err_prefix(err, path);
		goto fail;
	}
	uint64_t want = plan_offsets(l);
	if ((uint64_t)st.st_size != want) {
		lwq_err_set(err, "%s: file is %llu bytes but its header (dim %d, hidden %d, "
			    "%d layers, %d heads, %d kv heads, vocab %d, seq_len %d) needs %llu (%s)",
			    path, (unsigned long long)st.st_size, h[0], h[1], h[2], h[3], h[4],
			    h[5], h[6], (unsigned long long)want,
			    (uint64_t)st.st_size < want ? "truncated?" : "trailing data?");
		goto fail;
	}
	return l;
fail:
	llama2c_close(l);
	return NULL;
}

void llama2c_close(struct llama2c *l)
{
	if (!l)
		return;
	if (l->fd >= 0)
		close(l->fd);
	free(l);
}

const struct model_config *llama2c_config(const struct llama2c *l)
{
	return &l->cfg;
}

int64_t llama2c_source_row(int64_t hf_row, int head_dim)
{
	int64_t head = hf_row / head_dim, j = hf_row % head_dim, half = head_dim / 2;
	return head * head_dim + (j < half ? 2 * j : 2 * (j - half) + 1);
}

static int lookup(const struct llama2c *l, int layer, const char *tensor, enum l2c_array *a)
{
	static const struct { const char *name; enum l2c_array array; int layered; } map[] = {
		{ "embed", A_EMBED, 0 }, { "final_norm", A_RMS_FINAL, 0 },
		{ "attn_norm", A_RMS_ATT, 1 }, { "mlp_norm", A_RMS_FFN, 1 },
		{ "q", A_WQ, 1 }, { "k", A_WK, 1 }, { "v", A_WV, 1 }, { "o", A_WO, 1 },
		{ "gate", A_W1, 1 }, { "down", A_W2, 1 }, { "up", A_W3, 1 },
	};
	if (strcmp(tensor, "lm_head") == 0 && layer < 0) {
		*a = l->shared_classifier ? A_EMBED : A_WCLS;
		return 0;
	}
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(tensor, map[i].name) == 0 && map[i].layered == (layer >= 0)) {
			*a = map[i].array;
			return layer < l->cfg.n_layers ? 0 : -1;
		}
	return -1;
}

/* Reorders the rows of a q or k matrix from llama2.c's interleaved RoPE pairs to the
   rotate_half convention, so the HF forward pass computes the same attention. */
static void permute_rope_rows(float *w, const float *src, int64_t rows, int64_t cols,
			      int head_dim)
{
	for (int64_t r = 0; r < rows; r++)
		memcpy(w + r * cols, src + llama2c_source_row(r, head_dim) * cols,
		       (size_t)cols * sizeof *w);
}

int llama2c_read(struct llama2c *l, int layer, const char *tensor, float *dst,
		 int64_t count, struct lwq_err *err)
{
	enum l2c_array a;
	if (lookup(l, layer, tensor, &a) != 0)
		return lwq_err_set(err, "%s: no tensor '%s' in layer %d", l->path, tensor, layer);
	uint64_t values = l->per_layer[a] ? l->per_layer[a]
			: a == A_RMS_FINAL ? (uint64_t)l->cfg.hidden
			: (uint64_t)l->cfg.vocab * (uint64_t)l->cfg.hidden;
	if ((uint64_t)count != values)
		return lwq_err_set(err, "%s: %s holds %llu values, expected %lld", l->path, tensor,
				   (unsigned long long)values, (long long)count);
	uint64_t offset = l->offset[a] + (layer >= 0 ? (uint64_t)layer * values * 4 : 0);
	int rope = a == A_WQ || a == A_WK;
	float *buf = rope ? malloc((size_t)count * sizeof *buf) : dst;
	if (!buf)
		return lwq_err_set(err, "%s: out of memory", l->path);
	int rc = pread_full(l->fd, buf, (size_t)count * sizeof *buf, offset);
	if (rc == 0 && rope)
		permute_rope_rows(dst, buf, count / l->cfg.hidden, l->cfg.hidden, l->cfg.head_dim);
	if (rope)
		free(buf);
	return rc ? lwq_err_set(err, "%s: cannot read %s", l->path, tensor) : 0;
}
