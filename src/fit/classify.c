/*
 * classify.c: what the classification task measures and checks, for
 * training (fit.c) and mm_evaluate.
 *
 * A classifier is fitted over the rows in memory, or in passes over the
 * relation when they would not fit (fit.c).  Metrics on both parts come
 * from the core's prediction functions, the same ones mm_predict uses: over
 * the rows in memory here, or counted by one pass per part that carries
 * the model (evalpasses.h), whose binary ROC AUC comes from a fine score
 * histogram within a bound it measures (doc/scaling.md).
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "classify.h"
#include "classmetrics.h"
#include "columns.h"
#include "dataset.h"
#include "fit.h"
#include "fitstats.h"
#include "mmcore.h"
#include "model.h"
#include "preprocess.h"
#include "trivial.h"
#include "trivialmodel.h"
#include "util.h"

/*
 * The label kind a target type gives, or 0 when it cannot be a class label.
 * Float and numeric targets give number labels when their values are whole
 * numbers, which only reading the rows tells (numberlabel.c).
 */
MmLabelKind
MmLabelKindOf(Oid type)
{
	Oid			base = getBaseType(type);
	char		category;
	bool		preferred;

	switch (base)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case FLOAT4OID:
		case FLOAT8OID:
		case NUMERICOID:
			return MM_LABEL_NUMBER;
		case BOOLOID:
			return MM_LABEL_BOOLEAN;
	}
	get_type_category_preferred(base, &category, &preferred);
	if (category == TYPCATEGORY_STRING)
		return MM_LABEL_TEXT;
	return 0;
}

/*
 * Rows per chunk of a prediction on threads: a kernel model's row costs its
 * support vectors' kernel values, so a few hundred rows are worth a thread.
 */
#define PREDICT_CHUNK_ROWS 512

/* A prediction over rows on threads: each chunk writes its own rows' results. */
typedef struct PredictRows
{
	const MmModel *model;
	const double *x;
	int			p,
				k,
				width;			/* of a chunk's scores */
	bool		has_proba;
	double	   *scratch;		/* width scores per chunk */
	int32	   *pred;
	double	   *proba;
	double	   *score;
} PredictRows;

/* The predictions of rows [begin, end); the core's scoring allocates nothing. */
static void
predict_chunk(void *arg, size_t begin, size_t end, int chunk)
{
	PredictRows *r = arg;
	double	   *scores = r->scratch + (size_t) chunk * r->width;
	int			k = r->k;
	size_t		i;

	for (i = begin; i < end; i++)
	{
		mm_model_scores(r->model, r->x + i * r->p, scores);
		r->pred[i] = (int32) mm_model_decide(r->model, scores);
		if (r->has_proba)
		{
			mm_model_proba(r->model, scores, r->proba + i * k);
			if (k == 2)
				r->score[i] = r->proba[i * k + 1];
		}
		else if (k == 2)
			r->score[i] = scores[0];	/* the ROC AUC ranks by the decision score */
	}
}

/*
 * Predictions of a classifier on n transformed rows: class indexes, the
 * probabilities (n x k) when the model has them, and the binary score (the
 * positive class's probability, or the decision score without them).  The
 * rows are scored on threads, MM_CHUNK_ROWS at a time so that a cancel is
 * seen between; each row's results are its own, the same bits whatever the
 * threads.
 */
