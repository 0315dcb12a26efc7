/* test_planner.c: layer sizes, rankings and the budget planner against brute-force references. */
#include <string.h>

#include "order.h"
#include "plan.h"
#include "planner.h"
#include "tap.h"

/* q 64x64, k/v 32x64, o 64x64, gate/up 128x64, down 64x128: 36864 linear weights. */
static struct model_config small_config(int n_layers)
{
	struct model_config c;
	memset(&c, 0, sizeof c);
	snprintf(c.architecture, sizeof c.architecture, "LlamaForCausalLM");
	c.n_layers = n_layers;
	c.hidden = 64;
	c.intermediate = 128;
	c.n_heads = 4;
	c.n_kv_heads = 2;
	c.head_dim = 16;
	c.vocab = 100;
	c.rope_theta = 10000;
	c.norm_eps = 1e-5;
	return c;
}

static struct plan_request two_levels(int hi, int lo, int g, const int *pins)
{
	return (struct plan_request){ .high_bits = hi, .low_bits = lo, .group_size = g,
				      .pins = pins, .order = "test" };
}

static int count_bits(const struct bit_plan *p, int bits)
{
	int n = 0;
	for (int i = 0; i < p->n_layers; i++)
		n += p->bits[i] == bits;
	return n;
}

static void test_sizes(void)
{
	struct model_config c = small_config(4);
	/* codes 36864 * b / 8, plus 36864 / 32 groups of an f16 scale and an f16 zero */
	ok(layer_bytes_rtn(&c, 4, 32) == 18432 + 4608, "4-bit layer: 23040 bytes");
	ok(layer_bytes_rtn(&c, 2, 32) == 9216 + 4608, "2-bit layer: 13824 bytes");
	ok(layer_bytes_rtn(&c, 3, 32) == 13824 + 4608, "3-bit layer: 18432 bytes");
	ok(layer_bytes_rtn(&c, 0, 32) == 0, "pruned layer costs nothing");
	ok(layer_bytes_rtn(&c, 16, 32) == 2 * 36864, "16-bit layer: 2 bytes a weight, no groups");
	/* embed + lm_head 2 * 100 * 64, norms 4 * 2 * 64 + 64, all at 2 bytes */
	ok(fixed_bytes(&c) == 2 * (12800 + 576), "fixed bytes count embeddings, head and norms");
	/* codes round up per tensor: 10 weights at 3 bits take 4 bytes, not 3.75 */
	struct model_config odd = small_config(1);
	odd.hidden = 5;
	odd.n_heads = odd.n_kv_heads = 1;
	odd.head_dim = 2;
	odd.intermediate = 3;
	ok(layer_bytes_rtn(&odd, 3, 1) == 4 * 4 + 3 * 6 + 85 * 4, "3-bit codes round up per tensor");
	struct bit_plan *p = bit_plan_new(4);
	p->group_size = 32;
	int bits[4] = { 4, 2, 0, 8 };
	memcpy(p->bits, bits, sizeof bits);
	ok(plan_bytes(&c, p) == fixed_bytes(&c) + 23040 + 13824 + 0 + (36864 + 4608),
	   "plan bytes sum the layers");
	ok(plan_avg_bits(&c, p) == 3.5, "average bits (4 + 2 + 0 + 8) / 4 = 3.5");
	bit_plan_free(p);
}

static void test_group_sizes(void)
{
	struct model_config c = small_config(2);
	struct lwq_err err = { "" };
	ok(group_size_check(&c, 64, &err) == 0, "64 divides 64 and 128");
	ok(group_size_check(&c, 128, &err) < 0 &&
	   strcmp(err.msg, "group size 128 does not divide the row length 64 of q") == 0,
	   "128 rejected: %s", err.msg);
	ok(group_size_default(&c) == 64, "default group size 64 for rows of 64 and 128");
	c.intermediate = 352;
	c.hidden = 128;
	c.n_heads = 4;
	c.head_dim = 32;
	ok(group_size_default(&c) == 32, "default 32 when a row is 352 long");
}

