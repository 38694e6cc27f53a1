/*
 * refine.h: the sums a refinement of a least-squares fit needs, without
 * cancellation.
 *
 * For the residuals r = y - b0 - x'b of a fitted model, summed over rows:
 * sum r, sum r^2 and, per feature, sum (x - mean) r.  Each residual is
 * computed as an exact-product, compensated dot product (twice the working
 * precision: the fitted values of an ill-conditioned design are large sums
 * that cancel to a small y), and each sum carries its rounding error along
 * (Knuth's two-sum), so that the result does not depend on the row order or
 * on how partial sums are merged, which is what lets the correction in
 * linfit.c (corrected semi-normal equations) gain digits.
 *
 * An accumulator is 2 * (p + 2) doubles, (sum, error) pairs: sum r, sum r^2,
 * then the p feature sums.
 */
#ifndef MM_REFINE_H
#define MM_REFINE_H

/* Doubles of an accumulator over p features. */
static inline int
mm_residual_sums_len(int p)
{
	return 2 * (p + 2);
}

/* The fitted model the residuals are taken from. */
typedef struct MmResidualModel
{
	int			p;
	double		intercept;		/* 0 without one */
	const double *coef;			/* p */
	const double *center;		/* p: the means the feature sums subtract, or NULL for 0 */
} MmResidualModel;

/* Adds a row: p features x and the target y. */
extern void mm_residual_sums_add(double *acc, const MmResidualModel *model, const double *x,
								 double y);

/* Adds the accumulator src into dst. */
extern void mm_residual_sums_merge(double *dst, const double *src, int p);

/* The p + 2 sums of an accumulator, each rounded once. */
extern void mm_residual_sums_value(const double *acc, int p, double *sums);

#endif							/* MM_REFINE_H */
