/*
 * aggsource.c: a data source over what the training aggregate computed.
 *
 * The one-pass training aggregate (mm_ls_stats, momentspass.c) gathers the
 * moments of the features and the target over the training part, which is
 * exactly the state of the core's moments pass (linear_moments.h) over the
 * same rows.  A source that serves that pass from the aggregate's moments
 * lets an algorithm's own fit, the one that runs over rows in memory, run
 * over a relation read once by PostgreSQL, in parallel where it chooses.
 * Any other pass (linear regression's refinement, run only for
 * ill-conditioned data) it hands to a relation source over the same rows
 * (relsource.c) when it has one; the moments in other units it cannot serve.
 */
#include "postgres.h"

#include "aggsource.h"
#include "algorithm.h"
#include "linear_moments.h"
#include "mmcore.h"
#include "model.h"
#include "moments.h"
#include "source.h"

/* What a source over the aggregate keeps. */
typedef struct AggregateSource
{
	const double *moments;
	MmDataSource *rows;			/* runs the other passes, or NULL */
} AggregateSource;

static MmErrorCode
moments_run(MmDataSource *self, const MmPass *pass, const void *arg, void *state, MmError *err)
{
	const AggregateSource *as = self->impl;
	if (pass != &mm_linear_moments_pass && as->rows != NULL)
		return as->rows->run(as->rows, pass, arg, state, err);
	if (pass != &mm_linear_moments_pass || arg != NULL)
		return mm_fail(err, MM_ERR_UNSUPPORTED, -1,
					   "the training aggregate does not run pass \"%s\"", pass->name);
	pass->init(state, self->p, arg);
	memcpy(state, as->moments, sizeof(double) * mm_moments_len(self->p + 1));
	return MM_OK;
}

/*
 * A source over a moments block of p features and the target (the
 * aggregate's, or folds' merged), which must outlive it; rows, when not
 * NULL, runs the other passes over the same training rows.
 */
void
MmMomentsSource(MmDataSource *source, const double *moments, int p, MmDataSource *rows)
{
	AggregateSource *as = palloc(sizeof(AggregateSource));

	as->moments = moments;
	as->rows = rows;
	memset(source, 0, sizeof(*source));
	source->p = p;
	source->n_rows = (size_t) moments[0];
	source->run = moments_run;
	source->rows = NULL;
	source->impl = as;
}

/*
 * Whether algorithm can fit from the training aggregate: it declares the
 * passes its fit runs and the first is the moments pass (the others, which
 * the fit runs only when it needs them, go to a relation source); a
 * regression's model is linear besides, so that its metrics follow from the
 * moments too (a decomposition's do in any case).
 */
bool
MmAggregateServes(const MmAlgorithm *algorithm)
{
	const MmPass *const *pass;

	if (algorithm->passes == NULL || algorithm->passes[0] == NULL)
		return false;
	if (algorithm->task == MM_TASK_REGRESSION && algorithm->linear_form == NULL)
		return false;
	pass = algorithm->passes;
	return *pass == &mm_linear_moments_pass;
}
