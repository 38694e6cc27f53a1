/*
 * model.h: a trained model as the core holds it in memory, and prediction.
 *
 * A model is self-contained: it names its features and their kinds in the
 * order prediction expects them, so that an artifact read back anywhere (the
 * server's cache, the standalone scorer) predicts without the catalog.
 */
#ifndef MM_MODEL_H
#define MM_MODEL_H

#include <stdint.h>

#include "mmcore.h"

typedef enum MmAlgorithm
{
	MM_ALGO_LINEAR_REGRESSION = 1
} MmAlgorithm;

#define MM_ALGO_LAST MM_ALGO_LINEAR_REGRESSION

typedef enum MmTask
{
	MM_TASK_REGRESSION = 1,
	MM_TASK_CLASSIFICATION = 2,
	MM_TASK_CLUSTERING = 3,
	MM_TASK_DECOMPOSITION = 4
} MmTask;

typedef enum MmFeatureKind
{
	MM_FEATURE_NUMERIC = 1,		/* any SQL number, read as a double */
	MM_FEATURE_BOOLEAN = 2		/* false = 0, true = 1 */
} MmFeatureKind;

/* A linear model y = intercept + coef . x, with its inference statistics. */
typedef struct MmLinearModel
{
	int			fit_intercept;
	double		alpha;			/* L2 penalty it was fitted with */
	double		intercept;
	double	   *coef;			/* n_features */
	int			rank;			/* of the design, without the intercept */
	double		df_resid;		/* residual degrees of freedom */
	/* intercept first, then each feature; NaN where undefined */
	double	   *std_err;
	double	   *stat;
	double	   *p_value;
} MmLinearModel;

typedef struct MmModel
{
	MmAlgorithm algorithm;
	MmTask		task;
	int			n_features;
	char	  **feature_names;
	uint8_t    *feature_kinds;	/* MmFeatureKind */
	char	   *target;
	MmLinearModel linear;
} MmModel;

/* Name of an algorithm as SQL spells it, or NULL. */
extern const char *mm_algorithm_name(MmAlgorithm algorithm);

/* Name of a task as SQL spells it, or NULL. */
extern const char *mm_task_name(MmTask task);

/* A linear prediction, accumulated in feature order (the scorer repeats it). */
extern double mm_linear_predict(const MmLinearModel *m, int n, const double *x);

/* Predicts one row of n_features values (already as doubles). */
extern double mm_model_predict(const MmModel *model, const double *x);

/* Frees a model built with the core allocator. */
extern void mm_model_free(MmModel *model);

#endif							/* MM_MODEL_H */
