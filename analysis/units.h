/* units.h: strict number and size parsing, and human-readable sizes (pure, no I/O). */
#ifndef LWQ_UNITS_H
#define LWQ_UNITS_H

#include <stddef.h>

/* Parses "850MB", "3.2GiB", "1e9", "123" into bytes (SI and IEC units, B optional).
   0, or -1 when text is not a non-negative size. */
int parse_size(const char *text, double *bytes);
/* Formats bytes as "3.21 GiB" / "850.00 MiB" / "123 B" into buf; returns buf. */
const char *format_size(double bytes, char *buf, size_t len);
/* Whole text as a decimal integer in [min, max] / a finite number: 0, or -1. */
int parse_int(const char *text, long min, long max, long *out);
int parse_double(const char *text, double *out);

#endif
