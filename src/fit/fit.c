/*
 * fit.c: training one algorithm, whichever it is, through its table.
 *
 * The rows come one of three ways.  Usually they are read into memory
 * (dataset.c), checked as the task needs (classes, targets, an empty
 * part), profiled for the baseline, preprocessed (preprocess.c), and the
 * algorithm's fit runs over the training part through a source in memory.
 * An algorithm whose fit needs no more than the moments pass (its table
 * says so, aggsource.c) and a model without preprocessing or text features
 * instead fit from the one-pass training aggregate (momentspass.c), which
 * PostgreSQL runs in parallel and which never holds the rows; tuning hands
 * over the aggregate it made already.  Rows that would not fit memory, or
 * lie on a distributed database's shards, are read in passes instead
 * (fitpasses.c): aggregates that fit the preprocessing, then the
 * algorithm's fit and the metrics over the rows put through it, never
 * holding them; modelmgr.train_in_passes can force either way.  Each way
 * the fit's report becomes the notices, the task's metrics (classify.c,
 * regress.c, unsupervised.c) score the model on both parts, and the
 * version's record is filled the same way for every algorithm.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/builtins.h"

#include "aggsource.h"
#include "algorithm.h"
#include "baseline.h"
#include "classify.h"
#include "columns.h"
#include "dataset.h"
#include "design.h"
#include "fit.h"
#include "fitpasses.h"
#include "foldpasses.h"
#include "guc.h"
#include "lsq.h"
#include "mmcore.h"
#include "model.h"
#include "momentspass.h"
#include "params.h"
#include "params_json.h"
#include "preprocess.h"
#include "reference.h"
#include "regress.h"
#include "relsource.h"
#include "source.h"
#include "trainprogress.h"
#include "unsupervised.h"
#include "util.h"

/* The design's column names and what to call them, for messages. */
static char **
design_names(const MmModel *model)
{
	char	  **names = palloc(sizeof(char *) * Max(model->n_design, 1));
	int			j;

	for (j = 0; j < model->n_design; j++)
		names[j] = MmDesignName(model, j);
	return names;
}

/* Turns a fit's refusal into the error SQL reports, naming the column it blames. */
static void
report_fit_error(const MmAlgorithm *algorithm, const MmModel *model, const MmError *err)
{
	const MmAlgorithmTexts *texts = &algorithm->texts;
	const char *display = texts->display_name ? texts->display_name : algorithm->name;
	char	  **names;

	switch (err->code)
	{
		case MM_ERR_TOO_FEW_ROWS:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("too few training rows: %s", err->message),
					 texts->too_few_rows ? errhint("%s", texts->too_few_rows) : 0));
			break;
		case MM_ERR_CONSTANT_FEATURE:
			if (err->item < 0 || err->item >= model->n_design)
				break;
			names = design_names(model);
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("feature \"%s\" is constant in the training rows", names[err->item]),
					 errhint("Leave it out with exclude => ARRAY['%s']%s.", names[err->item],
							 texts->constant_feature ? texts->constant_feature : "")));
			break;
		case MM_ERR_CONSTANT_TARGET:
			if (model->target == NULL)
				break;
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("target \"%s\" is constant in the training rows", model->target)));
			break;
		case MM_ERR_INVALID_INPUT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s", err->message),
					 texts->params_for_rows ? errhint("%s", texts->params_for_rows) : 0));
			break;
		case MM_ERR_NO_MEMORY:
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory fitting %s", display)));
			break;
		default:
			break;
	}
	MmReportCoreError(err, psprintf("could not fit %s", display));
}

