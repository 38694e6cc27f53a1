/*
 * passfind.c: finding a pass again from where it is listed (source.h).
 *
 * A pass that runs as an aggregate is named in its header by two numbers,
 * which every process (parallel workers, a distributed database's nodes)
 * turns back into the same table of functions: the artifact id of the
 * algorithm whose table lists it, or MM_PASS_SOURCE_ID for the passes every
 * source offers (sourcepasses.h), MM_PASS_DESIGN_ID for a fit in passes'
 * own (designpasses.h), MM_PASS_EVAL_ID for the passes that measure a
 * fitted model (evalpasses.h), and its index in that list.
 */
#include "source.h"

#include "algorithm.h"
#include "designpasses.h"
#include "evalpasses.h"
#include "sourcepasses.h"

/* The NULL-terminated passes listed under artifact_id, or NULL. */
static const MmPass *const *
passes_of(int artifact_id)
{
	const MmAlgorithm *algorithm;

	if (artifact_id == MM_PASS_SOURCE_ID)
		return mm_source_passes;
	if (artifact_id == MM_PASS_DESIGN_ID)
		return mm_design_passes;
	if (artifact_id == MM_PASS_EVAL_ID)
		return mm_eval_passes;
	algorithm = mm_algorithm_by_artifact_id(artifact_id);
	return algorithm != NULL ? algorithm->passes : NULL;
}

/* A pass by where it is listed, or NULL. */
const MmPass *
mm_pass_find(int artifact_id, int index)
{
	const MmPass *const *passes = passes_of(artifact_id);
	int			i;

	if (passes == NULL || index < 0)
		return NULL;
	for (i = 0; passes[i] != NULL; i++)
		if (i == index)
			return passes[i];
	return NULL;
}

/*
 * Where pass is listed: its index under artifact_id, or else among the
 * source's own, the design's or the evaluation's; -1 if none.
 */
int
mm_pass_index(int artifact_id, const MmPass *pass, int *found_id)
{
	const int	ids[4] = {artifact_id, MM_PASS_SOURCE_ID, MM_PASS_DESIGN_ID, MM_PASS_EVAL_ID};
	int			k,
				i;

	for (k = 0; k < 4; k++)
	{
		const MmPass *const *passes = passes_of(ids[k]);

		for (i = 0; passes != NULL && passes[i] != NULL; i++)
			if (passes[i] == pass)
			{
				*found_id = ids[k];
				return i;
			}
	}
	return -1;
}
