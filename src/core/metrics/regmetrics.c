/*
 * regmetrics.c: regression metrics (see regmetrics.h).
 */
#include "regmetrics.h"

#include <math.h>

#include "moments.h"

/* Metrics of a linear model on one part (see regmetrics.h). */
void
mm_regression_metrics_linear(const double *moments, int p, double intercept, const double *coef,
							 const double *sample, int count, MmRegressionMetrics *out)
{
	int			d = p + 1;
	double		n = moments[0];
	const double *mean = moments + 1;
	double		syy = mm_moments_co(moments, d, p, p);
	double		mean_e,
				see,
				rss,
				abs_sum = 0.0;
	int			i;

	out->rows = n;
	out->mae_rows = count;
	if (n == 0.0)
	{
		out->r2 = out->rmse = out->mae = out->explained_variance = NAN;
		return;
	}

	/*
	 * residual e = y - b0 - x'b: its mean, and its centered sum of squares
	 * from the factor, |R (-b, 1)|^2
	 */
	mean_e = mean[p] - intercept;
	for (i = 0; i < p; i++)
		mean_e -= coef[i] * mean[i];
	see = mm_moments_residual_ss(moments, p, coef);
	rss = see + n * mean_e * mean_e;

	out->rmse = sqrt(rss / n);
	out->r2 = syy > 0.0 ? 1.0 - rss / syy : NAN;
	out->explained_variance = syy > 0.0 ? 1.0 - see / syy : NAN;

	for (i = 0; i < count; i++)
	{
		const double *row = sample + (size_t) i * d;

		abs_sum += fabs(row[p] - mm_linear_form_predict(intercept, coef, p, row));
	}
	out->mae = count > 0 ? abs_sum / count : NAN;
}

/*
 * Evaluation state: a moments block over (target, residual), then the sum
 * of absolute residuals.
 */
void
mm_eval_init(double *state)
{
	int			i;

	for (i = 0; i < MM_EVAL_STATE_LEN; i++)
		state[i] = 0.0;
}

/* Adds one target and its prediction; scratch holds 4 doubles. */
void
mm_eval_add(double *state, double y, double prediction, double *scratch)
{
	double		v[2];

	v[0] = y;
	v[1] = y - prediction;
	mm_moments_add(state, 2, v, scratch);
	state[MM_EVAL_STATE_LEN - 1] += fabs(v[1]);
}

/* Merges evaluation state src into dst; scratch holds 2 doubles. */
void
mm_eval_merge(double *dst, const double *src, double *scratch)
{
	mm_moments_merge(dst, src, 2, scratch);
	dst[MM_EVAL_STATE_LEN - 1] += src[MM_EVAL_STATE_LEN - 1];
}

/* The metrics an evaluation state describes. */
void
mm_eval_metrics(const double *state, MmRegressionMetrics *out)
{
	double		n = state[0];
	double		mean_e = state[2];
	double		syy = mm_moments_co(state, 2, 0, 0);
	double		see = mm_moments_co(state, 2, 1, 1);
	double		rss = see + n * mean_e * mean_e;

	out->rows = n;
	out->mae_rows = n;
	if (n == 0.0)
	{
		out->r2 = out->rmse = out->mae = out->explained_variance = NAN;
		return;
	}
	out->rmse = sqrt(rss / n);
	out->mae = state[MM_EVAL_STATE_LEN - 1] / n;
	out->r2 = syy > 0.0 ? 1.0 - rss / syy : NAN;
	out->explained_variance = syy > 0.0 ? 1.0 - see / syy : NAN;
}
