/*
 * monitorrun.c: one run of a monitor, which the background workers and
 * mm_monitor_run share.
 *
 * A run is one check (check.c) in a subtransaction as the monitor's owner:
 * a check that fails (relation dropped, permission revoked, column renamed)
 * leaves a run row with the error, and the caller goes on.  Crossings become
 * rows of mm._alerts and one NOTIFY mm_alerts, delivered when the run's
 * transaction commits.  The monitor's action (rollback or retrain) follows
 * an alert unless the monitor acted less than its cooldown ago, so that an
 * action cannot repeat in a loop.  The action is a call of mm_rollback or
 * mm_retrain through SQL, as the owner would make it, so that it is checked
 * and audited like any other call and this file needs none of the SQL
 * functions' code.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/async.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/timestamp.h"

#include "catalog.h"
#include "check.h"
#include "monitorrun.h"
#include "security.h"
#include "util.h"

/* NOTIFY payloads must stay under 8000 bytes; alerts past this many bytes are counted, not listed. */
#define NOTIFY_BUDGET 7000

/* Errors: no monitor has this id. */
void
MmMonitorMissing(int32 id)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("monitor %d does not exist", id),
			 errhint("List the monitors with: SELECT * FROM mm.monitors;")));
}

/* Errors unless the current user has the privileges of the monitor's owner. */
void
MmRequireMonitorOwner(int32 id, Oid owner, const char *verb)
{
	if (!has_privs_of_role(GetUserId(), owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of monitor %d to %s it", id, verb),
				 errdetail("Monitor %d belongs to role \"%s\".", id, MmRoleName(owner))));
}

/* A monitor as its row holds it. */
typedef struct Monitor
{
	int32		id;
	MmCheckSpec spec;
	char	   *model;
	char	   *action;
	Oid			owner;
	Interval   *every;
	Interval   *cooldown;
	TimestampTz last_action_at; /* 0: never */
} Monitor;

/* Reads and locks a monitor's row; false when skip_locked and another session holds it. */
static bool
read_monitor(int32 id, bool skip_locked, Monitor *m)
{
	Oid			types[1] = {INT4OID};
	Datum		values[1] = {Int32GetDatum(id)};
	bool		isnull;
	Datum		d;

	if (MmCatalogExec(skip_locked ?
					  "SELECT reference, model, relation, time_column, time_window, label_column, thresholds, "
					  "action, owner::pg_catalog.oid, every, cooldown, last_action_at "
					  "FROM mm._monitors WHERE id OPERATOR(pg_catalog.=) $1 FOR UPDATE SKIP LOCKED" :
					  "SELECT reference, model, relation, time_column, time_window, label_column, thresholds, "
					  "action, owner::pg_catalog.oid, every, cooldown, last_action_at "
					  "FROM mm._monitors WHERE id OPERATOR(pg_catalog.=) $1 FOR UPDATE",
					  1, types, values, NULL, SPI_OK_SELECT) == 0)
		return false;
	memset(m, 0, sizeof(*m));
	m->id = id;
	m->spec.reference = TextDatumGetCString(MmCatalogGet(0, 1, &isnull));
	m->model = TextDatumGetCString(MmCatalogGet(0, 2, &isnull));
	m->spec.relation = TextDatumGetCString(MmCatalogGet(0, 3, &isnull));
	d = MmCatalogGet(0, 4, &isnull);
	m->spec.time_column = isnull ? NULL : TextDatumGetCString(d);
	d = MmCatalogGet(0, 5, &isnull);
	m->spec.time_window = isnull ? (Datum) 0 : PointerGetDatum(DatumGetIntervalP(datumCopy(d, false, 16)));
	d = MmCatalogGet(0, 6, &isnull);
	m->spec.label_column = isnull ? NULL : TextDatumGetCString(d);
	m->spec.thresholds = DatumGetJsonbPCopy(MmCatalogGet(0, 7, &isnull));
	m->action = TextDatumGetCString(MmCatalogGet(0, 8, &isnull));
	m->owner = DatumGetObjectId(MmCatalogGet(0, 9, &isnull));
	m->every = DatumGetIntervalP(datumCopy(MmCatalogGet(0, 10, &isnull), false, 16));
	m->cooldown = DatumGetIntervalP(datumCopy(MmCatalogGet(0, 11, &isnull), false, 16));
	d = MmCatalogGet(0, 12, &isnull);
	m->last_action_at = isnull ? 0 : DatumGetTimestampTz(d);
	return true;
}