static void
predict_rows(const MmModel *model, const double *x, size_t n, int32 *pred, double **proba,
			 double **score)
{
	PredictRows r;
	int			chunks = (MM_CHUNK_ROWS + PREDICT_CHUNK_ROWS - 1) / PREDICT_CHUNK_ROWS;
	size_t		start;

	r.model = model;
	r.p = model->n_design;
	r.k = model->labels.n_classes;
	r.width = Max(r.k, mm_model_n_scores(model));
	r.has_proba = mm_model_has_proba(model);
	r.scratch = palloc(sizeof(double) * r.width * chunks);
	*proba = r.has_proba ? MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * r.k * Max(n, 1)) : NULL;
	*score = r.k == 2 ? MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * Max(n, 1)) : NULL;

	for (start = 0; start < n; start += MM_CHUNK_ROWS)
	{
		size_t		span = Min((size_t) MM_CHUNK_ROWS, n - start);

		/* offsets to the span's first row, so that chunk c of the span uses scratch row c */
		r.x = x + start * r.p;
		r.pred = pred + start;
		r.proba = *proba ? *proba + start * r.k : NULL;
		r.score = *score ? *score + start : NULL;
		mm_parallel_rows(span, PREDICT_CHUNK_ROWS, predict_chunk, &r);
		CHECK_FOR_INTERRUPTS();
	}
	pfree(r.scratch);
}

/* Appends one part's metrics object. */
static void
append_class_metrics(StringInfo buf, const MmClassMetrics *m)
{
	int			a,
				b;

	appendStringInfoString(buf, "{\"accuracy\": ");
	MmJsonNumber(buf, m->accuracy);
	appendStringInfoString(buf, ", \"precision\": ");
	MmJsonNumber(buf, m->precision);
	appendStringInfoString(buf, ", \"recall\": ");
	MmJsonNumber(buf, m->recall);
	appendStringInfoString(buf, ", \"f1\": ");
	MmJsonNumber(buf, m->f1);
	appendStringInfoString(buf, ", \"precision_weighted\": ");
	MmJsonNumber(buf, m->precision_weighted);
	appendStringInfoString(buf, ", \"recall_weighted\": ");
	MmJsonNumber(buf, m->recall_weighted);
	appendStringInfoString(buf, ", \"f1_weighted\": ");
	MmJsonNumber(buf, m->f1_weighted);
	appendStringInfoString(buf, ", \"log_loss\": ");
	MmJsonNumber(buf, m->log_loss);
	appendStringInfoString(buf, ", \"roc_auc\": ");
	MmJsonNumber(buf, m->roc_auc);
	appendStringInfoString(buf, ", \"confusion_matrix\": [");
	for (a = 0; a < m->k; a++)
	{
		appendStringInfoString(buf, a ? ", [" : "[");
		for (b = 0; b < m->k; b++)
			appendStringInfo(buf, "%s" INT64_FORMAT, b ? ", " : "", m->confusion[a * m->k + b]);
		appendStringInfoChar(buf, ']');
	}
	appendStringInfo(buf, "], \"rows\": %.0f}", m->rows);
}

/*
 * Metrics of a classifier on n transformed rows with true classes y; each
 * row's class into outcomes, as MmModelOutcome gives it, unless NULL.
 */
static void
classifier_metrics(const MmModel *model, const double *x, const int32 *y, size_t n,
				   MmClassMetrics *m, double *outcomes)
{
	int32	   *pred = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int32) * Max(n, 1));
	double	   *proba,
			   *score;
	MmError		err;

	predict_rows(model, x, n, pred, &proba, &score);
	if (mm_class_metrics(y, pred, proba, score, n, model->labels.n_classes, m, &err) != MM_OK)
		MmReportCoreError(&err, "could not compute the metrics");
	if (outcomes != NULL)
	{
		size_t		i;

		for (i = 0; i < n; i++)
			outcomes[i] = pred[i];
	}
	pfree(pred);
	if (proba)
		pfree(proba);
	if (score)
		pfree(score);
}

/*
 * Errors unless every class has training rows, naming one that has none
 * (the rows hold some, fit.c checked).
 */
void
MmCheckClasses(const MmDataset *ds, const MmSource *src)
{
	int64	   *train = palloc0(sizeof(int64) * Max(ds->nlabels, 1));
	size_t		i;

	for (i = 0; i < ds->n[0]; i++)
		train[ds->y[0][i]]++;
	MmCheckClassCounts(train, ds->nlabels, ds->labels, src);
}

