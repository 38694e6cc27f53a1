/*
 * radix_sort.h: sorting doubles by their bits.
 *
 * On unordered values a comparison sort mispredicts about every other
 * branch; past a few hundred values it is several times slower than a
 * counting sort of the values' bits.  A double (no NaN) maps to an
 * unsigned key whose order is the numbers' order: a positive number's bits
 * with the sign set, a negative number's bits inverted, so that the larger
 * magnitude sorts first.  -0 maps just below +0, which compare equal, so a
 * caller for whom equal values must keep their order (a stable sort) sorts
 * arrays holding a -0 another way.  Keys are sorted by bytes, a stable
 * counting sort per byte that skips the bytes every key shares (such as the
 * sign and exponent of values in one binade): the top half of the key
 * first, then each run of keys equal in it by the bottom half.  Bytes
 * rather than wider digits: a sketch's compaction sorts about a thousand
 * values, and clearing and summing 2,048 counters per digit cost it as much
 * as the passes over the values saved.
 *
 * The caller owns every buffer, so that the sort runs where nothing may be
 * allocated (a pass's threads) as well as in a server backend.
 */
#ifndef MM_RADIX_SORT_H
#define MM_RADIX_SORT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MM_RADIX_DIGIT_BITS 8
#define MM_RADIX_DIGIT_VALUES (1 << MM_RADIX_DIGIT_BITS)
#define MM_RADIX_DIGITS ((64 + MM_RADIX_DIGIT_BITS - 1) / MM_RADIX_DIGIT_BITS)
/* the counters mm_radix_sort_keys needs */
#define MM_RADIX_COUNTS (MM_RADIX_DIGITS * MM_RADIX_DIGIT_VALUES)

#define MM_RADIX_SIGN ((uint64_t) 1 << 63)

/* The key whose unsigned order is v's order (v not NaN). */
static inline uint64_t
mm_radix_key(double v)
{
	uint64_t	bits;

	memcpy(&bits, &v, sizeof(bits));
	return (bits & MM_RADIX_SIGN) ? ~bits : bits | MM_RADIX_SIGN;
}

/* The double of a key. */
static inline double
mm_radix_double(uint64_t key)
{
	uint64_t	bits = (key & MM_RADIX_SIGN) ? key & ~MM_RADIX_SIGN : ~key;
	double		v;

	memcpy(&v, &bits, sizeof(v));
	return v;
}

/* The key of -0, which a stable sort of doubles must not tell from +0's. */
#define MM_RADIX_NEGATIVE_ZERO (~MM_RADIX_SIGN)

/*
 * Sorts n keys (n < 2^32) ascending.  other holds n keys, count
 * MM_RADIX_COUNTS counters; between, when not NULL, runs after each digit
 * (a server checks for interrupts there).  Returns keys or other, whichever
 * holds the sorted keys; the other's contents are undefined.
 */
extern uint64_t *mm_radix_sort_keys(uint64_t *keys, uint64_t *other, size_t n, uint32_t *count,
									void (*between) (void));

#endif							/* MM_RADIX_SORT_H */
