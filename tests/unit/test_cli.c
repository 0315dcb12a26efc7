/* test_cli.c: size parsing, number parsing and dtype conversions. */
#include <stdint.h>
#include <string.h>

#include "cli.h"
#include "model_config.h"
#include "numeric.h"
#include "tap.h"

static void test_parse_size(void)
{
	double b;
	ok(parse_size("850MB", &b) == 0 && b == 850e6, "850MB = 850e6 bytes");
	ok(parse_size("3.2GiB", &b) == 0 && b == 3.2 * 1073741824.0, "3.2GiB");
	ok(parse_size("1024", &b) == 0 && b == 1024, "plain bytes");
	ok(parse_size("12 KiB", &b) == 0 && b == 12288, "space before unit");
	ok(parse_size("abc", &b) != 0, "rejects text");
	ok(parse_size("5XB", &b) != 0, "rejects unknown unit");
	ok(parse_size("-5MB", &b) != 0, "rejects negative");
}

static void test_half_conversions(void)
{
	ok(bf16_to_f32(0x3f80) == 1.0f, "bf16 1.0");
	ok(bf16_to_f32(0xc000) == -2.0f, "bf16 -2.0");
	ok(f16_to_f32(0x3c00) == 1.0f, "f16 1.0");
	ok(f16_to_f32(0x0001) == 5.9604644775390625e-8f, "f16 smallest subnormal");
	ok(f16_to_f32(0x7bff) == 65504.0f, "f16 max");
	int roundtrip = 1;
	for (uint32_t h = 0; h < 0x7c00; h++)
		if (f32_to_f16(f16_to_f32((uint16_t)h)) != h)
			roundtrip = 0;
	ok(roundtrip, "f16 -> f32 -> f16 round-trips every finite positive half");
	ok(f32_to_bf16(1.00390625f) == 0x3f80, "bf16 ties to even (down)");
	ok(f32_to_bf16(1.01171875f) == 0x3f82, "bf16 ties to even (up)");
}

static void test_config(void)
{
	struct model_config c = { .n_layers = 2, .hidden = 8, .intermediate = 16, .n_heads = 2,
				  .n_kv_heads = 1, .head_dim = 4, .vocab = 10,
				  .rope_theta = 1e4, .norm_eps = 1e-5 };
	ok(model_config_validate(&c, NULL) == 0, "valid config accepted");
	/* q 8x8, k 4x8, v 4x8, o 8x8, gate 16x8, up 16x8, down 8x16 */
	ok(layer_linear_params(&c) == 64 + 32 + 32 + 64 + 128 + 128 + 128, "layer params");
	ok(non_linear_params(&c) == 80 + 80 + 2 * 2 * 8 + 8, "embeddings, head, norms");
	c.n_kv_heads = 3;
	struct lwq_err err = { "" };
	ok(model_config_validate(&c, &err) != 0 && strstr(err.msg, "KV heads"), "heads mismatch: %s", err.msg);
}

int main(void)
{
	test_parse_size();
	test_half_conversions();
	test_config();
	return tap_done();
}