/*
 * Errors unless every one of nlabels classes (labels, in order) has
 * training rows (train counts them) and there are at least two.
 */
void
MmCheckClassCounts(const int64 *train, int nlabels, char **labels, const MmSource *src)
{
	int			c;

	for (c = 0; c < nlabels; c++)
		if (train[c] == 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("class \"%s\" of target \"%s\" appears only in the held-out rows",
							labels[c], src->target),
					 errdetail("A classifier cannot learn a class it never sees in training."),
					 errhint("Lower test_size, pass another seed, or filter the class out.")));
	if (nlabels < 2)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("target \"%s\" has only one class in the training rows: \"%s\"",
						src->target, labels[0]),
				 errhint("A classifier needs rows of at least two classes.")));
}

/* The trivial classifier's part of a part's metrics, from the rows in memory or the passes' counts. */
static double
append_baseline(StringInfo metrics, const MmFitOutcome *in, int part, int majority)
{
	const MmLabels *l = &in->model->labels;
	double	   *counts;
	double		f1;
	int			c;

	if (in->ds != NULL)
		return MmAppendClassBaseline(metrics, in->ds, part, majority);
	counts = palloc(sizeof(double) * l->n_classes);
	for (c = 0; c < l->n_classes; c++)
		counts[c] = (double) in->passes->class_rows[part][c];
	f1 = MmAppendClassBaselineCounts(metrics, counts, l->n_classes, l->classes, majority);
	pfree(counts);
	return f1;
}

/* The trivial classifier's class: the training part's most frequent. */
static int
majority_class(const MmFitOutcome *in)
{
	const MmLabels *l = &in->model->labels;
	double	   *counts;
	int			c;

	if (in->ds != NULL)
		return MmMajorityClass(in->ds);
	counts = palloc(sizeof(double) * l->n_classes);
	for (c = 0; c < l->n_classes; c++)
		counts[c] = (double) in->passes->class_rows[0][c];
	c = mm_majority_class(counts, l->n_classes);
	pfree(counts);
	return c;
}

/*
 * The metrics of a fitted classifier on both parts, of the rows in memory
 * or counted by passes (fitpasses.c), with the fit's iterations; the score
 * is the held-out part's f1, or the training part's without one.
 */
void
MmClassificationResults(const MmFitOutcome *in, MmTrained *out)
{
	const MmDataset *ds = in->ds;
	const MmPassMetrics *pm = in->passes;
	MmClassMetrics train_m,
				test_m;
	double		n_train = pm != NULL ? pm->rows[0] : (double) ds->n[0];
	bool		has_test = pm != NULL ? pm->rows[1] > 0 : ds->n[1] > 0;
	int			majority = majority_class(in);
	double		trivial_train,
				trivial_test = NAN;
	StringInfoData metrics;

	if (pm != NULL)
	{
		train_m = pm->classes[0];
		test_m = pm->classes[1];
	}
	else
	{
		classifier_metrics(in->model, ds->x[0], ds->y[0], ds->n[0], &train_m, in->train_outcomes);
		if (has_test)
			classifier_metrics(in->model, ds->x[1], ds->y[1], ds->n[1], &test_m, NULL);
	}
	if (!has_test && in->spec->test_size > 0)
		MmNoticeNoTestRows(n_train, in->spec->test_size);

	initStringInfo(&metrics);
	appendStringInfoString(&metrics, "{\"train\": ");
	append_class_metrics(&metrics, &train_m);
	trivial_train = append_baseline(&metrics, in, 0, majority);
	MmAppendLogitStatistics(&metrics, in);
	appendStringInfoString(&metrics, ", \"test\": ");
	if (has_test)
	{
		append_class_metrics(&metrics, &test_m);
		MmAppendUnseen(&metrics, in->prep);
		trivial_test = append_baseline(&metrics, in, 1, majority);
	}
	else
		appendStringInfoString(&metrics, "null");
	appendStringInfo(&metrics, ", \"iterations\": %d, \"converged\": %s}",
					 in->report->n_iter, in->report->converged ? "true" : "false");
	out->metrics = metrics.data;
	out->score = has_test ? test_m.f1 : train_m.f1;
	out->trivial_score = has_test ? trivial_test : trivial_train;
}

