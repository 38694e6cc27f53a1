/*
 * regress.c: what the regression task measures, for training (fit.c) and
 * mm_evaluate of models with text features.
 *
 * A regression fitted on rows in memory is measured on them, every row
 * predicted as mm_predict would; one fitted from the training aggregate is
 * measured from its moments and its sample of rows (for the mean absolute
 * error), so the rows are never held in memory; one fitted in passes, by a
 * pass that predicts every row of each part (fitpasses.c).
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/builtins.h"

#include "columns.h"
#include "dataset.h"
#include "fit.h"
#include "fitstats.h"
#include "lsq.h"
#include "model.h"
#include "preprocess.h"
#include "regmetrics.h"
#include "regress.h"
#include "trivialmodel.h"
#include "util.h"

/*
 * Rows per chunk of a prediction on threads: a kernel model's row costs its
 * support vectors' kernel values, so a few hundred rows are worth a thread.
 */
#define PREDICT_CHUNK_ROWS 512

typedef struct PredictRows
{
	const MmModel *model;
	const double *x;
	int			p;
	double	   *predicted;
} PredictRows;

/* The predictions of rows [begin, end); the core's scoring allocates nothing. */
static void
predict_chunk(void *arg, size_t begin, size_t end, int chunk)
{
	PredictRows *r = arg;
	size_t		i;

	for (i = begin; i < end; i++)
		r->predicted[i] = mm_model_predict(r->model, r->x + i * r->p);
}

/*
 * The regression metrics of the model on one part, every row predicted as
 * mm_predict would: on threads, MM_CHUNK_ROWS rows at a time so that a
 * cancel is seen between, then added up in the rows' order, the same bits
 * whatever the threads.  The predictions go to predicted unless NULL.
 */
static void
part_metrics(const MmModel *model, const MmDataset *ds, int part, MmRegressionMetrics *out,
			 double *predicted)
{
	double		state[MM_EVAL_STATE_LEN],
				scratch[4];
	size_t		n = ds->n[part],
				start,
				i;
	PredictRows r;

	r.model = model;
	r.p = ds->p;
	r.predicted = predicted != NULL ? predicted :
		MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * Max(n, 1));
	for (start = 0; start < n; start += MM_CHUNK_ROWS)
	{
		PredictRows span = r;

		span.x = ds->x[part] + start * ds->p;
		span.predicted = r.predicted + start;
		mm_parallel_rows(Min((size_t) MM_CHUNK_ROWS, n - start), PREDICT_CHUNK_ROWS, predict_chunk, &span);
		CHECK_FOR_INTERRUPTS();
	}
	mm_eval_init(state);
	for (i = 0; i < n; i++)
		mm_eval_add(state, ds->t[part][i], r.predicted[i], scratch);
	mm_eval_metrics(state, out);
	if (predicted == NULL)
		pfree(r.predicted);
}

/*
 * Says so when a part's metric sample came out smaller than it could be:
 * the planner's row estimate, which sets the sample's first threshold, was
 * too high.  The sample is still uniform, only smaller.
 */
static void
warn_small_sample(const MmLsView *v)
{
	int			part;

	for (part = 0; part < 2; part++)
	{
		double		rows = v->part[part][0];
		double		could = Min(rows, (double) v->head->sample_cap);

		if (v->head->sample_count[part] < could)
			ereport(NOTICE,
					(errmsg("the mean absolute error of the %s part was measured on %d of its %.0f rows",
							part ? "test" : "training", v->head->sample_count[part], rows),
					 errdetail("The table's row estimate was too high when the sample was drawn."),
					 errhint("Run ANALYZE on the relation before training.")));
	}
}

/*
 * A part's metrics from the training aggregate: its moments give all but
 * the mean absolute error, which its sample of rows estimates.  The
 * aggregate serves only fits from the moments, whose models are linear.
 */
static void
aggregate_metrics(const MmModel *model, const MmLsView *view, int part, MmRegressionMetrics *out)
{
	double		intercept;
	const double *coef = model->algorithm->linear_form(model, &intercept);

	mm_regression_metrics_linear(view->part[part], view->p, intercept, coef, view->sample_row[part],
								 view->head->sample_count[part], out);
}

/*
 * The metrics of a fitted regression on both parts, from the rows in memory
 * or the training aggregate; the score is the held-out part's r2, or the
 * training part's without one.
 */
