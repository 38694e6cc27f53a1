/*
 * unsupervised.c: what the clustering and decomposition tasks measure, for
 * training (fit.c) and mm_evaluate.
 *
 * Both take no target: the held-out part measures how well the clusters or
 * components carry over to rows they were not fitted on.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/builtins.h"

#include "columns.h"
#include "dataset.h"
#include "fit.h"
#include "kmeans.h"
#include "model.h"
#include "pca.h"
#include "preprocess.h"
#include "unsupervised.h"
#include "util.h"

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

static void append_clustering_values(StringInfo buf, double inertia, double silhouette,
									 size_t silhouette_rows, const int64 *sizes, int k, size_t n);

/*
 * A clustering's metrics on n transformed rows: inertia, silhouette,
 * cluster sizes; returns the silhouette.  The training rows' inertia and
 * sizes come from the fit's report (known, non-NULL), which measured them
 * as prediction assigns rows.
 */
static double
append_clustering_metrics(StringInfo buf, const MmModel *model, const double *x, size_t n,
						  const MmFitReport *known)
{
	double		silhouette;
	int			p = model->n_design,
				k = mm_model_n_scores(model);
	int64	   *sizes = palloc0(sizeof(int64) * k);
	double	   *scores = palloc(sizeof(double) * k);
	double		inertia = 0.0;
	size_t		i;

	if (known != NULL)
	{
		memcpy(sizes, known->sizes, sizeof(int64) * k);
		inertia = known->inertia;
	}
	else
		for (i = 0; i < n; i++)
		{
			/* a clustering's scores are the row's squared distances to the centers */
			int			cluster;

			mm_model_scores(model, x + i * p, scores);
			cluster = (int) mm_model_decide(model, scores);
			inertia += scores[cluster];
			sizes[cluster]++;
			if ((i & 0xffff) == 0)
				CHECK_FOR_INTERRUPTS();
		}
	silhouette = mm_silhouette(model, x, n, MM_SILHOUETTE_ROWS);
	append_clustering_values(buf, inertia, silhouette, Min(n, MM_SILHOUETTE_ROWS), sizes, k, n);
	return silhouette;
}

/* Appends a part's clustering metrics object, from its values. */
static void
append_clustering_values(StringInfo buf, double inertia, double silhouette, size_t silhouette_rows,
						 const int64 *sizes, int k, size_t n)
{
	int			c;

	appendStringInfoString(buf, "{\"inertia\": ");
	MmJsonNumber(buf, inertia);
	appendStringInfoString(buf, ", \"silhouette\": ");
	MmJsonNumber(buf, silhouette);
	appendStringInfo(buf, ", \"silhouette_rows\": %zu, \"cluster_sizes\": [", silhouette_rows);
	for (c = 0; c < k; c++)
		appendStringInfo(buf, "%s" INT64_FORMAT, c ? ", " : "", sizes[c]);
	appendStringInfo(buf, "], \"rows\": %zu}", n);
}

/*
 * A part's clustering metrics from the passes (fitpasses.c): the training
 * part's inertia and sizes from the fit's report (known), as in memory.
 */
