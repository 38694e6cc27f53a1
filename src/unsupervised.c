/*
 * unsupervised.c: training and evaluating k-means and PCA, on rows held in
 * memory.
 *
 * Both take no target: the relation's rows are read once (dataset.c), the
 * preprocessing is fitted on the training part (scaling matters to both:
 * distances and variances depend on the units), and the held-out part
 * measures how well the clusters or components carry over to rows they were
 * not fitted on.
 */
#include "modelmgr.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/builtins.h"

#include "kmeans.h"
#include "pca.h"
#include "lsq.h"
#include "moments.h"

/* Silhouette scores are computed on at most this many rows (it is quadratic). */
#define SILHOUETTE_ROWS 2000

/* An integer parameter in [lo, hi]. */
static int
int_param(const char *algorithm, const char *key, const JsonbValue *v, int lo, int hi)
{
	double		num = MmJsonbNumber(v);

	if (!(num >= lo && num <= hi) || num != floor(num))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"%s\" of %s must be an integer between %d and %d",
						key, algorithm, lo, hi)));
	return (int) num;
}

/* k-means' hyperparameters, defaults as scikit-learn's KMeans. */
static void
parse_kmeans_params(Jsonb *params, int32 seed, MmKMeansOptions *o)
{
	JsonbIterator *it;
	JsonbValue	v;
	char	   *key;

	o->k = 8;
	o->max_iter = 300;
	o->tol = 1e-4;
	o->seed = seed;
	it = JsonbIteratorInit(&params->root);
	while (MmJsonbNextPair(&it, &key, &v))
	{
		if (strcmp(key, "k") == 0)
			o->k = int_param("kmeans", key, &v, 1, MM_MAX_CLUSTERS);
		else if (strcmp(key, "max_iter") == 0)
			o->max_iter = int_param("kmeans", key, &v, 1, 100000);
		else if (strcmp(key, "tol") == 0)
		{
			double		tol = MmJsonbNumber(&v);

			if (!(tol >= 0.0) || isinf(tol))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("parameter \"tol\" must be a finite non-negative number")));
			o->tol = tol;
		}
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("parameter \"%s\" is not valid for algorithm \"kmeans\"", key),
					 errhint("Valid parameters: k, max_iter, tol (the seed argument seeds the starts).")));
	}
}

/* PCA's hyperparameters: n_components, a count or a fraction of variance to keep. */
static void
parse_pca_params(Jsonb *params, int p, int *n_components, double *variance_kept)
{
	JsonbIterator *it;
	JsonbValue	v;
	char	   *key;

	*n_components = p;
	*variance_kept = 0.0;
	it = JsonbIteratorInit(&params->root);
	while (MmJsonbNextPair(&it, &key, &v))
	{
		if (strcmp(key, "n_components") == 0)
		{
			double		num = MmJsonbNumber(&v);

			if (num > 0.0 && num < 1.0)
			{
				*n_components = 0;
				*variance_kept = num;
			}
			else if (num >= 1.0 && num == floor(num) && num <= p)
				*n_components = (int) num;
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("parameter \"n_components\" must be a count from 1 to the %d features, "
								"or a fraction of variance between 0 and 1", p)));
		}
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("parameter \"%s\" is not valid for algorithm \"pca\"", key),
					 errhint("Valid parameters: n_components.")));
	}
}

/* Appends a JSON array of n numbers. */
static void
append_numbers(StringInfo buf, const double *v, int n)
{
	int			i;

	appendStringInfoChar(buf, '[');
	for (i = 0; i < n; i++)
	{
		if (i)
			appendStringInfoString(buf, ", ");
		MmJsonNumber(buf, v[i]);
	}
	appendStringInfoChar(buf, ']');
}

/*
 * k-means' metrics on n transformed rows: inertia, silhouette, cluster
 * sizes; returns the silhouette.  The training rows' inertia and sizes
 * come from the fit (known, non-NULL), which measured them as prediction
 * assigns rows.
 */