/* The notices a fit's report calls for: no convergence, separated classes, unidentified coefficients. */
static void
report_notices(const MmAlgorithm *algorithm, const MmModel *model, const MmParams *params,
			   const MmFitReport *report)
{
	const MmAlgorithmTexts *texts = &algorithm->texts;

	if (!report->converged)
		ereport(NOTICE,
				(errmsg("%s did not converge in %d iterations",
						texts->display_name ? texts->display_name : algorithm->name, report->n_iter),
				 texts->not_converged ? errhint("%s", texts->not_converged) : 0));
	else if (report->separated)
		ereport(NOTICE,
				(errmsg("the classes are perfectly separated in the training rows"),
				 errdetail("Without a penalty the coefficients grow without bound; the ones "
						   "stored are where the gradient fell below tol."),
				 errhint("Pass a positive alpha for finite, stable coefficients.")));
	if (report->unidentified && report->aliased != NULL)
	{
		char	  **names = design_names(model);
		char	  **unidentified = palloc(sizeof(char *) * Max(model->n_design, 1));
		int			intercept = mm_param_index(algorithm, "fit_intercept");
		bool		encoded = model->categories != NULL;
		int			n = 0,
					j;

		for (j = 0; j < model->n_design; j++)
			if (report->aliased[j + 1])
				unidentified[n++] = names[j];
		ereport(NOTICE,
				(errmsg("features are collinear; using the minimum-norm least-squares solution"),
				 errdetail("The %s have rank %d of %d; the coefficients of %s are not identifiable.",
						   encoded ? "encoded columns" : "features", report->rank, model->n_design,
						   MmFormatList(unidentified, n)),
				 encoded && intercept >= 0 && params->value[intercept] != 0.0 ?
				 errhint("One-hot columns of a text feature sum to one, as the intercept does; "
						 "the predictions are unaffected.") : 0));
	}
}

/* An iterative fit's progress: its iterations so far. */
static void
fit_iteration(void *arg, int iteration)
{
	MmTrainProgressIteration(iteration);
}

/*
 * Runs algorithm's fit over data into out->model (its shared fields set),
 * then the notices, and records the params as fitted.  False, with nothing
 * reported, when the fit stopped because *suspended became true (a fold's
 * fit waiting for a read it shares with the other folds, foldpasses.c);
 * suspended NULL for a fit that cannot be.
 */
static bool
try_fit(const MmAlgorithm *algorithm, const MmTrainSpec *spec, const MmTrainContext *tctx,
		MmDataSource *data, MmParams *params, int n_classes, MmTrained *out, MmFitReport *report,
		const bool *suspended)
{
	MmErrorCode rc;
	MmModel    *model = &out->model;
	MmFitContext ctx;
	MmError		err;

	memset(&ctx, 0, sizeof(ctx));
	ctx.data = data;
	ctx.params = params;
	ctx.seed = (uint64) (uint32) spec->seed;
	ctx.n_classes = n_classes;
	ctx.memory_limit = (double) mm_max_train_memory_kb * 1024.0;
	if (model->transform != NULL)
	{
		double	   *center = palloc(sizeof(double) * Max(model->n_design, 1));
		double	   *scale = palloc(sizeof(double) * Max(model->n_design, 1));

		mm_model_design_scaling(model, center, scale);
		ctx.center = center;
		ctx.scale = scale;
	}
	ctx.warm_start = tctx->warm_start;
	ctx.warm_rows = tctx->warm_rows;
	ctx.warm_width = tctx->warm_width;
	ctx.progress = fit_iteration;
	if (n_classes > 0)
		MmCheckParamLabels(params, &model->labels);
	if (algorithm->check_design != NULL && algorithm->check_design(params, model->n_design, &err) != MM_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s", err.message),
				 errhint("The design has %d columns: one per category of a text feature, one per other feature.",
						 model->n_design)));
	CHECK_FOR_INTERRUPTS();
	MmTrainProgressPhase("fitting");
	rc = algorithm->fit(&ctx, model, &err);
	/* whatever the fit made of the missing pass's error, it goes again from the start */
	if (suspended != NULL && *suspended)
		return false;
	if (rc != MM_OK)
		report_fit_error(algorithm, model, &err);
	report_notices(algorithm, model, params, &ctx.report);
	if (algorithm->fitted_params != NULL)
		algorithm->fitted_params(model, params);
	*report = ctx.report;
	return true;
}

