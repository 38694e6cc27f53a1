/*
 * foldpasses.c: the folds of a search in passes, fitted side by side.
 *
 * Each fold's fit is a training in passes (fitpasses.c) whose passes see
 * the fold's training rows.  Fitted one after the other, k folds read the
 * relation once per pass of each: an iterative fit's passes (Newton steps,
 * Lloyd iterations) are most of a search's reads.  Here the folds' fits
 * advance together, and each round of their passes is one query that
 * carries one aggregate per fold (MmRelationSourceRunMany), so the
 * relation is read once for all of them.
 *
 * An algorithm's driver asks its source for a pass and waits for the state
 * (source.h): it cannot hand the request back and go on later.  So each
 * fold's fit runs over a replaying source that answers the passes it has
 * already had from a log, in order, and stops the fit at the first it has
 * not (the fit returns the source's error, which is not reported).  The
 * passes the folds stopped at run in one read, their states go into the
 * logs, and every stopped fit runs again from the start.  A driver is a
 * function of its passes' states, so each run asks for the same passes
 * with the same args (which is checked) up to where the last stopped, and
 * the fit ends with exactly the coefficients it reaches alone: the states
 * are those its own queries would give, from the same rows in the same
 * scan.  What a run costs again is the driver's arithmetic between
 * passes, about a Newton solve per step taken before, which is small
 * beside a read of the relation while the states are small; a fold whose
 * pass state is larger than FOLD_SHARED_STATE, or whose log would take
 * more than a quarter of modelmgr.max_train_memory with the others', is
 * fitted alone once the others are done.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/memutils.h"

#include "fit.h"
#include "fitpasses.h"
#include "foldpasses.h"
#include "guc.h"
#include "params_json.h"
#include "relsource.h"
#include "source.h"

/* The largest pass state a fold's fit shares reads with: a Newton step's of about 180 parameters. */
#define FOLD_SHARED_STATE (128 * 1024)

/* A pass a fold's fit had, and the state the read gave it. */
typedef struct LoggedPass
{
	const MmPass *pass;
	void	   *arg;
	size_t		arg_len;
	void	   *state;
	size_t		size;
	size_t		n_rows;			/* the source's training rows after the pass */
} LoggedPass;

/* A fold's replaying source (see the file comment). */
typedef struct FoldReplay
{
	MmDataSource source;		/* what the fold's fit runs over */
	MmDataSource *relation;		/* the fold's relation source, which the shared reads run */
	MemoryContext cxt;			/* the fold's, where the log lives */
	LoggedPass *log;
	int			logged;
	int			room;
	int			used;			/* passes answered in this run */
	size_t		start_rows;
	bool		suspended;		/* the run stopped at a pass not logged */
	LoggedPass	wanted;			/* that pass and its arg */
	bool		done;
	bool		alone;			/* to be fitted alone, see the file comment */
} FoldReplay;

/* Bytes of a pass's arg as it travels in a header; 0 for none. */
static size_t
arg_bytes(const MmPass *pass, int p, const void *arg)
{
	return pass->arg_size != NULL && arg != NULL ? pass->arg_size(p, arg, SIZE_MAX) : 0;
}

/* MmDataSource.run of a replaying source. */
static MmErrorCode
replay_run(MmDataSource *self, const MmPass *pass, const void *arg, void *state, MmError *err)
{
	FoldReplay *r = self->impl;
	size_t		arg_len = arg_bytes(pass, self->p, arg);
	LoggedPass *e;

	/* as the relation source refuses it */
	if (arg != NULL && arg_len == 0)
		return mm_fail(err, MM_ERR_UNSUPPORTED, -1,
					   "pass \"%s\" takes an arg that cannot reach other processes", pass->name);
	if (r->used < r->logged)
	{
		e = &r->log[r->used++];
		if (e->pass != pass || e->arg_len != arg_len ||
			(arg_len > 0 && memcmp(e->arg, arg, arg_len) != 0))
			elog(ERROR, "a fold's fit asked for pass \"%s\" where it had pass \"%s\" before",
				 pass->name, e->pass->name);
		memcpy(state, e->state, e->size);
		self->n_rows = e->n_rows;
		return MM_OK;
	}
	r->suspended = true;
	r->wanted.pass = pass;
	r->wanted.arg_len = arg_len;
	r->wanted.arg = arg_len > 0 ? MemoryContextAlloc(r->cxt, arg_len) : NULL;
	if (arg_len > 0)
		memcpy(r->wanted.arg, arg, arg_len);
	r->wanted.size = pass->state_size(self->p, arg);
	return mm_fail(err, MM_ERR_UNSUPPORTED, -1, "pass \"%s\" waits for the folds' shared read",
				   pass->name);
}

