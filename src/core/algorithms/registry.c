/*
 * registry.c: every algorithm, one line each (see algorithm.h).  The order
 * is the order tuning's auto tries them in.  An artifact id, once given, is
 * never given again, even to replace an algorithm that is gone.
 */
#include <string.h>

#include "algorithm.h"

extern const MmAlgorithm mm_linear_regression;
extern const MmAlgorithm mm_logistic_regression;
extern const MmAlgorithm mm_linear_svm;
extern const MmAlgorithm mm_kmeans;
extern const MmAlgorithm mm_pca;
extern const MmAlgorithm mm_elastic_net;
extern const MmAlgorithm mm_svm_classifier;
extern const MmAlgorithm mm_svm_regressor;
extern const MmAlgorithm mm_gradient_boosting_regressor;
extern const MmAlgorithm mm_gradient_boosting_classifier;
extern const MmAlgorithm mm_random_forest_regressor;
extern const MmAlgorithm mm_random_forest_classifier;

static const MmAlgorithm *const algorithms[] = {
	&mm_linear_regression,
	&mm_logistic_regression,
	&mm_linear_svm,
	&mm_kmeans,
	&mm_pca,
	&mm_elastic_net,
	&mm_svm_classifier,
	&mm_svm_regressor,
	/* boosted trees and forests on XGBoost: a table per task under one name each */
	&mm_gradient_boosting_regressor,
	&mm_gradient_boosting_classifier,
	&mm_random_forest_regressor,
	&mm_random_forest_classifier,
};

#define N_ALGORITHMS ((int) (sizeof(algorithms) / sizeof(algorithms[0])))

const MmAlgorithm *const *
mm_algorithms(int *count)
{
	*count = N_ALGORITHMS;
	return algorithms;
}

const MmAlgorithm *
mm_algorithm_by_name(const char *name)
{
	int			i;

	for (i = 0; i < N_ALGORITHMS; i++)
		if (strcmp(algorithms[i]->name, name) == 0)
			return algorithms[i];
	return NULL;
}

const MmAlgorithm *
mm_algorithm_by_name_task(const char *name, MmTask task)
{
	int			i;

	for (i = 0; i < N_ALGORITHMS; i++)
		if (strcmp(algorithms[i]->name, name) == 0 && algorithms[i]->task == task)
			return algorithms[i];
	return NULL;
}

const MmAlgorithm *
mm_algorithm_by_artifact_id(int id)
{
	int			i;

	for (i = 0; i < N_ALGORITHMS; i++)
		if (algorithms[i]->artifact_id == id)
			return algorithms[i];
	return NULL;
}

/* The algorithm of the task whose table says auto picks it. */
const MmAlgorithm *
mm_algorithm_default(MmTask task)
{
	int			i;

	for (i = 0; i < N_ALGORITHMS; i++)
		if (algorithms[i]->task == task && algorithms[i]->task_default)
			return algorithms[i];
	return NULL;
}

/* Whether algorithm i is listed: keep accepts it, and no earlier table of its name was. */
static int
listed(int (*keep) (const MmAlgorithm *algorithm), int i)
{
	int			j;

	if (keep != NULL && !keep(algorithms[i]))
		return 0;
	for (j = 0; j < i; j++)
		if (strcmp(algorithms[j]->name, algorithms[i]->name) == 0 && (keep == NULL || keep(algorithms[j])))
			return 0;
	return 1;
}

/* The names keep accepts, as messages list them (see algorithm.h), each name once. */
void
mm_algorithm_list(int (*keep) (const MmAlgorithm *algorithm), const char *conjunction, MmBuffer *out)
{
	int			total = 0,
				done = 0,
				i;

	for (i = 0; i < N_ALGORITHMS; i++)
		total += listed(keep, i);
	for (i = 0; i < N_ALGORITHMS; i++)
	{
		const char *separator = done == total - 1 ? conjunction : ", ";

		if (!listed(keep, i))
			continue;
		if (done > 0)
			mm_buffer_append(out, separator, strlen(separator));
		mm_buffer_append(out, algorithms[i]->name, strlen(algorithms[i]->name));
		done++;
	}
}
