/* xorshift.h: a small seeded generator (Marsaglia's xorshift64), so the damaged-file
   tests damage the same bytes on every run and a failure can be replayed. */
#ifndef LWQ_XORSHIFT_H
#define LWQ_XORSHIFT_H

#include <stdint.h>

static inline uint64_t xorshift64(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

#endif
