/*
 * classify.c: training and evaluating classifiers on rows held in memory.
 *
 * The linear SVM follows the same path with dual coordinate descent
 * (core/svm.h) in place of Newton's method.
 *
 * Logistic regression reads the relation once (dataset.c), fits the
 * preprocessing on the training part (preprocess.c), then runs Newton's
 * method on the matrix (core/logistic.h): a step costs two passes over
 * memory instead of a scan of the table, which is what makes it faster than
 * one aggregate pass per step (doc/performance.md).  Metrics on both parts
 * come from the core's prediction functions, the same ones mm_predict uses.
 */
#include "modelmgr.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "classmetrics.h"
#include "logistic.h"
#include "svm.h"

/* The label kind a target type gives, or 0 when it cannot be a class label. */
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
			return MM_LABEL_NUMBER;
		case BOOLOID:
			return MM_LABEL_BOOLEAN;
	}
	get_type_category_preferred(base, &category, &preferred);
	if (category == TYPCATEGORY_STRING)
		return MM_LABEL_TEXT;
	return 0;
}

/* The hyperparameters both linear classifiers have. */
typedef struct CommonParams
{
	int			fit_intercept;
	int			balanced;
	int			max_iter;
	double		tol;
} CommonParams;

/*
 * Reads a hyperparameter both linear classifiers have into c; false when
 * key is not one of them.
 */
static bool
parse_common_param(const char *key, const JsonbValue *v, int max_iter_limit, CommonParams *c)
{
	double		num = MmJsonbNumber(v);

	if (strcmp(key, "fit_intercept") == 0)
	{
		if (v->type != jbvBool)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("parameter \"fit_intercept\" must be true or false")));
		c->fit_intercept = v->val.boolean;
	}
	else if (strcmp(key, "class_weight") == 0)
	{
		if (v->type == jbvNull)
			c->balanced = 0;
		else if (v->type == jbvString && v->val.string.len == 8 &&
				 memcmp(v->val.string.val, "balanced", 8) == 0)
			c->balanced = 1;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("parameter \"class_weight\" must be \"balanced\" or null")));
	}
	else if (strcmp(key, "max_iter") == 0)
	{
		if (!(num >= 1.0 && num <= max_iter_limit) || num != floor(num))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("parameter \"max_iter\" must be an integer between 1 and %d",
							max_iter_limit)));
		c->max_iter = (int) num;
	}
	else if (strcmp(key, "tol") == 0)
	{
		if (!(num > 0.0) || isinf(num))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("parameter \"tol\" must be a finite positive number")));
		c->tol = num;
	}
	else
		return false;
	return true;
}

/* Hyperparameters of logistic regression, defaults as scikit-learn's. */
static void
parse_logistic_params(Jsonb *params, MmLogisticOptions *o)
{
	JsonbIterator *it;
	JsonbValue	v;
	char	   *key;
	CommonParams c = {1, 0, 100, 1e-4};

	memset(o, 0, sizeof(*o));
	o->alpha = 1.0;
	MmJsonbRequireObject(params, "params");
	it = JsonbIteratorInit(&params->root);
	while (MmJsonbNextPair(&it, &key, &v))
	{
		double		num = MmJsonbNumber(&v);

		if (strcmp(key, "alpha") == 0)
		{
			if (!(num >= 0.0) || isinf(num))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("parameter \"alpha\" must be a finite non-negative number")));
			o->alpha = num;
		}
		else if (!parse_common_param(key, &v, 10000, &c))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("parameter \"%s\" is not valid for algorithm \"logistic_regression\"", key),
					 errhint("Valid parameters: alpha, fit_intercept, class_weight, max_iter, tol.")));
	}
	o->fit_intercept = c.fit_intercept;
	o->balanced = c.balanced;
	o->max_iter = c.max_iter;
	o->tol = c.tol;
}

