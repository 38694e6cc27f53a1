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

/* The area under the ROC curve of scores for the positive rows (ties count half). */
extern double mm_roc_auc(const int32_t *positive, const double *score, size_t n);

#endif							/* MM_CLASSMETRICS_H */
