/*
 * monitor.c: monitors (mm_monitor, mm_unmonitor) and mm_monitor_run, which
 * runs one now the way the background workers do (monitorrun.c).
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

#include "audit.h"
#include "catalog.h"
#include "check.h"
#include "columns.h"
#include "monitorrun.h"
#include "privileges.h"
#include "security.h"
#include "util.h"
#include "worker.h"

PG_FUNCTION_INFO_V1(mm_monitor);
PG_FUNCTION_INFO_V1(mm_unmonitor);
PG_FUNCTION_INFO_V1(mm_monitor_run);

/* Seconds in an interval, months as 30 days. */
static double
interval_seconds(const Interval *i)
{
	return i->time / 1e6 + i->day * 86400.0 + i->month * 30.0 * 86400.0;
}

/* Body of mm_monitor. */
static Datum
monitor_body(FunctionCallInfo fcinfo, MmAuditCall *call)
{
	MmCheckSpec spec;
	char	   *reference = MmArgCString(fcinfo, 0, "model");
	char	   *relation = MmArgCString(fcinfo, 1, "relation");
	Interval   *every;
	Interval   *window = PG_ARGISNULL(4) ? NULL : PG_GETARG_INTERVAL_P(4);
	char	   *action;
	Interval   *cooldown;
	MmRef		ref;
	MmVersionRef v;
	char	   *qualified,
			   *display;
	Oid			types[11] = {TEXTOID, TEXTOID, TEXTOID, INTERVALOID, TEXTOID, INTERVALOID, TEXTOID,
	TEXTOID, TEXTOID, INTERVALOID, OIDOID};
	Datum		values[11];
	char		nulls[12] = "           ";
	bool		isnull;
	int32		id;

	MmParseRef(reference, &ref);
	MmAuditSetModel(call, ref.name);
	MmAuditArgText(call, "model", reference);
	MmAuditArgText(call, "relation", relation);
	MmRequireArg(fcinfo, 2, "every");
	every = PG_GETARG_INTERVAL_P(2);
	MmRequireArg(fcinfo, 6, "thresholds");
	action = MmArgCString(fcinfo, 7, "action");
	MmRequireArg(fcinfo, 8, "cooldown");
	cooldown = PG_GETARG_INTERVAL_P(8);
	MmAuditArgText(call, "action", action);

	if (!MmMonitorsCanRun())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("monitors need modelmgr in shared_preload_libraries"),
				 errdetail("Monitors are run by background workers, which start only from a preloaded library."),
				 errhint("Add modelmgr to shared_preload_libraries in postgresql.conf and restart the server; "
						 "mm_monitor_run() checks a monitor by hand meanwhile.")));
	if (interval_seconds(every) < 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("every must be at least 1 second")));
	if (interval_seconds(cooldown) < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cooldown must not be negative")));
	memset(&spec, 0, sizeof(spec));
	spec.reference = reference;
	spec.relation = relation;
	spec.time_column = MmArgCStringOrNull(fcinfo, 3);
	spec.time_window = window ? IntervalPGetDatum(window) : (Datum) 0;
	spec.label_column = MmArgCStringOrNull(fcinfo, 5);
	spec.thresholds = PG_GETARG_JSONB_P(6);
	if ((spec.time_column == NULL) != (window == NULL))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time_column and time_window go together"),
				 errhint("Give both to check the rows of the last time_window, or neither to check every row.")));
	if (window != NULL && interval_seconds(window) <= 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time_window must be positive")));
	if (strcmp(action, "alert") != 0 && strcmp(action, "rollback") != 0 && strcmp(action, "retrain") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("action \"%s\" is not valid", action),
				 errhint("Valid actions: alert, rollback, retrain.")));
	if (strcmp(action, "rollback") == 0 && (ref.version > 0 || strcmp(ref.stage, "production") != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("action rollback needs a monitor of the production stage, and \"%s\" names another",
						reference),
				 errhint("Monitor '%s' itself.", ref.name)));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* an alert needs use; a rollback deploys, a retrain trains and deploys */
	MmResolveRef(reference, true,
				 strcmp(action, "rollback") == 0 ? MM_PRIV_USE | MM_PRIV_DEPLOY :
				 strcmp(action, "retrain") == 0 ? MM_PRIV_ALL : MM_PRIV_USE, &v);
	call->version = v.version;
	MmCheckValidate(&spec);
	(void) MmResolveRelation(relation, &qualified, &display);

	values[0] = CStringGetTextDatum(reference);
	values[1] = CStringGetTextDatum(v.model);
	values[2] = CStringGetTextDatum(qualified);
	values[3] = IntervalPGetDatum(every);
	values[4] = spec.time_column ? CStringGetTextDatum(spec.time_column) : (Datum) 0;
	values[5] = spec.time_window;
	values[6] = spec.label_column ? CStringGetTextDatum(spec.label_column) : (Datum) 0;
	values[7] = CStringGetTextDatum(MmJsonbText(spec.thresholds));
	values[8] = CStringGetTextDatum(action);
	values[9] = IntervalPGetDatum(cooldown);
	values[10] = ObjectIdGetDatum(GetUserId());
	if (spec.time_column == NULL)
		nulls[4] = nulls[5] = 'n';
	if (spec.label_column == NULL)
		nulls[6] = 'n';
	MmCatalogExec("INSERT INTO mm._monitors (reference, model, relation, every, time_column, time_window, "
				  "label_column, thresholds, action, cooldown, owner, next_run) "
				  "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::pg_catalog.jsonb, $9, $10, $11::pg_catalog.regrole, "
				  "pg_catalog.now()) RETURNING id",
				  11, types, values, nulls, SPI_OK_INSERT_RETURNING);
	id = DatumGetInt32(MmCatalogGet(0, 1, &isnull));
	MmAuditArgNumber(call, "monitor", id);
	/* the workers look at this database at their next look, once this commits */
	MmMonitorCreated();
	SPI_finish();
	PG_RETURN_INT32(id);
}

