/*
 * evaluatepasses.c: mm_evaluate in passes over the relation.
 *
 * Evaluating in memory reads every row of the relation into one backend:
 * on a distributed table that gathers the rows to the coordinator, and it
 * is bounded by modelmgr.max_train_memory.  In passes, the model's own
 * preprocessing travels as a pass design (passdesign.h) with the model's
 * classes as its labels, and one pass of the fitted model measures every
 * row where it lies, in parallel workers or on a distributed table's
 * shards: the classifier and clustering passes of training (evalpasses.h),
 * which carry the model's artifact, the moments of the transformed rows for
 * a decomposition, and for a regression the exact residual sums of a
 * linear form, or of any other model's predictions by the regressor pass.
 * The relation is not split: every row is measured.
 *
 * Besides the pass, a model with text features counts each text feature's
 * values by a bounded GROUP BY, for those of no training category.  A
 * classifier's pass refuses a label that is none of the model's classes;
 * only then are the relation's labels discovered (discover.h), to name it
 * as evaluation in memory does.  Rows the pass skips or its design refuses
 * are counted, and reported with the errors evaluation in memory raises, in
 * the same order.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "classify.h"
#include "classmetrics.h"
#include "columns.h"
#include "dataset.h"
#include "designpasses.h"
#include "discover.h"
#include "evalarg.h"
#include "evalpasses.h"
#include "evaluatepasses.h"
#include "fitpasses.h"
#include "guc.h"
#include "kmeans.h"
#include "linear_moments.h"
#include "mmcore.h"
#include "passagg.h"
#include "passdesign.h"
#include "pca.h"
#include "preprocess.h"
#include "regmetrics.h"
#include "regress.h"
#include "relsource.h"
#include "security.h"
#include "unsupervised.h"
#include "util.h"

/* The values of float8 that are not finite, as an SQL array. */
#define NONFINITE "ARRAY['NaN'::pg_catalog.float8, 'Infinity', '-Infinity']"

bool
MmEvaluateInPasses(const MmModel *model, const MmSource *src)
{
	/* every model's metrics have a pass (evalpasses.h, designpasses.h) */
	if (mm_train_in_passes == MM_PASSES_OFF)
		return false;
	if (mm_train_in_passes == MM_PASSES_ON)
		return true;
	return MmPassesPreferred(NULL, src);
}

/* What the pass reads as the target of a model of task. */
static MmPassTarget
pass_target(MmTask task)
{
	return task == MM_TASK_CLASSIFICATION ? MM_PASS_TARGET_CLASS :
		task == MM_TASK_REGRESSION ? MM_PASS_TARGET_NUMERIC : MM_PASS_TARGET_NONE;
}

/*
 * The design bytes that put src's rows through model as prediction does,
 * with the model's classes as the labels (class indexes in its order).
 */
static void
model_design(const MmModel *model, const MmSource *src, const void **bytes, size_t *len)
{
	MmPassDesign d;
	int			p = src->nfeatures,
				j;
	int32	   *kinds = palloc(sizeof(int32) * p),
			   *kept = palloc(sizeof(int32) * p);
	void	   *out;
	MmError		err;

	memset(&d, 0, sizeof(d));
	for (j = 0; j < p; j++)
	{
		kinds[j] = src->feature_kinds[j];
		kept[j] = j;
	}
	d.raw_p = p;
	d.kinds = kinds;
	d.kept = kept;
	d.shell = *model;
	if (model->task == MM_TASK_CLASSIFICATION)
	{
		d.label_kind = model->labels.label_kind;
		d.n_labels = model->labels.n_classes;
		d.labels = model->labels.classes;
		/* the design holds a value per label, 0 for text labels, which it finds by their bytes */
		d.label_values = model->labels.class_values != NULL ? model->labels.class_values :
			palloc0(sizeof(double) * model->labels.n_classes);
	}
	if (mm_pass_design_write(&d, &out, len, &err) != MM_OK)
		MmReportCoreError(&err, "could not write the design of a pass");
	*bytes = out;
}