/* try_fit for a fit that runs to its end. */
static void
run_fit(const MmAlgorithm *algorithm, const MmTrainSpec *spec, const MmTrainContext *tctx,
		MmDataSource *data, MmParams *params, int n_classes, MmTrained *out, MmFitReport *report)
{
	(void) try_fit(algorithm, spec, tctx, data, params, n_classes, out, report, NULL);
}

/*
 * The rows a version skipped, one shape for every algorithm, each count
 * where it can be nonzero: null_target for models with a target, duplicates
 * when the rows went through the preprocessing (prep; NULL for the
 * aggregate, which has none).
 */
static char *
rows_skipped(const MmModel *model, int64 null_target, const MmPreprocessFit *prep)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	if (model->target != NULL)
		appendStringInfo(&buf, "\"null_target\": " INT64_FORMAT, null_target);
	if (prep != NULL)
		appendStringInfo(&buf, "%s\"duplicates\": " INT64_FORMAT, buf.len > 1 ? ", " : "",
						 prep->duplicates);
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/* The metrics and score of the fitted model, as its task measures them. */
static void
task_results(const MmFitOutcome *outcome, MmTrained *out)
{
	switch (outcome->model->task)
	{
		case MM_TASK_REGRESSION:
			MmRegressionResults(outcome, out);
			break;
		case MM_TASK_CLASSIFICATION:
			MmClassificationResults(outcome, out);
			break;
		case MM_TASK_CLUSTERING:
			MmClusteringResults(outcome, out);
			break;
		case MM_TASK_DECOMPOSITION:
			MmDecompositionResults(outcome, out);
			break;
	}
}

/*
 * Errors for rows read that the task cannot train on, before the
 * preprocessing is fitted, from their counts: rows_read in all, n_train and
 * n_test in the parts, nonfinite_target of them with a NaN or infinite
 * target.  A classifier's classes are checked apart.
 */
void
MmCheckTrainingRows(MmTask task, int64 nonfinite_target, int64 n_train, int64 n_test,
					int64 rows_read, const MmSource *src)
{
	if (task == MM_TASK_CLASSIFICATION || task == MM_TASK_REGRESSION)
	{
		if (nonfinite_target > 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg_plural("target \"%s\" is NaN or infinite in " INT64_FORMAT " row",
								   "target \"%s\" is NaN or infinite in " INT64_FORMAT " rows",
								   (unsigned long) nonfinite_target, src->target,
								   nonfinite_target),
					 errhint("Filter those rows out, for example through a view.")));
		if (n_train + n_test == 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 rows_read == 0 ?
					 errmsg("relation %s has no rows", src->display) :
					 errmsg("target \"%s\" is null in every row of relation %s",
							src->target, src->display)));
		return;
	}
	if (n_train == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 rows_read == 0 ?
				 errmsg("relation %s has no rows", src->display) :
				 errmsg("no rows of relation %s are left for training", src->display),
				 rows_read > 0 ? errhint("Lower test_size.") : 0));
}

/* Errors for rows read that the task cannot train on, before the preprocessing is fitted. */
static void
check_loaded(MmTask task, MmDataset *ds, const MmSource *src)
{
	MmCheckTrainingRows(task, ds->nonfinite_target, (int64) ds->n[0], (int64) ds->n[1],
						ds->rows_read, src);
	if (task == MM_TASK_CLASSIFICATION)
	{
		MmDatasetOrderLabels(ds);
		MmCheckClasses(ds, src);
	}
}

/* Errors for what the preprocessing left that the task cannot train on. */
static void
check_preprocessed(MmTask task, const MmDataset *ds, const MmSource *src)
{
	if (task == MM_TASK_CLASSIFICATION)
		MmCheckClasses(ds, src);
	else if (ds->n[0] == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("no rows of relation %s are left for training", src->display),
				 errhint("Lower test_size.")));
}

