/* mk_llama_model.c: writes a random-weight Llama model in Hugging Face format (config.json,
   bf16 safetensors shards of at most 5 GB and their index), Llama-3-8B-shaped by default,
   fast enough to make 16 GB in about the time the disk takes to write it. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHARD_BYTES ((uint64_t)5 << 30)
#define MAX_TENSORS 4096
#define TABLE 65536

struct shape {
	int layers, hidden, inter, heads, kv_heads, head_dim, vocab;
};

struct tensor {
	char name[96];
	int64_t rows, cols;        /* cols 0: a vector */
	int is_norm;
	int shard;
	uint64_t begin, end;       /* offsets within the shard's data */
};

static struct tensor tensors[MAX_TENSORS];
static int n_tensors;
static uint16_t normal_table[TABLE], norm_table[TABLE];
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t next_random(void)
{
	/* xorshift64*: plenty for weights nobody trains */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint16_t to_bf16(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	return (uint16_t)((u + 0x7fff + ((u >> 16) & 1)) >> 16);
}

/* Tables of bf16 draws from N(0, 0.02) and N(1, 0.05) (Box-Muller); weights index them
   with 16 random bits each, four per random number. */
static void fill_tables(void)
{
	for (int i = 0; i < TABLE; i += 2) {
		double u1 = ((double)(next_random() >> 11) + 1.0) / 9007199254740993.0;
		double u2 = (double)(next_random() >> 11) / 9007199254740992.0;
		double r = sqrt(-2.0 * log(u1)), a = 2.0 * M_PI * u2;
		normal_table[i] = to_bf16((float)(0.02 * r * cos(a)));
		normal_table[i + 1] = to_bf16((float)(0.02 * r * sin(a)));
		norm_table[i] = to_bf16((float)(1.0 + 0.05 * r * cos(a)));
		norm_table[i + 1] = to_bf16((float)(1.0 + 0.05 * r * sin(a)));
	}
}

static void add(const char *name, int64_t rows, int64_t cols, int is_norm)
{
	struct tensor *t = &tensors[n_tensors++];
	snprintf(t->name, sizeof t->name, "%s", name);
	t->rows = rows;
	t->cols = cols;
	t->is_norm = is_norm;
}

static uint64_t tensor_bytes(const struct tensor *t)
{
	return (uint64_t)t->rows * (uint64_t)(t->cols ? t->cols : 1) * 2;
}

static void list_tensors(const struct shape *s)
{
	char n[96];
	int64_t q = (int64_t)s->heads * s->head_dim, kv = (int64_t)s->kv_heads * s->head_dim;
	add("model.embed_tokens.weight", s->vocab, s->hidden, 0);
	for (int l = 0; l < s->layers; l++) {
#define LAYER(suffix, rows, cols, norm) \
	(snprintf(n, sizeof n, "model.layers.%d.%s", l, suffix), add(n, rows, cols, norm))
		LAYER("input_layernorm.weight", s->hidden, 0, 1);
		LAYER("self_attn.q_proj.weight", q, s->hidden, 0);
		LAYER("self_attn.k_proj.weight", kv, s->hidden, 0);
		LAYER("self_attn.v_proj.weight", kv, s->hidden, 0);
		LAYER("self_attn.o_proj.weight", s->hidden, q, 0);
		LAYER("post_attention_layernorm.weight", s->hidden, 0, 1);
		LAYER("mlp.gate_proj.weight", s->inter, s->hidden, 0);
		LAYER("mlp.up_proj.weight", s->inter, s->hidden, 0);
		LAYER("mlp.down_proj.weight", s->hidden, s->inter, 0);
#undef LAYER
	}
	add("model.norm.weight", s->hidden, 0, 1);
	add("lm_head.weight", s->vocab, s->hidden, 0);
}

/* Tensors go to shards in order, a new shard when the next would pass SHARD_BYTES. */
static int assign_shards(void)
{
	int shard = 0;
	uint64_t used = 0;
	for (int i = 0; i < n_tensors; i++) {
		uint64_t b = tensor_bytes(&tensors[i]);
		if (used > 0 && used + b > SHARD_BYTES) {
			shard++;
			used = 0;
		}
		tensors[i].shard = shard;
		tensors[i].begin = used;
		tensors[i].end = used + b;
		used += b;
	}
	return shard + 1;
}

static void shard_name(char *buf, size_t len, int shard, int n_shards)
{
	snprintf(buf, len, "model-%05d-of-%05d.safetensors", shard + 1, n_shards);
}

static int write_values(FILE *f, const struct tensor *t, uint16_t *buf, size_t buf_values)
{
	uint64_t left = tensor_bytes(t) / 2;
	const uint16_t *table = t->is_norm ? norm_table : normal_table;
	while (left > 0) {
		size_t n = left < buf_values ? (size_t)left : buf_values;
		for (size_t i = 0; i < n; i += 4) {
			uint64_t r = next_random();
			for (size_t k = 0; k < 4 && i + k < n; k++)
				buf[i + k] = table[(r >> (16 * k)) & 0xffff];
		}
		if (fwrite(buf, 2, n, f) != n)
			return -1;
		left -= n;
	}
	return 0;
}

static int write_shard(const char *dir, int shard, int n_shards)
{
	char path[4096], name[64];
	shard_name(name, sizeof name, shard, n_shards);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	/* The header: JSON, padded with spaces to a multiple of 8 bytes. */
	size_t cap = 1 << 20, len = 0;
	char *header = malloc(cap);
	len += (size_t)snprintf(header + len, cap - len, "{\"__metadata__\":{\"format\":\"pt\"}");
	for (int i = 0; i < n_tensors; i++) {
		const struct tensor *t = &tensors[i];
		if (t->shard != shard)
			continue;
		char shape[64];
		if (t->cols)
			snprintf(shape, sizeof shape, "[%lld,%lld]", (long long)t->rows, (long long)t->cols);
		else
			snprintf(shape, sizeof shape, "[%lld]", (long long)t->rows);
		len += (size_t)snprintf(header + len, cap - len,
			",\"%s\":{\"dtype\":\"BF16\",\"shape\":%s,\"data_offsets\":[%llu,%llu]}",
			t->name, shape, (unsigned long long)t->begin, (unsigned long long)t->end);
	}
	header[len++] = '}';
	while (len % 8)
		header[len++] = ' ';
	FILE *f = fopen(path, "wb");
	if (!f) {
		fprintf(stderr, "mk_llama_model: %s: %s\n", path, strerror(errno));
		free(header);
		return -1;
	}
	uint64_t hlen = len;
	unsigned char le[8];
	for (int i = 0; i < 8; i++)
		le[i] = (unsigned char)(hlen >> (8 * i));
	int rc = fwrite(le, 1, 8, f) == 8 && fwrite(header, 1, len, f) == len ? 0 : -1;
	free(header);
	size_t buf_values = (size_t)1 << 24;
	uint16_t *buf = malloc(buf_values * sizeof *buf);
	for (int i = 0; i < n_tensors && rc == 0; i++)
		if (tensors[i].shard == shard)
			rc = write_values(f, &tensors[i], buf, buf_values);
	free(buf);
	if (fclose(f) != 0)
		rc = -1;
	if (rc)
		fprintf(stderr, "mk_llama_model: %s: write failed (disk full?)\n", path);
	return rc;
}

static int write_text(const char *dir, const char *name, const char *text)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "mk_llama_model: %s: cannot write\n", path);
		return -1;
	}
	return 0;
}