/* Rows of src whose number label is NaN or infinite: counted where the rows are. */
static int64
nonfinite_labels(const MmSource *src)
{
	bool		isnull;

	if (MmSpiRun(psprintf("SELECT pg_catalog.count(*) FROM %s r WHERE (r.%s)::pg_catalog.float8 "
						  "OPERATOR(pg_catalog.=) ANY (" NONFINITE ")",
						  src->qualified, quote_identifier(src->target)),
				 0, NULL, NULL, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not count the relation's labels that are not finite");
	return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * Errors unless every label of src's rows is a class of the model, as
 * evaluation in memory refuses one, after the errors it raises first (a
 * label that is not finite, which discovery leaves out).
 */
static void
check_labels(const MmModel *model, const MmSource *src, const void *design, size_t design_len)
{
	MmDiscoveredLabels labels;
	bytea	   *header;
	int			l;

	/* a header the discovery splits rows by: no split, every usable row in part 0 */
	header = MmPassHeaderDesign(MM_PASS_DESIGN_ID, MM_DESIGN_PASS_PROFILE, model->n_design,
								MM_PASS_TARGET_CLASS, 0.0, 0, NULL, 0, src->nfeatures, 0, design,
								design_len);
	MmDiscoverLabels(src, header, MM_PASS_TARGET_CLASS, model->labels.label_kind, &labels);
	for (l = 0; l < labels.n; l++)
	{
		int			k;

		for (k = 0; k < model->labels.n_classes; k++)
			if (strcmp(labels.labels[l], model->labels.classes[k]) == 0)
				break;
		if (k < model->labels.n_classes)
			continue;
		if (model->labels.label_kind == MM_LABEL_NUMBER)
			MmRequireEvaluationRows(nonfinite_labels(src), 1, src);
		(void) MmEvaluationClass(model, labels.labels[l], src);
	}
}

/*
 * The text values of src's rows in no category the model was trained on,
 * over its text features: per feature, its values' rows where the target is
 * not NULL (the rows evaluated), counted by a GROUP BY that runs where the
 * rows are and bounded as the rows read into memory bound a feature's
 * values.
 */
static int64
unseen_values(const MmModel *model, const MmSource *src)
{
	int64		unseen = 0;
	int			j;

	for (j = 0; j < src->nfeatures; j++)
	{
		uint64		r;

		if (src->feature_kinds[j] != MM_FEATURE_CATEGORICAL)
			continue;
		if (MmSpiRun(psprintf("SELECT %s AS v, pg_catalog.count(*) FROM %s r WHERE %s IS NOT NULL%s%s "
							  "GROUP BY 1 LIMIT %d",
							  MmFeatureExpression(src, j, "r"), src->qualified,
							  MmFeatureExpression(src, j, "r"), src->target ? " AND r." : "",
							  src->target ? psprintf("%s IS NOT NULL", quote_identifier(src->target)) : "",
							  MM_MAX_CATEGORIES + 1),
					 0, NULL, NULL, NULL, true, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not count the values of feature \"%s\"", src->features[j]);
		if (SPI_processed > MM_MAX_CATEGORIES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("feature \"%s\" has more than %d distinct values",
							src->features[j], MM_MAX_CATEGORIES),
					 errhint("Leave it out with exclude => ARRAY['%s'], or group its values in a view.",
							 src->features[j])));
		for (r = 0; r < SPI_processed; r++)
		{
			bool		isnull;
			text	   *v = DatumGetTextPP(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1,
														 &isnull));

			if (mm_category_code(&model->categories[j], VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v)) ==
				MM_CATEGORY_UNSEEN)
				unseen += DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2,
													  &isnull));
			if ((r & 0xfff) == 0)
				CHECK_FOR_INTERRUPTS();
		}
		SPI_freetuptable(SPI_tuptable);
	}
	return unseen;
}

/* A pass to run over a source, and the state it leaves. */
typedef struct PassRun
{
	MmDataSource *source;
	const MmPass *pass;
	const void *arg;
	void	   *state;
} PassRun;

/* Runs a pass over its source into a new state. */
static void
run_pass(void *arg)
{
	PassRun    *run = arg;
	MmError		err;

	run->state = palloc(run->pass->state_size(run->source->p, run->arg));
	if (run->source->run(run->source, run->pass, run->arg, run->state, &err) != MM_OK)
		MmReportCoreError(&err, psprintf("could not run pass \"%s\"", run->pass->name));
}

/*
 * The errors evaluation in memory raises over the rows a pass counted, in
 * its order: a target that is not finite, no row to evaluate on, a feature
 * that is not finite, a row the model's transform refuses.
 */
static void
check_counts(const MmModel *model, const MmSource *src, const MmPassCounts *c)
{
	const MmPassStateHeader *h = &c->head;
	int			p = src->nfeatures,
				j;

	if (model->task == MM_TASK_CLASSIFICATION || model->task == MM_TASK_REGRESSION)
		MmRequireEvaluationRows(c->nonfinite_count[p],
								h->rows_seen - h->rows_null_target - h->rows_bad_target, src);
	else if (h->rows_seen == 0)
		MmNoRowsToEvaluate(src);
	for (j = 0; j < p; j++)
		MmRequireFiniteFeature(model, src, j, c->nonfinite_count[j]);
	if (c->rows_untransformed > 0)
	{
		int			f = Max(c->untransformed_feature, 0);
		bool		imputes = model->transform != NULL && !isnan(model->transform[f].impute);

		MmReportUntransformed(model, src, f, c->null_count[f] > 0 && !imputes);
	}
}

