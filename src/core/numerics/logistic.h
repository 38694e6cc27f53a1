/*
 * logistic.h: logistic regression, binary and multinomial, by Newton's method
 * as a driver loop of passes over a data source (logistic_passes.h).
 */
#ifndef MM_LOGISTIC_H
#define MM_LOGISTIC_H

#include <stddef.h>
#include <stdint.h>

#include "mmcore.h"
#include "model.h"
#include "source.h"

/* How a logistic regression is fitted (scikit-learn's meaning, alpha = 1 / C). */
typedef struct MmLogisticOptions
{
	double		alpha;			/* L2 penalty alpha/2 |w|^2, the intercept free */
	int			fit_intercept;
	int			balanced;		/* weight class c by n / (k n_c) */
	int			max_iter;		/* Newton steps at most */
	/*
	 * On the largest entry of the mean loss's gradient: a fit whose gradient
	 * falls below it has converged.  It goes on all the same until Newton's
	 * steps stop moving the coefficients, so that its answer is the optimum
	 * itself, the same whatever order the rows come in.
	 */
	double		tol;
	/*
	 * The inputs' centering and scaling (NULL: none), so that the inference
	 * statistics describe the coefficients in the original units.
	 */
	const double *center;
	const double *scale;
	/*
	 * Where Newton's method starts (NULL: the classes' shares): per row of
	 * coefficients (1 when binary, k otherwise) the p coefficients and the
	 * intercept, as a fit of the same rows' shape leaves them.  A tuning
	 * search starts each candidate from its neighbour's fit.
	 */
	const double *start;
	/* called after each Newton step (may be NULL) */
	void		(*progress) (void *arg, int iteration);
	void	   *progress_arg;
} MmLogisticOptions;

/*
 * Fits a logistic regression on the rows of data (p transformed features,
 * classes in [0, k): class indexes, or a numeric target holding them), one
 * Newton step a pass.  Two classes give one row of
 * coefficients for the last class; more give one row per class (softmax).
 * Fills the coefficients, the fitting record and, for unweighted,
 * unregularized fits, standard errors, z statistics and p-values (NaN
 * otherwise), for the coefficients in the original units (intercept
 * first); a multinomial fit's are those of each row's difference from the
 * first row, whose own stay NaN.  The classes themselves are the caller's
 * to fill.
 */
extern MmErrorCode mm_logistic_fit_source(MmDataSource *data, int k, const MmLogisticOptions *opt,
										  MmClassifier *out, MmError *err);

/* The same over n rows in memory (x row-major, class indexes y), through a source in memory. */
extern MmErrorCode mm_logistic_fit(const double *x, const int32_t *y, size_t n, int p, int k,
								   const MmLogisticOptions *opt, MmClassifier *out,
								   MmError *err);

#endif							/* MM_LOGISTIC_H */
