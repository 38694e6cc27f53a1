/*
 * fit.h: the fit driver: the one fit of an algorithm's table over the rows
 * or the training aggregate, and what it hands back for the version row.
 * What a training asks (MmTrainSpec) is in trainspec.h.
 */
#ifndef MM_FIT_H
#define MM_FIT_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/jsonb.h"

#include "algorithm.h"
#include "classmetrics.h"
#include "dataset.h"
#include "columns.h"
#include "lsq.h"
#include "model.h"
#include "params.h"
#include "preprocess.h"
#include "regmetrics.h"
#include "trainspec.h"

/* What an algorithm's training hands back for the version row. */
typedef struct MmTrained
{
	const char *algorithm;
	const char *task;
	char	   *params;			/* resolved, as JSON */
	char	   *metrics;		/* {"train": ..., "test": ...} */
	char	   *fitted;			/* the fitted preprocessing, as JSON */
	double		score;
	/* the trivial model's score on the part score is measured on (NaN: none) */
	double		trivial_score;
	int64		rows_read;
	int64		rows_train;
	int64		rows_test;
	char	   *rows_skipped;	/* JSON */
	uint64		fingerprint;
	char	   *snapshot;
	char	   *baseline;		/* the profile of the training rows, as JSON */
	MmModel		model;
} MmTrained;

/*
 * A model's measures on the two parts, gathered by passes over the relation
 * (fitpasses.c) when the rows were never in memory.
 */
typedef struct MmPassMetrics
{
	double		rows[2];		/* per part */
	/* regression: the model's and the training mean's metrics per part */
	MmRegressionMetrics model[2];
	MmRegressionMetrics mean[2];
	double		train_mean;
	/* decomposition: the held-out part's moments of the design (d = width + 1), or NULL */
	const double *test_moments;
	int			moments_d;
	/* classification: the model's metrics and the rows per class, per part */
	MmClassMetrics classes[2];
	const int64 *class_rows[2];
	double		log_likelihood; /* of the training rows, under the model's scores */
	/* clustering, per part: the rows per cluster, the inertia and the silhouette */
	const double *cluster_sizes[2];
	double		inertia[2];
	double		silhouette[2];
	int			silhouette_rows[2];
} MmPassMetrics;

/*
 * What a task's metrics read once a model is fitted: the rows in memory
 * and their preprocessing, the training aggregate (then ds and prep are
 * NULL), or the measures of passes over the relation with the preprocessing
 * (ds and view NULL).
 */
typedef struct MmFitOutcome
{
	const MmTrainSpec *spec;
	const MmModel *model;
	const MmFitReport *report;
	const MmDataset *ds;
	const MmPreprocessFit *prep;
	const MmLsView *view;
	const MmPassMetrics *passes;
	/*
	 * Where the task's results put each training row's outcome
	 * (MmModelOutcome) when they score the rows in memory, for the baseline
	 * to reuse; NULL: not wanted
	 */
	double	   *train_outcomes;
} MmFitOutcome;

extern void MmFitAlgorithm(FunctionCallInfo fcinfo, const MmTrainSpec *spec, MmSource *src,
						   const MmAlgorithm *algorithm, const MmTrainContext *ctx,
						   MmTrained *trained);
extern void MmFitFromMoments(const MmTrainSpec *spec, const MmSource *src,
							 const MmAlgorithm *algorithm, const double *moments, MmParams *params,
							 MmModel *model);
extern void MmCheckTrainingRows(MmTask task, int64 nonfinite_target, int64 n_train, int64 n_test,
								int64 rows_read, const MmSource *src);
extern bool MmAggregateHasConstantFeature(const MmLsView *view);
extern void MmNoticeNoTestRows(double train_rows, double test_size);

#endif							/* MM_FIT_H */
