/*
 * regress.c: linear regression on rows held in memory, for models with
 * preprocessing or text features.
 *
 * Without either, linear regression is one aggregate pass (train.c).  With
 * them, the rows are read once (dataset.c), the preprocessing is fitted on
 * the training part and applied, text encoded (preprocess.c), and the
 * normal equations are built from the encoded rows.  Without a penalty the
 * fit is made in the columns' own units (imputed, clipped and encoded, not
 * centered or scaled), so the inference statistics are the textbook ones for
 * the coefficients mm_coefficients reports; the stored model holds the same
 * coefficients mapped onto the scaled columns prediction computes.  A ridge
 * penalty acts on the scaled columns, as in a scikit-learn pipeline.
 */
#include "modelmgr.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/builtins.h"

#include "moments.h"

#define BATCH_ROWS 256

/*
 * The moments of the design columns (centering and scaling undone when
 * unscale) and the target over one part, in batches.
 */
static double *
design_moments(const MmDataset *ds, int part, const double *center, const double *scale,
			   bool unscale)
{
	int			p = ds->p,
				d = p + 1,
				j;
	double	   *block = palloc0(sizeof(double) * mm_moments_len(d));
	double	   *cols = palloc(sizeof(double) * d * BATCH_ROWS);
	double	   *scratch = palloc(sizeof(double) * (mm_moments_len(d) + d));
	size_t		i = 0;

	while (i < ds->n[part])
	{
		int			m = (int) Min((size_t) BATCH_ROWS, ds->n[part] - i),
					r;

		for (r = 0; r < m; r++)
		{
			const double *row = ds->x[part] + (i + r) * p;

			for (j = 0; j < p; j++)
				cols[j * m + r] = unscale ? row[j] * scale[j] + center[j] : row[j];
			cols[p * m + r] = ds->t[part][i + r];
		}
		mm_moments_merge_batch(block, d, cols, m, scratch);
		i += m;
		CHECK_FOR_INTERRUPTS();
	}
	return block;
}