/* Appends the hyperparameters both linear classifiers have, and closes the object. */
static void
append_common_json(StringInfo buf, int fit_intercept, int balanced, int max_iter, double tol)
{
	appendStringInfo(buf, ", \"fit_intercept\": %s, \"class_weight\": %s, \"max_iter\": %d, \"tol\": ",
					 fit_intercept ? "true" : "false", balanced ? "\"balanced\"" : "null", max_iter);
	MmJsonNumber(buf, tol);
	appendStringInfoChar(buf, '}');
}

/* The resolved hyperparameters as JSON. */
static char *
logistic_params_json(const MmLogisticOptions *o)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"alpha\": ");
	MmJsonNumber(&buf, o->alpha);
	append_common_json(&buf, o->fit_intercept, o->balanced, o->max_iter, o->tol);
	return buf.data;
}

/* Hyperparameters of the linear SVM, defaults as scikit-learn's LinearSVC but the hinge loss. */
static void
parse_svm_params(Jsonb *params, int32 seed, MmSvmOptions *o)
{
	JsonbIterator *it;
	JsonbValue	v;
	char	   *key;
	CommonParams c = {1, 0, 1000, 1e-4};

	memset(o, 0, sizeof(*o));
	o->C = 1.0;
	o->seed = (uint64) (uint32) seed;
	it = JsonbIteratorInit(&params->root);
	while (MmJsonbNextPair(&it, &key, &v))
	{
		double		num = MmJsonbNumber(&v);

		if (strcmp(key, "C") == 0)
		{
			if (!(num > 0.0) || isinf(num))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("parameter \"C\" must be a finite positive number")));
			o->C = num;
		}
		else if (strcmp(key, "loss") == 0)
		{
			if (v.type == jbvString && v.val.string.len == 5 &&
				memcmp(v.val.string.val, "hinge", 5) == 0)
				o->squared_hinge = 0;
			else if (v.type == jbvString && v.val.string.len == 13 &&
					 memcmp(v.val.string.val, "squared_hinge", 13) == 0)
				o->squared_hinge = 1;
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("parameter \"loss\" must be \"hinge\" or \"squared_hinge\"")));
		}
		else if (!parse_common_param(key, &v, 100000, &c))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("parameter \"%s\" is not valid for algorithm \"linear_svm\"", key),
					 errhint("Valid parameters: C, loss, fit_intercept, class_weight, max_iter, tol.")));
	}
	o->fit_intercept = c.fit_intercept;
	o->balanced = c.balanced;
	o->max_iter = c.max_iter;
	o->tol = c.tol;
}

/* The linear SVM's resolved hyperparameters as JSON. */
static char *
svm_params_json(const MmSvmOptions *o)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"C\": ");
	MmJsonNumber(&buf, o->C);
	appendStringInfo(&buf, ", \"loss\": \"%s\"", o->squared_hinge ? "squared_hinge" : "hinge");
	append_common_json(&buf, o->fit_intercept, o->balanced, o->max_iter, o->tol);
	return buf.data;
}

/*
 * Predictions of a classifier on n transformed rows: class indexes, the
 * probabilities (n x k) when the model has them, and the binary score (the
 * positive class's probability, or the decision score without them).
 */
