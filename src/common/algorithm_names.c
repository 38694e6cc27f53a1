/*
 * algorithm_names.c: the registry's algorithms named in messages.
 *
 * Hints and details that name algorithms ("Pass algorithm => '...'",
 * "needs a kmeans or pca model") list them from the registry, so that an
 * algorithm is named in its own file alone and a new one appears in every
 * message that should name it.
 */
#include "postgres.h"

#include "algorithm.h"
#include "algorithm_names.h"
#include "model.h"

/* The names keep accepts, as mm_algorithm_list joins them, as a palloc'd string. */
char *
MmAlgorithmList(int (*keep) (const MmAlgorithm *algorithm), const char *conjunction)
{
	MmBuffer	buf = {0};

	/* the core allocates through palloc here: a failure has raised already */
	mm_algorithm_list(keep, conjunction, &buf);
	return buf.data != NULL ? buf.data : pstrdup("");
}

/* The first registered algorithm of a task: auto's choice, else the first listed. */
const char *
MmAlgorithmForTask(MmTask task)
{
	const MmAlgorithm *chosen = mm_algorithm_default(task);
	int			count,
				i;
	const MmAlgorithm *const *all = mm_algorithms(&count);

	for (i = 0; chosen == NULL && i < count; i++)
		if (all[i]->task == task)
			chosen = all[i];
	Assert(chosen != NULL);
	return chosen->name;
}
