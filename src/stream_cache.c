/* stream_cache.c: residual streams kept at layer boundaries between evaluations that
   differ only in some layers' bits (a sweep), so the next one resumes where it differs. */
#include "stream_cache.h"

#include <stdlib.h>
#include <string.h>

struct slot {
	int boundary;              /* the stream entering this layer */
	int filled;
	int *bits;                 /* [boundary]: the bits it was computed with */
	float *stream;
};

struct stream_cache {
	int n_layers, n_slots;
	int64_t stream_floats, skipped;
	struct slot *slots;        /* by increasing boundary */
};

struct stream_cache *stream_cache_new(int n_layers, int64_t stream_floats, int64_t cap_bytes)
{
	int64_t bytes = stream_floats * (int64_t)sizeof(float);
	int64_t fit = bytes > 0 ? cap_bytes / bytes : 0;
	int n = fit < n_layers - 1 ? (int)fit : n_layers - 1;
	if (n < 1)
		return NULL;
	struct stream_cache *sc = calloc(1, sizeof *sc);
	if (!sc)
		return NULL;
	sc->n_layers = n_layers;
	sc->n_slots = n;
	sc->stream_floats = stream_floats;
	sc->slots = calloc((size_t)n, sizeof *sc->slots);
	int ok = sc->slots != NULL;
	for (int i = 0; ok && i < n; i++) {
		struct slot *s = &sc->slots[i];
		/* n evenly spaced boundaries in 1 .. n_layers-1 */
		s->boundary = (int)((int64_t)(i + 1) * n_layers / (n + 1));
		if (s->boundary < 1)
			s->boundary = 1;
		s->bits = malloc((size_t)s->boundary * sizeof *s->bits);
		s->stream = malloc((size_t)bytes);
		ok = s->bits && s->stream;
	}
	if (!ok) {
		stream_cache_free(sc);
		return NULL;
	}
	return sc;
}

void stream_cache_free(struct stream_cache *sc)
{
	if (!sc)
		return;
	for (int i = 0; sc->slots && i < sc->n_slots; i++) {
		free(sc->slots[i].bits);
		free(sc->slots[i].stream);
	}
	free(sc->slots);
	free(sc);
}

int stream_cache_resume(struct stream_cache *sc, const int *bits, float *x)
{
	for (int i = sc->n_slots - 1; i >= 0; i--) {
		const struct slot *s = &sc->slots[i];
		if (s->filled && memcmp(s->bits, bits, (size_t)s->boundary * sizeof *bits) == 0) {
			memcpy(x, s->stream, (size_t)sc->stream_floats * sizeof *x);
			sc->skipped += s->boundary;
			return s->boundary;
		}
	}
	return 0;
}

void stream_cache_offer(struct stream_cache *sc, int b, const int *bits, const float *x)
{
	for (int i = 0; i < sc->n_slots; i++) {
		struct slot *s = &sc->slots[i];
		if (s->boundary != b)
			continue;
		memcpy(s->bits, bits, (size_t)b * sizeof *bits);
		memcpy(s->stream, x, (size_t)sc->stream_floats * sizeof *x);
		s->filled = 1;
		return;
	}
}

int stream_cache_slots(const struct stream_cache *sc)
{
	return sc ? sc->n_slots : 0;
}

int64_t stream_cache_layers_skipped(const struct stream_cache *sc)
{
	return sc ? sc->skipped : 0;
}