/* A replaying source has no rows in memory. */
static const MmRows *
replay_rows(MmDataSource *self)
{
	return NULL;
}

static void
replay_init(FoldReplay *r, MmDataSource *relation)
{
	memset(r, 0, sizeof(*r));
	r->relation = relation;
	r->cxt = CurrentMemoryContext;
	r->source = *relation;
	r->source.run = replay_run;
	r->source.rows = replay_rows;
	r->source.impl = r;
	r->start_rows = relation->n_rows;
}

/* Logs the state the shared read gave the pass the fold's fit stopped at. */
static void
replay_log(FoldReplay *r, void *state)
{
	if (r->logged == r->room)
	{
		r->room = Max(8, r->room * 2);
		r->log = r->log == NULL ?
			MemoryContextAlloc(r->cxt, sizeof(LoggedPass) * r->room) :
			repalloc(r->log, sizeof(LoggedPass) * r->room);
	}
	r->log[r->logged] = r->wanted;
	r->log[r->logged].state = state;
	r->log[r->logged].n_rows = r->relation->n_rows;
	r->logged++;
}

/*
 * Runs fold i's fit over its log; true when it ended (trained[i] holds the
 * model, in a context of its own), false when it stopped at a pass the log
 * has not (whatever that run allocated is freed).
 */
static bool
replay_fit(FoldReplay *r, const MmTrainSpec *spec, const MmAlgorithm *algorithm,
		   const MmTrainContext *ctx, MmParams *params, MmPassesFit *pf, MmTrained *trained)
{
	MemoryContext outer = CurrentMemoryContext;
	MemoryContext run_cxt = AllocSetContextCreate(outer, "mm_tune fold fit", ALLOCSET_DEFAULT_SIZES);
	bool		ended;

	r->used = 0;
	r->suspended = false;
	r->source.n_rows = r->start_rows;
	MemoryContextSwitchTo(run_cxt);
	ended = MmPassesFitRun(algorithm, spec, ctx, &r->source, params, pf, trained, &r->suspended);
	MemoryContextSwitchTo(outer);
	if (!ended)
		MemoryContextDelete(run_cxt);
	return ended;
}

/*
 * Runs the pass each fold's metrics need (MmPassesMetricsPass) for all of
 * them in one read, for MmPassesFitEnd's metrics to take.
 */
static void
shared_metrics(MmPassesFit *pf, MmTrained *trained, int n)
{
	MmDataSource **sources = palloc(sizeof(MmDataSource *) * n);
	const MmPass **passes = palloc(sizeof(MmPass *) * n);
	const void **args = palloc(sizeof(void *) * n);
	int			w = 0,
				i;

	for (i = 0; i < n; i++)
		if (MmPassesMetricsPass(pf[i].pd, &trained[i].model, &passes[w], &args[w]))
			sources[w++] = &pf[i].pd->data;
	if (w > 1)
		MmRelationSourceRunManyParts(sources, passes, args, w);
}

