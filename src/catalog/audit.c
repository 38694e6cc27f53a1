/*
 * audit.c: the audit log of management calls.
 *
 * Every management call, successful or not, leaves a row in mm._audit_log.
 * A successful call writes its row in the caller's transaction, so a call
 * inside a transaction that rolls back leaves no trace, like everything else
 * it did.  A failed call is harder: its error aborts the caller's
 * transaction, and PostgreSQL has no autonomous transactions.  So the call's
 * body runs in a subtransaction; when it fails, the subtransaction is rolled
 * back (releasing its locks and memory), and a short-lived background worker,
 * connected to the same database as the catalog's owner, commits the failure
 * row on its own before the error is raised again.  The caller waits for the
 * worker (a few milliseconds) so that the row is there when the error
 * reaches the client.  It connects as the catalog's owner, or as the
 * bootstrap superuser when the owner may not log in.  Whenever the row could
 * not be written (no worker slot, no role to connect as, the worker failed)
 * the client gets a WARNING and the server log has the failure; on a
 * standby nothing can be written.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "audit.h"
#include "catalog.h"
#include "security.h"
#include "util.h"

/* How long a failing call waits for its audit row to be written. */
#define AUDIT_WAIT_MS 10000

/* Number of text fields a failure record carries. */
#define AUDIT_FIELDS 6

/* A failed call as handed to the audit writer, in one shared memory segment. */
typedef struct AuditRecord
{
	Oid			database;
	Oid			writer;			/* role the writer connects as */
	volatile bool written;		/* set by the writer once its row committed */
	TimestampTz at;
	int32		version;
	Size		offset[AUDIT_FIELDS];	/* role, function, model, args, sqlstate, message */
	bool		present[AUDIT_FIELDS];
	char		data[FLEXIBLE_ARRAY_MEMBER];
} AuditRecord;

static const char *const audit_insert =
"INSERT INTO mm._audit_log (at, role, function, model, version, arguments, outcome, sqlstate, message) "
"VALUES ($1, $2, $3, $4, $5, $6::pg_catalog.jsonb, $7, $8, $9)";

/* Records the model a call is about. */
void
MmAuditSetModel(MmAuditCall *call, const char *model)
{
	call->model = MemoryContextStrdup(call->cxt, model);
}

/* Records an argument whose value is JSON text already (NULL is recorded as null). */
void
MmAuditArgJson(MmAuditCall *call, const char *key, const char *json)
{
	MemoryContext old = MemoryContextSwitchTo(call->cxt);

	appendStringInfoString(&call->args, call->args.len > 1 ? ", " : "");
	MmJsonString(&call->args, key);
	appendStringInfo(&call->args, ": %s", json ? json : "null");
	MemoryContextSwitchTo(old);
}

/* Records a text argument (NULL is recorded as null). */
void
MmAuditArgText(MmAuditCall *call, const char *key, const char *value)
{
	StringInfoData json;

	if (value == NULL)
	{
		MmAuditArgJson(call, key, NULL);
		return;
	}
	initStringInfo(&json);
	MmJsonString(&json, value);
	MmAuditArgJson(call, key, json.data);
}

/* Records a numeric argument. */
void
MmAuditArgNumber(MmAuditCall *call, const char *key, double value)
{
	StringInfoData json;

	initStringInfo(&json);
	MmJsonNumber(&json, value);
	MmAuditArgJson(call, key, json.data);
}