/*
 * Errors unless the target of src gives labels of the kind the model was
 * trained on.
 */
void
MmCheckEvaluationLabels(const MmModel *model, const MmSource *src)
{
	const MmLabels *c = &model->labels;

	if (MmLabelKindOf(src->target_type) != c->label_kind)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("target \"%s\" of relation %s has type %s, which does not match the model's labels",
						src->target, src->display, format_type_be(src->target_type)),
				 errdetail("The model was trained on %s labels.",
						   c->label_kind == MM_LABEL_TEXT ? "text" :
						   c->label_kind == MM_LABEL_BOOLEAN ? "boolean" : "integer")));
}

/*
 * The index of label among the model's classes; errors when it is none of
 * them, as a classifier cannot be scored on a class it does not predict.
 */
int
MmEvaluationClass(const MmModel *model, const char *label, const MmSource *src)
{
	const MmLabels *c = &model->labels;
	int			k;

	for (k = 0; k < c->n_classes; k++)
		if (strcmp(label, c->classes[k]) == 0)
			return k;
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("label \"%s\" in relation %s is not a class of the model", label, src->display),
			 errdetail("The model's classes: %s.", MmFormatList(c->classes, c->n_classes))));
	return -1;
}

/*
 * The flat JSON object mm_evaluate returns for a classifier's metrics m on
 * a relation with null_target rows of NULL target, and, for a model with
 * text features, unseen text values of no training category.
 */
Jsonb *
MmClassifierEvaluation(const MmModel *model, const MmClassMetrics *m, int64 null_target,
					   int64 unseen)
{
	StringInfoData json;

	initStringInfo(&json);
	append_class_metrics(&json, m);
	/* the object is flat: add the null-target count inside it */
	json.len--;
	json.data[json.len] = '\0';
	appendStringInfo(&json, ", \"rows_null_target\": " INT64_FORMAT, null_target);
	if (model->categories != NULL)
		appendStringInfo(&json, ", \"unseen_categories\": " INT64_FORMAT, unseen);
	appendStringInfoChar(&json, '}');
	return MmJsonbFromString(json.data);
}

/*
 * The classification metrics of a model on every row of src (columns
 * resolved for the model) read into memory, as the flat JSON object
 * mm_evaluate returns.
 */
Jsonb *
MmEvaluateClassifier(const MmModel *model, MmSource *src)
{
	MmLabelKind kind = MmLabelKindOf(src->target_type);
	MmDataset	ds;
	MmClassMetrics m;
	int64		unseen;
	int32	   *map;
	size_t		i;
	int			l;
	Jsonb	   *result;

	MmCheckEvaluationLabels(model, src);
	(void) MmDatasetLoad(&ds, src, kind, false, 0.0, 0);
	MmDatasetRequireEvaluationRows(&ds, src);
	/* the relation's labels, as classes of the model */
	map = palloc(sizeof(int32) * ds.nlabels);
	for (l = 0; l < ds.nlabels; l++)
		map[l] = MmEvaluationClass(model, ds.labels[l], src);
	for (i = 0; i < ds.n[0]; i++)
		ds.y[0][i] = map[ds.y[0][i]];
	MmDatasetEncode(model, src, &ds, &unseen);
	classifier_metrics(model, ds.x[0], ds.y[0], ds.n[0], &m, NULL);
	result = MmClassifierEvaluation(model, &m, ds.null_target, unseen);
	MmDatasetFree(&ds);
	return result;
}
