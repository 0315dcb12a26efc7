/* fuzz_util.h: helpers shared by the fuzz targets (tests/fuzz/README). */
#ifndef LWQ_FUZZ_UTIL_H
#define LWQ_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* The entry point every target defines: libFuzzer calls it, and so does replay.c. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes the input to this process's scratch file (for readers that take a path) and
   returns its path; NULL when it cannot be written. */
const char *fuzz_file(const char *suffix, const uint8_t *data, size_t size);

/* The input as a NUL-terminated malloc'd string (JSON parsers take text). */
char *fuzz_text(const uint8_t *data, size_t size);

#endif
