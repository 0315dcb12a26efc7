/* colormap.h: the heatmap colour ramp, shared by the terminal and the PNG writer. */
#ifndef LWQ_COLORMAP_H
#define LWQ_COLORMAP_H

#include <stdint.h>

struct rgb {
	uint8_t r, g, b;
};

/* Perceptually ordered ramp (viridis stops, dark violet -> yellow): lightness grows
   monotonically with v, so the order survives grey-scale printing and colour blindness.
   v outside [0,1] is clamped; NaN maps to a neutral grey (colormap_missing). */
struct rgb colormap_rgb(double v);
struct rgb colormap_missing(void);

/* The ramps figures choose from by what a metric means. All are colour-blind safe:
   the sequential ones grow monotonically in lightness; the diverging one is lightest in
   the middle and darkens monotonically towards blue (v = 0) and red (v = 1). */
enum ramp_id {
	RAMP_VIRIDIS,              /* sequential: scores (LIM, ZD) */
	RAMP_MAGMA,                /* sequential, black -> pale yellow: errors (low is good) */
	RAMP_CIVIDIS,              /* sequential, blue -> yellow: plan bit widths */
	RAMP_RDBU,                 /* diverging (ColorBrewer RdBu reversed): signed values */
	RAMP_COUNT
};
struct rgb ramp_rgb(enum ramp_id ramp, double v);
/* The ramp's evenly spaced stops (linear interpolation between them is the ramp). */
const struct rgb *ramp_stops(enum ramp_id ramp, int *n);
const char *ramp_name(enum ramp_id ramp);

/* Colours for lines of a series (curves): Okabe & Ito's palette, distinguishable with
   every common colour-vision deficiency; i wraps around after 8. */
struct rgb series_rgb(int i);

/* The xterm-256 palette entry (16..255) nearest to a colour. */
int xterm256_nearest(struct rgb c);
/* The xterm-256 palette entry (16..255) nearest to colormap_rgb(v). */
int colormap_xterm256(double v);
/* RGB of an xterm-256 palette entry (16..255: 6x6x6 cube and grey ramp). */
struct rgb xterm256_rgb(int index);

/* Relative luminance in [0,1] (sRGB, Rec. 709 weights); picks black or white text. */
double rgb_luminance(struct rgb c);

/* Quantizes v in [0,1] to one of n levels (0..n-1); NaN -> -1. */
int colormap_level(double v, int n);

/* Maps x to [0,1] linearly between lo and hi (0.5 when lo == hi); NaN stays NaN. */
double normalize_value(double x, double lo, double hi);

#endif