static double
append_kmeans_metrics(StringInfo buf, const MmModel *model, const double *x, size_t n,
					  const int64 *known)
{
	double		silhouette;
	const MmKMeans *km = model->fit;
	int			p = model->n_design,
				k = km->k,
				c;
	int64	   *sizes = palloc0(sizeof(int64) * k);
	double		inertia = 0.0;
	size_t		i;

	if (known != NULL)
	{
		memcpy(sizes, known, sizeof(int64) * k);
		inertia = km->inertia;
	}
	else
		for (i = 0; i < n; i++)
		{
			int			cluster = mm_model_class(model, x + i * p);
			const double *center = km->centers + (size_t) cluster * p;
			double		d2 = 0.0;
			int			j;

			for (j = 0; j < p; j++)
				d2 += (x[i * p + j] - center[j]) * (x[i * p + j] - center[j]);
			inertia += d2;
			sizes[cluster]++;
			if ((i & 0xffff) == 0)
				CHECK_FOR_INTERRUPTS();
		}
	appendStringInfoString(buf, "{\"inertia\": ");
	MmJsonNumber(buf, inertia);
	appendStringInfoString(buf, ", \"silhouette\": ");
	silhouette = mm_silhouette(model, x, n, SILHOUETTE_ROWS);
	MmJsonNumber(buf, silhouette);
	appendStringInfo(buf, ", \"silhouette_rows\": %zu, \"cluster_sizes\": [", Min(n, SILHOUETTE_ROWS));
	for (c = 0; c < k; c++)
		appendStringInfo(buf, "%s" INT64_FORMAT, c ? ", " : "", sizes[c]);
	appendStringInfo(buf, "], \"rows\": %zu}", n);
	return silhouette;
}

/* PCA's metrics on n transformed rows: the share of their variance each component captures. */
static void
append_pca_metrics(StringInfo buf, const MmModel *model, const double *x, size_t n)
{
	int			nc = mm_model_n_coordinates(model);
	double	   *ratio = palloc(sizeof(double) * nc);

	mm_pca_captured(model, x, n, ratio);
	appendStringInfoString(buf, "{\"explained_variance_ratio\": ");
	append_numbers(buf, ratio, nc);
	appendStringInfo(buf, ", \"rows\": %zu}", n);
}

/*
 * The part of training both share: rows, preprocessing; fills the model's
 * common fields.  Returns the sample the baseline profile is made from.
 */
static MmBaselineSample *
load_unsupervised(const MmTrainSpec *spec, MmSource *src, const MmTrainContext *ctx, MmDataset *ds,
				  MmPreprocessFit *fit, MmTrained *out)
{
	MmPreprocess pp;
	MmBaselineSample *baseline;

	MmParsePreprocess(spec->preprocess, src, &pp);
	out->snapshot = MmDatasetLoadTraining(ds, src, 0, false, spec->test_size, spec->seed, ctx);
	if (ds->n[0] == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 ds->rows_read == 0 ?
				 errmsg("relation %s has no rows", src->display) :
				 errmsg("no rows of relation %s are left for training", src->display),
				 ds->rows_read > 0 ? errhint("Lower test_size.") : 0));
	baseline = MmBaselineTake(ds, src);
	MmFitPreprocess(&pp, src, ds, fit);
	MmReportPreprocessFit(fit);
	memset(&out->model, 0, sizeof(out->model));
	out->model.n_features = src->nfeatures;
	out->model.n_design = ds->p;
	out->model.feature_names = src->features;
	out->model.feature_kinds = src->feature_kinds;
	out->model.transform = fit->transform;
	out->model.categories = fit->categories;
	out->fitted = fit->json;
	out->rows_read = ds->rows_read;
	out->rows_train = (int64) ds->n[0];
	out->rows_test = (int64) ds->n[1];
	out->rows_skipped = psprintf("{\"duplicates\": " INT64_FORMAT "}", fit->duplicates);
	out->fingerprint = ds->fingerprint;
	return baseline;
}

/* Trains a k-means version of spec on src, with rows as ctx gives them (SPI is connected). */
void
MmTrainKMeans(const MmTrainSpec *spec, MmSource *src, const MmTrainContext *ctx, MmTrained *out)
{
	MmKMeansOptions opts;
	MmKMeans   *km;
	MmDataset	ds;
	MmBaselineSample *baseline;
	MmPreprocessFit fit;
	MmError		err;
	StringInfoData metrics,
				params;
	double		silhouette;
	int64	   *sizes;

	parse_kmeans_params(spec->params, spec->seed, &opts);
	baseline = load_unsupervised(spec, src, ctx, &ds, &fit, out);
	if ((size_t) opts.k > ds.n[0])
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k = %d clusters need at least as many training rows, and there are %zu",
						opts.k, ds.n[0]),
				 errhint("Lower k, or lower test_size.")));
	out->model.algorithm = mm_algorithm_by_name("kmeans");
	out->model.task = MM_TASK_CLUSTERING;
	km = palloc0(sizeof(MmKMeans));
	out->model.fit = km;
	sizes = palloc(sizeof(int64) * opts.k);
	if (mm_kmeans_fit(ds.x[0], ds.n[0], ds.p, &opts, km, sizes, &err) != MM_OK)
		MmReportCoreError(&err, "could not cluster the rows");
	if (!km->converged)
		ereport(NOTICE,
				(errmsg("k-means did not converge in %d iterations", km->n_iter),
				 errhint("Raise max_iter, or raise tol.")));

	initStringInfo(&metrics);
	appendStringInfoString(&metrics, "{\"train\": ");
	silhouette = append_kmeans_metrics(&metrics, &out->model, ds.x[0], ds.n[0], sizes);
	appendStringInfoString(&metrics, ", \"test\": ");
	if (ds.n[1] > 0)
	{
		silhouette = append_kmeans_metrics(&metrics, &out->model, ds.x[1], ds.n[1], NULL);
		MmAppendUnseen(&metrics, &fit);
	}
	else
		appendStringInfoString(&metrics, "null");
	appendStringInfo(&metrics, ", \"iterations\": %d, \"converged\": %s}",
					 km->n_iter, km->converged ? "true" : "false");

	initStringInfo(&params);
	appendStringInfo(&params, "{\"k\": %d, \"max_iter\": %d, \"tol\": ", opts.k, opts.max_iter);
	MmJsonNumber(&params, opts.tol);
	appendStringInfoChar(&params, '}');

	out->algorithm = "kmeans";
	out->task = "clustering";
	out->params = params.data;
	out->metrics = metrics.data;
	out->score = silhouette;
	out->baseline = MmBaselineFinish(baseline, &out->model);
	MmDatasetFree(&ds);
}

