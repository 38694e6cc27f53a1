/*
 * registry.c: deploy, rollback, undeploy, archive, restore, purge, annotate
 * and drop.
 *
 * A stage is a stack of rows in mm._stages; its top (largest depth) is what
 * the stage serves.  Deploy pushes, rollback pops, undeploy empties; each of
 * those appends to mm._deployment_history, which nothing rewrites.  Every
 * function locks the model's row first, so changes to one model are
 * serialized, and checks that the caller owns the model.  All of it is
 * ordinary rows in the caller's transaction: a deploy that rolls back was
 * never visible to anyone.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "audit.h"
#include "catalog.h"
#include "dropmodel.h"
#include "privileges.h"
#include "stages.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mm_deploy);
PG_FUNCTION_INFO_V1(mm_rollback);
PG_FUNCTION_INFO_V1(mm_undeploy);
PG_FUNCTION_INFO_V1(mm_archive);
PG_FUNCTION_INFO_V1(mm_restore);
PG_FUNCTION_INFO_V1(mm_purge);
PG_FUNCTION_INFO_V1(mm_annotate);
PG_FUNCTION_INFO_V1(mm_drop_model);

/* A version of a locked model. */
typedef struct VersionInfo
{
	int64		id;
	int32		version;
	bool		archived;
} VersionInfo;

/* A version of a model; errors if there is none with that number. */
static VersionInfo
find_version(int64 model_id, const char *model, int32 version)
{
	Oid			types[2] = {INT8OID, INT4OID};
	Datum		values[2];
	bool		isnull;
	VersionInfo info;

	values[0] = Int64GetDatum(model_id);
	values[1] = Int32GetDatum(version);
	if (MmCatalogExec("SELECT id, status FROM mm._versions "
					  "WHERE model_id OPERATOR(pg_catalog.=) $1 AND version OPERATOR(pg_catalog.=) $2",
					  2, types, values, NULL, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model \"%s\" has no version %d", model, version),
				 errhint("List its versions with: SELECT version FROM mm.versions WHERE model = '%s';",
						 model)));
	info.id = DatumGetInt64(MmCatalogGet(0, 1, &isnull));
	info.version = version;
	info.archived = strcmp(TextDatumGetCString(MmCatalogGet(0, 2, &isnull)), "archived") == 0;
	return info;
}

/* The stages whose top is a version, quoted and comma separated; their count. */
static char *
serving_stages(int64 version_id, int64 *count)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(version_id)};
	bool		isnull;
	Datum		d;

	MmCatalogExec("SELECT pg_catalog.string_agg(pg_catalog.format('\"%s\"', s.stage), ', ' ORDER BY s.stage), "
				  "pg_catalog.count(*) FROM mm._stages s "
				  "WHERE s.version_id OPERATOR(pg_catalog.=) $1 AND s.depth OPERATOR(pg_catalog.=) "
				  "(SELECT pg_catalog.max(t.depth) FROM mm._stages t "
				  "WHERE t.model_id OPERATOR(pg_catalog.=) s.model_id AND t.stage OPERATOR(pg_catalog.=) s.stage)",
				  1, types, values, NULL, SPI_OK_SELECT);
	*count = DatumGetInt64(MmCatalogGet(0, 2, &isnull));
	d = MmCatalogGet(0, 1, &isnull);
	return isnull ? NULL : TextDatumGetCString(d);
}

/* What a registry function does once its model is locked; SPI is connected. */
typedef Datum (*RegistryAction) (FunctionCallInfo fcinfo, MmAuditCall *call, const char *model,
								 int64 model_id);

/*
 * Runs a registry function: reads the model argument, locks the model
 * with the privileges needed (MM_PRIV_*) checked, and runs the action.
 */
static Datum
registry_call(FunctionCallInfo fcinfo, MmAuditCall *call, int needed, RegistryAction action)
{
	char	   *model = MmArgCString(fcinfo, 0, "model");
	MmLockedModel m;
	Datum		result;

	MmAuditSetModel(call, model);
	MmCheckName(model, "model");
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	(void) MmLockModel(model, needed, &m, false);
	result = action(fcinfo, call, model, m.id);
	SPI_finish();
	return result;
}