static void test_rankings(void)
{
	float lim[4] = { 0.5f, 0.7f, 0.5f, 0.7f }, zd[4] = { 0.2f, 0.1f, 0.2f, 0.3f };
	int r[4];
	struct order_spec s;
	struct lwq_err err = { "" };
	order_parse("lim", &s, &err);
	ok(order_ranking(&s, lim, zd, 4, r, &err) == 0 && r[0] == 1 && r[1] == 3 && r[2] == 0 &&
	   r[3] == 2, "lim: higher first, ties by layer index");
	order_parse("reverse-lim", &s, &err);
	ok(order_ranking(&s, lim, zd, 4, r, &err) == 0 && r[0] == 0 && r[1] == 2 && r[2] == 1 &&
	   r[3] == 3, "reverse-lim: lower first, ties by layer index");
	order_parse("zd", &s, &err);
	ok(order_ranking(&s, lim, zd, 4, r, &err) == 0 && r[0] == 3 && r[1] == 0 && r[2] == 2 &&
	   r[3] == 1, "zd: higher fraction first");
	order_parse("zd-inverse", &s, &err);
	ok(order_ranking(&s, lim, zd, 4, r, &err) == 0 && r[0] == 1 && r[1] == 0 && r[2] == 2 &&
	   r[3] == 3, "zd-inverse: lower fraction first");
	order_parse("prune", &s, &err);
	ok(s.kind == ORDER_PRUNE && order_ranking(&s, lim, zd, 4, r, &err) == 0 && r[0] == 1,
	   "prune ranks like lim");
	ok(order_ranking(&s, NULL, zd, 4, r, &err) < 0 && strstr(err.msg, "LIM") != NULL,
	   "lim without scores: %s", err.msg);
	lim[2] = NAN;
	order_parse("lim", &s, &err);
	ok(order_ranking(&s, lim, zd, 4, r, &err) < 0 && strstr(err.msg, "layer 2") != NULL,
	   "NaN score rejected: %s", err.msg);
	ok(order_parse("random:x", &s, &err) < 0 && strstr(err.msg, "unknown order 'random:x'"),
	   "random needs a numeric seed");
	ok(order_parse("lim2", &s, &err) < 0, "unknown order rejected: %s", err.msg);
}

static int is_permutation(const int *p, int n)
{
	char seen[256] = { 0 };
	for (int i = 0; i < n; i++) {
		if (p[i] < 0 || p[i] >= n || seen[p[i]])
			return 0;
		seen[p[i]] = 1;
	}
	return 1;
}

static void test_random(void)
{
	struct order_spec s;
	int a[40], b[40], c[40];
	order_parse("random:7", &s, NULL);
	order_ranking(&s, NULL, NULL, 40, a, NULL);
	order_ranking(&s, NULL, NULL, 40, b, NULL);
	order_parse("random:8", &s, NULL);
	order_ranking(&s, NULL, NULL, 40, c, NULL);
	ok(is_permutation(a, 40) && memcmp(a, b, sizeof a) == 0, "random:7 is a repeatable permutation");
	ok(memcmp(a, c, sizeof a) != 0, "random:8 differs from random:7");
	/* The platform-independent sequence: splitmix64 (reference outputs 0xe220a8397b1dcdaf
	   for seed 0) driving Fisher-Yates from the top, j = next % (i + 1); expected values
	   computed by a separate implementation of the same definition. */
	int perm[8], want[8] = { 4, 3, 2, 7, 5, 6, 0, 1 };
	order_random_permutation(1, 8, perm);
	ok(memcmp(perm, want, sizeof want) == 0, "random:1 over 8 layers is 4 3 2 7 5 6 0 1");
}

