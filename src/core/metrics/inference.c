/*
 * inference.c: a fit's statistics as a statistical model (see inference.h).
 */
#include "inference.h"

#include <math.h>

#include "distributions.h"

/* residuals below this times the targets' root mean square are rounding */
#define EXACT_FIT 1e-12

/* statsmodels' OLS results (see inference.h). */
void
mm_ols_statistics(double n, double rss, double syy, double mean, int rank, double df_resid,
				  int fit_intercept, MmOlsStatistics *out)
{
	double		k_constant = fit_intercept ? 1.0 : 0.0;
	/* the sum of squares the model is tested against: about the mean, or about zero */
	double		tss = fit_intercept ? syy : syy + n * mean * mean;
	double		r2 = tss > 0.0 ? 1.0 - rss / tss : NAN;
	double		half = 0.5 * n;

	/*
	 * Residuals within rounding of the targets are an exact fit, whose
	 * likelihood is unbounded and whose F statistic is rounding noise.
	 */
	if (rss <= EXACT_FIT * EXACT_FIT * (syy + n * mean * mean))
		rss = 0.0;

	out->df_model = (double) rank;
	out->df_resid = df_resid;
	out->adj_r2 = df_resid > 0.0 ? 1.0 - (n - k_constant) / df_resid * (1.0 - r2) : NAN;
	out->f_statistic = NAN;
	out->f_p_value = NAN;
	if (rank > 0 && df_resid > 0.0 && rss > 0.0)
	{
		out->f_statistic = ((tss - rss) / out->df_model) / (rss / df_resid);
		out->f_p_value = mm_f_upper_p(out->f_statistic, out->df_model, df_resid);
	}
	/* the normal likelihood at the maximum, the variance estimated as rss / n */
	out->log_likelihood = n > 0.0 && rss > 0.0 ?
		-half * log(2.0 * M_PI) - half * log(rss / n) - half : NAN;
	out->aic = -2.0 * out->log_likelihood + 2.0 * (out->df_model + k_constant);
	out->bic = -2.0 * out->log_likelihood + log(n) * (out->df_model + k_constant);
}

/* One row's log-likelihood under a logistic model (see inference.h). */
double
mm_logit_row_log_likelihood(const double *scores, int n_scores, int y)
{
	double		top,
				sum = 0.0;
	int			r;

	if (n_scores == 1)
	{
		/* log p = -log(1 + exp(-t)) for the positive class, t the log-odds; -t for the other */
		double		t = y == 1 ? scores[0] : -scores[0];

		return -((t < 0.0 ? -t : 0.0) + log1p(exp(-fabs(t))));
	}
	top = scores[0];
	for (r = 1; r < n_scores; r++)
		if (scores[r] > top)
			top = scores[r];
	for (r = 0; r < n_scores; r++)
		sum += exp(scores[r] - top);
	return scores[y] - top - log(sum);
}

/* statsmodels' Logit and MNLogit results (see inference.h). */
void
mm_logit_statistics(double log_likelihood, const double *count, double n, int k, double n_params,
					MmLogitStatistics *out)
{
	double		llnull = 0.0;
	int			c;

	/* the constant-only model predicts each class's share of the rows */
	for (c = 0; c < k; c++)
		if (count[c] > 0.0)
			llnull += count[c] * log(count[c] / n);
	out->log_likelihood = log_likelihood;
	out->null_log_likelihood = llnull;
	out->pseudo_r2 = llnull < 0.0 ? 1.0 - log_likelihood / llnull : NAN;
	out->aic = -2.0 * log_likelihood + 2.0 * n_params;
	out->bic = -2.0 * log_likelihood + log(n) * n_params;
	out->deviance = -2.0 * log_likelihood;
}
