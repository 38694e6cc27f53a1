/*
 * worker.c: the background workers that run monitors.
 *
 * A launcher, registered when the library is preloaded, wakes every
 * modelmgr.monitor_naptime and starts a worker in each database that
 * accepts connections (never a template) and has monitors due, up to
 * modelmgr.max_monitor_workers at once and one per database.  A worker runs
 * the monitors due in its database, each in a transaction of its own, and
 * exits when none is left, so that it never holds a database (DROP DATABASE
 * does not wait on it).
 *
 * Which databases have monitors due is kept in shared memory: a worker
 * leaves there, as it exits, when its database's next monitor is due
 * ("never" without the extension, at most an hour ahead otherwise); a new
 * monitor, once its transaction commits, makes its database due at once.
 * A database not yet looked at since the server started is due.  Both start only once recovery has finished, so a standby runs
 * nothing.  A monitor's row is locked while it runs (SKIP LOCKED), so a
 * check never runs twice at once, whatever restarted or was terminated.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "funcapi.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "guc.h"
#include "monitorrun.h"
#include "security.h"
#include "shmem.h"
#include "worker.h"

PGDLLEXPORT void mm_monitor_launcher_main(Datum arg);
PGDLLEXPORT void mm_monitor_worker_main(Datum arg);

PG_FUNCTION_INFO_V1(mm_monitor_schedule);

/* Whether the library was loaded at server start, which background workers need. */
static bool preloaded = false;

/* Databases whose next due time is kept; past that many, the rest are always looked at. */
#define TRACKED_DATABASES 1024

/* A look an hour ahead at most, for monitors changed behind the functions' backs. */
#define LONGEST_WAIT_SECS 3600

typedef struct DatabaseSchedule
{
	Oid			database;
	TimestampTz next_due;		/* DT_NOEND: nothing to run until a monitor is made */
	uint64		generation;		/* bumped by every new monitor */
} DatabaseSchedule;

typedef struct MonitorShared
{
	LWLock	   *lock;
	int			n;
	DatabaseSchedule db[TRACKED_DATABASES];
} MonitorShared;

/* The schedule in shared memory, or NULL when the library was not preloaded. */
static MonitorShared *shared = NULL;

/* Set by mm_monitor in this transaction: make the database due when it commits. */
static bool due_at_commit = false;

static Size
monitor_shmem_size(void)
{
	return sizeof(MonitorShared);
}

static void
monitor_shmem_init(void *segment, LWLockPadded *locks)
{
	MonitorShared *schedule = segment;

	schedule->lock = &locks[0].lock;
	schedule->n = 0;
}

/* The entry of a database, added if absent and there is room; the lock is held exclusively. */
static DatabaseSchedule *
schedule_entry(Oid database, bool add)
{
	int			i;

	for (i = 0; i < shared->n; i++)
		if (shared->db[i].database == database)
			return &shared->db[i];
	if (!add || shared->n == TRACKED_DATABASES)
		return NULL;
	shared->db[shared->n].database = database;
	shared->db[shared->n].next_due = 0;
	shared->db[shared->n].generation = 0;
	return &shared->db[shared->n++];
}

/* Whether a database should be looked at now. */
static bool
schedule_due(Oid database, TimestampTz now)
{
	DatabaseSchedule *e;
	bool		due;

	LWLockAcquire(shared->lock, LW_SHARED);
	e = schedule_entry(database, false);
	due = e == NULL || e->next_due <= now;
	LWLockRelease(shared->lock);
	return due;
}

/* A database's generation, read before a worker's snapshot. */
static uint64
schedule_generation(Oid database)
{
	DatabaseSchedule *e;
	uint64		g;

	LWLockAcquire(shared->lock, LW_EXCLUSIVE);
	e = schedule_entry(database, true);
	g = e ? e->generation : 0;
	LWLockRelease(shared->lock);
	return g;
}

/* Records when a database is next due, unless a monitor was made there since generation. */
static void
schedule_set(Oid database, TimestampTz next_due, uint64 generation)
{
	DatabaseSchedule *e;

	LWLockAcquire(shared->lock, LW_EXCLUSIVE);
	e = schedule_entry(database, true);
	if (e != NULL && e->generation == generation)
		e->next_due = next_due;
	LWLockRelease(shared->lock);
}

/* Forgets the databases that are gone. */
static void
schedule_prune(List *databases)
{
	int			i = 0;

	LWLockAcquire(shared->lock, LW_EXCLUSIVE);
	while (i < shared->n)
	{
		if (!list_member_oid(databases, shared->db[i].database))
			shared->db[i] = shared->db[--shared->n];
		else
			i++;
	}
	LWLockRelease(shared->lock);
}

static void
monitor_xact_callback(XactEvent event, void *arg)
{
	if (!due_at_commit)
		return;
	if (event == XACT_EVENT_COMMIT)
	{
		DatabaseSchedule *e;

		LWLockAcquire(shared->lock, LW_EXCLUSIVE);
		e = schedule_entry(MyDatabaseId, true);
		if (e != NULL)
		{
			e->next_due = 0;
			e->generation++;
		}
		LWLockRelease(shared->lock);
		due_at_commit = false;
	}
	else if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		due_at_commit = false;
}