/* A stage argument, checked. */
static char *
stage_arg(FunctionCallInfo fcinfo, int argno, MmAuditCall *call)
{
	char	   *stage = MmArgCString(fcinfo, argno, "stage");

	MmAuditArgText(call, "stage", stage);
	MmCheckName(stage, "stage");
	return stage;
}

/* What mm_deploy does to the locked model. */
static Datum
deploy_action(FunctionCallInfo fcinfo, MmAuditCall *call, const char *model, int64 model_id)
{
	char	   *stage;
	int64		top_id;
	VersionInfo v;
	int32		depth;

	if (!PG_ARGISNULL(1))
	{
		MmAuditArgNumber(call, "version", PG_GETARG_INT32(1));
		call->version = PG_GETARG_INT32(1);
	}
	else
		MmAuditArgJson(call, "version", NULL);
	stage = stage_arg(fcinfo, 2, call);

	if (PG_ARGISNULL(1))
	{
		Oid			types[1] = {INT8OID};
		Datum		values[1] = {Int64GetDatum(model_id)};
		bool		isnull;

		/* the best active version by the primary score, the newest on ties */
		if (MmCatalogExec("SELECT id, version FROM mm._versions "
						  "WHERE model_id OPERATOR(pg_catalog.=) $1 AND status OPERATOR(pg_catalog.=) 'active' "
						  "ORDER BY score DESC NULLS LAST, version DESC LIMIT 1",
						  1, types, values, NULL, SPI_OK_SELECT) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("model \"%s\" has no active version to deploy", model)));
		v.id = DatumGetInt64(MmCatalogGet(0, 1, &isnull));
		v.version = DatumGetInt32(MmCatalogGet(0, 2, &isnull));
		v.archived = false;
	}
	else
	{
		v = find_version(model_id, model, PG_GETARG_INT32(1));
		if (v.archived)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot deploy version %d of model \"%s\": it is archived",
							v.version, model),
					 errhint("Restore it first with: SELECT mm_restore('%s', %d);", model, v.version)));
	}
	call->version = v.version;

	if (MmStageTop(model_id, stage, &top_id, &depth) == v.version)
		ereport(NOTICE,
				(errmsg("version %d of model \"%s\" is already deployed to stage \"%s\"",
						v.version, model, stage)));
	else
		MmStagePush(model_id, model, stage, v.id, v.version, "mm_deploy");
	PG_RETURN_INT32(v.version);
}

/* mm_deploy: its action on the model, locked with the privileges it needs. */
static Datum
deploy_body(FunctionCallInfo fcinfo, MmAuditCall *call)
{
	return registry_call(fcinfo, call, MM_PRIV_DEPLOY, deploy_action);
}

/* What mm_rollback does to the locked model. */
static Datum
rollback_action(FunctionCallInfo fcinfo, MmAuditCall *call, const char *model, int64 model_id)
{
	char	   *stage = stage_arg(fcinfo, 1, call);
	int64		top_id;
	int32		depth;
	int32		top = MmStageTop(model_id, stage, &top_id, &depth);
	Oid			types[3] = {INT8OID, TEXTOID, INT4OID};
	Datum		values[3];
	bool		isnull;
	int32		below;

	if (top == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model \"%s\" has no version deployed to stage \"%s\"", model, stage)));
	values[0] = Int64GetDatum(model_id);
	values[1] = CStringGetTextDatum(stage);
	values[2] = Int32GetDatum(depth);
	if (MmCatalogExec("SELECT v.version, v.status FROM mm._stages s "
					  "JOIN mm._versions v ON v.id OPERATOR(pg_catalog.=) s.version_id "
					  "WHERE s.model_id OPERATOR(pg_catalog.=) $1 AND s.stage OPERATOR(pg_catalog.=) $2 "
					  "AND s.depth OPERATOR(pg_catalog.<) $3 "
					  "ORDER BY s.depth DESC LIMIT 1",
					  3, types, values, NULL, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot roll back stage \"%s\" of model \"%s\": version %d is its first deployment",
						stage, model, top),
				 errhint("Empty the stage with: SELECT mm_undeploy('%s', '%s');", model, stage)));
	below = DatumGetInt32(MmCatalogGet(0, 1, &isnull));
	if (strcmp(TextDatumGetCString(MmCatalogGet(0, 2, &isnull)), "archived") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot roll back stage \"%s\" of model \"%s\" to version %d: it is archived",
						stage, model, below),
				 errhint("Restore it first with: SELECT mm_restore('%s', %d);", model, below)));

	MmCatalogExec("DELETE FROM mm._stages WHERE model_id OPERATOR(pg_catalog.=) $1 "
				  "AND stage OPERATOR(pg_catalog.=) $2 AND depth OPERATOR(pg_catalog.=) $3",
				  3, types, values, NULL, SPI_OK_DELETE);
	MmStageHistory(model_id, model, stage, "rollback", below, top, "mm_rollback");
	call->version = below;
	PG_RETURN_INT32(below);
}

