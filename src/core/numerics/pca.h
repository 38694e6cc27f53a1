/*
 * pca.h: principal component analysis from the covariance of rows in memory.
 */
#ifndef MM_PCA_H
#define MM_PCA_H

#include <stddef.h>

#include "mmcore.h"
#include "model.h"

/*
 * Finds the principal components of n rows of p transformed features (x,
 * row-major): n_components of them, or when n_components is 0 the fewest
 * whose explained variance exceeds the fraction variance_kept (as
 * scikit-learn reads a fraction).  Each component's sign makes its largest
 * loading positive.  Explained variances use n - 1 degrees of freedom.
 */
extern MmErrorCode mm_pca_fit(const double *x, size_t n, int p, int n_components,
							  double variance_kept, MmPCA *out, MmError *err);

/*
 * The same from a moments block over d >= p variables (moments.h), its first
 * p the features: what one aggregate pass over a table gives.
 */
extern MmErrorCode mm_pca_from_moments(const double *moments, int d, int p, int n_components,
									   double variance_kept, MmPCA *out, MmError *err);

/* The share of the total variance of n rows that each component captures, into ratio. */
extern void mm_pca_captured(const MmModel *model, const double *x, size_t n, double *ratio);

/* The same for the rows a moments block over d variables describes. */
extern void mm_pca_captured_moments(const MmModel *model, const double *moments, int d,
									double *ratio);

#endif							/* MM_PCA_H */
