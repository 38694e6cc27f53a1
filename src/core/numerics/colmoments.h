/*
 * colmoments.h: the moments of the columns of rows held in memory, summed
 * compensated (compsum.h), so that the same rows in any order give the same
 * bits.
 *
 * Rows stored as they were read come in the order of their scan, or of a
 * distributed table's shards; a transform fitted from plain sums of them
 * differs in its last bits from one order to another, and a solver stopped
 * at its tolerance carries such a difference much further.  The rows are
 * taken a block at a time (the caller may check for interrupts between
 * blocks), row-major as they lie, every column's sum and compensation
 * carried in the accumulator; a missing value (NaN) is left out.  The two
 * sweeps choose by comparisons, not branches, so the columns of a row are
 * summed side by side.
 */
#ifndef MM_COLMOMENTS_H
#define MM_COLMOMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "compsum.h"

typedef struct MmColumnSums
{
	int			p;
	int64_t    *count;			/* present values per column */
	double	   *sum;			/* the compensated sum: sum + carry */
	double	   *carry;
	double	   *min;			/* +infinity, -infinity while none is present */
	double	   *max;
} MmColumnSums;

/*
 * Takes value u of a column into its count, compensated sum and range; a
 * missing value (NaN) adds 0, which leaves the sum and its carry as they
 * were, and moves neither bound.  Choices, not branches, so that a loop
 * over columns side by side vectorizes.
 */
static inline void
mm_column_take(double u, int64_t *count, double *sum, double *carry, double *lo, double *hi)
{
	*count += u == u;
	mm_compsum_add(sum, carry, u == u ? u : 0.0);
	*lo = u < *lo ? u : *lo;
	*hi = u > *hi ? u : *hi;
}

/* Empties the accumulator of p columns, whose arrays the caller gives. */
extern void mm_column_sums_start(MmColumnSums *s, int p);

/* Adds n rows of x (row-major, s->p columns): their values, counts and ranges. */
extern void mm_column_sums_add(MmColumnSums *s, const double *x, size_t n);

/*
 * Adds the squared deviations from center (per column) of n rows of x,
 * into sum and carry only: the second sweep of a variance, after
 * mm_column_sums_start on an accumulator of its own.
 */
extern void mm_column_sums_add_squares(MmColumnSums *s, const double *x, size_t n,
									   const double *center);

/*
 * The mean and population variance of n values, none missing, in two
 * compensated sweeps (the mean first, then the squared deviations from it):
 * the same bits in any order.
 */
extern void mm_values_mean_var(const double *v, size_t n, double *mean, double *var);

/* The compensated sum of column j. */
static inline double
mm_column_sum(const MmColumnSums *s, int j)
{
	return s->sum[j] + s->carry[j];
}

#endif							/* MM_COLMOMENTS_H */