void
MmMonitorCreated(void)
{
	if (shared != NULL)
		due_at_commit = true;
}

bool
MmMonitorsCanRun(void)
{
	return preloaded;
}

/* mm_monitor_schedule(): the next look at each database the workers know of. */
Datum
mm_monitor_schedule(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	DatabaseSchedule copy[TRACKED_DATABASES];
	int			n = 0,
				i;

	InitMaterializedSRF(fcinfo, 0);
	if (shared == NULL)
		return (Datum) 0;
	LWLockAcquire(shared->lock, LW_SHARED);
	n = shared->n;
	memcpy(copy, shared->db, sizeof(DatabaseSchedule) * n);
	LWLockRelease(shared->lock);
	for (i = 0; i < n; i++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};
		char	   *name = get_database_name(copy[i].database);

		if (name == NULL)
			continue;
		values[0] = CStringGetTextDatum(name);
		values[1] = TimestampTzGetDatum(copy[i].next_due);
		if (copy[i].next_due == 0)
			nulls[1] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

void
MmWorkerInit(void)
{
	BackgroundWorker worker;

	if (!process_shared_preload_libraries_in_progress)
		return;
	preloaded = true;
	(void) MmShmemRegister("modelmgr monitors", monitor_shmem_size, 1, monitor_shmem_init,
						   (void **) &shared);
	RegisterXactCallback(monitor_xact_callback, NULL);
	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 5;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "modelmgr");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "mm_monitor_launcher_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "modelmgr monitor launcher");
	snprintf(worker.bgw_type, BGW_MAXLEN, "modelmgr monitor launcher");
	RegisterBackgroundWorker(&worker);
}

/* ---------------------------------------------------------------- launcher */

/* A database's worker, while it runs. */
typedef struct DatabaseWorker
{
	Oid			database;
	BackgroundWorkerHandle *handle;
} DatabaseWorker;

/* The workers the launcher started and has not seen exit. */
typedef struct Running
{
	int			n;
	DatabaseWorker *worker;		/* room for modelmgr.max_monitor_workers at its highest */
} Running;

/* Forgets the workers that have exited. */
static void
reap_workers(Running *running)
{
	int			i = 0;

	while (i < running->n)
	{
		pid_t		pid;

		if (GetBackgroundWorkerPid(running->worker[i].handle, &pid) == BGWH_STOPPED)
		{
			pfree(running->worker[i].handle);
			running->worker[i] = running->worker[--running->n];
		}
		else
			i++;
	}
}

/* The databases a worker may connect to: not templates, allowing connections. */
static List *
database_list(void)
{
	List	   *result = NIL;
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tup;
	MemoryContext cxt = CurrentMemoryContext;

	StartTransactionCommand();
	(void) GetTransactionSnapshot();
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while (HeapTupleIsValid(tup = heap_getnext(scan, ForwardScanDirection)))
	{
		Form_pg_database db = (Form_pg_database) GETSTRUCT(tup);
		MemoryContext old;

		if (db->datistemplate || !db->datallowconn)
			continue;
		old = MemoryContextSwitchTo(cxt);
		result = lappend_oid(result, db->oid);
		MemoryContextSwitchTo(old);
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	CommitTransactionCommand();
	return result;
}

/* Starts a worker in each database without one, within the limit. */
static void
launch_workers(Running *running)
{
	List	   *databases = database_list();
	ListCell   *lc;
	TimestampTz now = GetCurrentTimestamp();

	reap_workers(running);
	schedule_prune(databases);
	foreach(lc, databases)
	{
		Oid			database = lfirst_oid(lc);
		BackgroundWorker worker;
		BackgroundWorkerHandle *handle;
		bool		busy = false;
		int			i;

		if (running->n >= mm_max_monitor_workers)
			break;
		for (i = 0; i < running->n; i++)
			busy |= running->worker[i].database == database;
		if (busy || !schedule_due(database, now))
			continue;
		memset(&worker, 0, sizeof(worker));
		worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
		worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
		worker.bgw_restart_time = BGW_NEVER_RESTART;
		snprintf(worker.bgw_library_name, BGW_MAXLEN, "modelmgr");
		snprintf(worker.bgw_function_name, BGW_MAXLEN, "mm_monitor_worker_main");
		snprintf(worker.bgw_name, BGW_MAXLEN, "modelmgr monitor worker for database %u", database);
		snprintf(worker.bgw_type, BGW_MAXLEN, "modelmgr monitor worker");
		worker.bgw_main_arg = ObjectIdGetDatum(database);
		worker.bgw_notify_pid = MyProcPid;
		/* no free slot: the rest wait for the next look */
		if (!RegisterDynamicBackgroundWorker(&worker, &handle))
			break;
		running->worker[running->n].database = database;
		running->worker[running->n].handle = handle;
		running->n++;
	}
	list_free(databases);
}

/*
 * The launcher looks every naptime, counted from its last look: a worker's
 * exit sets its latch too, and must not bring the next look forward.
 */
void
mm_monitor_launcher_main(Datum arg)
{
	TimestampTz last_look = 0;
	Running		running;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	pgstat_report_appname("modelmgr monitor launcher");
	running.n = 0;
	running.worker = MemoryContextAllocZero(TopMemoryContext, sizeof(DatabaseWorker) * 64);

	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		{
			TimestampTz now = GetCurrentTimestamp();
			TimestampTz next_look = last_look + (TimestampTz) mm_monitor_naptime * USECS_PER_SEC;
			long		wait_ms;

			if (now >= next_look)
			{
				if (mm_monitor_enabled)
					launch_workers(&running);
				else
					reap_workers(&running);
				last_look = now;
				next_look = now + (TimestampTz) mm_monitor_naptime * USECS_PER_SEC;
			}
			else
				reap_workers(&running);
			wait_ms = (long) ((next_look - now) / 1000);
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 Max(wait_ms, 1), PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
		}
	}
}