static void
predict_rows(const MmModel *model, const double *x, size_t n, int32 *pred, double **proba,
			 double **score)
{
	int			p = model->n_design,
				k = model->labels.n_classes;
	bool		has_proba = mm_model_has_proba(model);
	double	   *scores = palloc(sizeof(double) * Max(k, mm_model_n_scores(model)));
	size_t		i;

	*proba = has_proba ? MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * k * Max(n, 1)) : NULL;
	*score = k == 2 ? MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * Max(n, 1)) : NULL;

	for (i = 0; i < n; i++)
	{
		mm_model_scores(model, x + i * p, scores);
		pred[i] = (int32) mm_model_decide(model, scores);
		if (has_proba)
		{
			mm_model_proba(model, scores, *proba + i * k);
			if (k == 2)
				(*score)[i] = (*proba)[i * k + 1];
		}
		else if (k == 2)
			(*score)[i] = scores[0];	/* the ROC AUC ranks by the decision score */
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
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

/* Metrics of a classifier on n transformed rows with true classes y. */
static void
classifier_metrics(const MmModel *model, const double *x, const int32 *y, size_t n,
				   MmClassMetrics *m)
{
	int32	   *pred = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int32) * Max(n, 1));
	double	   *proba,
			   *score;
	MmError		err;

	predict_rows(model, x, n, pred, &proba, &score);
	if (mm_class_metrics(y, pred, proba, score, n, model->labels.n_classes, m, &err) != MM_OK)
		MmReportCoreError(&err, "could not compute the metrics");
	pfree(pred);
	if (proba)
		pfree(proba);
	if (score)
		pfree(score);
}

/* Errors unless every class has training rows, naming one that has none. */
static void
check_classes(const MmDataset *ds, const MmSource *src)
{
	int64	   *train = palloc0(sizeof(int64) * Max(ds->nlabels, 1));
	size_t		i;
	int			c;

	if (ds->n[0] + ds->n[1] == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 ds->rows_read == 0 ?
				 errmsg("relation %s has no rows", src->display) :
				 errmsg("target \"%s\" is null in every row of relation %s",
						src->target, src->display)));
	for (i = 0; i < ds->n[0]; i++)
		train[ds->y[0][i]]++;
	for (c = 0; c < ds->nlabels; c++)
		if (train[c] == 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("class \"%s\" of target \"%s\" appears only in the held-out rows",
							ds->labels[c], src->target),
					 errdetail("A classifier cannot learn a class it never sees in training."),
					 errhint("Lower test_size, pass another seed, or filter the class out.")));
	if (ds->nlabels < 2)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("target \"%s\" has only one class in the training rows: \"%s\"",
						src->target, ds->labels[0]),
				 errhint("A classifier needs rows of at least two classes.")));
}

/*
 * Trains a linear classifier version of spec on src (SPI is connected):
 * logistic_regression or linear_svm, with rows and a warm start as ctx
 * gives them.
 */
