/*
 * worker.c: the background workers that run monitors.
 *
 * A launcher, registered when the library is preloaded, wakes every
 * modelmgr.monitor_naptime and starts a worker in each database that
 * accepts connections (never a template), up to
 * modelmgr.max_monitor_workers at once and one per database.  A worker runs
 * the monitors due in its database, each in a transaction of its own, and
 * exits when none is left, so that it never holds a database (DROP DATABASE
 * does not wait on it) and a database without the extension costs one short
 * look.  Both start only once recovery has finished, so a standby runs
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
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "modelmgr.h"
#include "monitor.h"

PGDLLEXPORT void mm_monitor_launcher_main(Datum arg);
PGDLLEXPORT void mm_monitor_worker_main(Datum arg);

/* Whether the library was loaded at server start, which background workers need. */
static bool preloaded = false;

bool
MmMonitorsCanRun(void)
{
	return preloaded;
}

void
MmWorkerInit(void)
{
	BackgroundWorker worker;

	if (!process_shared_preload_libraries_in_progress)
		return;
	preloaded = true;
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

static DatabaseWorker *running;
static int	nrunning;

/* Forgets the workers that have exited. */
static void
reap_workers(void)
{
	int			i = 0;

	while (i < nrunning)
	{
		pid_t		pid;

		if (GetBackgroundWorkerPid(running[i].handle, &pid) == BGWH_STOPPED)
		{
			pfree(running[i].handle);
			running[i] = running[--nrunning];
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
launch_workers(void)
{
	List	   *databases = database_list();
	ListCell   *lc;

	reap_workers();
	foreach(lc, databases)
	{
		Oid			database = lfirst_oid(lc);
		BackgroundWorker worker;
		BackgroundWorkerHandle *handle;
		bool		busy = false;
		int			i;

		if (nrunning >= mm_max_monitor_workers)
			break;
		for (i = 0; i < nrunning; i++)
			busy |= running[i].database == database;
		if (busy)
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
		running[nrunning].database = database;
		running[nrunning].handle = handle;
		nrunning++;
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

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	pgstat_report_appname("modelmgr monitor launcher");
	running = MemoryContextAllocZero(TopMemoryContext, sizeof(DatabaseWorker) * 64);

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
					launch_workers();
				else
					reap_workers();
				last_look = now;
				next_look = now + (TimestampTz) mm_monitor_naptime * USECS_PER_SEC;
			}
			else
				reap_workers();
			wait_ms = (long) ((next_look - now) / 1000);
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 Max(wait_ms, 1), PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
		}
	}
}

/* ---------------------------------------------------------------- worker */

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
	if (SPI_execute("SELECT pg_catalog.to_regclass('mm._monitors') IS NOT NULL", true, 1) != SPI_OK_SELECT ||
		!DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
		return 0;
	*has_monitors = true;
	{
		StringInfoData q;
		ListCell   *lc;

		initStringInfo(&q);
		appendStringInfoString(&q, "SELECT id FROM mm._monitors WHERE next_run <= pg_catalog.now()");
		foreach(lc, tried)
			appendStringInfo(&q, " AND id <> %d", lfirst_int(lc));
		appendStringInfoString(&q, " ORDER BY next_run, id LIMIT 1");
		if (SPI_execute(q.data, true, 1) != SPI_OK_SELECT)
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
	pgstat_report_appname("modelmgr monitor worker");
	pass_cxt = AllocSetContextCreate(TopMemoryContext, "modelmgr monitor run", ALLOCSET_DEFAULT_SIZES);

	for (;;)
	{
		int32		id;
		bool		has_monitors;
		MemoryContext old;

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
		if (id != 0)
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
