/*
 * regmetrics.h: regression metrics.
 *
 * Training never reads the data twice: r2, rmse and explained variance of a
 * part follow exactly from that part's moments and the fitted coefficients,
 * and the mean absolute error, which needs each row's residual, comes from
 * the part's bounded uniform sample (exact whenever the part fits in it).
 * Evaluation on another relation has the model from the start, so it
 * accumulates residual moments and the exact absolute error in one pass.
 */
#ifndef MM_REGMETRICS_H
#define MM_REGMETRICS_H

#include "model.h"

typedef struct MmRegressionMetrics
{
	double		rows;
	double		r2;				/* NaN where the target has no variance */
	double		rmse;
	double		mae;
	double		explained_variance;
	double		mae_rows;		/* rows the mae was measured on */
} MmRegressionMetrics;

/*
 * Metrics of a linear model on one part, from its moments over p features
 * and the target, and from count sampled rows (p + 1 values each).
 */
extern void mm_regression_metrics_linear(const double *moments, int p,
										 double intercept, const double *coef,
										 const double *sample, int count,
										 MmRegressionMetrics *out);

/* Length of an evaluation state, in doubles. */
#define MM_EVAL_STATE_LEN 7

/* Starts an evaluation state (moments of target and residual, sum |residual|). */
extern void mm_eval_init(double *state);

/* Adds one target and its prediction; scratch holds 4 doubles. */
extern void mm_eval_add(double *state, double y, double prediction, double *scratch);

/* Merges evaluation state src into dst; scratch holds 2 doubles. */
extern void mm_eval_merge(double *dst, const double *src, double *scratch);

/* The metrics an evaluation state describes. */
extern void mm_eval_metrics(const double *state, MmRegressionMetrics *out);

#endif							/* MM_REGMETRICS_H */