/* Writes a successful call's row in the current transaction. */
static void
audit_success(MmAuditCall *call)
{
	Oid			types[9] = {TIMESTAMPTZOID, TEXTOID, TEXTOID, TEXTOID, INT4OID,
	TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[9];
	char		nulls[9] = "         ";

	values[0] = TimestampTzGetDatum(GetCurrentTimestamp());
	values[1] = CStringGetTextDatum(MmRoleName(GetUserId()));
	values[2] = CStringGetTextDatum(call->function);
	if (call->model)
		values[3] = CStringGetTextDatum(call->model);
	else
		nulls[3] = 'n';
	values[4] = Int32GetDatum(call->version);
	if (call->version == 0)
		nulls[4] = 'n';
	values[5] = CStringGetTextDatum(call->args.data);
	values[6] = CStringGetTextDatum("ok");
	nulls[7] = nulls[8] = 'n';

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MmCatalogExec(audit_insert, 9, types, values, nulls, SPI_OK_INSERT);
	SPI_finish();
}

/*
 * Records, in the current transaction, a change made by something other
 * than a call of the extension's functions (REASSIGN OWNED, DROP OWNED):
 * args is a JSON object.
 */
void
MmAuditRecord(const char *function, const char *model, const char *args)
{
	MmAuditCall call;

	memset(&call, 0, sizeof(call));
	call.function = function;
	call.cxt = CurrentMemoryContext;
	call.model = model ? pstrdup(model) : NULL;
	initStringInfo(&call.args);
	appendStringInfoString(&call.args, args);
	audit_success(&call);
}

/* Lays a failure out in a shared memory segment for the writer. */
static dsm_segment *
failure_segment(MmAuditCall *call, ErrorData *edata, Oid writer)
{
	const char *fields[AUDIT_FIELDS];
	Size		size = offsetof(AuditRecord, data);
	dsm_segment *seg;
	AuditRecord *rec;
	Size		pos = 0;
	int			i;

	fields[0] = MmRoleName(GetUserId());
	fields[1] = call->function;
	fields[2] = call->model;
	fields[3] = call->args.data;
	fields[4] = unpack_sql_state(edata->sqlerrcode);
	fields[5] = edata->message ? edata->message : "";
	for (i = 0; i < AUDIT_FIELDS; i++)
		if (fields[i])
			size += strlen(fields[i]) + 1;

	seg = dsm_create(size, 0);
	rec = dsm_segment_address(seg);
	rec->database = MyDatabaseId;
	rec->writer = writer;
	rec->written = false;
	rec->at = GetCurrentTimestamp();
	rec->version = call->version;
	for (i = 0; i < AUDIT_FIELDS; i++)
	{
		rec->present[i] = fields[i] != NULL;
		rec->offset[i] = pos;
		if (fields[i])
		{
			Size		len = strlen(fields[i]) + 1;

			memcpy(rec->data + pos, fields[i], len);
			pos += len;
		}
	}
	return seg;
}

/*
 * Has a background worker commit the failure row, and waits for it.  Runs
 * after the call's subtransaction was rolled back, in the still-valid outer
 * transaction; it must not raise an error of its own.
 */
static void
audit_failure(MmAuditCall *call, ErrorData *edata, Oid writer)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;
	dsm_segment *seg;
	TimestampTz deadline;

	if (RecoveryInProgress() || !OidIsValid(MmCatalogOwner(true)))
		return;
	if (!OidIsValid(writer))
	{
		ereport(WARNING,
				(errmsg("could not record the failed call of %s in the audit log", call->function),
				 errdetail("Neither the catalog's owner nor the bootstrap superuser may log in; "
						   "the failure was: %s", edata->message ? edata->message : "")));
		return;
	}

	seg = failure_segment(call, edata, writer);
	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "modelmgr");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "mm_audit_writer_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "modelmgr audit writer");
	snprintf(worker.bgw_type, BGW_MAXLEN, "modelmgr audit writer");
	worker.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
	worker.bgw_notify_pid = MyProcPid;

	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
	{
		ereport(WARNING,
				(errmsg("could not record the failed call of %s in the audit log", call->function),
				 errdetail("No background worker slot was free; the failure was: %s",
						   edata->message ? edata->message : ""),
				 errhint("Raise max_worker_processes.")));
		dsm_detach(seg);
		return;
	}

	deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), AUDIT_WAIT_MS);
	for (;;)
	{
		pid_t		pid;

		if (GetBackgroundWorkerPid(handle, &pid) == BGWH_STOPPED)
			break;
		if (GetCurrentTimestamp() >= deadline)
		{
			ereport(WARNING,
					(errmsg("the audit log entry for the failed call of %s is late",
							call->function)));
			break;
		}
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 10, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
	pg_memory_barrier();
	if (GetCurrentTimestamp() < deadline &&
		!((AuditRecord *) dsm_segment_address(seg))->written)
		ereport(WARNING,
				(errmsg("could not record the failed call of %s in the audit log", call->function),
				 errdetail("The audit writer stopped without writing; the server log says why. "
						   "The failure was: %s", edata->message ? edata->message : "")));
	dsm_detach(seg);
}

/*
 * The role the audit writer connects as: the catalog's owner, or the
 * bootstrap superuser when the owner may not log in (a background worker
 * cannot connect as such a role); InvalidOid when neither may.
 */