/* The model's fields every algorithm shares, before its fit. */
static void
init_model(const MmAlgorithm *algorithm, const MmSource *src, int n_design, MmModel *model)
{
	int			j;

	memset(model, 0, sizeof(*model));
	model->algorithm = algorithm;
	model->task = algorithm->task;
	model->n_features = src->nfeatures;
	model->n_design = n_design;
	model->feature_names = src->features;
	model->feature_kinds = src->feature_kinds;
	model->target = src->target;
	/* only a model that reads parts of dates carries them (and artifact format 3) */
	for (j = 0; j < src->nfeatures; j++)
		if (src->feature_kinds[j] == MM_FEATURE_DATE_PART)
			model->date_parts = src->date_parts;
}

/* The labels of the rows, as the model keeps them beyond the rows' memory. */
static void
keep_labels(const MmDataset *ds, MmLabels *l)
{
	int			j;

	l->n_classes = ds->nlabels;
	l->label_kind = ds->label_kind;
	l->classes = palloc(sizeof(char *) * ds->nlabels);
	l->class_values = ds->label_kind == MM_LABEL_TEXT ? NULL : palloc(sizeof(double) * ds->nlabels);
	for (j = 0; j < ds->nlabels; j++)
	{
		l->classes[j] = pstrdup(ds->labels[j]);
		if (l->class_values)
			l->class_values[j] = ds->label_values[j];
	}
}

/* Fits from rows read into memory (or copied from tuning's), with preprocessing. */
static void
fit_in_memory(const MmTrainSpec *spec, MmSource *src, const MmAlgorithm *algorithm,
			  const MmTrainContext *tctx, MmParams *params, MmTrained *out)
{
	MmTask		task = algorithm->task;
	MmPreprocess pp;
	MmPreprocessFit prep;
	MmDataset	ds;
	MmBaselineSample *baseline;
	MmDataSource data;
	MmRows		rows;
	MmFitReport report;
	MmFitOutcome outcome;

	MmParsePreprocess(spec->preprocess, src, &pp);
	pp.reference_coding = MmReferenceCoding(algorithm, params);
	pp.algorithm = algorithm;
	MmTrainProgressPhase("reading the rows");
	out->snapshot = MmDatasetLoadTraining(&ds, src,
										  task == MM_TASK_CLASSIFICATION ? MmLabelKindOf(src->target_type) : 0,
										  task == MM_TASK_REGRESSION, spec->test_size, spec->seed, tctx);
	check_loaded(task, &ds, src);
	MmTrainProgressRowsDone(ds.rows_read);
	baseline = MmBaselineTake(&ds, src);
	MmTrainProgressPhase("preprocessing");
	MmFitPreprocess(&pp, src, &ds, &prep);
	MmReportPreprocessFit(&prep);
	check_preprocessed(task, &ds, src);
	/* a width the params were checked against before the preprocessing narrowed it */
	if (ds.p < src->nfeatures)
		MmCheckParamsWidth(params, ds.p);

	init_model(algorithm, src, ds.p, &out->model);
	out->model.transform = prep.transform;
	out->model.categories = prep.categories;
	if (task == MM_TASK_CLASSIFICATION)
		keep_labels(&ds, &out->model.labels);
	rows.n = ds.n[0];
	rows.p = ds.p;
	rows.x = ds.x[0];
	rows.y = task == MM_TASK_CLASSIFICATION ? ds.y[0] : NULL;
	rows.t = task == MM_TASK_REGRESSION ? ds.t[0] : NULL;
	mm_memory_source(&data, &rows);
	run_fit(algorithm, spec, tctx, &data, params, ds.nlabels, out, &report);

	MmTrainProgressPhase("scoring");
	memset(&outcome, 0, sizeof(outcome));
	outcome.spec = spec;
	outcome.model = &out->model;
	outcome.report = &report;
	outcome.ds = &ds;
	outcome.prep = &prep;
	/* the predictions of the training rows, which the baseline's sample mostly repeats */
	if ((task == MM_TASK_CLASSIFICATION || task == MM_TASK_REGRESSION) && baseline != NULL)
	{
		size_t		i;

		outcome.train_outcomes = MemoryContextAllocHuge(CurrentMemoryContext,
														sizeof(double) * Max(ds.n[0], 1));
		/* NaN until the results score a row: unknown, so the baseline scores it */
		for (i = 0; i < ds.n[0]; i++)
			outcome.train_outcomes[i] = NAN;
	}
	task_results(&outcome, out);

	out->fitted = prep.json;
	out->rows_read = ds.rows_read;
	out->rows_train = (int64) ds.n[0];
	out->rows_test = (int64) ds.n[1];
	out->rows_skipped = rows_skipped(&out->model, ds.null_target, &prep);
	out->fingerprint = ds.fingerprint;
	if (outcome.train_outcomes != NULL)
	{
		MmKnownOutcomes known = {ds.x[0], ds.p, ds.n[0], outcome.train_outcomes};

		out->baseline = MmBaselineFinishKnown(baseline, &out->model, &known);
	}
	else
		out->baseline = MmBaselineFinish(baseline, &out->model);
	MmDatasetFree(&ds);
}