/* mm_rollback: its action on the model, locked with the privileges it needs. */
static Datum
rollback_body(FunctionCallInfo fcinfo, MmAuditCall *call)
{
	return registry_call(fcinfo, call, MM_PRIV_DEPLOY, rollback_action);
}

/* What mm_undeploy does to the locked model. */
static Datum
undeploy_action(FunctionCallInfo fcinfo, MmAuditCall *call, const char *model, int64 model_id)
{
	char	   *stage = stage_arg(fcinfo, 1, call);
	int64		top_id;
	int32		depth;
	int32		top = MmStageTop(model_id, stage, &top_id, &depth);
	Oid			types[2] = {INT8OID, TEXTOID};
	Datum		values[2];

	if (top == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model \"%s\" has no version deployed to stage \"%s\"", model, stage)));
	values[0] = Int64GetDatum(model_id);
	values[1] = CStringGetTextDatum(stage);
	MmCatalogExec("DELETE FROM mm._stages WHERE model_id OPERATOR(pg_catalog.=) $1 "
				  "AND stage OPERATOR(pg_catalog.=) $2",
				  2, types, values, NULL, SPI_OK_DELETE);
	MmStageHistory(model_id, model, stage, "undeploy", 0, top, "mm_undeploy");
	call->version = top;
	PG_RETURN_VOID();
}

/* mm_undeploy: its action on the model, locked with the privileges it needs. */
static Datum
undeploy_body(FunctionCallInfo fcinfo, MmAuditCall *call)
{
	return registry_call(fcinfo, call, MM_PRIV_DEPLOY, undeploy_action);
}

/* A version argument, required. */
static int32
version_arg(FunctionCallInfo fcinfo, int argno, MmAuditCall *call)
{
	MmRequireArg(fcinfo, argno, "version");
	MmAuditArgNumber(call, "version", PG_GETARG_INT32(argno));
	call->version = PG_GETARG_INT32(argno);
	return PG_GETARG_INT32(argno);
}

/* Sets a version's status. */
static void
set_status(int64 version_id, const char *status)
{
	Oid			types[2] = {INT8OID, TEXTOID};
	Datum		values[2];

	values[0] = Int64GetDatum(version_id);
	values[1] = CStringGetTextDatum(status);
	MmCatalogExec("UPDATE mm._versions SET status = $2 WHERE id OPERATOR(pg_catalog.=) $1",
				  2, types, values, NULL, SPI_OK_UPDATE);
}

/* What mm_archive does to the locked model. */
static Datum
archive_action(FunctionCallInfo fcinfo, MmAuditCall *call, const char *model, int64 model_id)
{
	int32		version = version_arg(fcinfo, 1, call);
	VersionInfo v = find_version(model_id, model, version);
	int64		nstages;
	char	   *stages = serving_stages(v.id, &nstages);

	if (stages != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg_plural("cannot archive version %d of model \"%s\": it is deployed to stage %s",
							   "cannot archive version %d of model \"%s\": it is deployed to stages %s",
							   nstages, version, model, stages),
				 errhint("Deploy another version there, or empty the stage with mm_undeploy, first.")));
	if (v.archived)
		ereport(NOTICE,
				(errmsg("version %d of model \"%s\" is already archived", version, model)));
	else
		set_status(v.id, "archived");
	PG_RETURN_VOID();
}

