/*
 * sortdoubles.c: sorting arrays of doubles, with the comparison inlined.
 *
 * Profiles and the preprocessing's quantiles sort every sampled or
 * training value of a column; qsort's call per comparison made that a
 * visible share of a training's fixed cost.  PostgreSQL's sort template
 * gives the same introsort specialized for doubles.
 */
#include "postgres.h"

#include "sortdoubles.h"

#define ST_SORT sort_doubles
#define ST_ELEMENT_TYPE double
#define ST_COMPARE(a, b) ((*(a) > *(b)) - (*(a) < *(b)))
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

void
MmSortDoubles(double *values, size_t n)
{
	sort_doubles(values, n);
}