static Oid
audit_writer_role(void)
{
	Oid			candidates[2];
	int			i;

	candidates[0] = MmCatalogOwner(true);
	candidates[1] = BOOTSTRAP_SUPERUSERID;
	for (i = 0; i < 2; i++)
	{
		HeapTuple	tuple;
		bool		can_login = false;

		if (!OidIsValid(candidates[i]))
			continue;
		tuple = SearchSysCache1(AUTHOID, ObjectIdGetDatum(candidates[i]));
		if (HeapTupleIsValid(tuple))
		{
			can_login = ((Form_pg_authid) GETSTRUCT(tuple))->rolcanlogin;
			ReleaseSysCache(tuple);
		}
		if (can_login)
			return candidates[i];
	}
	return InvalidOid;
}

/*
 * Runs a management call's body in a subtransaction and audits it: on
 * success its row joins the caller's transaction; on failure a worker
 * commits the row and the error is raised again unchanged.
 */
Datum
MmRunAudited(FunctionCallInfo fcinfo, const char *function, MmAuditedBody body)
{
	MemoryContext caller_cxt = CurrentMemoryContext;
	ResourceOwner caller_owner = CurrentResourceOwner;
	MmAuditCall call;
	Datum		result = (Datum) 0;
	Oid			writer;
	volatile bool args_closed = false;

	memset(&call, 0, sizeof(call));
	call.function = function;
	call.cxt = caller_cxt;
	initStringInfo(&call.args);
	appendStringInfoChar(&call.args, '{');

	/* looked up now: after a failure, the catalog must not be queried */
	writer = audit_writer_role();

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(caller_cxt);
	PG_TRY();
	{
		/* refused at once on a standby or in a read-only transaction, not after reading data */
		PreventCommandIfReadOnly(function);
		result = body(fcinfo, &call);
		appendStringInfoChar(&call.args, '}');
		args_closed = true;
		audit_success(&call);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(caller_cxt);
		CurrentResourceOwner = caller_owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(caller_cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(caller_cxt);
		CurrentResourceOwner = caller_owner;

		if (!args_closed)
			appendStringInfoChar(&call.args, '}');
		audit_failure(&call, edata, writer);
		ReThrowError(edata);
	}
	PG_END_TRY();
	return result;
}

/* A field of a failure record, or NULL. */
static const char *
record_field(AuditRecord *rec, int i)
{
	return rec->present[i] ? rec->data + rec->offset[i] : NULL;
}

/* Background worker: commits one failure row, then exits. */
void
mm_audit_writer_main(Datum arg)
{
	dsm_segment *seg;
	AuditRecord *rec;
	Oid			types[9] = {TIMESTAMPTZOID, TEXTOID, TEXTOID, TEXTOID, INT4OID,
	TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[9];
	char		nulls[9] = "         ";
	int			i;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	CurrentResourceOwner = ResourceOwnerCreate(NULL, "modelmgr audit writer");
	seg = dsm_attach(DatumGetUInt32(arg));
	if (seg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("could not record a failed call in the audit log"),
				 errdetail("The calling session stopped waiting before the record was read.")));
	rec = dsm_segment_address(seg);

	BackgroundWorkerInitializeConnectionByOid(rec->database, rec->writer, BGWORKER_BYPASS_ALLOWCONN);
	SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_SUSET, PGC_S_OVERRIDE);

	values[0] = TimestampTzGetDatum(rec->at);
	for (i = 0; i < 3; i++)
	{
		const char *f = record_field(rec, i);

		if (f)
			values[1 + i] = CStringGetTextDatum(f);
		else
			nulls[1 + i] = 'n';
	}
	values[4] = Int32GetDatum(rec->version);
	if (rec->version == 0)
		nulls[4] = 'n';
	values[5] = CStringGetTextDatum(record_field(rec, 3));
	values[6] = CStringGetTextDatum("error");
	values[7] = CStringGetTextDatum(record_field(rec, 4));
	values[8] = CStringGetTextDatum(record_field(rec, 5));

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, "recording a failed call in mm.audit_log");
	if (MmSpiRun(audit_insert, 9, types, values, nulls, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not insert into mm._audit_log");
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pg_memory_barrier();
	rec->written = true;
	pgstat_report_activity(STATE_IDLE, NULL);
	dsm_detach(seg);
	proc_exit(0);
}