/* mm_archive: its action on the model, locked with the privileges it needs. */
static Datum
archive_body(FunctionCallInfo fcinfo, MmAuditCall *call)
{
	return registry_call(fcinfo, call, MM_PRIV_OWNER, archive_action);
}

/* What mm_restore does to the locked model. */
static Datum
restore_action(FunctionCallInfo fcinfo, MmAuditCall *call, const char *model, int64 model_id)
{
	int32		version = version_arg(fcinfo, 1, call);
	VersionInfo v = find_version(model_id, model, version);

	if (!v.archived)
		ereport(NOTICE,
				(errmsg("version %d of model \"%s\" is not archived", version, model)));
	else
		set_status(v.id, "active");
	PG_RETURN_VOID();
}

/* mm_restore: its action on the model, locked with the privileges it needs. */
static Datum
restore_body(FunctionCallInfo fcinfo, MmAuditCall *call)
{
	return registry_call(fcinfo, call, MM_PRIV_OWNER, restore_action);
}

/* What mm_purge does to the locked model. */
static Datum
purge_action(FunctionCallInfo fcinfo, MmAuditCall *call, const char *model, int64 model_id)
{
	int32		version = version_arg(fcinfo, 1, call);
	VersionInfo v = find_version(model_id, model, version);
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(v.id)};
	int			nstages,
				removed;

	if (!v.archived)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot purge version %d of model \"%s\": it is not archived", version, model),
				 errhint("Archive it first with: SELECT mm_archive('%s', %d);", model, version)));

	/*
	 * An archived version is never served, but may still wait lower in a
	 * stack.  It leaves every stack it is in; where that brings two entries
	 * of one version together, the upper goes too, so that no rollback goes
	 * from a version to itself.  Each stack changed is in the history.
	 */
	nstages = MmCatalogExec("SELECT DISTINCT stage FROM mm._stages "
							"WHERE version_id OPERATOR(pg_catalog.=) $1 ORDER BY stage",
							1, types, values, NULL, SPI_OK_SELECT);
	if (nstages > 0)
	{
		SPITupleTable *stages = SPI_tuptable;
		int			i;

		removed = MmCatalogExec("DELETE FROM mm._stages WHERE version_id OPERATOR(pg_catalog.=) $1",
								1, types, values, NULL, SPI_OK_DELETE);
		for (i = 0; i < nstages; i++)
		{
			bool		isnull;
			char	   *stage = TextDatumGetCString(SPI_getbinval(stages->vals[i], stages->tupdesc, 1, &isnull));
			Oid			stypes[2] = {INT8OID, TEXTOID};
			Datum		svalues[2];
			int64		top_id;

			svalues[0] = Int64GetDatum(model_id);
			svalues[1] = CStringGetTextDatum(stage);
			MmCatalogExec("DELETE FROM mm._stages s WHERE s.model_id OPERATOR(pg_catalog.=) $1 "
						  "AND s.stage OPERATOR(pg_catalog.=) $2 "
						  "AND s.version_id OPERATOR(pg_catalog.=) (SELECT t.version_id FROM mm._stages t "
						  "WHERE t.model_id OPERATOR(pg_catalog.=) s.model_id "
						  "AND t.stage OPERATOR(pg_catalog.=) s.stage AND t.depth OPERATOR(pg_catalog.<) s.depth "
						  "ORDER BY t.depth DESC LIMIT 1)",
						  2, stypes, svalues, NULL, SPI_OK_DELETE);
			MmStageHistory(model_id, model, stage, "purge",
						   MmStageTop(model_id, stage, &top_id, NULL), version, "mm_purge");
		}
		ereport(NOTICE,
				(errmsg_plural("version %d of model \"%s\" was removed from %d earlier deployment",
							   "version %d of model \"%s\" was removed from %d earlier deployments",
							   removed, version, model, removed),
				 errdetail("Rollbacks skip it from now on.")));
	}
	MmCatalogExec("DELETE FROM mm._versions WHERE id OPERATOR(pg_catalog.=) $1", 1, types, values, NULL,
				  SPI_OK_DELETE);
	PG_RETURN_VOID();
}

/* mm_purge: its action on the model, locked with the privileges it needs. */
static Datum
purge_body(FunctionCallInfo fcinfo, MmAuditCall *call)
{
	return registry_call(fcinfo, call, MM_PRIV_OWNER, purge_action);
}

