/* colormap.c: colour ramps (value in [0,1] -> RGB) and their xterm-256 approximation. */
#include "colormap.h"

#include <math.h>

/* Nine evenly spaced stops of each map; linear interpolation between them stays close
   to perceptually uniform. viridis, magma and cividis are public domain (van der Walt &
   Smith; Nunez et al.), RdBu is ColorBrewer's (Brewer, Apache-style licence). */
#define N_STOPS 9
static const struct rgb stops[RAMP_COUNT][N_STOPS] = {
	[RAMP_VIRIDIS] = {
		{ 68, 1, 84 }, { 71, 45, 123 }, { 59, 82, 139 }, { 44, 114, 142 },
		{ 33, 145, 140 }, { 40, 174, 128 }, { 94, 201, 98 }, { 173, 220, 48 },
		{ 253, 231, 37 } },
	[RAMP_MAGMA] = {
		{ 0, 0, 4 }, { 28, 16, 68 }, { 79, 18, 123 }, { 129, 37, 129 },
		{ 181, 54, 122 }, { 229, 80, 100 }, { 251, 135, 97 }, { 254, 194, 135 },
		{ 252, 253, 191 } },
	[RAMP_CIVIDIS] = {
		{ 0, 34, 78 }, { 18, 53, 112 }, { 59, 73, 108 }, { 87, 93, 109 },
		{ 112, 113, 115 }, { 138, 134, 120 }, { 165, 156, 116 }, { 195, 179, 105 },
		{ 254, 232, 56 } },
	[RAMP_RDBU] = {   /* reversed, so high values are red */
		{ 33, 102, 172 }, { 67, 147, 195 }, { 146, 197, 222 }, { 209, 229, 240 },
		{ 247, 247, 247 }, { 253, 219, 199 }, { 244, 165, 130 }, { 214, 96, 77 },
		{ 178, 24, 43 } },
};
static const char *const ramp_names[RAMP_COUNT] = { "viridis", "magma", "cividis", "RdBu_r" };

static uint8_t mix(uint8_t a, uint8_t b, double t)
{
	return (uint8_t)lround(a + (b - a) * t);
}

struct rgb colormap_missing(void)
{
	return (struct rgb){ 224, 224, 224 };
}

struct rgb ramp_rgb(enum ramp_id ramp, double v)
{
	if (isnan(v))
		return colormap_missing();
	const struct rgb *s = stops[ramp < RAMP_COUNT ? ramp : RAMP_VIRIDIS];
	if (v <= 0)
		return s[0];
	if (v >= 1)
		return s[N_STOPS - 1];
	double pos = v * (N_STOPS - 1);
	int i = (int)pos;
	double t = pos - i;
	struct rgb a = s[i], b = s[i + 1];
	return (struct rgb){ mix(a.r, b.r, t), mix(a.g, b.g, t), mix(a.b, b.b, t) };
}

struct rgb colormap_rgb(double v)
{
	return ramp_rgb(RAMP_VIRIDIS, v);
}

const struct rgb *ramp_stops(enum ramp_id ramp, int *n)
{
	*n = N_STOPS;
	return stops[ramp < RAMP_COUNT ? ramp : RAMP_VIRIDIS];
}

const char *ramp_name(enum ramp_id ramp)
{
	return ramp < RAMP_COUNT ? ramp_names[ramp] : "?";
}

static const uint8_t cube_levels[6] = { 0, 95, 135, 175, 215, 255 };

struct rgb xterm256_rgb(int index)
{
	if (index >= 232 && index <= 255) {
		uint8_t g = (uint8_t)(8 + 10 * (index - 232));
		return (struct rgb){ g, g, g };
	}
	if (index < 16 || index > 255)
		return (struct rgb){ 0, 0, 0 };
	int k = index - 16;
	return (struct rgb){ cube_levels[k / 36], cube_levels[(k / 6) % 6], cube_levels[k % 6] };
}

/* Squared distance with the usual "redmean" weights: cheap and closer to what the
   eye sees than plain Euclidean RGB. */
static double colour_distance(struct rgb a, struct rgb b)
{
	double rmean = (a.r + b.r) / 2.0;
	double dr = a.r - b.r, dg = a.g - b.g, db = a.b - b.b;
	return (2 + rmean / 256) * dr * dr + 4 * dg * dg + (2 + (255 - rmean) / 256) * db * db;
}

static const struct rgb okabe_ito[8] = {
	{ 0, 114, 178 }, { 213, 94, 0 }, { 0, 158, 115 }, { 204, 121, 167 },
	{ 230, 159, 0 }, { 86, 180, 233 }, { 0, 0, 0 }, { 240, 228, 66 },
};

struct rgb series_rgb(int i)
{
	return okabe_ito[(i % 8 + 8) % 8];
}

int colormap_xterm256(double v)
{
	return xterm256_nearest(colormap_rgb(v));
}

int xterm256_nearest(struct rgb want)
{
	int best = 16;
	double best_d = INFINITY;
	for (int i = 16; i < 256; i++) {
		double d = colour_distance(want, xterm256_rgb(i));
		if (d < best_d) {
			best_d = d;
			best = i;
		}
	}
	return best;
}

static double srgb_to_linear(uint8_t c)
{
	double x = c / 255.0;
	return x <= 0.04045 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4);
}

double rgb_luminance(struct rgb c)
{
	return 0.2126 * srgb_to_linear(c.r) + 0.7152 * srgb_to_linear(c.g) +
	       0.0722 * srgb_to_linear(c.b);
}

int colormap_level(double v, int n)
{
	if (isnan(v))
		return -1;
	if (v <= 0)
		return 0;
	if (v >= 1)
		return n - 1;
	int level = (int)(v * n);
	return level >= n ? n - 1 : level;
}

double normalize_value(double x, double lo, double hi)
{
	if (isnan(x))
		return x;
	if (!(hi > lo))
		return 0.5;
	double t = (x - lo) / (hi - lo);
	return t < 0 ? 0 : t > 1 ? 1 : t;
}
