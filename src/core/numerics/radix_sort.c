/*
 * radix_sort.c: a counting sort of 64-bit keys (see radix_sort.h for why
 * and for the keys of doubles).
 *
 * The keys are sorted by their top half first, a byte at a time from the
 * lowest of it (each byte's counting sort is stable, so the order of the
 * bytes sorted before holds among equal ones), and then each run of keys
 * whose top halves are equal by the bottom half.  The values a sketch
 * sorts are mostly continuous, so such runs are rare and short, and half
 * the byte passes are saved; a run of many (repeated values, or values
 * that differ in their last bits alone) takes the bottom half's bytes.
 */
#include "radix_sort.h"

#define HALF_DIGITS (MM_RADIX_DIGITS / 2)
/* runs up to this long are sorted by insertion */
#define SHORT_RUN 16

/*
 * Sorts the n keys in keys by their bytes first to first + digits - 1,
 * stably, ping-ponging with other; returns the array holding the result.
 * count holds digits * MM_RADIX_DIGIT_VALUES counters.
 */
static uint64_t *
sort_bytes(uint64_t *keys, uint64_t *other, size_t n, int first, int digits, uint32_t *count,
		   void (*between) (void))
{
	size_t		i;
	int			digit;

	memset(count, 0, sizeof(uint32_t) * (size_t) digits * MM_RADIX_DIGIT_VALUES);
	/* every digit's histogram in one sweep */
	for (i = 0; i < n; i++)
	{
		uint64_t	k = keys[i];

		for (digit = 0; digit < digits; digit++)
			count[digit * MM_RADIX_DIGIT_VALUES +
				  ((k >> ((first + digit) * MM_RADIX_DIGIT_BITS)) & (MM_RADIX_DIGIT_VALUES - 1))]++;
	}
	for (digit = 0; digit < digits; digit++)
	{
		uint32_t   *c = count + digit * MM_RADIX_DIGIT_VALUES;
		int			shift = (first + digit) * MM_RADIX_DIGIT_BITS;
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

/* Sorts a short run by insertion (the keys differ in their bottom halves alone). */
static void
insertion_sort(uint64_t *keys, size_t n)
{
	size_t		a;

	for (a = 1; a < n; a++)
	{
		uint64_t	k = keys[a];
		size_t		b = a;

		while (b > 0 && keys[b - 1] > k)
		{
			keys[b] = keys[b - 1];
			b--;
		}
		keys[b] = k;
	}
}

uint64_t *
mm_radix_sort_keys(uint64_t *keys, uint64_t *other, size_t n, uint32_t *count,
				   void (*between) (void))
{
	uint64_t   *sorted,
			   *spare;
	size_t		start,
				end;

	if (n < 2)
		return keys;
	sorted = sort_bytes(keys, other, n, HALF_DIGITS, HALF_DIGITS, count, between);
	spare = sorted == keys ? other : keys;
	for (start = 0; start < n; start = end)
	{
		uint64_t	top = sorted[start] >> (HALF_DIGITS * MM_RADIX_DIGIT_BITS);

		end = start + 1;
		while (end < n && sorted[end] >> (HALF_DIGITS * MM_RADIX_DIGIT_BITS) == top)
			end++;
		if (end - start <= SHORT_RUN)
			insertion_sort(sorted + start, end - start);
		else
		{
			const uint64_t *run = sort_bytes(sorted + start, spare + start, end - start, 0,
											 HALF_DIGITS, count, between);

			if (run != sorted + start)
				memcpy(sorted + start, run, sizeof(uint64_t) * (end - start));
		}
	}
	return sorted;
}
