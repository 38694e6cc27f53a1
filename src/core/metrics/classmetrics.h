/*
 * classmetrics.h: the metrics of a classifier's predictions.
 */
#ifndef MM_CLASSMETRICS_H
#define MM_CLASSMETRICS_H

#include <stddef.h>
#include <stdint.h>

#include "mmcore.h"

/*
 * Metrics over n rows of true and predicted class indexes in [0, k), as
 * scikit-learn defines them: the macro and weighted averages run over the
 * classes present in either the truth or the predictions, a class never
 * predicted has precision 0, and NaN marks what is undefined (log_loss
 * without probabilities, roc_auc unless binary with both classes present).
 */
typedef struct MmClassMetrics
{
	int			k;
	double		rows;
	double		accuracy;
	double		precision;
	double		recall;
	double		f1;
	double		precision_weighted;
	double		recall_weighted;
	double		f1_weighted;
	double		log_loss;
	double		roc_auc;
	int64_t    *confusion;		/* k x k: rows true class, columns predicted */
} MmClassMetrics;

/*
 * Fills out from true classes y and predictions pred; proba (n x k, or
 * NULL) gives the log-loss, score (n, or NULL) the binary ROC AUC, the
 * higher the more likely the last class.  confusion is allocated with
 * mm_alloc.
 */
extern MmErrorCode mm_class_metrics(const int32_t *y, const int32_t *pred, const double *proba,
									const double *score, size_t n, int k,
									MmClassMetrics *out, MmError *err);

/*
 * The same metrics from counts, for rows measured elsewhere (a pass over a
 * relation): confusion k x k (copied), the summed log-loss terms of the
 * rows (mm_log_loss_term; NaN without probabilities) and the ROC AUC (NaN
 * for none).  Equal to mm_class_metrics over those rows, the log-loss but
 * for the order of its sum.
 */
extern MmErrorCode mm_class_metrics_from_counts(const int64_t *confusion, int k,
												double log_loss_sum, double roc_auc,
												MmClassMetrics *out, MmError *err);

/* A row's term of the log-loss, q the probability of its true class. */
extern double mm_log_loss_term(double q);

/*
 * The same term from -log q itself, clipped alike: for a model that gives
 * the log of its probabilities more exactly than the probabilities.
 */
extern double mm_log_loss_term_of_log(double neg_log_q);

/*
 * The binary ROC AUC from a histogram of scores mapped monotonically into
 * [0, 1]: pos[b] and neg[b] count the positive and negative rows of bin b
 * (mm_roc_bin).  Pairs in different bins are ranked exactly; a pair
 * sharing a bin counts half, as a tie does.  Since a pair's true share is
 * between 0 and 1, the result is within *bound of the exact AUC of the
 * unbinned scores: bound = sum_b pos[b] neg[b] / (2 P N), measured from
 * the histogram itself (0 when no bin holds both classes).  NaN without
 * rows of both classes.
 */
#define MM_ROC_BINS 16384
extern int	mm_roc_bin(double u, int bins);
extern double mm_roc_auc_binned(const uint32_t *pos, const uint32_t *neg, int bins, double *bound);

/* The area under the ROC curve of scores for the positive rows (ties count half). */
extern double mm_roc_auc(const int32_t *positive, const double *score, size_t n);

#endif							/* MM_CLASSMETRICS_H */