/* The regression metrics of the model on one part, every row predicted as mm_predict would. */
static void
part_metrics(const MmModel *model, const MmDataset *ds, int part, MmRegressionMetrics *out)
{
	double		state[MM_EVAL_STATE_LEN],
				scratch[4];
	size_t		i;

	mm_eval_init(state);
	for (i = 0; i < ds->n[part]; i++)
	{
		mm_eval_add(state, ds->t[part][i], mm_model_predict(model, ds->x[part] + i * ds->p), scratch);
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	mm_eval_metrics(state, out);
}

/*
 * Trains a linear regression version of spec on src, in memory, with rows as
 * ctx gives them (SPI is connected).
 */
void
MmTrainLinearInMemory(const MmTrainSpec *spec, MmSource *src, const MmTrainContext *ctx,
					  MmTrained *out)
{
	MmLinearParams lp;
	MmPreprocess pp;
	MmPreprocessFit fit;
	MmDataset	ds;
	MmBaselineSample *baseline;
	MmLinearModel lin;
	MmRegressionMetrics train_m,
				test_m;
	double	   *center,
			   *scale,
			   *moments;
	char	  **names;
	bool		in_units;
	StringInfoData metrics;
	int			p,
				j;

	MmParseLinearParams(spec->params, &lp);
	MmParsePreprocess(spec->preprocess, src, &pp);
	out->snapshot = MmDatasetLoadTraining(&ds, src, 0, true, spec->test_size, spec->seed, ctx);
	if (ds.nonfinite_target > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg_plural("target \"%s\" is NaN or infinite in " INT64_FORMAT " row",
							   "target \"%s\" is NaN or infinite in " INT64_FORMAT " rows",
							   (unsigned long) ds.nonfinite_target, src->target, ds.nonfinite_target),
				 errhint("Filter those rows out, for example through a view.")));
	if (ds.n[0] + ds.n[1] == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 ds.rows_read == 0 ?
				 errmsg("relation %s has no rows", src->display) :
				 errmsg("target \"%s\" is null in every row of relation %s",
						src->target, src->display)));
	baseline = MmBaselineTake(&ds, src);
	MmFitPreprocess(&pp, src, &ds, &fit);
	MmReportPreprocessFit(&fit);
	if (ds.n[0] == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("no rows of relation %s are left for training", src->display),
				 errhint("Lower test_size.")));
	p = ds.p;

	memset(&out->model, 0, sizeof(out->model));
	out->model.algorithm = mm_algorithm_by_name("linear_regression");
	out->model.task = MM_TASK_REGRESSION;
	out->model.n_features = src->nfeatures;
	out->model.n_design = p;
	out->model.feature_names = src->features;
	out->model.feature_kinds = src->feature_kinds;
	out->model.target = src->target;
	out->model.transform = fit.transform;
	out->model.categories = fit.categories;
	center = palloc(sizeof(double) * p);
	scale = palloc(sizeof(double) * p);
	mm_model_design_scaling(&out->model, center, scale);

	/* unpenalized: fitted in the columns' units, for textbook statistics */
	in_units = lp.alpha == 0.0;
	moments = design_moments(&ds, 0, center, scale, in_units);
	names = palloc(sizeof(char *) * p);
	for (j = 0; j < p; j++)
		names[j] = MmDesignName(&out->model, j);
	CHECK_FOR_INTERRUPTS();
	MmFitLinear(moments, p, &lp, names, src->target,
				fit.categories != NULL ? "encoded columns" : "features", &lin);
	if (in_units)
	{
		/* the same coefficients, on the scaled columns prediction computes */
		for (j = 0; j < p; j++)
		{
			lin.intercept += lin.coef[j] * center[j];
			lin.coef[j] *= scale[j];
		}
	}
	out->model.fit = palloc(sizeof(MmLinearModel));
	*(MmLinearModel *) out->model.fit = lin;

	part_metrics(&out->model, &ds, 0, &train_m);
	if (ds.n[1] > 0)
		part_metrics(&out->model, &ds, 1, &test_m);
	else if (spec->test_size > 0)
		MmNoticeNoTestRows((double) ds.n[0], spec->test_size);

	initStringInfo(&metrics);
	appendStringInfoString(&metrics, "{\"train\": ");
	MmAppendRegressionMetrics(&metrics, &train_m);
	appendStringInfoString(&metrics, ", \"test\": ");
	if (ds.n[1] > 0)
	{
		MmAppendRegressionMetrics(&metrics, &test_m);
		MmAppendUnseen(&metrics, &fit);
	}
	else
		appendStringInfoString(&metrics, "null");
	appendStringInfoChar(&metrics, '}');

	out->algorithm = "linear_regression";
	out->task = "regression";
	out->params = MmLinearParamsJson(&lp);
	out->metrics = metrics.data;
	out->fitted = fit.json;
	out->score = ds.n[1] > 0 && !isnan(test_m.r2) ? test_m.r2 : train_m.r2;
	out->rows_read = ds.rows_read;
	out->rows_train = (int64) ds.n[0];
	out->rows_test = (int64) ds.n[1];
	out->rows_skipped = psprintf("{\"null_target\": " INT64_FORMAT ", \"duplicates\": " INT64_FORMAT "}",
								 ds.null_target, fit.duplicates);
	out->fingerprint = ds.fingerprint;
	out->baseline = MmBaselineFinish(baseline, &out->model);
	MmDatasetFree(&ds);
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
	StringInfoData json;
	int64		unseen;

	(void) MmDatasetLoad(&ds, src, 0, true, 0.0, 0);
	if (ds.nonfinite_target > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg_plural("target \"%s\" of relation %s is NaN or infinite in " INT64_FORMAT " row",
							   "target \"%s\" of relation %s is NaN or infinite in " INT64_FORMAT " rows",
							   (unsigned long) ds.nonfinite_target, src->target, src->display,
							   ds.nonfinite_target),
				 errhint("Filter those rows out, for example through a view.")));
	if (ds.n[0] == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("relation %s has no rows with a non-null target to evaluate on",
						src->display)));
	MmDatasetEncode(model, src, &ds, &unseen);
	part_metrics(model, &ds, 0, &m);
	initStringInfo(&json);
	appendStringInfoChar(&json, '{');
	MmAppendRegressionFields(&json, &m);
	appendStringInfo(&json, ", \"rows\": %.0f, \"rows_null_target\": " INT64_FORMAT
					 ", \"unseen_categories\": " INT64_FORMAT "}", m.rows, ds.null_target, unseen);
	MmDatasetFree(&ds);
	return MmJsonbFromString(json.data);
}
