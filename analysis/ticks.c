/* ticks.c: nice-number ticks (1, 2, 5 x 10^k) for linear and logarithmic axes. */
#include "ticks.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The smallest of 1, 2, 5, 10 times a power of ten that is >= x. */
static double nice_step(double x)
{
	double p = pow(10, floor(log10(x)));
	double f = x / p;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

/* The next of ..., 1, 2, 5, 10, ... below a nice step. */
static double smaller_nice_step(double step)
{
	double p = pow(10, floor(log10(step) + 1e-9));
	double f = step / p;
	return f > 4.5 ? 2 * p : f > 1.5 ? p : 0.5 * p;
}

/* The multiples of step inside [lo, hi]; returns how many. */
static int ticks_with_step(double lo, double hi, double step, struct ticks *t)
{
	double first = ceil(lo / step - 1e-9) * step;
	t->n = 0;
	for (int k = 0; t->n < TICKS_MAX; k++) {
		double v = first + k * step;
		if (v > hi + step * 1e-9)
			break;
		t->value[t->n++] = fabs(v) < step * 1e-9 ? 0 : v;
	}
	return t->n;
}

int decimals_for_step(double step)
{
	if (!(step > 0) || !isfinite(step))
		return 0;
	/* The step's leading digit must show: 0.25 needs 2, 0.2 needs 1. */
	for (int d = 0; d < 12; d++) {
		double scaled = step * pow(10, d);
		if (fabs(scaled - round(scaled)) < 1e-6 * scaled)
			return d;
	}
	return 12;
}

void ticks_linear(double lo, double hi, int want, struct ticks *t)
{
	t->n = 0;
	t->decimals = 0;
	t->own_digits = 0;
	if (!isfinite(lo) || !isfinite(hi))
		return;
	if (hi < lo) {
		double swap = lo;
		lo = hi;
		hi = swap;
	}
	want = want < 2 ? 2 : want > TICKS_MAX - 1 ? TICKS_MAX - 1 : want;
	if (hi == lo) {
		t->value[t->n++] = lo;
		t->decimals = decimals_for_step(fabs(lo) > 0 ? nice_step(fabs(lo)) / 10 : 1);
		return;
	}
	double step = nice_step((hi - lo) / want);
	/* Rounding the step up can leave a single tick; two at least make a scale. */
	for (int tries = 0; ticks_with_step(lo, hi, step, t) < 2 && tries < 60; tries++)
		step = smaller_nice_step(step);
	t->decimals = decimals_for_step(step);
}

void ticks_log(double lo, double hi, int want, struct ticks *t)
{
	t->n = 0;
	t->decimals = 0;
	t->own_digits = 0;
	if (!(lo > 0) || !(hi > 0) || !isfinite(lo) || !isfinite(hi))
		return;
	if (hi < lo) {
		double swap = lo;
		lo = hi;
		hi = swap;
	}
	if (log10(hi / lo) < 1) {           /* less than a decade: linear ticks read better */
		ticks_linear(lo, hi, want, t);
		return;
	}
	/* 1-2-5 per decade while that stays within twice the wanted count, else powers of ten. */
	static const double mantissas[][3] = { { 1, 0, 0 }, { 1, 2, 5 } };
	for (int dense = 1; dense >= 0; dense--) {
		t->n = 0;
		for (int e = (int)floor(log10(lo)); e <= (int)ceil(log10(hi)) && t->n < TICKS_MAX; e++)
			for (int m = 0; m < 3 && t->n < TICKS_MAX; m++) {
				double mant = mantissas[dense][m];
				double v = mant * pow(10, e);
				if (mant == 0 || v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9))
					continue;
				t->value[t->n++] = v;
			}
		if (t->n <= 2 * want)
			break;
	}
	t->own_digits = 1;
	for (int i = 0; i < t->n; i++) {
		int d = decimals_for_step(t->value[i]);
		t->decimals = d > t->decimals ? d : t->decimals;
	}
}

const char *tick_label(const struct ticks *t, int i, char out[32])
{
	double v = t->value[i];
	return format_number(v, t->own_digits ? decimals_for_step(fabs(v)) : t->decimals, out);
}

const char *format_number(double v, int decimals, char out[32])
{
	char digits[28];
	snprintf(digits, sizeof digits, "%.*f", decimals, fabs(v));
	int zero = strspn(digits, "0.") == strlen(digits);
	snprintf(out, 32, "%s%s", v < 0 && !zero ? "\u2212" : "", digits);
	return out;
}
