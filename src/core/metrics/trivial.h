/*
 * trivial.h: the scores of the trivial classifier, the one that predicts
 * the training part's most frequent class for every row.
 *
 * A model is worth deploying only when it beats this one: on data where
 * one class dominates, a classifier can score a high accuracy and still
 * never predict anything but that class.  The regression counterpart, the
 * training mean, is a linear model with no slopes, which regmetrics.h
 * already scores.
 */
#ifndef MM_TRIVIAL_H
#define MM_TRIVIAL_H

#include <stddef.h>

/*
 * The most frequent of k classes given their row counts, the first (in the
 * classes' order) on a tie, as scikit-learn's DummyClassifier picks it; -1
 * when every count is 0.
 */
extern int	mm_majority_class(const double *counts, int k);

/*
 * The accuracy and macro f1 of predicting class c for every row of a part
 * whose classes have these row counts, as mm_class_metrics would compute
 * them from those predictions (the f1 averages over the classes present
 * in the truth or the predictions); NaN for an empty part.
 */
extern void mm_constant_class_scores(const double *counts, int k, int c, double *accuracy,
									 double *f1);

#endif							/* MM_TRIVIAL_H */
