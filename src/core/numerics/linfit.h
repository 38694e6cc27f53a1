/*
 * linfit.h: least squares and ridge regression from a moments block, whose
 * triangular factor (moments.h) is solved directly.
 */
#ifndef MM_LINFIT_H
#define MM_LINFIT_H

#include <stdint.h>

#include "mmcore.h"
#include "model.h"

/*
 * The default of mm_rank_tolerance: a pivot of the column-pivoted QR of the
 * factor (columns scaled to unit length) below this fraction of the largest
 * is treated as zero, its direction a collinear combination of features.
 * Far below R's 1e-7, which drops a term of the degree-10 polynomial of
 * NIST's Filip (smallest pivot ratio about 5e-8), yet far above the 1e-16
 * of a feature that is exactly a combination of others.
 */
#define MM_RANK_TOLERANCE 1e-10

/* The tolerance in force (the setting modelmgr.rank_tolerance), in (0, 1). */
extern double mm_rank_tolerance;

/*
 * A factor whose reciprocal condition number (scaled columns, 1-norm
 * estimate) is below this leaves fewer than about 9 digits to a one-pass
 * solve, and the fit is refined by a pass over the rows
 * (mm_linear_refine).
 */
#define MM_REFINE_RCOND 1e-6

/*
 * Fits y on p features from a moments block over p + 1 variables (the target
 * last; moments.h).  Minimizes |y - Xb|^2 + alpha |b|^2 with the intercept
 * unpenalized.  Where the features are collinear and alpha is 0, the answer
 * is the minimum-norm least-squares solution (the intercept outside the
 * norm).  Fills out (coef, intercept, rank, inference statistics; allocated
 * with mm_alloc) and, when aliased is not NULL, flags in aliased[0..p]
 * (intercept first) the coefficients that the data cannot identify.  When
 * needs_refinement is not NULL it is set to whether the fit is worth a
 * refinement pass (mm_linear_refine): unpenalized, of full rank and
 * ill-conditioned, as the factor it solved says (MM_REFINE_RCOND).
 */
extern MmErrorCode mm_linear_fit(const double *moments, int p, double alpha,
								 int fit_intercept, MmLinearModel *out,
								 uint8_t *aliased, int *needs_refinement, MmError *err);

/*
 * The fit of mm_linear_fit over the same moments, refined by one step of
 * corrected semi-normal equations: sums holds, over the training rows and
 * for the residuals r of that fit, sum r, sum r^2 and, per feature,
 * sum (x - mean) r (raw x without an intercept), summed without
 * cancellation (refine.h).  The correction d solves R'R d = X'r; the
 * residual sum of squares becomes sum r^2 - |R d|^2.
 */
extern MmErrorCode mm_linear_refine(const double *moments, int p, int fit_intercept,
									const double *sums, MmLinearModel *out,
									uint8_t *aliased, MmError *err);

#endif							/* MM_LINFIT_H */
