/*
 * fitstats.c: the statistics of an unpenalized linear or logistic
 * regression in its train metrics (see fitstats.h).
 *
 * A penalized or weighted fit has none of them: the standard errors and
 * likelihoods statsmodels defines are those of the unpenalized, unweighted
 * maximum-likelihood estimate, which a penalty or weights move.  A NOTICE
 * then names the setting that gives them.  (Left out rather than null, so
 * that such a version's train metrics stay what evaluating it on its
 * training rows gives.)
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "fitstats.h"
#include "inference.h"
#include "model.h"
#include "moments.h"
#include "util.h"

/* Appends ", "key": value" for each of n keys. */
static void
append_keys(StringInfo buf, const char *const *keys, const double *values, int n)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		appendStringInfo(buf, ", \"%s\": ", keys[i]);
		MmJsonNumber(buf, values[i]);
	}
}

/* Says why a penalized (or weighted) fit reports no statistics, and what gives them. */
static void
notice_no_statistics(const char *display, double alpha, bool weighted)
{
	if (alpha != 0.0)
		ereport(NOTICE,
				(errmsg("%s with a penalty reports no standard errors or likelihood statistics", display),
				 errdetail("They describe the unpenalized estimate; this fit has alpha %g.", alpha),
				 errhint("Pass params => '{\"alpha\": 0}' for them.")));
	else if (weighted)
		ereport(NOTICE,
				(errmsg("%s with class weights reports no standard errors or likelihood statistics", display),
				 errdetail("They describe the fit that weighs every row equally."),
				 errhint("Pass params => '{\"class_weight\": null}' for them.")));
}

/* Linear regression: statsmodels' OLS results (see fitstats.h). */
void
MmAppendOlsStatistics(StringInfo buf, const MmFitOutcome *in, const MmRegressionMetrics *train)
{
	static const char *const keys[] = {"adj_r2", "f_statistic", "f_p_value", "log_likelihood",
	"aic", "bic", "df_model", "df_resid"};
	const MmModel *model = in->model;
	const MmLinearModel *lin = model->fit;
	MmOlsStatistics s;
	double		values[lengthof(keys)];
	double		n = train->rows,
				mean,
				syy;

	if (model->algorithm->inference != MM_INFERENCE_OLS)
		return;
	if (lin->alpha == 0.0 && n > 0.0)
	{
		if (in->passes != NULL)
		{
			/* the squares about the mean are the mean predictor's squared errors */
			const MmRegressionMetrics *m = &in->passes->mean[0];

			mean = in->passes->train_mean;
			syy = m->rmse * m->rmse * m->rows;
		}
		else if (in->ds != NULL)
		{
			const double *t = in->ds->t[0];
			size_t		rows = in->ds->n[0],
						i;

			/* two passes over the targets: the mean, then the squares about it */
			mean = 0.0;
			for (i = 0; i < rows; i++)
				mean += t[i];
			mean /= (double) rows;
			syy = 0.0;
			for (i = 0; i < rows; i++)
			{
				syy += (t[i] - mean) * (t[i] - mean);
				if ((i & 0xffff) == 0)
					CHECK_FOR_INTERRUPTS();
			}
		}
		else
		{
			const double *moments = in->view->part[0];
			int			p = in->view->p;

			mean = moments[1 + p];
			syy = mm_moments_co(moments, p + 1, p, p);
		}
		mm_ols_statistics(n, train->rmse * train->rmse * n, syy, mean, lin->rank, lin->df_resid,
						  lin->fit_intercept, &s);
		values[0] = s.adj_r2;
		values[1] = s.f_statistic;
		values[2] = s.f_p_value;
		values[3] = s.log_likelihood;
		values[4] = s.aic;
		values[5] = s.bic;
		values[6] = s.df_model;
		values[7] = s.df_resid;
	}
	else
	{
		notice_no_statistics(model->algorithm->texts.display_name, lin->alpha, false);
		return;
	}
	if (!MmJsonReopenObject(buf))
		return;
	append_keys(buf, keys, values, lengthof(keys));
	appendStringInfoChar(buf, '}');
}

/* Logistic regression: statsmodels' Logit and MNLogit results (see fitstats.h). */
void
MmAppendLogitStatistics(StringInfo buf, const MmFitOutcome *in)
{
	static const char *const keys[] = {"log_likelihood", "null_log_likelihood", "pseudo_r2",
	"aic", "bic", "deviance"};
	const MmModel *model = in->model;
	const MmClassifier *c = model->fit;
	const MmDataset *ds = in->ds;
	double		values[lengthof(keys)];
	double		n_train = ds != NULL ? (double) ds->n[0] : in->passes->rows[0];

	if (model->algorithm->inference != MM_INFERENCE_LOGIT)
		return;
	if (c->alpha == 0.0 && !c->balanced && n_train > 0)
	{
		int			k = model->labels.n_classes,
					p = model->n_design;
		double	   *scores = palloc(sizeof(double) * c->n_rows);
		double	   *count = palloc0(sizeof(double) * k);
		double		llf = 0.0;
		size_t		r;
		MmLogitStatistics s;

		if (ds == NULL)
		{
			/* the pass that measured the model summed the rows' log-likelihood */
			llf = in->passes->log_likelihood;
			for (r = 0; r < (size_t) k; r++)
				count[r] = (double) in->passes->class_rows[0][r];
		}
		else
			for (r = 0; r < ds->n[0]; r++)
			{
				int			y = ds->y[0][r];

				mm_model_scores(model, ds->x[0] + r * p, scores);
				llf += mm_logit_row_log_likelihood(scores, c->n_rows, y);
				count[y] += 1.0;
				if ((r & 0xffff) == 0)
					CHECK_FOR_INTERRUPTS();
			}
		/* statsmodels' count: every design column and the constant, per class but the first */
		mm_logit_statistics(llf, count, n_train, k,
							(double) (p + (c->fit_intercept ? 1 : 0)) * (k - 1), &s);
		values[0] = s.log_likelihood;
		values[1] = s.null_log_likelihood;
		values[2] = s.pseudo_r2;
		values[3] = s.aic;
		values[4] = s.bic;
		values[5] = s.deviance;
		pfree(scores);
		pfree(count);
	}
	else
	{
		notice_no_statistics(model->algorithm->texts.display_name, c->alpha, c->balanced);
		return;
	}
	if (!MmJsonReopenObject(buf))
		return;
	append_keys(buf, keys, values, lengthof(keys));
	appendStringInfoChar(buf, '}');
}