/* What a run did, for its row and its result. */
typedef struct Run
{
	MmCheckResult check;
	bool		failed;
	char	   *sqlstate;
	char	   *error;
	char	   *action;			/* JSON, or NULL when no action was due */
} Run;

/* What runs as the monitor's owner. */
typedef struct OwnerCall
{
	Oid			owner;
	void		(*fn) (void *);
	void	   *arg;
} OwnerCall;

/*
 * Code of the monitor's owner (the monitored relation, views and functions
 * in it, the action's training) runs as that role, restricted, with the
 * safe search_path, and leaves no setting behind (security.c).
 */
static void
run_as_owner(void *arg)
{
	OwnerCall  *call = arg;
	MmScope		scope;

	MmScopeBegin(&scope, call->owner, true);
	call->fn(call->arg);
	MmScopeEnd(&scope);
}

/*
 * Runs fn(arg) in a subtransaction as role owner; on an error, fills
 * *sqlstate and *message and returns false.  The caller's memory context,
 * resource owner and user come back either way.
 */
static bool
as_owner(Oid owner, void (*fn) (void *), void *arg, char **sqlstate, char **message)
{
	OwnerCall	call = {owner, fn, arg};
	ErrorData  *edata;

	if (MmTrySubtransaction(run_as_owner, &call, &edata))
		return true;
	*sqlstate = pstrdup(unpack_sql_state(edata->sqlerrcode));
	*message = pstrdup(edata->message);
	FreeErrorData(edata);
	return false;
}

typedef struct CheckCall
{
	Monitor    *monitor;
	MmCheckResult *result;
} CheckCall;

static void
run_check(void *arg)
{
	CheckCall  *c = arg;
	MemoryContext outer = CurrentMemoryContext;
	MmCheckResult r;
	int			i;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MmCheckRun(&c->monitor->spec, &r);

	/* the result outlives SPI's memory */
	MemoryContextSwitchTo(outer);
	*c->result = r;
	c->result->model = pstrdup(r.model);
	c->result->json = pstrdup(r.json);
	c->result->alerts = palloc(sizeof(MmCheckAlert) * Max(r.nalerts, 1));
	for (i = 0; i < r.nalerts; i++)
	{
		c->result->alerts[i] = r.alerts[i];
		if (r.alerts[i].feature)
			c->result->alerts[i].feature = pstrdup(r.alerts[i].feature);
	}
	SPI_finish();
}

typedef struct ActionCall
{
	Monitor    *monitor;
	int32		version;		/* the version live after the action */
} ActionCall;

static void
run_action(void *arg)
{
	ActionCall *a = arg;
	Monitor    *m = a->monitor;
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	bool		isnull;
	const char *schema;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	schema = MmExtensionSchema();
	values[0] = CStringGetTextDatum(strcmp(m->action, "rollback") == 0 ? m->model : m->spec.reference);
	values[1] = CStringGetTextDatum(m->spec.relation);
	if (strcmp(m->action, "rollback") == 0)
	{
		if (MmSpiRun(psprintf("SELECT %s.mm_rollback($1)", schema), 1, types, values, NULL,
					 false, 1) != SPI_OK_SELECT)
			elog(ERROR, "rollback failed");
	}
	else if (MmSpiRun(psprintf("SELECT version FROM %s.mm_retrain($1, $2)", schema),
					  2, types, values, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "retrain failed");
	a->version = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
}

/* Takes the monitor's action after an alert, unless it is cooling down; fills run->action. */
static void
take_action(Monitor *m, Run *run, TimestampTz now)
{
	StringInfoData json;
	ActionCall	a;
	char	   *sqlstate,
			   *message;
	TimestampTz until;

	if (strcmp(m->action, "alert") == 0 || run->failed || strcmp(run->check.verdict, "alert") != 0)
		return;
	initStringInfo(&json);
	appendStringInfo(&json, "{\"action\": \"%s\", ", m->action);
	until = m->last_action_at == 0 ? 0 :
		DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
												TimestampTzGetDatum(m->last_action_at),
												IntervalPGetDatum(m->cooldown)));
	if (m->last_action_at != 0 && now < until)
	{
		appendStringInfoString(&json, "\"outcome\": \"skipped\", \"reason\": ");
		MmJsonString(&json, psprintf("cooling down until %s", timestamptz_to_str(until)));
		appendStringInfoChar(&json, '}');
		run->action = json.data;
		return;
	}
	a.monitor = m;
	a.version = 0;
	if (as_owner(m->owner, run_action, &a, &sqlstate, &message))
		appendStringInfo(&json, "\"outcome\": \"done\", \"from_version\": %d, \"version\": %d}",
						 run->check.version, a.version);
	else
	{
		appendStringInfoString(&json, "\"outcome\": \"failed\", \"error\": ");
		MmJsonString(&json, message);
		appendStringInfoChar(&json, '}');
	}
	run->action = json.data;
	{
		Oid			types[2] = {INT4OID, TIMESTAMPTZOID};
		Datum		values[2] = {Int32GetDatum(m->id), TimestampTzGetDatum(now)};

		MmCatalogExec("UPDATE mm._monitors SET last_action_at = $2 WHERE id OPERATOR(pg_catalog.=) $1", 2, types, values, NULL,
					  SPI_OK_UPDATE);
	}
}