void
MmPassesFitBegin(const MmTrainSpec *spec, MmSource *src, const MmAlgorithm *algorithm,
				 const MmTrainContext *tctx, MmParams *params, bool prepared, MmPassesFit *pf,
				 MmTrained *out)
{
	MmPassesData *pd = pf->pd;

	memset(out, 0, sizeof(*out));
	out->trivial_score = NAN;
	if (!prepared)
		MmPassesPrepareFold(spec, src, algorithm, params, tctx->pass_folds, tctx->pass_fold, pd,
							pf->first_read);
	else
	{
		/* as the preparation left its source, whatever a fit that failed left it as */
		MmRelationSourceSetPart(&pd->data, 0);
		pd->data.n_rows = (size_t) pd->rows_train;
	}
	out->snapshot = pd->snapshot;
	MmReportPreprocessFit(&pd->prep);
	/* a width the params were checked against before the preprocessing narrowed it */
	if (pd->n_design < src->nfeatures)
		MmCheckParamsWidth(params, pd->n_design);

	init_model(algorithm, src, pd->n_design, &out->model);
	out->model.transform = pd->prep.transform;
	out->model.categories = pd->prep.categories;
	if (algorithm->task == MM_TASK_CLASSIFICATION)
	{
		MmLabels   *l = &out->model.labels;

		l->n_classes = pd->labels.n;
		l->label_kind = pd->label_kind;
		l->classes = pd->labels.labels;
		l->class_values = pd->label_kind == MM_LABEL_TEXT ? NULL : pd->labels.values;
	}
	pf->shell = out->model;
}

bool
MmPassesFitRun(const MmAlgorithm *algorithm, const MmTrainSpec *spec, const MmTrainContext *tctx,
			   MmDataSource *data, MmParams *params, MmPassesFit *pf, MmTrained *out,
			   const bool *suspended)
{
	/* each attempt starts from the model as the preprocessing left it */
	out->model = pf->shell;
	return try_fit(algorithm, spec, tctx, data, params, pf->pd->labels.n, out, &pf->report,
				   suspended);
}

void
MmPassesFitEnd(const MmTrainSpec *spec, const MmAlgorithm *algorithm, const MmTrainContext *tctx,
			   MmParams *params, MmPassesFit *pf, MmTrained *out)
{
	MmPassesData *pd = pf->pd;
	MmPassMetrics pm;
	MmFitOutcome outcome;

	MmPassesMetrics(pd, &out->model, &pm);

	memset(&outcome, 0, sizeof(outcome));
	outcome.spec = spec;
	outcome.model = &out->model;
	outcome.report = &pf->report;
	outcome.prep = &pd->prep;
	outcome.passes = &pm;
	task_results(&outcome, out);

	out->fitted = pd->prep.json;
	out->rows_read = pd->rows_read;
	out->rows_train = pd->rows_train;
	out->rows_test = pd->rows_test;
	out->rows_skipped = rows_skipped(&out->model, pd->null_target, &pd->prep);
	out->fingerprint = pd->fingerprint;
	/* a fold's fit is scored, never recorded: no profile to compare with */
	out->baseline = tctx->pass_folds > 0 ? NULL : MmPassesBaseline(pd, spec, &out->model);
	out->algorithm = algorithm->name;
	out->task = mm_task_name(algorithm->task);
	out->params = MmParamsJson(params);
}

