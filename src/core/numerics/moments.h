/*
 * moments.h: mergeable first and second moments of d variables, kept as a
 * triangular factor.
 *
 * A moments block is an array of doubles: the row count, the d means, and
 * the packed upper triangle (row by row) of R, the triangular factor of the
 * centered data: R'R is the co-moment matrix (sum of products of deviations
 * from the mean), but R itself is what a least-squares solve needs, and it
 * carries the data's condition number, not its square, so an ill-conditioned
 * design (a degree-10 polynomial) loses half as many digits as through the
 * co-moments.
 *
 * Rows come in batches, each centered on its own mean; two blocks (na, ma,
 * Ra) and (nb, mb, Rb) merge as the factor of the stacked rows
 * [Ra; Rb; sqrt(na nb / n) (mb - ma)'], Chan's formula in factor form.  The
 * rows are folded in by Householder reflections that keep the diagonal of R
 * at or above zero, so the factor is unique for data of full rank and the
 * last diagonal entry of a fit's factor is the root of its residual sum of
 * squares.  Centering keeps the factor accurate for data far from zero
 * (prices, epoch seconds).
 */
#ifndef MM_MOMENTS_H
#define MM_MOMENTS_H

/* Number of doubles in a moments block over d variables. */
static inline int
mm_moments_len(int d)
{
	return 1 + d + d * (d + 1) / 2;
}

/* Position of entry (i, j), i <= j, inside the packed triangle. */
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
 * The batch is centered on its own mean (two passes, exact to rounding)
 * and its rows folded into the factor column by column, which vectorizes.
 */
extern void mm_moments_merge_batch(double *block, int d, double *cols, int m, double *scratch);

/*
 * Folds m rows into a packed d x d upper triangle tri, so that tri'tri
 * gains the rows' products: rows holds d columns of m values, ld apart
 * (column-major; overwritten).  Needs no work space.
 */
extern void mm_moments_fold(double *tri, int d, double *rows, int m, int ld);

/* Co-moment (i, j) in either order: entry (i, j) of R'R. */
extern double mm_moments_co(const double *block, int d, int i, int j);

/*
 * The centered sum of squares of the residuals y - x'b of slopes coef[0..p-1]
 * over a block of p variables and the target (d = p + 1), v'(R'R)v for
 * v = (-b, 1) taken as |Rv|^2: without the cancellation of expanding the
 * quadratic form, which loses every digit when the fit is nearly exact.
 */
extern double mm_moments_residual_ss(const double *block, int p, const double *coef);

#endif							/* MM_MOMENTS_H */