/*
 * The metrics and params JSON of a PCA version: the training part's
 * explained variance, and (test_ratio not NULL) the share of the held-out
 * rows' variance each component captures, with the count of text values in
 * no training category when fit has text features.  Sets out's score: that
 * share summed, or the training part's.
 */
static void
pca_results(MmTrained *out, size_t train_rows, const double *test_ratio, size_t test_rows,
			int n_components_asked, double variance_kept, const MmPreprocessFit *fit)
{
	const MmPCA *pc = out->model.fit;
	StringInfoData metrics,
				params;
	double		kept = 0.0;
	int			c;

	initStringInfo(&metrics);
	appendStringInfoString(&metrics, "{\"train\": {\"explained_variance_ratio\": ");
	append_numbers(&metrics, pc->explained_variance_ratio, pc->n_components);
	appendStringInfoString(&metrics, ", \"explained_variance\": ");
	append_numbers(&metrics, pc->explained_variance, pc->n_components);
	appendStringInfo(&metrics, ", \"rows\": %zu}, \"test\": ", train_rows);
	if (test_ratio != NULL)
	{
		appendStringInfoString(&metrics, "{\"explained_variance_ratio\": ");
		append_numbers(&metrics, test_ratio, pc->n_components);
		appendStringInfo(&metrics, ", \"rows\": %zu}", test_rows);
		if (fit != NULL)
			MmAppendUnseen(&metrics, fit);
	}
	else
		appendStringInfoString(&metrics, "null");
	appendStringInfo(&metrics, ", \"n_components\": %d}", pc->n_components);
	for (c = 0; c < pc->n_components; c++)
		kept += test_ratio ? test_ratio[c] : pc->explained_variance_ratio[c];

	initStringInfo(&params);
	if (variance_kept > 0.0)
	{
		appendStringInfoString(&params, "{\"n_components\": ");
		MmJsonNumber(&params, variance_kept);
		appendStringInfoChar(&params, '}');
	}
	else
		appendStringInfo(&params, "{\"n_components\": %d}", n_components_asked);

	out->algorithm = "pca";
	out->task = "decomposition";
	out->params = params.data;
	out->metrics = metrics.data;
	out->score = kept;
}

/*
 * PCA from the one-pass moments aggregate (train.c), for a model without
 * preprocessing or text features: the covariance of the training part is in
 * the moments, so is the held-out part's, and the rows are never held in
 * memory.
 */
static void
train_pca_pass(FunctionCallInfo fcinfo, const MmTrainSpec *spec, MmSource *src, MmTrained *out,
			   int n_components, double variance_kept)
{
	MmLsView	view;
	MmError		err;
	MmPCA	   *pc;
	int			p = src->nfeatures,
				j;
	double	   *test_ratio = NULL;

	out->snapshot = MmMomentsPass(fcinfo, spec, src, &view);
	if (view.part[0][0] < 2)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("too few training rows: PCA needs at least 2, and there are %.0f",
						view.part[0][0]),
				 errhint("Lower test_size, or train on more rows.")));
	for (j = 0; j < p; j++)
		if (mm_moments_co(view.part[0], view.d, j, j) == 0.0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("feature \"%s\" is constant in the training rows", src->features[j]),
					 errhint("Leave it out with exclude => ARRAY['%s'], or drop constant features "
							 "with preprocess => '{\"variance_threshold\": 0}'.", src->features[j])));
	memset(&out->model, 0, sizeof(out->model));
	out->model.algorithm = mm_algorithm_by_name("pca");
	out->model.task = MM_TASK_DECOMPOSITION;
	out->model.fit = pc = palloc0(sizeof(MmPCA));
	out->model.n_features = p;
	out->model.n_design = p;
	out->model.feature_names = src->features;
	out->model.feature_kinds = src->feature_kinds;
	CHECK_FOR_INTERRUPTS();
	if (mm_pca_from_moments(view.part[0], view.d, p, n_components, variance_kept, pc,
							&err) != MM_OK)
		MmReportCoreError(&err, "could not find the principal components");
	if (view.part[1][0] > 1)
	{
		test_ratio = palloc(sizeof(double) * pc->n_components);
		mm_pca_captured_moments(&out->model, view.part[1], view.d, test_ratio);
	}
	pca_results(out, (size_t) view.part[0][0], test_ratio, (size_t) view.part[1][0],
				pc->n_components, variance_kept, NULL);
	out->fitted = "{}";
	out->rows_read = view.head->rows_seen;
	out->rows_train = (int64) view.part[0][0];
	out->rows_test = (int64) view.part[1][0];
	out->rows_skipped = "{\"duplicates\": 0}";
	out->fingerprint = view.head->fingerprint;
	out->baseline = MmBaselineFinish(MmBaselineFromMoments(&view, src), &out->model);
}

