/* test_png.c: colour ramps, PNG writer round trip; also a PNG checker.
 *
 * Run with no arguments it is a TAP test. `test_png --info FILE.png` decodes FILE fully
 * with libpng and prints "WIDTH HEIGHT" (exit 1 when it does not decode): the CLI and
 * TUI scripts use it to check the images lwq writes. */
#include <dirent.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "colormap.h"
#include "png_write.h"
#include "scratch_dir.h"
#include "tap.h"

/* Decodes a PNG into 8-bit RGB (malloc'd); NULL when it is not a valid PNG. */
static uint8_t *decode_png(const char *path, int *width, int *height)
{
	png_image image;
	memset(&image, 0, sizeof image);
	image.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&image, path))
		return NULL;
	image.format = PNG_FORMAT_RGB;
	uint8_t *rgb = malloc(PNG_IMAGE_SIZE(image));
	if (!rgb || !png_image_finish_read(&image, NULL, rgb, 0, NULL)) {
		png_image_free(&image);
		free(rgb);
		return NULL;
	}
	*width = (int)image.width;
	*height = (int)image.height;
	return rgb;
}

static int info_mode(const char *path)
{
	int w, h;
	uint8_t *rgb = decode_png(path, &w, &h);
	if (!rgb) {
		fprintf(stderr, "%s: not a decodable PNG\n", path);
		return 1;
	}
	printf("%d %d\n", w, h);
	free(rgb);
	return 0;
}

static void test_colormap(void)
{
	double prev = -1;
	int monotone = 1;
	for (int i = 0; i <= 100; i++) {
		double l = rgb_luminance(colormap_rgb(i / 100.0));
		monotone &= l > prev;
		prev = l;
	}
	ok(monotone, "ramp lightness grows strictly with the value (perceptual order)");
	struct rgb lo = colormap_rgb(-3), hi = colormap_rgb(7);
	ok(lo.r == 68 && lo.g == 1 && lo.b == 84 && hi.r == 253 && hi.g == 231 && hi.b == 37,
	   "values outside [0,1] clamp to the ends");
	struct rgb nan_colour = colormap_rgb(NAN), missing = colormap_missing();
	ok(nan_colour.r == missing.r && nan_colour.g == missing.g, "NaN is the missing colour");
	/* The terminal index is the palette entry nearest the PNG colour: check by brute force
	   with plain squared RGB distance that nothing is much closer. */
	int near = 1;
	for (int i = 0; i <= 20; i++) {
		struct rgb want = colormap_rgb(i / 20.0);
		struct rgb got = xterm256_rgb(colormap_xterm256(i / 20.0));
		double d_got = pow(want.r - got.r, 2) + pow(want.g - got.g, 2) + pow(want.b - got.b, 2);
		for (int k = 16; k < 256; k++) {
			struct rgb c = xterm256_rgb(k);
			double d = pow(want.r - c.r, 2) + pow(want.g - c.g, 2) + pow(want.b - c.b, 2);
			near &= d_got <= 2.0 * d + 1200;
		}
	}
	ok(near, "xterm-256 index is a near palette match of the ramp colour");
	for (int r = 0; r < RAMP_COUNT; r++) {
		/* Sequential ramps: lightness strictly up. Diverging: up to the middle, then down. */
		int ordered = 1;
		double mid = rgb_luminance(ramp_rgb((enum ramp_id)r, 0.5));
		for (int i = 1; i <= 100; i++) {
			double a = rgb_luminance(ramp_rgb((enum ramp_id)r, (i - 1) / 100.0));
			double b = rgb_luminance(ramp_rgb((enum ramp_id)r, i / 100.0));
			if (r == RAMP_RDBU)
				ordered &= i <= 50 ? b > a : b < a;
			else
				ordered &= b > a;
		}
		ok(ordered, "%s: lightness is ordered (colour-blind safe)", ramp_name((enum ramp_id)r));
		if (r == RAMP_RDBU)
			ok(mid > 0.85, "RdBu_r is near white in the middle (%.2f)", mid);
	}
	ok(colormap_level(0.0, 5) == 0 && colormap_level(1.0, 5) == 4 &&
	   colormap_level(0.5, 5) == 2 && colormap_level(NAN, 5) == -1, "levels");
}

static int leftover_temp(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	int found = 0;
	while (dp && (e = readdir(dp)))
		found |= strstr(e->d_name, ".tmp.") != NULL;
	if (dp)
		closedir(dp);
	return found;
}

static void test_round_trip(const char *dir)
{
	char path[512];
	snprintf(path, sizeof path, "%s/round.png", dir);
	struct canvas *c = canvas_new(37, 23, (struct rgb){ 1, 2, 3 });
	for (int y = 0; y < 23; y++)
		for (int x = 0; x < 37; x++)
			canvas_fill(c, x, y, 1, 1, (struct rgb){ (uint8_t)(x * 7), (uint8_t)(y * 11),
							       (uint8_t)(x ^ y) });
	canvas_blend(c, 1, 1, (struct rgb){ 255, 255, 255 }, 0.5);
	struct rgb half = canvas_pixel(c, 1, 1);
	ok(half.r == 131 && half.g == 133 && half.b == 128, "blend mixes half way (%d %d %d)",
	   half.r, half.g, half.b);
	struct lwq_err err = { "" };
	ok(png_write_canvas(path, c, "test", 0, &err) == 0, "write 37x23 PNG");
	int w = 0, h = 0;
	uint8_t *rgb = decode_png(path, &w, &h);
	ok(rgb && w == 37 && h == 23 && memcmp(rgb, c->rgb, 37 * 23 * 3) == 0,
	   "decodes to the same pixels");
	free(rgb);
	ok(png_write_canvas(path, c, NULL, 0, &err) != 0 && strstr(err.msg, "already exists"),
	   "refuses to overwrite: %s", err.msg);
	ok(png_write_canvas(path, c, NULL, 1, &err) == 0, "overwrites when asked");
	ok(png_write_canvas("/etc/passwd/x.png", c, NULL, 0, &err) != 0, "bad directory: %s",
	   err.msg);
	ok(!leftover_temp(dir), "no temp file left behind");
	canvas_free(c);
	ok(canvas_new(100000, 100000, (struct rgb){ 0, 0, 0 }) == NULL, "absurd size refused");
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--info") == 0)
		return info_mode(argv[2]);
	const char *dir = scratch_dir("png");
	test_colormap();
	test_round_trip(dir);
	scratch_dir_remove();
	return tap_done();
}
