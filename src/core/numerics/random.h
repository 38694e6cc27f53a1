/*
 * random.h: the one pseudo-random generator of the core and the glue,
 * xorshift64* (Marsaglia's xorshift with Vigna's multiplication, 2016):
 * three shifts and a multiplication per draw, good enough for sampling and
 * shuffling, and its whole state is one integer, so a fit that draws from
 * it is the same wherever it runs and however many threads it uses.
 */
#ifndef MM_RANDOM_H
#define MM_RANDOM_H

#include <stdint.h>

/* A generator: the state the next draw advances. */
typedef struct MmRandom
{
	uint64_t	state;
} MmRandom;

/* A generator whose draws follow from seed (zero, xorshift's one fixed point, is moved off). */
static inline MmRandom
mm_random(uint64_t seed)
{
	MmRandom	r = {seed != 0 ? seed : UINT64_C(0x9e3779b97f4a7c15)};

	return r;
}

/* The next 64 random bits. */
static inline uint64_t
mm_random_next(MmRandom *r)
{
	r->state ^= r->state >> 12;
	r->state ^= r->state << 25;
	r->state ^= r->state >> 27;
	return r->state * UINT64_C(2685821657736338717);
}

/* A uniform double in [0, 1): the top 53 bits of the next draw. */
static inline double
mm_random_uniform(MmRandom *r)
{
	return (double) (mm_random_next(r) >> 11) * 0x1.0p-53;
}

#endif							/* MM_RANDOM_H */
