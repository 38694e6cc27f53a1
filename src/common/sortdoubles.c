/*
 * sortdoubles.c: sorting arrays of doubles.
 *
 * Profiles and the preprocessing's quantiles sort every sampled or
 * training value of a column, one column after another, at the end of a
 * training: a share of its fixed cost that no parallel worker takes.  On
 * sampled, unordered values a comparison sort mispredicts about every other
 * branch, so past a few hundred values the doubles are sorted by their bits
 * instead: mapped to unsigned keys whose order is the numbers' order, then
 * sorted by 11-bit digits from the lowest (a stable counting sort per
 * digit, skipping the digits every key shares, such as the exponent of
 * values in one binade).  Short arrays keep PostgreSQL's sort template,
 * which wins where the counting's fixed cost would dominate.
 */
#include "postgres.h"

#include "miscadmin.h"

#include "sortdoubles.h"

#define ST_SORT sort_doubles
#define ST_ELEMENT_TYPE double
#define ST_COMPARE(a, b) ((*(a) > *(b)) - (*(a) < *(b)))
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

#define DIGIT_BITS 11
#define DIGIT_VALUES (1 << DIGIT_BITS)
#define DIGITS ((64 + DIGIT_BITS - 1) / DIGIT_BITS)
#define SIGN_BIT UINT64CONST(0x8000000000000000)

/* Below this many values the comparison sort is faster. */
#define RADIX_MIN_VALUES 384

/*
 * The key whose unsigned order is the double's order: a positive number's
 * bits with the sign set, a negative number's bits inverted (so the larger
 * magnitude sorts first).  -0 sorts just below +0, which compare equal.
 */
static inline uint64
key_of(double v)
{
	uint64		bits;

	memcpy(&bits, &v, sizeof(bits));
	return (bits & SIGN_BIT) ? ~bits : bits | SIGN_BIT;
}

static inline double
double_of(uint64 key)
{
	uint64		bits = (key & SIGN_BIT) ? key & ~SIGN_BIT : ~key;
	double		v;

	memcpy(&v, &bits, sizeof(v));
	return v;
}

static void
radix_sort(double *values, size_t n)
{
	/* as large as the values, which a column of a large table may make huge */
	uint64	   *keys = palloc_extended(sizeof(uint64) * n, MCXT_ALLOC_HUGE);
	uint64	   *other = palloc_extended(sizeof(uint64) * n, MCXT_ALLOC_HUGE);
	uint32	   *count = palloc0(sizeof(uint32) * DIGITS * DIGIT_VALUES);
	size_t		i;
	int			digit;

	/* every digit's histogram in one sweep */
	for (i = 0; i < n; i++)
	{
		uint64		k = key_of(values[i]);

		keys[i] = k;
		for (digit = 0; digit < DIGITS; digit++)
			count[digit * DIGIT_VALUES + ((k >> (digit * DIGIT_BITS)) & (DIGIT_VALUES - 1))]++;
	}
	for (digit = 0; digit < DIGITS; digit++)
	{
		uint32	   *c = count + digit * DIGIT_VALUES;
		int			shift = digit * DIGIT_BITS;
		uint32		start = 0;
		uint64	   *swap;
		int			b;

		/* a digit all keys share leaves the order as it is */
		if (c[(keys[0] >> shift) & (DIGIT_VALUES - 1)] == n)
			continue;
		for (b = 0; b < DIGIT_VALUES; b++)
		{
			uint32		here = c[b];

			c[b] = start;
			start += here;
		}
		for (i = 0; i < n; i++)
			other[c[(keys[i] >> shift) & (DIGIT_VALUES - 1)]++] = keys[i];
		swap = keys;
		keys = other;
		other = swap;
		CHECK_FOR_INTERRUPTS();
	}
	for (i = 0; i < n; i++)
		values[i] = double_of(keys[i]);
	pfree(keys);
	pfree(other);
	pfree(count);
}

void
MmSortDoubles(double *values, size_t n)
{
	/* the counts are 32-bit: larger arrays than any sample take the template */
	if (n < RADIX_MIN_VALUES || n > (size_t) PG_UINT32_MAX)
		sort_doubles(values, n);
	else
		radix_sort(values, n);
}
