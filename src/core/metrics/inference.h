/*
 * inference.h: the statistics of a fit that describe it as a statistical
 * model (likelihood, information criteria, overall F test), as statsmodels
 * reports them for OLS, Logit and MNLogit.  They hold for unpenalized,
 * unweighted fits only; the caller reports them as undefined otherwise.
 */
#ifndef MM_INFERENCE_H
#define MM_INFERENCE_H

/* Least squares, statsmodels' OLS results. */
typedef struct MmOlsStatistics
{
	double		adj_r2;
	double		f_statistic;
	double		f_p_value;
	double		log_likelihood;
	double		aic;
	double		bic;
	double		df_model;		/* the rank of the design, the constant excluded */
	double		df_resid;
} MmOlsStatistics;

/*
 * From the training rows' count n, residual sum of squares rss, the
 * target's centered sum of squares syy and mean, the design's rank without
 * the intercept and the residual degrees of freedom.  With an intercept, r2
 * and F compare with the mean; without one, as statsmodels does, with zero
 * (the uncentered sums of squares).  NaN marks what is undefined (no
 * residual degrees of freedom, the F test and likelihood of a fit whose
 * residuals are within rounding of the targets).
 */
extern void mm_ols_statistics(double n, double rss, double syy, double mean, int rank,
							  double df_resid, int fit_intercept, MmOlsStatistics *out);

/* Logistic regression, statsmodels' Logit and MNLogit results. */
typedef struct MmLogitStatistics
{
	double		log_likelihood;
	double		null_log_likelihood;	/* of the model with a constant only */
	double		pseudo_r2;		/* McFadden's: 1 - log_likelihood / null_log_likelihood */
	double		aic;
	double		bic;
	double		deviance;		/* -2 log_likelihood: one row is one trial */
} MmLogitStatistics;

/*
 * The log-likelihood of class y under a logistic model's decision scores
 * for one row (one score, the last class's log-odds, when binary; one per
 * class otherwise), computed without the rounding of 1 - p.
 */
extern double mm_logit_row_log_likelihood(const double *scores, int n_scores, int y);

/*
 * From the log-likelihood of n rows with count[c] rows of each of k
 * classes, for a model of n_params free parameters (statsmodels counts the
 * design's rank, constant included, times k - 1).
 */
extern void mm_logit_statistics(double log_likelihood, const double *count, double n, int k,
								double n_params, MmLogitStatistics *out);

#endif							/* MM_INFERENCE_H */
