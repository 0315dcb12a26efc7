/* ticks.h: where an axis or colour bar puts its ticks ("nice numbers") and how it prints them. */
#ifndef LWQ_TICKS_H
#define LWQ_TICKS_H

#define TICKS_MAX 32

struct ticks {
	int n;
	double value[TICKS_MAX];
	int decimals;              /* digits after the point that tell the ticks apart */
	int own_digits;            /* log ticks: each label shows only its own digits
				      (0.01, 0.1, 1 rather than 0.01, 0.10, 1.00) */
};

/* About `want` (2..TICKS_MAX-1) round values inside [lo, hi]: multiples of 1, 2 or 5 times
   a power of ten. lo == hi gives that one value. NaN or infinite bounds give none. */
void ticks_linear(double lo, double hi, int want, struct ticks *t);

/* Ticks for a logarithmic axis over [lo, hi] (both > 0): 1, 2, 5 per decade when the
   range spans decades, otherwise linear nice values (which read better on a short
   log axis). None when lo <= 0. */
void ticks_log(double lo, double hi, int want, struct ticks *t);

/* Digits after the point for values `step` apart: 0.02 -> 2, 0.0025 -> 4, 5 -> 0. */
int decimals_for_step(double step);

/* The label of tick i (format_number with the ticks' digits). */
const char *tick_label(const struct ticks *t, int i, char out[32]);

/* Prints v with `decimals` digits after the point, a true minus sign (U+2212) for
   negatives and no "-0". out needs 32 bytes. */
const char *format_number(double v, int decimals, char out[32]);

#endif