Datum
mm_monitor(PG_FUNCTION_ARGS)
{
	return MmRunAudited(fcinfo, "mm_monitor", monitor_body);
}

/* Locks a monitor's row and checks that the current user may manage it; returns its owner. */
static Oid
lock_monitor(int32 id, const char *verb)
{
	Oid			types[1] = {INT4OID};
	Datum		values[1] = {Int32GetDatum(id)};
	bool		isnull;
	Oid			owner;

	if (MmCatalogExec("SELECT owner::pg_catalog.oid FROM mm._monitors WHERE id OPERATOR(pg_catalog.=) $1 FOR UPDATE",
					  1, types, values, NULL, SPI_OK_SELECT) == 0)
		MmMonitorMissing(id);
	owner = DatumGetObjectId(MmCatalogGet(0, 1, &isnull));
	MmRequireMonitorOwner(id, owner, verb);
	return owner;
}

/* Body of mm_unmonitor. */
static Datum
unmonitor_body(FunctionCallInfo fcinfo, MmAuditCall *call)
{
	int32		id;
	Oid			types[1] = {INT4OID};
	Datum		values[1];
	bool		isnull;

	MmRequireArg(fcinfo, 0, "monitor");
	id = PG_GETARG_INT32(0);
	MmAuditArgNumber(call, "monitor", id);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	(void) lock_monitor(id, "remove");
	values[0] = Int32GetDatum(id);
	MmCatalogExec("DELETE FROM mm._monitors WHERE id OPERATOR(pg_catalog.=) $1 RETURNING model", 1, types, values, NULL,
				  SPI_OK_DELETE_RETURNING);
	MmAuditSetModel(call, TextDatumGetCString(MmCatalogGet(0, 1, &isnull)));
	SPI_finish();
	PG_RETURN_VOID();
}

Datum
mm_unmonitor(PG_FUNCTION_ARGS)
{
	return MmRunAudited(fcinfo, "mm_unmonitor", unmonitor_body);
}

/* Body of mm_monitor_run. */
static Datum
monitor_run_body(FunctionCallInfo fcinfo, MmAuditCall *call)
{
	int32		id;
	Jsonb	   *result,
			   *copy;
	MemoryContext outer = CurrentMemoryContext;

	MmRequireArg(fcinfo, 0, "monitor");
	id = PG_GETARG_INT32(0);
	MmAuditArgNumber(call, "monitor", id);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	result = MmMonitorExecute(id, "mm_monitor_run", false, true);
	copy = MemoryContextAlloc(outer, VARSIZE(result));
	memcpy(copy, result, VARSIZE(result));
	SPI_finish();
	PG_RETURN_JSONB_P(copy);
}

Datum
mm_monitor_run(PG_FUNCTION_ARGS)
{
	return MmRunAudited(fcinfo, "mm_monitor_run", monitor_run_body);
}