static void test_user_list(void)
{
	int r[4];
	struct lwq_err err = { "" };
	ok(order_from_list("3, 1\n# comment\n0\t2\n", 4, r, &err) == 0 && r[0] == 3 && r[1] == 1 &&
	   r[2] == 0 && r[3] == 2, "list with commas, newlines, tabs and a comment");
	ok(order_from_list("3,1,0", 4, r, &err) < 0 &&
	   strcmp(err.msg, "layer 2 is missing: the order must list every layer 0..3 once (3 listed)") == 0,
	   "incomplete list: %s", err.msg);
	ok(order_from_list("3,1,0,1,2", 4, r, &err) < 0 && strcmp(err.msg, "layer 1 is listed twice") == 0,
	   "duplicate: %s", err.msg);
	ok(order_from_list("3,1,0,4", 4, r, &err) < 0 &&
	   strcmp(err.msg, "layer 4 is outside the model (4 layers)") == 0, "out of range: %s", err.msg);
	ok(order_from_list("3,1,x0,2", 4, r, &err) < 0 && strcmp(err.msg, "'x0' is not a layer index") == 0,
	   "garbage: %s", err.msg);
	ok(order_from_list("3,1.5,0,2", 4, r, &err) < 0, "non-integer rejected: %s", err.msg);
}

/* Reference: the largest k with fixed + k * L_hi + (N - k) * L_lo <= M, by counting. */
static int brute_force_high(const struct model_config *c, int64_t budget, int hi, int lo, int g)
{
	int best = -1;
	for (int k = 0; k <= c->n_layers; k++)
		if (fixed_bytes(c) + k * layer_bytes_rtn(c, hi, g) +
		    (c->n_layers - k) * layer_bytes_rtn(c, lo, g) <= budget)
			best = k;
	return best;
}

static void test_budget_edges(void)
{
	struct model_config c = small_config(4);
	struct plan_request req = two_levels(4, 2, 32, NULL);
	int ranking[4] = { 2, 0, 3, 1 };
	int64_t m_lo, m_hi, step = 23040 - 13824;
	plan_budget_range(&c, &req, &m_lo, &m_hi);
	ok(m_lo == fixed_bytes(&c) + 4 * 13824 && m_hi == fixed_bytes(&c) + 4 * 23040,
	   "range %lld .. %lld", (long long)m_lo, (long long)m_hi);
	struct bit_plan *p = bit_plan_new(4);
	struct lwq_err err = { "" };
	ok(plan_from_budget(&c, ranking, m_lo, &req, p, &err) == 0 && count_bits(p, 2) == 4,
	   "budget exactly M_lo: every layer low");
	ok(plan_from_budget(&c, ranking, m_hi, &req, p, &err) == 0 && count_bits(p, 4) == 4,
	   "budget exactly M_hi: every layer high");
	ok(plan_from_budget(&c, ranking, m_lo + step - 1, &req, p, &err) == 0 && count_bits(p, 4) == 0,
	   "one byte short of a high layer: none");
	ok(plan_from_budget(&c, ranking, m_lo + step, &req, p, &err) == 0 && count_bits(p, 4) == 1 &&
	   p->bits[2] == 4, "exactly one step: the most important layer (2) is high");
	ok(plan_from_budget(&c, ranking, m_lo + 3 * step, &req, p, &err) == 0 && p->bits[1] == 2 &&
	   count_bits(p, 4) == 3, "three steps: all but the least important layer (1)");
	ok(plan_from_budget(&c, ranking, m_lo - 1, &req, p, &err) < 0 &&
	   strstr(err.msg, "outside the feasible range") != NULL, "below M_lo: %s", err.msg);
	ok(plan_from_budget(&c, ranking, m_hi + 1, &req, p, &err) < 0, "above M_hi rejected");
	int agree = 1, fits = 1;
	for (int64_t m = m_lo; m <= m_hi; m += 997) {
		plan_from_budget(&c, ranking, m, &req, p, NULL);
		agree &= count_bits(p, 4) == brute_force_high(&c, m, 4, 2, 32);
		fits &= plan_bytes(&c, p) <= m;
	}
	ok(agree && fits, "every budget M_lo..M_hi (step 997): count matches brute force, plan fits");
	bit_plan_free(p);
}