/*
 * Fits in passes over the relation, never holding its rows (fitpasses.c):
 * the preprocessing from passes that discover and profile, the algorithm's
 * fit over the rows put through it, the metrics by passes of the model.
 */
static void
fit_in_passes(const MmTrainSpec *spec, MmSource *src, const MmAlgorithm *algorithm,
			  const MmTrainContext *tctx, MmParams *params, MmTrained *out)
{
	MmPassesData pd;
	MmPassesFit pf;

	memset(&pf, 0, sizeof(pf));
	pf.pd = &pd;
	MmPassesFitBegin(spec, src, algorithm, tctx, params, false, &pf, out);
	(void) MmPassesFitRun(algorithm, spec, tctx, &pd.data, params, &pf, out, NULL);
	MmPassesFitEnd(spec, algorithm, tctx, params, &pf, out);
}

/*
 * Whether a training that would read its rows into memory trains in passes
 * instead: as modelmgr.train_in_passes says; under auto, when the algorithm
 * and preprocessing can, and the rows would not fit modelmgr.max_train_memory
 * (the planner's estimate) or are distributed (MmPassesPreferredFor: for
 * some algorithms only the first).  Rows tuning holds or keeps
 * are always in memory; a fold tuning fits in passes always in passes.
 */
static bool
use_passes(const MmTrainSpec *spec, const MmSource *src, const MmAlgorithm *algorithm,
		   const MmParams *params, const MmTrainContext *ctx)
{
	const char *obstacle;

	if (ctx->pass_folds > 0)
		return true;
	if (ctx->rows != NULL || ctx->keep_hashes || mm_train_in_passes == MM_PASSES_OFF)
		return false;
	obstacle = MmPassesObstacle(spec, src, algorithm, params);
	if (mm_train_in_passes == MM_PASSES_ON && obstacle != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot train %s in passes", algorithm->name),
				 errdetail("%s", obstacle),
				 errhint("Set modelmgr.train_in_passes to auto or off to train in memory.")));
	if (mm_train_in_passes == MM_PASSES_ON)
		return true;
	return obstacle == NULL && MmPassesPreferredFor(algorithm, spec, src);
}

/*
 * True when a feature has one value in every training row of the
 * aggregate: the rows in memory are needed to leave it out (preprocess.c).
 */
bool
MmAggregateHasConstantFeature(const MmLsView *view)
{
	int			j;

	if (view->part[0][0] < 1)
		return false;
	for (j = 0; j < view->p; j++)
		if (view->range[0][j] == view->range[0][view->d + j])
			return true;
	return false;
}

/*
 * Fits from the training aggregate: the one tuning made, or one pass over
 * the relation now.  No preprocessing, no text: the design is the features.
 * False, with nothing fitted, when a feature is constant in the training
 * part: the fit from the rows leaves it out.
 */