/* Appends the alerts as a JSON array, at most budget bytes of them; returns how many were left out. */
static int
append_alerts(StringInfo buf, const MmCheckResult *r, int budget)
{
	int			i,
				start = buf->len;

	appendStringInfoChar(buf, '[');
	for (i = 0; i < r->nalerts; i++)
	{
		const MmCheckAlert *a = &r->alerts[i];
		int			before = buf->len;

		if (i)
			appendStringInfoString(buf, ", ");
		appendStringInfo(buf, "{\"scope\": \"%s\", \"feature\": ", a->scope);
		if (a->feature)
			MmJsonString(buf, a->feature);
		else
			appendStringInfoString(buf, "null");
		appendStringInfo(buf, ", \"metric\": \"%s\", \"value\": ", a->metric);
		MmJsonNumber(buf, a->value);
		appendStringInfoString(buf, ", \"threshold\": ");
		MmJsonNumber(buf, a->threshold);
		appendStringInfoChar(buf, '}');
		if (budget > 0 && buf->len - start > budget)
		{
			buf->len = before;
			buf->data[before] = '\0';
			break;
		}
	}
	appendStringInfoChar(buf, ']');
	return r->nalerts - i;
}

/* Writes a run's row, its alerts and the notification; returns the run's id. */
static int64
record_run(Monitor *m, Run *run, const char *via, TimestampTz started, const char *result)
{
	Oid			types[12] = {INT4OID, TIMESTAMPTZOID, TEXTOID, TEXTOID, INT4OID, TEXTOID, INT8OID,
	TEXTOID, TEXTOID, TEXTOID, TEXTOID, INTERVALOID};
	Datum		values[12];
	char		nulls[13] = "            ";
	bool		isnull;
	int64		run_id;
	int			i;
	TimestampTz now = GetCurrentTimestamp();

	values[0] = Int32GetDatum(m->id);
	values[1] = TimestampTzGetDatum(started);
	values[2] = CStringGetTextDatum(via);
	values[3] = CStringGetTextDatum(run->failed ? m->model : run->check.model);
	values[4] = Int32GetDatum(run->check.version);
	if (run->failed && run->check.version == 0)
		nulls[4] = 'n';
	values[5] = CStringGetTextDatum(run->failed ? "failed" : run->check.verdict);
	values[6] = Int64GetDatum(run->check.rows);
	if (run->failed)
		nulls[6] = 'n';
	values[7] = result ? CStringGetTextDatum(result) : (Datum) 0;
	if (result == NULL)
		nulls[7] = 'n';
	values[8] = run->action ? CStringGetTextDatum(run->action) : (Datum) 0;
	if (run->action == NULL)
		nulls[8] = 'n';
	values[9] = run->failed ? CStringGetTextDatum(run->sqlstate) : (Datum) 0;
	values[10] = run->failed ? CStringGetTextDatum(run->error) : (Datum) 0;
	if (!run->failed)
		nulls[9] = nulls[10] = 'n';
	values[11] = DirectFunctionCall2(timestamp_mi, TimestampTzGetDatum(now), TimestampTzGetDatum(started));
	MmCatalogExec("INSERT INTO mm._monitor_runs (monitor, started_at, via, model, version, verdict, rows, "
				  "result, action, sqlstate, error, duration) "
				  "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::pg_catalog.jsonb, $9::pg_catalog.jsonb, $10, $11, $12) "
				  "RETURNING id",
				  12, types, values, nulls, SPI_OK_INSERT_RETURNING);
	run_id = DatumGetInt64(MmCatalogGet(0, 1, &isnull));

	for (i = 0; i < run->check.nalerts && !run->failed; i++)
	{
		const MmCheckAlert *a = &run->check.alerts[i];
		Oid			atypes[10] = {INT8OID, INT4OID, TIMESTAMPTZOID, TEXTOID, INT4OID, TEXTOID, TEXTOID,
		TEXTOID, FLOAT8OID, FLOAT8OID};
		Datum		avalues[10];
		char		anulls[11] = "          ";

		avalues[0] = Int64GetDatum(run_id);
		avalues[1] = Int32GetDatum(m->id);
		avalues[2] = TimestampTzGetDatum(started);
		avalues[3] = CStringGetTextDatum(run->check.model);
		avalues[4] = Int32GetDatum(run->check.version);
		avalues[5] = CStringGetTextDatum(a->scope);
		avalues[6] = a->feature ? CStringGetTextDatum(a->feature) : (Datum) 0;
		if (a->feature == NULL)
			anulls[6] = 'n';
		avalues[7] = CStringGetTextDatum(a->metric);
		avalues[8] = Float8GetDatum(a->value);
		avalues[9] = Float8GetDatum(a->threshold);
		MmCatalogExec("INSERT INTO mm._alerts (run, monitor, raised_at, model, version, scope, feature, "
					  "metric, value, threshold) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
					  10, atypes, avalues, anulls, SPI_OK_INSERT);
	}
	if (!run->failed && run->check.nalerts > 0)
	{
		StringInfoData payload;
		int			left;

		initStringInfo(&payload);
		appendStringInfo(&payload, "{\"monitor\": %d, \"run\": " INT64_FORMAT ", \"model\": ", m->id, run_id);
		MmJsonString(&payload, run->check.model);
		appendStringInfo(&payload, ", \"version\": %d, \"alerts\": ", run->check.version);
		left = append_alerts(&payload, &run->check, NOTIFY_BUDGET);
		appendStringInfo(&payload, ", \"more\": %d}", left);
		Async_Notify("mm_alerts", payload.data);
	}
	{
		Oid			utypes[3] = {INT4OID, TIMESTAMPTZOID, INTERVALOID};
		Datum		uvalues[3] = {Int32GetDatum(m->id), TimestampTzGetDatum(started),
		IntervalPGetDatum(m->every)};

		MmCatalogExec("UPDATE mm._monitors SET last_run = $2, next_run = $2 OPERATOR(pg_catalog.+) $3 "
					  "WHERE id OPERATOR(pg_catalog.=) $1",
					  3, utypes, uvalues, NULL, SPI_OK_UPDATE);
	}
	return run_id;
}

