/*
 * svm.h: the linear support vector classifier, by dual coordinate descent on
 * rows in memory.
 */
#ifndef MM_SVM_H
#define MM_SVM_H

#include <stddef.h>
#include <stdint.h>

#include "mmcore.h"
#include "model.h"

/* How a linear SVM is fitted (scikit-learn's LinearSVC meaning). */
typedef struct MmSvmOptions
{
	double		C;				/* the penalty on the summed losses */
	int			squared_hinge;	/* the squared hinge loss instead of the hinge */
	int			fit_intercept;	/* as a constant feature of 1 (penalized, as LinearSVC does) */
	int			balanced;		/* weight class c's C by n / (k n_c) */
	int			max_iter;		/* passes over the rows at most */
	double		tol;			/* on the spread of the projected gradient */
	uint64_t	seed;			/* the order rows are visited in */
} MmSvmOptions;

/*
 * Fits a linear SVM on n rows of p transformed features (x, row-major) with
 * class indexes y in [0, k): one row of coefficients for two classes (the
 * last class positive), one per class against the rest for more.  Fills the
 * coefficients and the fitting record (n_iter: the largest number of passes
 * any of the one-against-rest problems took); the classes are the caller's.
 */
extern MmErrorCode mm_svm_fit(const double *x, const int32_t *y, size_t n, int p, int k,
							  const MmSvmOptions *opt, MmClassifier *out, MmError *err);

#endif							/* MM_SVM_H */
