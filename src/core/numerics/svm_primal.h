/*
 * svm_primal.h: the linear SVM with the squared hinge loss in the primal,
 * by Newton's method over passes of a data source.
 *
 * The objective of each one-against-the-rest problem is LIBLINEAR's L2-loss
 * SVC (scikit-learn's LinearSVC with loss='squared_hinge'):
 *
 *     f(w) = 1/2 |w|^2 + sum_i C_i max(0, 1 - y_i w.x_i)^2
 *
 * with x_i the row and its constant 1 when there is an intercept (penalized
 * with the rest).  f is once differentiable and piecewise quadratic; its
 * generalized Hessian I + 2 X_I' D X_I sums over the rows I with a positive
 * margin loss.  Every number the Newton iteration needs from the rows comes
 * from one pass, mm_svm_newton_pass (svm_pass.h), so the fit runs wherever the source
 * runs passes: in memory on threads, or as an aggregate over a relation.
 */
#ifndef MM_SVM_PRIMAL_H
#define MM_SVM_PRIMAL_H

#include "model.h"
#include "source.h"
#include "svm.h"

/*
 * Fits the squared-hinge SVM over the rows of data with class indexes in
 * [0, k) (the rows' y): one coefficient row for two classes (the last class
 * positive), one per class against the rest for more.  opt->max_iter bounds
 * the Newton steps of each problem, opt->tol is LIBLINEAR's stopping
 * tolerance on the gradient's norm relative to its norm at 0, and
 * opt->squared_hinge must be set.  Fills the coefficients and the fitting
 * record (n_iter: the most Newton steps any problem took; converged: every
 * problem met the tolerance); seed is not used, as nothing is drawn.
 */
extern MmErrorCode mm_svm_primal_fit(MmDataSource *data, int k, const MmSvmOptions *opt,
									 MmClassifier *out, MmError *err);

#endif							/* MM_SVM_PRIMAL_H */