void
MmFitFoldsInPasses(const MmTrainSpec *spec, const MmAlgorithm *algorithm, MmSource *srcs,
				   const MmTrainContext *ctxs, MmPassesData *prepared, MemoryContext prep_cxt,
				   int n, MmTrained *trained)
{
	MmParams   *params = palloc(sizeof(MmParams) * n);
	MmPassesFit *pf = palloc0(sizeof(MmPassesFit) * n);
	FoldReplay *r = palloc(sizeof(FoldReplay) * n);
	MmDataSource **sources = palloc(sizeof(MmDataSource *) * n);
	const MmPass **passes = palloc(sizeof(MmPass *) * n);
	const void **args = palloc(sizeof(void *) * n);
	void	  **states = palloc(sizeof(void *) * n);
	int		   *waiting = palloc(sizeof(int) * n);
	double		log_limit = (double) mm_max_train_memory_kb * 1024.0 / 4.0,
				logged = 0.0;
	MmRelationPrefetch *first_reads = NULL;
	int			i;

	/* as MmFitAlgorithm parses them: against the source's features before any is left out */
	for (i = 0; i < n; i++)
		MmParseParams(algorithm, spec->params,
					  prep_cxt != NULL ? srcs[i].nfeatures : prepared[i].raw.nfeatures, &params[i]);
	/*
	 * A new preparation: the folds' first reads in one, in the caller's
	 * memory, since each preparation copies what it takes of its result
	 */
	if (prep_cxt != NULL && n > 1)
	{
		first_reads = palloc(sizeof(MmRelationPrefetch) * n);
		MmPassesPrefetchFirstReads(spec, srcs, algorithm, params, n, first_reads);
	}

	/* the passes before each fold's fit: the fold's preprocessing, from its training rows */
	for (i = 0; i < n; i++)
	{
		MemoryContext outer = CurrentMemoryContext;

		pf[i].pd = &prepared[i];
		pf[i].first_read = first_reads != NULL && first_reads[i].header != NULL ? &first_reads[i] : NULL;
		if (prep_cxt != NULL)
			MemoryContextSwitchTo(prep_cxt);
		MmPassesFitBegin(spec, &srcs[i], algorithm, &ctxs[i], &params[i], prep_cxt == NULL, &pf[i],
						 &trained[i]);
		MemoryContextSwitchTo(outer);
		replay_init(&r[i], &prepared[i].data);
	}

	/* rounds: every fit still going runs to its next pass, and those passes share a read */
	for (;;)
	{
		int			w = 0;

		for (i = 0; i < n; i++)
		{
			if (r[i].done || r[i].alone)
				continue;
			if (replay_fit(&r[i], spec, algorithm, &ctxs[i], &params[i], &pf[i], &trained[i]))
			{
				r[i].done = true;
				continue;
			}
			if (r[i].wanted.size > FOLD_SHARED_STATE ||
				logged + (double) r[i].wanted.size > log_limit)
			{
				r[i].alone = true;
				continue;
			}
			waiting[w] = i;
			sources[w] = r[i].relation;
			passes[w] = r[i].wanted.pass;
			args[w] = r[i].wanted.arg;
			states[w] = MemoryContextAlloc(r[i].cxt, r[i].wanted.size);
			logged += (double) r[i].wanted.size;
			w++;
		}
		if (w == 0)
			break;
		MmRelationSourceRunMany(sources, passes, args, states, w);
		for (i = 0; i < w; i++)
			replay_log(&r[waiting[i]], states[i]);
		CHECK_FOR_INTERRUPTS();
	}

	/* a fold whose states are too large for the log fits alone, from the start */
	for (i = 0; i < n; i++)
		if (r[i].alone)
		{
			prepared[i].data.n_rows = r[i].start_rows;
			(void) MmPassesFitRun(algorithm, spec, &ctxs[i], &prepared[i].data, &params[i], &pf[i],
								  &trained[i], NULL);
		}

	/* each fold's metrics, on its training rows and its held-out fold: one read for all */
	shared_metrics(pf, trained, n);
	for (i = 0; i < n; i++)
		MmPassesFitEnd(spec, algorithm, &ctxs[i], &params[i], &pf[i], &trained[i]);
}
