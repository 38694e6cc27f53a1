/*
 * progress.c: where each running mm_tune is, for other sessions to see
 * (mm.tune_progress), and the view of running trainings (mm.train_progress,
 * whose slots common/trainprogress.c keeps).
 *
 * Each backend owns one slot of an array in shared memory (by its backend
 * id) and writes it under a lightweight lock as the search moves to another
 * candidate or fold; readers copy the array under the same lock.  The
 * array exists only when the library is preloaded; otherwise mm_tune still
 * reports its progress as NOTICEs when asked (modelmgr.tune_progress).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "catalog.h"
#include "privileges.h"
#include "progress.h"
#include "shmem.h"
#include "trainprogress.h"

PG_FUNCTION_INFO_V1(mm_tune_progress);
PG_FUNCTION_INFO_V1(mm_train_progress);

typedef struct ProgressSlot
{
	int			pid;			/* 0: free */
	Oid			user;			/* who runs the search */
	char		model[NAMEDATALEN];
	char		algorithm[NAMEDATALEN];
	int			candidate;
	int			candidates;
	int			fold;
	int			folds;
	TimestampTz started;
} ProgressSlot;

typedef struct ProgressShared
{
	LWLock	   *lock;
	int			n;
	ProgressSlot slot[FLEXIBLE_ARRAY_MEMBER];
} ProgressShared;

/* The array in shared memory, or NULL when the library was not preloaded. */
static ProgressShared *progress = NULL;

static Size
progress_size(void)
{
	return add_size(offsetof(ProgressShared, slot), mul_size(MaxBackends, sizeof(ProgressSlot)));
}

static void
progress_init(void *segment, LWLockPadded *locks)
{
	ProgressShared *shared = segment;

	shared->lock = &locks[0].lock;
	shared->n = MaxBackends;
}

void
MmProgressInit(void)
{
	(void) MmShmemRegister("modelmgr tune progress", progress_size, 1, progress_init,
						   (void **) &progress);
}

/* This backend's slot, or NULL without the shared array. */
static ProgressSlot *
my_slot(void)
{
	if (progress == NULL || MyBackendId < 1 || MyBackendId > progress->n)
		return NULL;
	return &progress->slot[MyBackendId - 1];
}

void
MmProgressStart(const char *model, int candidates, int folds)
{
	ProgressSlot *s = my_slot();

	if (s == NULL)
		return;
	LWLockAcquire(progress->lock, LW_EXCLUSIVE);
	s->pid = MyProcPid;
	s->user = GetUserId();
	strlcpy(s->model, model, NAMEDATALEN);
	s->algorithm[0] = '\0';
	s->candidate = 0;
	s->candidates = candidates;
	s->fold = 0;
	s->folds = folds;
	s->started = GetCurrentTimestamp();
	LWLockRelease(progress->lock);
}

void
MmProgressUpdate(int candidate, const char *algorithm, int fold)
{
	ProgressSlot *s = my_slot();

	if (s == NULL || s->pid != MyProcPid)
		return;
	LWLockAcquire(progress->lock, LW_EXCLUSIVE);
	s->candidate = candidate;
	strlcpy(s->algorithm, algorithm, NAMEDATALEN);
	s->fold = fold;
	LWLockRelease(progress->lock);
}

void
MmProgressEnd(void)
{
	ProgressSlot *s = my_slot();

	if (s == NULL || s->pid == 0)
		return;
	LWLockAcquire(progress->lock, LW_EXCLUSIVE);
	s->pid = 0;
	LWLockRelease(progress->lock);
}

/*
 * Whether the current user may see work that user runs on model: its own
 * role's (or one it has the privileges of), or on a model it holds a
 * privilege on.  A model not yet committed shows only to its own role.
 */
bool
MmProgressVisible(Oid user, const char *model)
{
	int64		model_id;
	Oid			owner;
	bool		visible = false;

	if (has_privs_of_role(GetUserId(), user))
		return true;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (MmFindModel(model, true, true, &model_id, &owner))
		visible = MmPrivilegesOf(model_id, owner, GetUserId(), true) != 0;
	SPI_finish();
	return visible;
}

/* mm_tune_progress(): one row per running search the current user may see. */
Datum
mm_tune_progress(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ProgressSlot *copy;
	int			i,
				n;
	TimestampTz now = GetCurrentTimestamp();

	InitMaterializedSRF(fcinfo, 0);
	if (progress == NULL)
		return (Datum) 0;
	n = progress->n;
	copy = palloc(sizeof(ProgressSlot) * n);
	LWLockAcquire(progress->lock, LW_SHARED);
	memcpy(copy, progress->slot, sizeof(ProgressSlot) * n);
	LWLockRelease(progress->lock);
	for (i = 0; i < n; i++)
	{
		Datum		values[8];
		bool		nulls[8] = {false, false, false, false, false, false, false, false};

		if (copy[i].pid == 0 || !MmProgressVisible(copy[i].user, copy[i].model))
			continue;
		values[0] = Int32GetDatum(copy[i].pid);
		values[1] = CStringGetTextDatum(copy[i].model);
		values[2] = CStringGetTextDatum(copy[i].algorithm);
		nulls[2] = copy[i].algorithm[0] == '\0';
		values[3] = Int32GetDatum(copy[i].candidate);
		values[4] = Int32GetDatum(copy[i].candidates);
		values[5] = Int32GetDatum(copy[i].fold);
		values[6] = Int32GetDatum(copy[i].folds);
		values[7] = DirectFunctionCall2(timestamp_mi, TimestampTzGetDatum(now),
										TimestampTzGetDatum(copy[i].started));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* mm_train_progress(): one row per running training the current user may see. */
Datum
mm_train_progress(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MmTrainSlot *running;
	int			i,
				n;
	TimestampTz now = GetCurrentTimestamp();

	InitMaterializedSRF(fcinfo, 0);
	running = MmTrainProgressRunning(&n);
	for (i = 0; i < n; i++)
	{
		const MmTrainSlot *t = &running[i];
		Datum		values[9];
		bool		nulls[9] = {false, false, false, false, false, false, false, false, false};

		if (!MmProgressVisible(t->user, t->model))
			continue;
		values[0] = Int32GetDatum(t->pid);
		values[1] = CStringGetTextDatum(t->model);
		values[2] = CStringGetTextDatum(t->algorithm);
		nulls[2] = t->algorithm[0] == '\0';
		values[3] = CStringGetTextDatum(t->phase);
		values[4] = Int32GetDatum(t->passes);
		values[5] = CStringGetTextDatum(t->pass);
		nulls[5] = t->pass[0] == '\0';
		values[6] = Int32GetDatum(t->iteration);
		values[7] = Int64GetDatum(t->rows_read);
		values[8] = DirectFunctionCall2(timestamp_mi, TimestampTzGetDatum(now),
										TimestampTzGetDatum(t->started));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