void
MmRegressionResults(const MmFitOutcome *in, MmTrained *out)
{
	MmRegressionMetrics train_m,
				test_m;
	double		n_train;
	bool		has_test;
	double		trivial_train,
				trivial_test = NAN;
	StringInfoData metrics;

	if (in->ds != NULL)
	{
		n_train = (double) in->ds->n[0];
		has_test = in->ds->n[1] > 0;
		part_metrics(in->model, in->ds, 0, &train_m, in->train_outcomes);
		if (has_test)
			part_metrics(in->model, in->ds, 1, &test_m, NULL);
	}
	else if (in->passes != NULL)
	{
		n_train = in->passes->rows[0];
		has_test = in->passes->rows[1] > 0;
		train_m = in->passes->model[0];
		if (has_test)
			test_m = in->passes->model[1];
	}
	else
	{
		n_train = in->view->part[0][0];
		has_test = in->view->part[1][0] > 0;
		warn_small_sample(in->view);
		aggregate_metrics(in->model, in->view, 0, &train_m);
		if (has_test)
			aggregate_metrics(in->model, in->view, 1, &test_m);
	}
	if (!has_test && in->spec->test_size > 0)
		MmNoticeNoTestRows(n_train, in->spec->test_size);

	initStringInfo(&metrics);
	appendStringInfoString(&metrics, "{\"train\": ");
	MmAppendRegressionMetrics(&metrics, &train_m);
	trivial_train = MmAppendRegressionBaseline(&metrics, in, 0);
	MmAppendOlsStatistics(&metrics, in, &train_m);
	appendStringInfoString(&metrics, ", \"test\": ");
	if (has_test)
	{
		MmAppendRegressionMetrics(&metrics, &test_m);
		if (in->prep != NULL)
			MmAppendUnseen(&metrics, in->prep);
		trivial_test = MmAppendRegressionBaseline(&metrics, in, 1);
	}
	else
		appendStringInfoString(&metrics, "null");
	/* an iterative fit (one that can stop short of converging) records how it ended */
	if (in->model->algorithm->texts.not_converged != NULL)
		appendStringInfo(&metrics, ", \"iterations\": %d, \"converged\": %s",
						 in->report->n_iter, in->report->converged ? "true" : "false");
	appendStringInfoChar(&metrics, '}');
	out->metrics = metrics.data;
	out->score = has_test && !isnan(test_m.r2) ? test_m.r2 : train_m.r2;
	out->trivial_score = has_test && !isnan(test_m.r2) ? trivial_test : trivial_train;
}

/*
 * The regression metrics of a model with text features on every row of src,
 * as the flat JSON object mm_evaluate returns, with the count of text values
 * whose category training never saw.  (Models without text features are
 * evaluated by one parallel aggregate in evaluate.c.)
 */
Jsonb *
MmEvaluateRegressionInMemory(const MmModel *model, MmSource *src)
{
	MmDataset	ds;
	MmRegressionMetrics m;
	int64		unseen;
	Jsonb	   *result;

	(void) MmDatasetLoad(&ds, src, 0, true, 0.0, 0);
	MmDatasetRequireEvaluationRows(&ds, src);
	MmDatasetEncode(model, src, &ds, &unseen);
	part_metrics(model, &ds, 0, &m, NULL);
	result = MmRegressionEvaluation(model, &m, ds.null_target, unseen);
	MmDatasetFree(&ds);
	return result;
}

/*
 * The flat JSON object mm_evaluate returns for a regression's metrics m on
 * a relation with null_target rows of NULL target, and, for a model with
 * text features, unseen text values of no training category.
 */
Jsonb *
MmRegressionEvaluation(const MmModel *model, const MmRegressionMetrics *m, int64 null_target,
					   int64 unseen)
{
	StringInfoData json;

	initStringInfo(&json);
	appendStringInfoChar(&json, '{');
	MmAppendRegressionFields(&json, m);
	appendStringInfo(&json, ", \"rows\": %.0f, \"rows_null_target\": " INT64_FORMAT,
					 m->rows, null_target);
	if (model->categories != NULL)
		appendStringInfo(&json, ", \"unseen_categories\": " INT64_FORMAT, unseen);
	appendStringInfoChar(&json, '}');
	return MmJsonbFromString(json.data);
}

/* Appends "r2": ..., "rmse": ..., "mae": ..., "explained_variance": ... (no braces). */
void
MmAppendRegressionFields(StringInfo buf, const MmRegressionMetrics *m)
{
	appendStringInfoString(buf, "\"r2\": ");
	MmJsonNumber(buf, m->r2);
	appendStringInfoString(buf, ", \"rmse\": ");
	MmJsonNumber(buf, m->rmse);
	appendStringInfoString(buf, ", \"mae\": ");
	MmJsonNumber(buf, m->mae);
	appendStringInfoString(buf, ", \"explained_variance\": ");
	MmJsonNumber(buf, m->explained_variance);
}

/* Appends {"r2": ..., ...} for one part. */
void
MmAppendRegressionMetrics(StringInfo buf, const MmRegressionMetrics *m)
{
	appendStringInfoChar(buf, '{');
	MmAppendRegressionFields(buf, m);
	appendStringInfo(buf, ", \"rows\": %.0f, \"mae_rows\": %.0f}", m->rows, m->mae_rows);
}