static bool
fit_from_aggregate(FunctionCallInfo fcinfo, const MmTrainSpec *spec, MmSource *src,
				   const MmAlgorithm *algorithm, const MmTrainContext *tctx, MmParams *params,
				   MmTrained *out)
{
	MmLsView	view;
	MmDataSource data,
				rows;
	MmFitReport report;
	MmFitOutcome outcome;

	if (tctx->moments != NULL)
	{
		view = *tctx->moments;
		out->snapshot = pstrdup(tctx->moments_snapshot);
	}
	else
	{
		MmTrainProgressPhase("fitting");
		out->snapshot = MmMomentsPass(fcinfo, spec, src, &view);
	}
	if (MmAggregateHasConstantFeature(&view))
		return false;
	init_model(algorithm, src, src->nfeatures, &out->model);
	/*
	 * a pass other than the moments (a refinement) reads the relation again,
	 * which the pass aggregate can when the target is a number
	 */
	if (src->target == NULL || MmIsNumericType(src->target_type))
	{
		MmRelationSource(&rows, src, algorithm->artifact_id, spec->test_size, spec->seed);
		MmMomentsSource(&data, view.part[0], view.p, &rows);
	}
	else
		MmMomentsSource(&data, view.part[0], view.p, NULL);
	run_fit(algorithm, spec, tctx, &data, params, 0, out, &report);

	MmTrainProgressPhase("scoring");
	memset(&outcome, 0, sizeof(outcome));
	outcome.spec = spec;
	outcome.model = &out->model;
	outcome.report = &report;
	outcome.view = &view;
	task_results(&outcome, out);

	out->fitted = "{}";
	out->rows_read = view.head->rows_seen;
	out->rows_train = (int64) view.part[0][0];
	out->rows_test = (int64) view.part[1][0];
	out->rows_skipped = rows_skipped(&out->model, view.head->rows_null_target, NULL);
	out->fingerprint = view.head->fingerprint;
	out->baseline = MmBaselineFinish(MmBaselineFromMoments(&view, src), &out->model);
	return true;
}

/*
 * Fits algorithm (one the aggregate serves) from a moments block of src's
 * features and target, into model; for tuning's cross-validation, which
 * merges the moments of the other folds.
 */
void
MmFitFromMoments(const MmTrainSpec *spec, const MmSource *src, const MmAlgorithm *algorithm,
				 const double *moments, MmParams *params, MmModel *model)
{
	MmTrainContext plain;
	MmDataSource data;
	MmFitReport report;
	MmTrained	out;

	memset(&plain, 0, sizeof(plain));
	init_model(algorithm, src, src->nfeatures, &out.model);
	MmMomentsSource(&data, moments, src->nfeatures, NULL);
	run_fit(algorithm, spec, &plain, &data, params, 0, &out, &report);
	*model = out.model;
}

/* True when a feature is text, which the training aggregate cannot read. */
static bool
has_text_feature(const MmSource *src)
{
	int			j;

	for (j = 0; j < src->nfeatures; j++)
		if (src->feature_kinds[j] == MM_FEATURE_CATEGORICAL)
			return true;
	return false;
}

/*
 * Fits algorithm on src as spec says, filling trained.  Rows come from the
 * relation, or from memory when ctx holds them (NULL: a plain training); the
 * training aggregate serves only a fresh read, or the one ctx carries.
 */
void
MmFitAlgorithm(FunctionCallInfo fcinfo, const MmTrainSpec *spec, MmSource *src,
			   const MmAlgorithm *algorithm, const MmTrainContext *ctx, MmTrained *trained)
{
	MmTrainContext plain;
	MmParams	params;

	if (ctx == NULL)
	{
		memset(&plain, 0, sizeof(plain));
		ctx = &plain;
	}
	memset(trained, 0, sizeof(*trained));
	/* clustering and decomposition have no trivial model to beat */
	trained->trivial_score = NAN;
	MmParseParams(algorithm, spec->params, src->nfeatures, &params);
	if (!((ctx->moments != NULL ||
		   (MmAggregateServes(algorithm) && ctx->rows == NULL && ctx->pass_folds == 0 &&
			MmPreprocessIsEmpty(spec->preprocess) && !has_text_feature(src))) &&
		  fit_from_aggregate(fcinfo, spec, src, algorithm, ctx, &params, trained)))
	{
		if (use_passes(spec, src, algorithm, &params, ctx))
			fit_in_passes(spec, src, algorithm, ctx, &params, trained);
		else
			fit_in_memory(spec, src, algorithm, ctx, &params, trained);
	}
	trained->algorithm = algorithm->name;
	trained->task = mm_task_name(algorithm->task);
	trained->params = MmParamsJson(&params);
}

/* Says why a training asked for a test split has no test metrics. */
void
MmNoticeNoTestRows(double train_rows, double test_size)
{
	ereport(NOTICE,
			(errmsg("no rows were held out for testing"),
			 errdetail("With %.0f rows, test_size %g held out none; test metrics are null.",
					   train_rows, test_size)));
}
