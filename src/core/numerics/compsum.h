/*
 * compsum.h: compensated summation (Neumaier's variant of Kahan's).
 *
 * A sum s carried with the rounding errors of its additions in c, so that
 * s + c is the exact sum but for terms in the square of the unit roundoff.
 * Rounded to a double, it is then the same for the same values added in any
 * order, but when the exact sum lies within such a term of a rounding
 * boundary: the statistics of rows read in whatever order their scan or
 * their shards give them come out the same bits.
 */
#ifndef MM_COMPSUM_H
#define MM_COMPSUM_H

#include <math.h>

/* Adds v to the compensated sum (*s, *c). */
static inline void
mm_compsum_add(double *s, double *c, double v)
{
	double		t = *s + v;

	/* a choice, not a branch: loops over columns side by side may become vector selects */
	*c += fabs(*s) >= fabs(v) ? (*s - t) + v : (v - t) + *s;
	*s = t;
}

#endif							/* MM_COMPSUM_H */
