/*
 * linfit.h: least squares and ridge regression from moments.
 */
#ifndef MM_LINFIT_H
#define MM_LINFIT_H

#include <stdint.h>

#include "mmcore.h"
#include "model.h"

/*
 * Eigenvalues of the standardized Gram matrix below this fraction of the
 * largest are treated as zero: their directions are collinear features.
 */
#define MM_RANK_TOLERANCE 1e-10

/*
 * Fits y on p features from a moments block over p + 1 variables (the target
 * last; moments.h).  Minimizes |y - Xb|^2 + alpha |b|^2 with the intercept
 * unpenalized.  Where the features are collinear and alpha is 0, the answer
 * is the minimum-norm least-squares solution.  Fills out (coef, intercept,
 * rank, inference statistics; allocated with mm_alloc) and, when aliased is
 * not NULL, flags in aliased[0..p] (intercept first) the coefficients that
 * the data cannot identify.
 */
extern MmErrorCode mm_linear_fit(const double *moments, int p, double alpha,
								 int fit_intercept, MmLinearModel *out,
								 uint8_t *aliased, MmError *err);

#endif							/* MM_LINFIT_H */