/* ---------------------------------------------------------------- worker */

/* In a transaction: when the next monitor of this database is due (DT_NOEND: none). */
static TimestampTz
next_due_time(bool has_monitors)
{
	bool		isnull;
	Datum		d;
	TimestampTz latest = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), LONGEST_WAIT_SECS * 1000);

	if (!has_monitors)
		return DT_NOEND;
	if (MmSpiRun("SELECT pg_catalog.min(next_run) FROM mm._monitors", 0, NULL, NULL, NULL, true, 1) !=
		SPI_OK_SELECT)
		elog(ERROR, "could not read the monitors' schedule");
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		return DT_NOEND;
	return Min(DatumGetTimestampTz(d), latest);
}

/*
 * In a transaction: whether this database has the extension's monitors,
 * and the next due monitor not yet tried in this pass (0 when none).
 */
static int32
next_due(List *tried, bool *has_monitors)
{
	int32		id = 0;
	bool		isnull;

	*has_monitors = false;
	if (!OidIsValid(get_extension_oid("modelmgr", true)))
		return 0;
	if (MmSpiRun("SELECT pg_catalog.to_regclass('mm._monitors') IS NOT NULL", 0, NULL, NULL, NULL, true, 1) !=
		SPI_OK_SELECT ||
		!DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
		return 0;
	*has_monitors = true;
	{
		StringInfoData q;
		ListCell   *lc;

		initStringInfo(&q);
		appendStringInfoString(&q, "SELECT id FROM mm._monitors "
							   "WHERE next_run OPERATOR(pg_catalog.<=) pg_catalog.now()");
		foreach(lc, tried)
			appendStringInfo(&q, " AND id OPERATOR(pg_catalog.<>) %d", lfirst_int(lc));
		appendStringInfoString(&q, " ORDER BY next_run, id LIMIT 1");
		if (MmSpiRun(q.data, 0, NULL, NULL, NULL, true, 1) != SPI_OK_SELECT)
			elog(ERROR, "could not read the due monitors");
		if (SPI_processed == 1)
			id = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	return id;
}

void
mm_monitor_worker_main(Datum arg)
{
	Oid			database = DatumGetObjectId(arg);
	List	   *tried = NIL;
	MemoryContext pass_cxt;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(database, InvalidOid, 0);
	/* the database's settings do not choose what the worker's own statements resolve to */
	SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_SUSET, PGC_S_OVERRIDE);
	pgstat_report_appname("modelmgr monitor worker");
	pass_cxt = AllocSetContextCreate(TopMemoryContext, "modelmgr monitor run", ALLOCSET_DEFAULT_SIZES);

	for (;;)
	{
		int32		id;
		bool		has_monitors;
		MemoryContext old;
		uint64		generation = schedule_generation(database);

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		if (!mm_monitor_enabled)
			break;

		/* one monitor, one transaction */
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		old = MemoryContextSwitchTo(pass_cxt);
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		PushActiveSnapshot(GetTransactionSnapshot());
		id = next_due(tried, &has_monitors);
		if (id == 0)
			schedule_set(database, next_due_time(has_monitors), generation);
		else
		{
			char	   *activity = psprintf("modelmgr: monitor %d", id);

			pgstat_report_activity(STATE_RUNNING, activity);
			/* NULL: a session runs it now (mm_monitor_run); the next look will see */
			(void) MmMonitorExecute(id, "worker", true, false);
			MemoryContextSwitchTo(TopMemoryContext);
			tried = lappend_int(tried, id);
			MemoryContextSwitchTo(pass_cxt);
		}
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
		MemoryContextSwitchTo(old);
		MemoryContextReset(pass_cxt);
		pgstat_report_stat(false);
		pgstat_report_activity(STATE_IDLE, NULL);
		if (id == 0)
			break;
	}
	proc_exit(0);
}