static void test_one_layer_and_paper(void)
{
	struct model_config c = small_config(1);
	struct plan_request req = two_levels(4, 2, 32, NULL);
	int ranking[1] = { 0 };
	int64_t m_lo, m_hi;
	plan_budget_range(&c, &req, &m_lo, &m_hi);
	struct bit_plan *p = bit_plan_new(1);
	ok(plan_from_budget(&c, ranking, m_lo, &req, p, NULL) == 0 && p->bits[0] == 2, "1 layer at M_lo: low");
	ok(plan_from_budget(&c, ranking, m_hi - 1, &req, p, NULL) == 0 && p->bits[0] == 2, "1 layer below M_hi: low");
	ok(plan_from_budget(&c, ranking, m_hi, &req, p, NULL) == 0 && p->bits[0] == 4, "1 layer at M_hi: high");
	bit_plan_free(p);

	/* docs/method.md: 28 layers at 4 and 4 at 2 are 3.75 bits */
	struct model_config c32 = small_config(32);
	int r32[32];
	for (int i = 0; i < 32; i++)
		r32[i] = 31 - i;
	p = bit_plan_new(32);
	ok(plan_from_avg_bits(&c32, r32, 3.75, &req, p, NULL) == 0 && count_bits(p, 4) == 28 &&
	   p->bits[0] == 2 && p->bits[31] == 4 && plan_avg_bits(&c32, p) == 3.75,
	   "3.75 average bits over 32 layers: 28 high, the 4 least important low");
	ok(plan_from_avg_bits(&c32, r32, 2.1875, &req, p, NULL) == 0 && count_bits(p, 4) == 3,
	   "2.1875 bits: 3 high");
	struct lwq_err err = { "" };
	ok(plan_from_avg_bits(&c32, r32, 4.5, &req, p, &err) < 0 &&
	   strstr(err.msg, "2 .. 4 bits") != NULL, "4.5 bits out of range: %s", err.msg);
	ok(plan_from_high_layers(&c32, r32, 5, &req, p, NULL) == 0 && count_bits(p, 4) == 5 &&
	   p->bits[31] == 4 && p->bits[27] == 4 && p->bits[26] == 2, "--high-layers 5: top 5 of the ranking");
	ok(plan_from_high_layers(&c32, r32, 33, &req, p, &err) < 0, "33 high layers of 32: %s", err.msg);
	bit_plan_free(p);
}

static void test_pins(void)
{
	struct model_config c = small_config(4);
	int pins[4] = { PIN_FREE, 4, 2, PIN_FREE };
	struct plan_request req = two_levels(4, 2, 32, pins);
	int ranking[4] = { 2, 0, 3, 1 };
	int64_t m_lo, m_hi, step = 23040 - 13824;
	plan_budget_range(&c, &req, &m_lo, &m_hi);
	ok(m_lo == fixed_bytes(&c) + 23040 + 3 * 13824 && m_hi == fixed_bytes(&c) + 13824 + 3 * 23040,
	   "pins narrow the range: a high pin raises M_lo, a low pin lowers M_hi");
	struct bit_plan *p = bit_plan_new(4);
	ok(plan_from_budget(&c, ranking, m_lo, &req, p, NULL) == 0 && p->bits[1] == 4 &&
	   p->bits[2] == 2 && p->bits[0] == 2 && p->bits[3] == 2, "at M_lo only the high pin is high");
	ok(plan_from_budget(&c, ranking, m_lo + step, &req, p, NULL) == 0 && p->bits[0] == 4 &&
	   p->bits[2] == 2 && p->bits[3] == 2, "next high goes to the most important free layer (0)");
	struct lwq_err err = { "" };
	ok(plan_from_budget(&c, ranking, m_lo - 1, &req, p, &err) < 0, "below pinned M_lo rejected");
	ok(plan_from_high_layers(&c, ranking, 0, &req, p, &err) < 0,
	   "0 high layers with a high pin rejected: %s", err.msg);
	ok(plan_from_high_layers(&c, ranking, 2, &req, p, NULL) == 0 && p->bits[1] == 4 &&
	   p->bits[0] == 4 && count_bits(p, 4) == 2, "2 high layers = the pin + layer 0");
	pins[3] = 8;
	ok(plan_from_budget(&c, ranking, m_hi, &req, p, &err) < 0 && strstr(err.msg, "layer 3 is pinned to 8"),
	   "pin to a width outside the plan: %s", err.msg);
	bit_plan_free(p);
}

