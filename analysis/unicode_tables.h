/* unicode_tables.h: Unicode character classes the byte-level BPE pre-tokenizer needs. */
#ifndef LWQ_UNICODE_TABLES_H
#define LWQ_UNICODE_TABLES_H

#include <stdint.h>

/* Inclusive code point range; tables are sorted and disjoint. */
struct unicode_range {
	uint32_t lo, hi;
};

/* Generated tables (analysis/unicode_tables.c). */
extern const struct unicode_range unicode_letters[];
extern const int unicode_letters_count;
extern const struct unicode_range unicode_numbers[];
extern const int unicode_numbers_count;

/* \p{L}, \p{N} and \s (the White_Space property) as regex engines define them
   (defined in pretokenize.c, their only user). */
int unicode_is_letter(uint32_t cp);
int unicode_is_number(uint32_t cp);
int unicode_is_space(uint32_t cp);

#endif