/* A classifier's metrics from its pass's counts. */
static void
classifier_metrics(const MmModel *model, const void *state, MmClassMetrics *m)
{
	MmClassifierCounts c;
	int			k = model->labels.n_classes,
				i;
	int64	   *confusion = palloc(sizeof(int64) * k * k);
	MmError		err;

	mm_classifier_eval_read(state, &c);
	MmCheckEvalPassRead(c.unread);
	MmNoteRocFull(c.roc_full);
	for (i = 0; i < k * k; i++)
		confusion[i] = (int64) c.confusion[i];
	if (mm_class_metrics_from_counts(confusion, k, mm_model_has_proba(model) ? c.log_loss_sum : NAN,
									 c.roc_auc, m, &err) != MM_OK)
		MmReportCoreError(&err, "could not compute the metrics");
}

Jsonb *
MmEvaluatePasses(const MmModel *model, MmSource *src)
{
	MmPassTarget target = pass_target(model->task);
	MmLabelKind label_kind = model->task == MM_TASK_CLASSIFICATION ? model->labels.label_kind : 0;
	int			w = model->n_design;
	const void *design;
	size_t		design_len;
	MmDataSource data;
	const MmPassCounts *counts;
	const MmPass *pass;
	void	   *arg = NULL;
	void	   *state;
	PassRun		run;
	ErrorData  *error;
	int64		unseen = 0;
	Jsonb	   *result;

	if (model->task == MM_TASK_CLASSIFICATION)
		MmCheckEvaluationLabels(model, src);
	model_design(model, src, &design, &design_len);

	MmRelationSourceDesign(&data, src, model->algorithm->artifact_id, 0.0, 0, design, design_len, w,
						   target, label_kind);
	MmRelationSourceForEvaluation(&data);
	switch (model->task)
	{
		case MM_TASK_CLASSIFICATION:
			pass = &mm_pass_classifier_eval;
			arg = MmEvalPassArg(model, 0);
			break;
		case MM_TASK_CLUSTERING:
			pass = &mm_pass_cluster_eval;
			arg = MmEvalPassArg(model, MM_SILHOUETTE_ROWS);
			break;
		case MM_TASK_DECOMPOSITION:
			pass = &mm_linear_moments_pass;
			break;
		default:
			/* the trivial model's metrics, which the pass also measures, are not reported here */
			MmRegressionMetricsPass(model, 0.0, &pass, &arg);
			break;
	}
	run.source = &data;
	run.pass = pass;
	run.arg = arg;
	if (model->task != MM_TASK_CLASSIFICATION)
		run_pass(&run);
	else if (!MmTrySubtransaction(run_pass, &run, &error))
	{
		/*
		 * The pass refuses a row whose label is none of the model's classes:
		 * the labels, asked for only then, name it as evaluation in memory does.
		 */
		check_labels(model, src, design, design_len);
		ReThrowError(error);
	}
	state = run.state;
	counts = MmRelationSourceCounts(&data);
	check_counts(model, src, counts);
	if (model->categories != NULL)
		unseen = unseen_values(model, src);

	switch (model->task)
	{
		case MM_TASK_CLASSIFICATION:
			{
				MmClassMetrics m;

				classifier_metrics(model, state, &m);
				mm_free(arg);
				result = MmClassifierEvaluation(model, &m, counts->head.rows_null_target, unseen);
			}
			break;
		case MM_TASK_CLUSTERING:
			{
				MmClusterCounts c;
				int64	   *sizes;
				int			i;

				mm_cluster_eval_read(state, w, &c);
				MmCheckEvalPassRead(c.unread);
				sizes = palloc(sizeof(int64) * c.k);
				for (i = 0; i < c.k; i++)
					sizes[i] = (int64) c.sizes[i];
				result = MmClusteringEvaluation(model, c.inertia,
												mm_silhouette(model, c.sample, (size_t) c.sample_rows,
															  MM_SILHOUETTE_ROWS),
												(size_t) c.sample_rows, sizes, (size_t) c.rows, unseen);
				mm_free(arg);
			}
			break;
		case MM_TASK_DECOMPOSITION:
			{
				double	   *ratio = palloc(sizeof(double) * mm_model_n_coordinates(model));

				mm_pca_captured_moments(model, state, w + 1, ratio);
				result = MmDecompositionEvaluation(model, ratio, (size_t) counts->head.rows_train,
												   unseen);
			}
			break;
		default:
			{
				MmRegressionMetrics m,
							mean;

				MmRegressionMetricsRead(pass, state, &m, &mean);
				mm_free(arg);
				result = MmRegressionEvaluation(model, &m, counts->head.rows_null_target, unseen);
			}
			break;
	}
	pfree(state);
	return result;
}
