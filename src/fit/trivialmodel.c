/*
 * trivialmodel.c: the trivial model's scores in a version's metrics.
 *
 * Each part's metrics object gets a "baseline" key: what a model that
 * ignores the features scores on that part.  The trivial model is fitted on
 * the training part, as any model is: the classifier predicts the training
 * part's most frequent class (the first in mm_classes order on a tie, as
 * scikit-learn's DummyClassifier does), the regression the training mean.
 * On the training part the mean's r2 is 0 by definition; on the held-out
 * part it is measured like any prediction, so it is usually slightly
 * negative (the held-out mean differs from the training one).
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "dataset.h"
#include "fit.h"
#include "lsq.h"
#include "regmetrics.h"
#include "trivial.h"
#include "trivialmodel.h"
#include "util.h"

/* Rows per class in one part. */
static double *
class_counts(const MmDataset *ds, int part)
{
	double	   *counts = palloc0(sizeof(double) * Max(ds->nlabels, 1));
	size_t		i;

	for (i = 0; i < ds->n[part]; i++)
	{
		counts[ds->y[part][i]] += 1.0;
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	return counts;
}

/* The class the trivial classifier predicts: the training part's most frequent. */
int
MmMajorityClass(const MmDataset *ds)
{
	double	   *counts = class_counts(ds, 0);
	int			c = mm_majority_class(counts, ds->nlabels);

	pfree(counts);
	return c;
}

/*
 * Adds "baseline": {"class", "accuracy", "f1"} to the part's metrics object
 * just appended: the scores of predicting the majority class for every row
 * of the part.  Returns that f1 (macro, as the model's).
 */
double
MmAppendClassBaseline(StringInfo metrics, const MmDataset *ds, int part, int majority)
{
	double	   *counts = class_counts(ds, part);
	double		f1 = MmAppendClassBaselineCounts(metrics, counts, ds->nlabels, ds->labels, majority);

	pfree(counts);
	return f1;
}

/*
 * The same from the part's rows per class (counts, nlabels of them, in the
 * order of labels), for rows counted by passes.
 */
double
MmAppendClassBaselineCounts(StringInfo metrics, const double *counts, int nlabels, char **labels,
							int majority)
{
	double		accuracy,
				f1;

	mm_constant_class_scores(counts, nlabels, majority, &accuracy, &f1);
	if (!MmJsonReopenObject(metrics))
		return f1;
	appendStringInfoString(metrics, ", \"baseline\": {\"class\": ");
	MmJsonString(metrics, labels[majority]);
	appendStringInfoString(metrics, ", \"accuracy\": ");
	MmJsonNumber(metrics, accuracy);
	appendStringInfoString(metrics, ", \"f1\": ");
	MmJsonNumber(metrics, f1);
	appendStringInfoString(metrics, "}}");
	return f1;
}

/* The training part's mean target, from the rows in memory or the aggregate. */
static double
training_mean(const MmFitOutcome *in)
{
	const MmDataset *ds = in->ds;
	double		mean = 0.0;
	size_t		i;

	if (in->passes != NULL)
		return in->passes->train_mean;
	if (ds == NULL)
		return in->view->part[0][1 + in->view->p];
	/* running mean: no large sum to lose digits in */
	for (i = 0; i < ds->n[0]; i++)
	{
		mean += (ds->t[0][i] - mean) / (double) (i + 1);
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	return mean;
}

/* The mean predictor's metrics on one part, measured as the model's are. */
static void
mean_metrics(const MmFitOutcome *in, int part, double mean, MmRegressionMetrics *m)
{
	/* the pass that measured the model measured the training mean too */
	if (in->passes != NULL)
		*m = in->passes->mean[part];
	else if (in->ds != NULL)
	{
		double		state[MM_EVAL_STATE_LEN],
					scratch[4];
		size_t		i;

		mm_eval_init(state);
		for (i = 0; i < in->ds->n[part]; i++)
		{
			mm_eval_add(state, in->ds->t[part][i], mean, scratch);
			if ((i & 0xffff) == 0)
				CHECK_FOR_INTERRUPTS();
		}
		mm_eval_metrics(state, m);
	}
	else
	{
		/* the mean is the linear model without slopes */
		const MmLsView *v = in->view;
		double	   *zeros = palloc0(sizeof(double) * Max(v->p, 1));

		mm_regression_metrics_linear(v->part[part], v->p, mean, zeros, v->sample_row[part],
									 v->head->sample_count[part], m);
		pfree(zeros);
	}
}

/*
 * Adds "baseline": {"mean", "r2", "rmse", "mae"} to the part's metrics
 * object just appended: the scores of predicting the training mean for
 * every row of the part.  Returns that r2.
 */
double
MmAppendRegressionBaseline(StringInfo metrics, const MmFitOutcome *in, int part)
{
	double		mean = training_mean(in);
	MmRegressionMetrics m;

	mean_metrics(in, part, mean, &m);
	/* rounding leaves the training part's r2 a hair off the 0 it is by definition */
	if (part == 0 && !isnan(m.r2))
		m.r2 = 0.0;
	if (!MmJsonReopenObject(metrics))
		return m.r2;
	appendStringInfoString(metrics, ", \"baseline\": {\"mean\": ");
	MmJsonNumber(metrics, mean);
	appendStringInfoString(metrics, ", \"r2\": ");
	MmJsonNumber(metrics, m.r2);
	appendStringInfoString(metrics, ", \"rmse\": ");
	MmJsonNumber(metrics, m.rmse);
	appendStringInfoString(metrics, ", \"mae\": ");
	MmJsonNumber(metrics, m.mae);
	appendStringInfoString(metrics, "}}");
	return m.r2;
}
