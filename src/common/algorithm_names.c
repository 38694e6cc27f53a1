/*
 * algorithm_names.c: the registry's algorithms named in messages.
 *
 * Hints and details that name algorithms ("Pass algorithm => '...'",
 * "needs a kmeans or pca model") list them from the registry, so that an
 * algorithm is named in its own file alone and a new one appears in every
 * message that should name it.
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "algorithm.h"
#include "algorithm_names.h"
#include "model.h"

/*
 * The names of the registered algorithms that pass keep (every one when
 * keep is NULL), in the registry's order, joined by ", " and before the
 * last by conjunction (" or ", " and "); "" when none does.
 */
char *
MmAlgorithmList(bool (*keep) (const MmAlgorithm *algorithm), const char *conjunction)
{
	StringInfoData buf;
	int			count,
				kept = 0,
				i;
	const MmAlgorithm *const *all = mm_algorithms(&count);
	int			total = 0;

	for (i = 0; i < count; i++)
		if (keep == NULL || keep(all[i]))
			total++;
	initStringInfo(&buf);
	for (i = 0; i < count; i++)
	{
		if (keep != NULL && !keep(all[i]))
			continue;
		if (kept > 0)
			appendStringInfoString(&buf, kept == total - 1 ? conjunction : ", ");
		appendStringInfoString(&buf, all[i]->name);
		kept++;
	}
	return buf.data;
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