/* Trains a PCA version of spec on src, with rows as ctx gives them (SPI is connected). */
void
MmTrainPCA(FunctionCallInfo fcinfo, const MmTrainSpec *spec, MmSource *src,
		   const MmTrainContext *ctx, MmTrained *out)
{
	MmDataset	ds;
	MmBaselineSample *baseline;
	MmPreprocessFit fit;
	MmError		err;
	MmPCA	   *pc;
	int			n_components,
				j;
	double		variance_kept;
	double	   *test_ratio = NULL;
	bool		text = false;

	MmJsonbRequireObject(spec->params, "params");
	parse_pca_params(spec->params, src->nfeatures, &n_components, &variance_kept);
	for (j = 0; j < src->nfeatures; j++)
		text |= src->feature_kinds[j] == MM_FEATURE_CATEGORICAL;
	if (MmPreprocessIsEmpty(spec->preprocess) && !text && ctx->rows == NULL)
	{
		train_pca_pass(fcinfo, spec, src, out, n_components, variance_kept);
		return;
	}

	/* with preprocessing: the rows in memory, the count checked against the features it leaves */
	baseline = load_unsupervised(spec, src, ctx, &ds, &fit, out);
	if (n_components > ds.p)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("n_components = %d exceeds the %d features left after preprocessing",
						n_components, ds.p)));
	if (n_components == src->nfeatures && n_components != ds.p)
		n_components = ds.p;
	out->model.algorithm = mm_algorithm_by_name("pca");
	out->model.task = MM_TASK_DECOMPOSITION;
	out->model.fit = pc = palloc0(sizeof(MmPCA));
	if (mm_pca_fit(ds.x[0], ds.n[0], ds.p, n_components, variance_kept, pc, &err) != MM_OK)
		MmReportCoreError(&err, "could not find the principal components");
	if (ds.n[1] > 1)
	{
		test_ratio = palloc(sizeof(double) * pc->n_components);
		mm_pca_captured(&out->model, ds.x[1], ds.n[1], test_ratio);
	}
	pca_results(out, ds.n[0], test_ratio, ds.n[1], pc->n_components, variance_kept,
				&fit);
	out->baseline = MmBaselineFinish(baseline, &out->model);
	MmDatasetFree(&ds);
}

/*
 * The metrics of a k-means or PCA model on every row of src (columns
 * resolved for the model), as the flat JSON object mm_evaluate returns.
 */
Jsonb *
MmEvaluateUnsupervised(const MmModel *model, MmSource *src)
{
	MmDataset	ds;
	StringInfoData json;
	int64		unseen;

	(void) MmDatasetLoad(&ds, src, 0, false, 0.0, 0);
	if (ds.n[0] == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("relation %s has no rows to evaluate on", src->display)));
	MmDatasetEncode(model, src, &ds, &unseen);
	initStringInfo(&json);
	if (model->task == MM_TASK_CLUSTERING)
		(void) append_kmeans_metrics(&json, model, ds.x[0], ds.n[0], NULL);
	else
		append_pca_metrics(&json, model, ds.x[0], ds.n[0]);
	if (model->categories != NULL)
	{
		json.len--;
		appendStringInfo(&json, ", \"unseen_categories\": " INT64_FORMAT "}", unseen);
	}
	MmDatasetFree(&ds);
	return MmJsonbFromString(json.data);
}

/* Errors unless params are valid for k-means (no data is read). */
void
MmCheckKMeansParams(Jsonb *params, int32 seed)
{
	MmKMeansOptions opts;

	MmJsonbRequireObject(params, "params");
	parse_kmeans_params(params, seed, &opts);
}
