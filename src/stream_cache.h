/* stream_cache.h: residual streams kept at layer boundaries between evaluations that
   differ only in some layers' bits (a sweep), so the next one resumes where it differs. */
#ifndef LWQ_STREAM_CACHE_H
#define LWQ_STREAM_CACHE_H

#include <stdint.h>

/* One cache serves runs over the same windows that differ only in their per-layer bits
   (same model, quantizer and group size). The stream entering layer b depends only on
   the bits of layers 0 .. b-1, which is the key of what is kept there. */
struct stream_cache;

/* Keeps up to cap_bytes of streams of stream_floats floats each, at boundaries spread
   evenly over 1 .. n_layers-1 (every boundary when they all fit). NULL when not even one
   fits (the caller then runs uncached) or out of memory. */
struct stream_cache *stream_cache_new(int n_layers, int64_t stream_floats, int64_t cap_bytes);
void stream_cache_free(struct stream_cache *sc);

/* The deepest boundary b whose stream was computed with bits[0 .. b-1]; copies that
   stream into x and returns b, or returns 0 (start from the embeddings). */
int stream_cache_resume(struct stream_cache *sc, const int *bits, float *x);
/* x is the stream entering layer b, computed with bits[0 .. b-1]: kept when b is one of
   the cache's boundaries. */
void stream_cache_offer(struct stream_cache *sc, int b, const int *bits, const float *x);

/* Boundaries kept and layer steps saved so far (for progress and benches). */
int stream_cache_slots(const struct stream_cache *sc);
int64_t stream_cache_layers_skipped(const struct stream_cache *sc);

#endif