/*
 * Runs monitor id once and records the run; returns the result (NULL when
 * skip_locked and another session is running it).  SPI is connected.
 */
Jsonb *
MmMonitorExecute(int32 id, const char *via, bool skip_locked, bool check_owner)
{
	Monitor		m;
	Run			run;
	CheckCall	c;
	TimestampTz started = GetCurrentTimestamp();
	StringInfoData json;
	char	   *result = NULL;
	int64		run_id;

	if (!read_monitor(id, skip_locked, &m))
	{
		if (skip_locked)
			return NULL;
		MmMonitorMissing(id);
	}
	if (check_owner)
		MmRequireMonitorOwner(id, m.owner, "run");

	memset(&run, 0, sizeof(run));
	c.monitor = &m;
	c.result = &run.check;
	run.failed = !as_owner(m.owner, run_check, &c, &run.sqlstate, &run.error);
	if (!run.failed)
		result = run.check.json;
	take_action(&m, &run, started);

	/* the run's row holds the check's result; the caller gets it with the run's facts around it */
	run_id = record_run(&m, &run, via, started, result);
	initStringInfo(&json);
	appendStringInfo(&json, "{\"monitor\": %d, \"run\": " INT64_FORMAT ", \"verdict\": \"%s\", \"model\": ",
					 id, run_id, run.failed ? "failed" : run.check.verdict);
	MmJsonString(&json, run.failed ? m.model : run.check.model);
	if (run.failed)
	{
		appendStringInfo(&json, ", \"sqlstate\": \"%s\", \"error\": ", run.sqlstate);
		MmJsonString(&json, run.error);
		appendStringInfoChar(&json, '}');
	}
	else
	{
		appendStringInfo(&json, ", \"version\": %d, \"alerts\": ", run.check.version);
		(void) append_alerts(&json, &run.check, 0);
		appendStringInfo(&json, ", \"action\": %s, ", run.action ? run.action : "null");
		/* the check's own fields, after its opening brace */
		appendStringInfoString(&json, result + 1);
	}
	return MmJsonbFromString(json.data);
}