static double
append_clustering_passes(StringInfo buf, const MmModel *model, const MmPassMetrics *pm, int part,
						 const MmFitReport *known)
{
	int			k = mm_model_n_scores(model),
				c;
	int64	   *sizes = palloc(sizeof(int64) * k);
	double		inertia = known != NULL ? known->inertia : pm->inertia[part];

	for (c = 0; c < k; c++)
		sizes[c] = known != NULL ? known->sizes[c] : (int64) pm->cluster_sizes[part][c];
	append_clustering_values(buf, inertia, pm->silhouette[part], (size_t) pm->silhouette_rows[part],
							 sizes, k, (size_t) pm->rows[part]);
	return pm->silhouette[part];
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
 * The metrics of a fitted clustering on both parts, of the rows in memory
 * or measured by passes, with the fit's iterations; the score is the held-out part's silhouette,
 * or the training part's without one.
 */
void
MmClusteringResults(const MmFitOutcome *in, MmTrained *out)
{
	const MmDataset *ds = in->ds;
	StringInfoData metrics;
	double		silhouette;

	const MmPassMetrics *pm = in->passes;
	bool		has_test = pm != NULL ? pm->rows[1] > 0 : ds->n[1] > 0;

	initStringInfo(&metrics);
	appendStringInfoString(&metrics, "{\"train\": ");
	if (pm != NULL)
		silhouette = append_clustering_passes(&metrics, in->model, pm, 0, in->report);
	else
		silhouette = append_clustering_metrics(&metrics, in->model, ds->x[0], ds->n[0], in->report);
	appendStringInfoString(&metrics, ", \"test\": ");
	if (has_test)
	{
		if (pm != NULL)
			silhouette = append_clustering_passes(&metrics, in->model, pm, 1, NULL);
		else
			silhouette = append_clustering_metrics(&metrics, in->model, ds->x[1], ds->n[1], NULL);
		MmAppendUnseen(&metrics, in->prep);
	}
	else
		appendStringInfoString(&metrics, "null");
	appendStringInfo(&metrics, ", \"iterations\": %d, \"converged\": %s}",
					 in->report->n_iter, in->report->converged ? "true" : "false");
	out->metrics = metrics.data;
	out->score = silhouette;
}

/*
 * The metrics of a fitted decomposition: the training part's explained
 * variance, and the share of the held-out rows' variance each component
 * captures (from the rows in memory, or the held-out part's moments), with
 * the count of text values in no training category when there is text.
 * The score is that share summed, or the training part's without one.
 */
void
MmDecompositionResults(const MmFitOutcome *in, MmTrained *out)
{
	const MmPCA *pc = in->model->fit;
	size_t		train_rows,
				test_rows;
	double	   *test_ratio = NULL;
	StringInfoData metrics;
	double		kept = 0.0;
	int			c;

	if (in->ds != NULL)
	{
		train_rows = in->ds->n[0];
		test_rows = in->ds->n[1];
		if (test_rows > 1)
		{
			test_ratio = palloc(sizeof(double) * pc->n_components);
			mm_pca_captured(in->model, in->ds->x[1], test_rows, test_ratio);
		}
	}
	else if (in->passes != NULL)
	{
		train_rows = (size_t) in->passes->rows[0];
		test_rows = (size_t) in->passes->rows[1];
		if (in->passes->test_moments != NULL)
		{
			test_ratio = palloc(sizeof(double) * pc->n_components);
			mm_pca_captured_moments(in->model, in->passes->test_moments, in->passes->moments_d,
									test_ratio);
		}
	}
	else
	{
		train_rows = (size_t) in->view->part[0][0];
		test_rows = (size_t) in->view->part[1][0];
		if (in->view->part[1][0] > 1)
		{
			test_ratio = palloc(sizeof(double) * pc->n_components);
			mm_pca_captured_moments(in->model, in->view->part[1], in->view->d, test_ratio);
		}
	}

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
		if (in->prep != NULL)
			MmAppendUnseen(&metrics, in->prep);
	}
	else
		appendStringInfoString(&metrics, "null");
	appendStringInfo(&metrics, ", \"n_components\": %d}", pc->n_components);
	for (c = 0; c < pc->n_components; c++)
		kept += test_ratio ? test_ratio[c] : pc->explained_variance_ratio[c];
	out->metrics = metrics.data;
	out->score = kept;
}

/* The flat object just appended, with the count of text values of no training category. */
static Jsonb *
evaluation_result(const MmModel *model, StringInfo json, int64 unseen)
{
	if (model->categories != NULL)
	{
		json->len--;
		appendStringInfo(json, ", \"unseen_categories\": " INT64_FORMAT "}", unseen);
	}
	return MmJsonbFromString(json->data);
}

/*
 * The flat JSON object mm_evaluate returns for a clustering measured on n
 * rows: their inertia and cluster sizes (k of them), the silhouette on
 * silhouette_rows of them, and for a model with text features the text
 * values of no training category.
 */
Jsonb *
MmClusteringEvaluation(const MmModel *model, double inertia, double silhouette,
					   size_t silhouette_rows, const int64 *sizes, size_t n, int64 unseen)
{
	StringInfoData json;

	initStringInfo(&json);
	append_clustering_values(&json, inertia, silhouette, silhouette_rows, sizes,
							 mm_model_n_scores(model), n);
	return evaluation_result(model, &json, unseen);
}

/*
 * The flat JSON object mm_evaluate returns for a decomposition measured on
 * n rows: the share of their variance each component captures (ratio).
 */
Jsonb *
MmDecompositionEvaluation(const MmModel *model, const double *ratio, size_t n, int64 unseen)
{
	StringInfoData json;

	initStringInfo(&json);
	appendStringInfoString(&json, "{\"explained_variance_ratio\": ");
	append_numbers(&json, ratio, mm_model_n_coordinates(model));
	appendStringInfo(&json, ", \"rows\": %zu}", n);
	return evaluation_result(model, &json, unseen);
}

/*
 * The metrics of a k-means or PCA model on every row of src (columns
 * resolved for the model) read into memory, as the flat JSON object
 * mm_evaluate returns.
 */
Jsonb *
MmEvaluateUnsupervised(const MmModel *model, MmSource *src)
{
	MmDataset	ds;
	StringInfoData json;
	int64		unseen;
	Jsonb	   *result;

	(void) MmDatasetLoad(&ds, src, 0, false, 0.0, 0);
	if (ds.n[0] == 0)
		MmNoRowsToEvaluate(src);
	MmDatasetEncode(model, src, &ds, &unseen);
	initStringInfo(&json);
	if (model->task == MM_TASK_CLUSTERING)
		(void) append_clustering_metrics(&json, model, ds.x[0], ds.n[0], NULL);
	else
		append_pca_metrics(&json, model, ds.x[0], ds.n[0]);
	result = evaluation_result(model, &json, unseen);
	MmDatasetFree(&ds);
	return result;
}

/* Errors for a relation without rows: a model without a target measures every row. */
void
MmNoRowsToEvaluate(const MmSource *src)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("relation %s has no rows to evaluate on", src->display)));
}
