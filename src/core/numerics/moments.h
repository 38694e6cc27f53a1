/*
 * moments.h: mergeable first and second moments of d variables.
 *
 * A moments block is an array of doubles: the row count, the d means, and
 * the packed upper triangle of the co-moment matrix (sum of products of
 * deviations from the mean), row by row.  Rows are added with Welford's
 * update and blocks are merged with Chan's formula, which keeps the sums
 * accurate for data far from zero (prices, epoch seconds) where raw sums of
 * squares would cancel.
 */
#ifndef MM_MOMENTS_H
#define MM_MOMENTS_H

/* Number of doubles in a moments block over d variables. */
static inline int
mm_moments_len(int d)
{
	return 1 + d + d * (d + 1) / 2;
}

/* Position of co-moment (i, j), i <= j, inside the packed triangle. */
static inline int
mm_tri_index(int d, int i, int j)
{
	return i * d - i * (i - 1) / 2 + (j - i);
}

/* Adds one row v[0..d-1]; scratch holds 2*d doubles. */
extern void mm_moments_add(double *block, int d, const double *v, double *scratch);

/* Merges src into dst; scratch holds d doubles. */
extern void mm_moments_merge(double *dst, const double *src, int d, double *scratch);

/*
 * Merges a batch of m rows into block: cols holds d columns of m values
 * each (column-major; overwritten), scratch holds mm_moments_len(d) + d
 * doubles.
 * Within the batch the moments are computed in two passes (mean, then
 * centered products), which is exact to rounding and, unlike a per-row
 * update, vectorizes.
 */
extern void mm_moments_merge_batch(double *block, int d, double *cols, int m, double *scratch);

/* Co-moment (i, j) in either order. */
extern double mm_moments_co(const double *block, int d, int i, int j);

#endif							/* MM_MOMENTS_H */
