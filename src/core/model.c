/*
 * model.c: names, prediction and release of core models.
 *
 * The core is compiled with -ffp-contract=off so that a prediction is the
 * same sequence of roundings in the server and in the standalone scorer.
 */
#include "model.h"

#include <math.h>

/* Name of an algorithm as SQL spells it, or NULL. */
const char *
mm_algorithm_name(MmAlgorithm algorithm)
{
	switch (algorithm)
	{
		case MM_ALGO_LINEAR_REGRESSION:
			return "linear_regression";
	}
	return NULL;
}

/* Name of a task as SQL spells it, or NULL. */
const char *
mm_task_name(MmTask task)
{
	switch (task)
	{
		case MM_TASK_REGRESSION:
			return "regression";
		case MM_TASK_CLASSIFICATION:
			return "classification";
		case MM_TASK_CLUSTERING:
			return "clustering";
		case MM_TASK_DECOMPOSITION:
			return "decomposition";
	}
	return NULL;
}

/* A linear prediction, accumulated in feature order (the scorer repeats it). */
double
mm_linear_predict(const MmLinearModel *m, int n, const double *x)
{
	double		s = m->intercept;
	int			i;

	for (i = 0; i < n; i++)
		s += m->coef[i] * x[i];
	return s;
}

/* Predicts one row of n_features values (already as doubles). */
double
mm_model_predict(const MmModel *model, const double *x)
{
	switch (model->algorithm)
	{
		case MM_ALGO_LINEAR_REGRESSION:
			return mm_linear_predict(&model->linear, model->n_features, x);
	}
	return NAN;
}

/* Frees a model built with the core allocator. */
void
mm_model_free(MmModel *model)
{
	int			i;

	if (model == NULL)
		return;
	if (model->feature_names != NULL)
	{
		for (i = 0; i < model->n_features; i++)
			mm_free(model->feature_names[i]);
		mm_free(model->feature_names);
	}
	mm_free(model->feature_kinds);
	mm_free(model->target);
	mm_free(model->linear.coef);
	mm_free(model->linear.std_err);
	mm_free(model->linear.stat);
	mm_free(model->linear.p_value);
	mm_free(model);
}
