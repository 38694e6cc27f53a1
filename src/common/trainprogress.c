/*
 * trainprogress.c: where each running training is, for other sessions to
 * see (mm.train_progress) and, when asked, for the training's own session
 * as NOTICEs (modelmgr.train_progress).
 *
 * A training moves through phases (reading the rows, preprocessing,
 * fitting, scoring, recording the version); over a relation, a fit also
 * runs passes, each one aggregate query, and an iterative fit counts its
 * iterations.  Each backend owns one slot of an array in shared memory (by
 * its backend id), as mm.tune_progress's searches do, and writes it under
 * a lightweight lock; readers copy the array under the same lock.  The
 * rows read are the rows every pass and the read into memory saw, summed,
 * so a fit of ten passes over a million rows has read ten million.
 *
 * mm_train_progress() (workers/progress.c) shows the slots to the roles
 * that may see them.
 *
 * Only a training started by MmTrainProgressStart reports: the fits of a
 * cross-validation inside mm_tune report to mm.tune_progress instead, and
 * every call here is then a no-op.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "utils/timestamp.h"

#include "guc.h"
#include "shmem.h"
#include "trainprogress.h"

typedef struct TrainShared
{
	LWLock	   *lock;
	int			n;
	MmTrainSlot slot[FLEXIBLE_ARRAY_MEMBER];
} TrainShared;

/* The array in shared memory, or NULL when the library was not preloaded. */
static TrainShared *shared = NULL;

/*
 * This backend's training, kept here as well so that NOTICEs need no
 * shared memory and so that calls outside a training are no-ops.
 */
static bool active = false;
static MmTrainSlot mine;

/* Rows between two updates of the rows read while rows stream into memory. */
#define ROWS_STEP 65536

static Size
train_progress_size(void)
{
	return add_size(offsetof(TrainShared, slot), mul_size(MaxBackends, sizeof(MmTrainSlot)));
}

static void
train_progress_init(void *segment, LWLockPadded *locks)
{
	TrainShared *s = segment;

	s->lock = &locks[0].lock;
	s->n = MaxBackends;
}

void
MmTrainProgressInit(void)
{
	(void) MmShmemRegister("modelmgr train progress", train_progress_size, 1, train_progress_init,
						   (void **) &shared);
}

/* Copies this backend's training into its shared slot, when there is one. */
static void
publish(void)
{
	if (shared == NULL || MyBackendId < 1 || MyBackendId > shared->n)
		return;
	LWLockAcquire(shared->lock, LW_EXCLUSIVE);
	shared->slot[MyBackendId - 1] = mine;
	LWLockRelease(shared->lock);
}

static double
seconds_since(TimestampTz start)
{
	return (double) (GetCurrentTimestamp() - start) / USECS_PER_SEC;
}

/* The NOTICE of a phase or a pass, when modelmgr.train_progress asks for them. */
static void
notice(const char *what)
{
	if (!mm_train_progress_notices)
		return;
	ereport(NOTICE,
			(errmsg("training \"%s\": %s", mine.model, what),
			 errdetail("Passes over the relation: %d; rows read: " INT64_FORMAT "; %.3f s so far.",
					   mine.passes, mine.rows_read, seconds_since(mine.started))));
}

void
MmTrainProgressStart(const char *model)
{
	memset(&mine, 0, sizeof(mine));
	mine.pid = MyProcPid;
	mine.user = GetUserId();
	strlcpy(mine.model, model, NAMEDATALEN);
	strlcpy(mine.phase, "inspecting the relation", MM_TRAIN_PHASE_LEN);
	mine.started = GetCurrentTimestamp();
	active = true;
	publish();
}

void
MmTrainProgressAlgorithm(const char *algorithm)
{
	if (!active)
		return;
	strlcpy(mine.algorithm, algorithm, NAMEDATALEN);
	publish();
}

void
MmTrainProgressPhase(const char *phase)
{
	if (!active || strcmp(mine.phase, phase) == 0)
		return;
	strlcpy(mine.phase, phase, MM_TRAIN_PHASE_LEN);
	publish();
	notice(phase);
}

void
MmTrainProgressPassStart(const char *pass)
{
	if (!active)
		return;
	mine.passes++;
	strlcpy(mine.pass, pass, NAMEDATALEN);
	publish();
}

void
MmTrainProgressPassEnd(int64 rows)
{
	char		what[NAMEDATALEN + 32];

	if (!active)
		return;
	mine.rows_read += rows;
	publish();
	snprintf(what, sizeof(what), "pass %d (%s) done", mine.passes, mine.pass);
	notice(what);
}

void
MmTrainProgressRows(int64 rows)
{
	if (!active || rows % ROWS_STEP != 0)
		return;
	mine.rows_read = rows;
	publish();
}

void
MmTrainProgressRowsDone(int64 rows)
{
	if (!active)
		return;
	mine.rows_read = rows;
	publish();
}

void
MmTrainProgressIteration(int iteration)
{
	if (!active)
		return;
	mine.iteration = iteration;
	publish();
}

void
MmTrainProgressEnd(void)
{
	if (!active)
		return;
	active = false;
	mine.pid = 0;
	publish();
}

/*
 * The trainings running now, copied out of shared memory (palloc'd; *n of
 * them), or NULL with *n = 0 when the library was not preloaded.
 */
MmTrainSlot *
MmTrainProgressRunning(int *n)
{
	MmTrainSlot *copy;
	int			i,
				kept = 0;

	*n = 0;
	if (shared == NULL)
		return NULL;
	copy = palloc(sizeof(MmTrainSlot) * shared->n);
	LWLockAcquire(shared->lock, LW_SHARED);
	for (i = 0; i < shared->n; i++)
		if (shared->slot[i].pid != 0)
			copy[kept++] = shared->slot[i];
	LWLockRelease(shared->lock);
	*n = kept;
	return copy;
}
