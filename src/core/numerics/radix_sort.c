/*
 * radix_sort.c: a stable least-significant-digit counting sort of 64-bit
 * keys (see radix_sort.h for why and for the keys of doubles).
 */
#include "radix_sort.h"

uint64_t *
mm_radix_sort_keys(uint64_t *keys, uint64_t *other, size_t n, uint32_t *count,
				   void (*between) (void))
{
	size_t		i;
	int			digit;

	if (n < 2)
		return keys;
	memset(count, 0, sizeof(uint32_t) * MM_RADIX_COUNTS);
	/* every digit's histogram in one sweep */
	for (i = 0; i < n; i++)
	{
		uint64_t	k = keys[i];

		for (digit = 0; digit < MM_RADIX_DIGITS; digit++)
			count[digit * MM_RADIX_DIGIT_VALUES +
				  ((k >> (digit * MM_RADIX_DIGIT_BITS)) & (MM_RADIX_DIGIT_VALUES - 1))]++;
	}
	for (digit = 0; digit < MM_RADIX_DIGITS; digit++)
	{
		uint32_t   *c = count + digit * MM_RADIX_DIGIT_VALUES;
		int			shift = digit * MM_RADIX_DIGIT_BITS;
		uint32_t	start = 0;
		uint64_t   *swap;
		int			b;

		/* a digit all keys share leaves the order as it is */
		if (c[(keys[0] >> shift) & (MM_RADIX_DIGIT_VALUES - 1)] == n)
			continue;
		for (b = 0; b < MM_RADIX_DIGIT_VALUES; b++)
		{
			uint32_t	here = c[b];

			c[b] = start;
			start += here;
		}
		for (i = 0; i < n; i++)
			other[c[(keys[i] >> shift) & (MM_RADIX_DIGIT_VALUES - 1)]++] = keys[i];
		swap = keys;
		keys = other;
		other = swap;
		if (between)
			between();
	}
	return keys;
}
