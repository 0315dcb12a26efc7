/* pretokenize.h: the GPT-2 pre-tokenizer regex, hand-written, and UTF-8 decoding. */
#ifndef LWQ_PRETOKENIZE_H
#define LWQ_PRETOKENIZE_H

#include <stddef.h>
#include <stdint.h>

/* Returned in *cp for a byte that does not start a valid UTF-8 sequence. */
#define UTF8_INVALID 0xFFFFFFFFu

/* Decodes the character at s (n > 0 bytes available) into *cp; returns its length in
   bytes (1..4). An invalid or truncated sequence counts as one byte, *cp = UTF8_INVALID. */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* End (exclusive byte offset) of the pre-token starting at pos < len, as the Hugging
   Face ByteLevel pre-tokenizer finds it with the GPT-2 pattern
     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
   Every character belongs to some match, so successive calls split the whole text. */
size_t pretoken_end(const char *text, size_t len, size_t pos);

#endif