static int tiers_contiguous(const struct bit_plan *p, const int *ranking)
{
	for (int r = 1; r < p->n_layers; r++)
		if (p->bits[ranking[r]] > p->bits[ranking[r - 1]])
			return 0;
	return 1;
}

static void test_three_levels(void)
{
	struct model_config c = small_config(8);
	struct plan_request req = { .high_bits = 8, .mid_bits = 4, .low_bits = 2, .group_size = 32,
				    .order = "test" };
	int ranking[8] = { 5, 1, 7, 0, 2, 6, 3, 4 };
	int64_t m_mid = fixed_bytes(&c) + 8 * layer_bytes_rtn(&c, 4, 32);
	struct bit_plan *p = bit_plan_new(8);
	ok(plan_from_budget(&c, ranking, m_mid, &req, p, NULL) == 0 && count_bits(p, 4) == 8,
	   "3 levels, spread 0, budget all-mid: every layer mid");
	req.spread = 1;
	ok(plan_from_budget(&c, ranking, m_mid, &req, p, NULL) == 0 && count_bits(p, 8) == 1 &&
	   count_bits(p, 4) == 5 && count_bits(p, 2) == 2 && p->bits[5] == 8 && p->bits[4] == 2 &&
	   p->bits[3] == 2, "spread 1: one layer up to 8 paid by two down to 2 (paper A.1)");
	ok(plan_bytes(&c, p) == m_mid, "an exchange keeps the size: %lld", (long long)plan_bytes(&c, p));
	req.spread = 10;
	ok(plan_from_budget(&c, ranking, m_mid, &req, p, NULL) == 0 && count_bits(p, 8) == 2 &&
	   count_bits(p, 4) == 2 && count_bits(p, 2) == 4 && tiers_contiguous(p, ranking),
	   "spread 10 stops when no mid layers are left to pay: 2 / 2 / 4");
	req.spread = 0;
	int64_t m_lo = fixed_bytes(&c) + 8 * layer_bytes_rtn(&c, 2, 32);
	int64_t step = layer_bytes_rtn(&c, 4, 32) - layer_bytes_rtn(&c, 2, 32);
	ok(plan_from_budget(&c, ranking, m_lo + 3 * step, &req, p, NULL) == 0 &&
	   count_bits(p, 4) == 3 && count_bits(p, 2) == 5 && tiers_contiguous(p, ranking),
	   "below all-mid: a mid/low plan");
	int64_t step_hi = layer_bytes_rtn(&c, 8, 32) - layer_bytes_rtn(&c, 4, 32);
	ok(plan_from_budget(&c, ranking, m_mid + 2 * step_hi + 5, &req, p, NULL) == 0 &&
	   count_bits(p, 8) == 2 && count_bits(p, 4) == 6, "above all-mid: a high/mid plan");
	int fits = 1, ordered = 1;
	req.spread = 2;
	int64_t m_hi = fixed_bytes(&c) + 8 * layer_bytes_rtn(&c, 8, 32);
	for (int64_t m = m_lo; m <= m_hi; m += 1013) {
		plan_from_budget(&c, ranking, m, &req, p, NULL);
		fits &= plan_bytes(&c, p) <= m;
		ordered &= tiers_contiguous(p, ranking);
	}
	ok(fits && ordered, "3 levels, spread 2, every budget: plan fits and tiers follow the ranking");
	bit_plan_free(p);
}

static void test_prune(void)
{
	struct model_config c = small_config(4);
	struct plan_request req = two_levels(4, 0, 32, NULL);
	int ranking[4] = { 3, 2, 1, 0 };
	struct bit_plan *p = bit_plan_new(4);
	ok(plan_from_high_layers(&c, ranking, 3, &req, p, NULL) == 0 && p->bits[0] == 0 &&
	   plan_bytes(&c, p) == fixed_bytes(&c) + 3 * 23040, "prune: the dropped layer costs 0 bytes");
	bit_plan_free(p);
}

int main(void)
{
	test_sizes();
	test_group_sizes();
	test_rankings();
	test_random();
	test_user_list();
	test_budget_edges();
	test_one_layer_and_paper();
	test_pins();
	test_three_levels();
	test_prune();
	return tap_done();
}