void
MmTrainClassifier(const MmTrainSpec *spec, MmSource *src, const char *algorithm,
				  const MmTrainContext *ctx, MmTrained *out)
{
	bool		svm = strcmp(algorithm, "linear_svm") == 0;
	MmLogisticOptions opts;
	MmSvmOptions svm_opts;
	MmPreprocess pp;
	MmPreprocessFit fit;
	MmDataset	ds;
	MmBaselineSample *baseline;
	MmClassifier *c;
	MmClassMetrics train_m,
				test_m;
	bool		has_test;
	double	   *center = NULL,
			   *scale = NULL;
	MmError		err;
	StringInfoData metrics;
	int			j;

	if (svm)
		parse_svm_params(spec->params, spec->seed, &svm_opts);
	else
		parse_logistic_params(spec->params, &opts);
	MmParsePreprocess(spec->preprocess, src, &pp);

	out->snapshot = MmDatasetLoadTraining(&ds, src, MmLabelKindOf(src->target_type), false,
										  spec->test_size, spec->seed, ctx);
	MmDatasetOrderLabels(&ds);
	check_classes(&ds, src);
	baseline = MmBaselineTake(&ds, src);
	MmFitPreprocess(&pp, src, &ds, &fit);
	MmReportPreprocessFit(&fit);
	check_classes(&ds, src);

	memset(&out->model, 0, sizeof(out->model));
	out->model.algorithm = mm_algorithm_by_name(algorithm);
	out->model.task = MM_TASK_CLASSIFICATION;
	out->model.n_features = src->nfeatures;
	out->model.n_design = ds.p;
	out->model.feature_names = src->features;
	out->model.feature_kinds = src->feature_kinds;
	out->model.target = src->target;
	out->model.transform = fit.transform;
	out->model.categories = fit.categories;
	if (fit.transform != NULL)
	{
		center = palloc(sizeof(double) * ds.p);
		scale = palloc(sizeof(double) * ds.p);
		mm_model_design_scaling(&out->model, center, scale);
		opts.center = center;
		opts.scale = scale;
	}
	c = palloc0(sizeof(MmClassifier));
	out->model.fit = c;
	/* a neighbouring candidate's fit of the same shape, when tuning gives one */
	if (!svm && ctx->warm_start != NULL && ctx->warm_width == ds.p &&
		ctx->warm_rows == (ds.nlabels == 2 ? 1 : ds.nlabels))
		opts.start = ctx->warm_start;
	CHECK_FOR_INTERRUPTS();
	switch (svm ? mm_svm_fit(ds.x[0], ds.y[0], ds.n[0], ds.p, ds.nlabels, &svm_opts, c, &err) :
			mm_logistic_fit(ds.x[0], ds.y[0], ds.n[0], ds.p, ds.nlabels, &opts, c, &err))
	{
		case MM_OK:
			break;
		case MM_ERR_NO_MEMORY:
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory fitting the %s", svm ? "linear SVM" : "logistic regression")));
			break;
		default:
			MmReportCoreError(&err, svm ? "could not fit the linear SVM" :
							  "could not fit the logistic regression");
	}
	out->model.labels.n_classes = ds.nlabels;
	out->model.labels.classes = ds.labels;
	out->model.labels.label_kind = ds.label_kind;
	out->model.labels.class_values = ds.label_kind == MM_LABEL_TEXT ? NULL : ds.label_values;
	if (!c->converged)
		ereport(NOTICE,
				(errmsg("%s did not converge in %d iterations",
						svm ? "the linear SVM" : "logistic regression", c->n_iter),
				 svm ?
				 errhint("Raise max_iter, lower C, or scale the features with "
						 "preprocess => '{\"*\": {\"scale\": \"standard\"}}'.") :
				 errhint("Raise max_iter, raise alpha, or scale the features with "
						 "preprocess => '{\"*\": {\"scale\": \"standard\"}}'.")));
	else if (c->separated)
		ereport(NOTICE,
				(errmsg("the classes are perfectly separated in the training rows"),
				 errdetail("Without a penalty the coefficients grow without bound; the ones "
						   "stored are where the gradient fell below tol."),
				 errhint("Pass a positive alpha for finite, stable coefficients.")));

	classifier_metrics(&out->model, ds.x[0], ds.y[0], ds.n[0], &train_m);
	has_test = ds.n[1] > 0;
	if (has_test)
		classifier_metrics(&out->model, ds.x[1], ds.y[1], ds.n[1], &test_m);
	else if (spec->test_size > 0)
		MmNoticeNoTestRows((double) ds.n[0], spec->test_size);

	initStringInfo(&metrics);
	appendStringInfoString(&metrics, "{\"train\": ");
	append_class_metrics(&metrics, &train_m);
	appendStringInfoString(&metrics, ", \"test\": ");
	if (has_test)
	{
		append_class_metrics(&metrics, &test_m);
		MmAppendUnseen(&metrics, &fit);
	}
	else
		appendStringInfoString(&metrics, "null");
	appendStringInfo(&metrics, ", \"iterations\": %d, \"converged\": %s}",
					 c->n_iter, c->converged ? "true" : "false");

	out->algorithm = svm ? "linear_svm" : "logistic_regression";
	out->task = "classification";
	out->params = svm ? svm_params_json(&svm_opts) : logistic_params_json(&opts);
	out->metrics = metrics.data;
	out->fitted = fit.json;
	out->score = has_test ? test_m.f1 : train_m.f1;
	out->rows_read = ds.rows_read;
	out->rows_train = (int64) ds.n[0];
	out->rows_test = (int64) ds.n[1];
	out->rows_skipped = psprintf("{\"null_target\": " INT64_FORMAT ", \"duplicates\": " INT64_FORMAT "}",
								 ds.null_target, fit.duplicates);
	out->fingerprint = ds.fingerprint;
	/* the labels live on in the model: keep them, release the rows */
	{
		MmLabels   *l = &out->model.labels;

		l->classes = palloc(sizeof(char *) * ds.nlabels);
		l->class_values = ds.label_kind == MM_LABEL_TEXT ? NULL : palloc(sizeof(double) * ds.nlabels);
		for (j = 0; j < ds.nlabels; j++)
		{
			l->classes[j] = pstrdup(ds.labels[j]);
			if (l->class_values)
				l->class_values[j] = ds.label_values[j];
		}
	}
	out->baseline = MmBaselineFinish(baseline, &out->model);
	MmDatasetFree(&ds);
}