/* What mm_annotate does to the locked model: NULL leaves a field as it is. */
static Datum
annotate_action(FunctionCallInfo fcinfo, MmAuditCall *call, const char *model, int64 model_id)
{
	char	   *description = MmArgCStringOrNull(fcinfo, 1);
	Jsonb	   *tags = PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2);
	Oid			types[3] = {INT8OID, TEXTOID, JSONBOID};
	Datum		values[3];
	char		nulls[4] = "   ";

	MmAuditArgText(call, "description", description);
	MmAuditArgJson(call, "tags", tags ? MmJsonbText(tags) : NULL);
	if (tags != NULL && JB_ROOT_IS_SCALAR(tags))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tags must be a JSON object or array")));
	values[0] = Int64GetDatum(model_id);
	values[1] = description ? CStringGetTextDatum(description) : (Datum) 0;
	values[2] = tags ? JsonbPGetDatum(tags) : (Datum) 0;
	if (!description)
		nulls[1] = 'n';
	if (!tags)
		nulls[2] = 'n';
	MmCatalogExec("UPDATE mm._models SET description = COALESCE($2, description), "
				  "tags = COALESCE($3, tags) WHERE id OPERATOR(pg_catalog.=) $1",
				  3, types, values, nulls, SPI_OK_UPDATE);
	PG_RETURN_VOID();
}

/* mm_annotate: its action on the model, locked with the privileges it needs. */
static Datum
annotate_body(FunctionCallInfo fcinfo, MmAuditCall *call)
{
	return registry_call(fcinfo, call, MM_PRIV_OWNER, annotate_action);
}

/* What mm_drop_model does: history and audit rows stay; cascade drops the monitors too. */
static Datum
drop_action(FunctionCallInfo fcinfo, MmAuditCall *call, const char *model, int64 model_id)
{
	bool		cascade = false;

	/* a catalog from before 0.6.0 declares the function without cascade */
	if (PG_NARGS() > 1)
	{
		MmAuditArgJson(call, "cascade", PG_ARGISNULL(1) ? NULL : PG_GETARG_BOOL(1) ? "true" : "false");
		MmRequireArg(fcinfo, 1, "cascade");
		cascade = PG_GETARG_BOOL(1);
	}
	MmDropModel(model_id, model, "mm_drop_model", cascade);
	PG_RETURN_VOID();
}

/* mm_drop_model: its action on the model, locked with the privileges it needs. */
static Datum
drop_body(FunctionCallInfo fcinfo, MmAuditCall *call)
{
	return registry_call(fcinfo, call, MM_PRIV_OWNER, drop_action);
}

/* mm_deploy(model, version, stage): see doc/registry.md. */
Datum
mm_deploy(PG_FUNCTION_ARGS)
{
	return MmRunAudited(fcinfo, "mm_deploy", deploy_body);
}

/* mm_rollback(model, stage). */
Datum
mm_rollback(PG_FUNCTION_ARGS)
{
	return MmRunAudited(fcinfo, "mm_rollback", rollback_body);
}

/* mm_undeploy(model, stage). */
Datum
mm_undeploy(PG_FUNCTION_ARGS)
{
	return MmRunAudited(fcinfo, "mm_undeploy", undeploy_body);
}

/* mm_archive(model, version). */
Datum
mm_archive(PG_FUNCTION_ARGS)
{
	return MmRunAudited(fcinfo, "mm_archive", archive_body);
}

/* mm_restore(model, version). */
Datum
mm_restore(PG_FUNCTION_ARGS)
{
	return MmRunAudited(fcinfo, "mm_restore", restore_body);
}

/* mm_purge(model, version). */
Datum
mm_purge(PG_FUNCTION_ARGS)
{
	return MmRunAudited(fcinfo, "mm_purge", purge_body);
}

/* mm_annotate(model, description, tags). */
Datum
mm_annotate(PG_FUNCTION_ARGS)
{
	return MmRunAudited(fcinfo, "mm_annotate", annotate_body);
}

/* mm_drop_model(model). */
Datum
mm_drop_model(PG_FUNCTION_ARGS)
{
	return MmRunAudited(fcinfo, "mm_drop_model", drop_body);
}