static int write_index(const char *dir, int n_shards)
{
	size_t cap = 1 << 22, len = 0;
	uint64_t total = 0;
	for (int i = 0; i < n_tensors; i++)
		total += tensor_bytes(&tensors[i]);
	char *text = malloc(cap);
	len += (size_t)snprintf(text + len, cap - len,
				"{\"metadata\":{\"total_size\":%llu},\"weight_map\":{",
				(unsigned long long)total);
	for (int i = 0; i < n_tensors; i++) {
		char name[64];
		shard_name(name, sizeof name, tensors[i].shard, n_shards);
		len += (size_t)snprintf(text + len, cap - len, "%s\"%s\":\"%s\"", i ? "," : "",
					tensors[i].name, name);
	}
	snprintf(text + len, cap - len, "}}\n");
	int rc = write_text(dir, "model.safetensors.index.json", text);
	free(text);
	return rc;
}

static int write_config(const char *dir, const struct shape *s)
{
	char text[1024];
	snprintf(text, sizeof text,
		 "{\"architectures\":[\"LlamaForCausalLM\"],\"model_type\":\"llama\","
		 "\"hidden_size\":%d,\"intermediate_size\":%d,\"num_hidden_layers\":%d,"
		 "\"num_attention_heads\":%d,\"num_key_value_heads\":%d,\"head_dim\":%d,"
		 "\"vocab_size\":%d,\"max_position_embeddings\":8192,\"rms_norm_eps\":1e-05,"
		 "\"rope_theta\":500000.0,\"tie_word_embeddings\":false,\"bos_token_id\":128000,"
		 "\"eos_token_id\":128001,\"hidden_act\":\"silu\",\"torch_dtype\":\"bfloat16\"}\n",
		 s->hidden, s->inter, s->layers, s->heads, s->kv_heads, s->head_dim, s->vocab);
	return write_text(dir, "config.json", text);
}

int main(int argc, char **argv)
{
	/* Llama-3-8B: 32 layers, hidden 4096, intermediate 14336, 32 heads, 8 KV heads */
	struct shape s = { 32, 4096, 14336, 32, 8, 128, 128256 };
	if (argc != 2 && argc != 8) {
		fprintf(stderr, "usage: mk_llama_model DIR [LAYERS HIDDEN INTERMEDIATE HEADS "
				"KV_HEADS VOCAB]\n");
		return 2;
	}
	if (argc == 8) {
		s.layers = atoi(argv[2]);
		s.hidden = atoi(argv[3]);
		s.inter = atoi(argv[4]);
		s.heads = atoi(argv[5]);
		s.kv_heads = atoi(argv[6]);
		s.vocab = atoi(argv[7]);
		if (s.layers < 1 || s.heads < 1 || s.kv_heads < 1 || s.hidden % s.heads ||
		    s.heads % s.kv_heads || s.inter < 1 || s.vocab < 1 ||
		    9 * s.layers + 3 > MAX_TENSORS) {
			fprintf(stderr, "mk_llama_model: inconsistent shape\n");
			return 2;
		}
		s.head_dim = s.hidden / s.heads;
	}
	fill_tables();
	list_tensors(&s);
	int n_shards = assign_shards();
	if (write_config(argv[1], &s) < 0 || write_index(argv[1], n_shards) < 0)
		return 1;
	for (int k = 0; k < n_shards; k++)
		if (write_shard(argv[1], k, n_shards) < 0)
			return 1;
	return 0;
}