/*
 * The classification metrics of a model on every row of src (columns
 * resolved for the model), as the flat JSON object mm_evaluate returns.
 */
Jsonb *
MmEvaluateClassifier(const MmModel *model, MmSource *src)
{
	const MmLabels *c = &model->labels;
	MmLabelKind kind = MmLabelKindOf(src->target_type);
	MmDataset	ds;
	MmClassMetrics m;
	int64		unseen;
	int32	   *map;
	size_t		i;
	int			l,
				k;
	StringInfoData json;

	if (kind != c->label_kind)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("target \"%s\" of relation %s has type %s, which does not match the model's labels",
						src->target, src->display, format_type_be(src->target_type)),
				 errdetail("The model was trained on %s labels.",
						   c->label_kind == MM_LABEL_TEXT ? "text" :
						   c->label_kind == MM_LABEL_BOOLEAN ? "boolean" : "integer")));
	(void) MmDatasetLoad(&ds, src, kind, false, 0.0, 0);
	if (ds.n[0] == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("relation %s has no rows with a non-null target to evaluate on",
						src->display)));
	/* the relation's labels, as classes of the model */
	map = palloc(sizeof(int32) * ds.nlabels);
	for (l = 0; l < ds.nlabels; l++)
	{
		for (k = 0; k < c->n_classes; k++)
			if (strcmp(ds.labels[l], c->classes[k]) == 0)
				break;
		if (k == c->n_classes)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("label \"%s\" in relation %s is not a class of the model", ds.labels[l],
							src->display),
					 errdetail("The model's classes: %s.", MmFormatList(c->classes, c->n_classes))));
		map[l] = k;
	}
	for (i = 0; i < ds.n[0]; i++)
		ds.y[0][i] = map[ds.y[0][i]];
	MmDatasetEncode(model, src, &ds, &unseen);
	classifier_metrics(model, ds.x[0], ds.y[0], ds.n[0], &m);

	initStringInfo(&json);
	append_class_metrics(&json, &m);
	/* the object is flat: add the null-target count inside it */
	json.len--;
	json.data[json.len] = '\0';
	appendStringInfo(&json, ", \"rows_null_target\": " INT64_FORMAT, ds.null_target);
	if (model->categories != NULL)
		appendStringInfo(&json, ", \"unseen_categories\": " INT64_FORMAT, unseen);
	appendStringInfoChar(&json, '}');
	MmDatasetFree(&ds);
	return MmJsonbFromString(json.data);
}

/* Errors unless params are valid for a classifier algorithm (no data is read). */
void
MmCheckClassifierParams(const char *algorithm, Jsonb *params, int32 seed)
{
	MmLogisticOptions opts;
	MmSvmOptions svm_opts;

	MmJsonbRequireObject(params, "params");
	if (strcmp(algorithm, "linear_svm") == 0)
		parse_svm_params(params, seed, &svm_opts);
	else
		parse_logistic_params(params, &opts);
}
