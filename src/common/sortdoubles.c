/*
 * sortdoubles.c: sorting arrays of doubles.
 *
 * Profiles and the preprocessing's quantiles sort every sampled or
 * training value of a column, one column after another, at the end of a
 * training: a share of its fixed cost that no parallel worker takes.  On
 * sampled, unordered values a comparison sort mispredicts about every other
 * branch, so past a few hundred values the doubles are sorted by their bits
 * instead (radix_sort.h, the core's, which the quantile sketch's
 * compactions use too).  Short arrays keep PostgreSQL's sort template,
 * which wins where the counting's fixed cost would dominate.
 */
#include "postgres.h"

#include "miscadmin.h"

#include "radix_sort.h"
#include "sortdoubles.h"

#define ST_SORT sort_doubles
#define ST_ELEMENT_TYPE double
#define ST_COMPARE(a, b) ((*(a) > *(b)) - (*(a) < *(b)))
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/* Below this many values the comparison sort is faster. */
#define RADIX_MIN_VALUES 384

static void
check_interrupts(void)
{
	CHECK_FOR_INTERRUPTS();
}

static void
radix_sort(double *values, size_t n)
{
	/* as large as the values, which a column of a large table may make huge */
	uint64	   *keys = palloc_extended(sizeof(uint64) * n, MCXT_ALLOC_HUGE);
	uint64	   *other = palloc_extended(sizeof(uint64) * n, MCXT_ALLOC_HUGE);
	uint32	   *count = palloc(sizeof(uint32) * MM_RADIX_COUNTS);
	uint64	   *sorted;
	size_t		i;

	for (i = 0; i < n; i++)
		keys[i] = mm_radix_key(values[i]);
	sorted = mm_radix_sort_keys(keys, other, n, count, check_interrupts);
	for (i = 0; i < n; i++)
		values[i] = mm_radix_double(sorted[i]);
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
