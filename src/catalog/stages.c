/*
 * stages.c: a model's stages and their history.
 *
 * A stage is a stack of rows in mm._stages; its top (largest depth) is what
 * the stage serves.  Deploy pushes, rollback pops, undeploy empties; each of
 * those appends to mm._deployment_history, which nothing rewrites.  The
 * registry's functions, training's deploy and import share these; each
 * caller has locked the model's row first, so changes to one model are
 * serialized.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "catalog.h"
#include "stages.h"
#include "util.h"

/* Appends one row to the deployment history. */
void
MmStageHistory(int64 model_id, const char *model, const char *stage, const char *action,
			   int32 version, int32 previous, const char *via)
{
	Oid			types[8] = {INT8OID, TEXTOID, TEXTOID, TEXTOID, INT4OID, INT4OID, TEXTOID, TEXTOID};
	Datum		values[8];
	char		nulls[9] = "        ";

	values[0] = Int64GetDatum(model_id);
	values[1] = CStringGetTextDatum(model);
	values[2] = CStringGetTextDatum(stage);
	values[3] = CStringGetTextDatum(action);
	values[4] = Int32GetDatum(version);
	if (version == 0)
		nulls[4] = 'n';
	values[5] = Int32GetDatum(previous);
	if (previous == 0)
		nulls[5] = 'n';
	values[6] = CStringGetTextDatum(MmRoleName(GetUserId()));
	values[7] = CStringGetTextDatum(via);
	MmCatalogExec("INSERT INTO mm._deployment_history "
				  "(model_id, model, stage, action, version, previous_version, by, via) "
				  "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
				  8, types, values, nulls, SPI_OK_INSERT);
}

/*
 * The version a stage serves (0 if empty) and its id; the stack's depth
 * too, unless depth is NULL.
 */
int32
MmStageTop(int64 model_id, const char *stage, int64 *version_id, int32 *depth)
{
	Oid			types[2] = {INT8OID, TEXTOID};
	Datum		values[2];
	bool		isnull;

	values[0] = Int64GetDatum(model_id);
	values[1] = CStringGetTextDatum(stage);
	if (MmCatalogExec("SELECT s.depth, v.id, v.version FROM mm._stages s "
					  "JOIN mm._versions v ON v.id OPERATOR(pg_catalog.=) s.version_id "
					  "WHERE s.model_id OPERATOR(pg_catalog.=) $1 AND s.stage OPERATOR(pg_catalog.=) $2 "
					  "ORDER BY s.depth DESC LIMIT 1",
					  2, types, values, NULL, SPI_OK_SELECT) == 0)
	{
		if (depth)
			*depth = 0;
		*version_id = 0;
		return 0;
	}
	if (depth)
		*depth = DatumGetInt32(MmCatalogGet(0, 1, &isnull));
	*version_id = DatumGetInt64(MmCatalogGet(0, 2, &isnull));
	return DatumGetInt32(MmCatalogGet(0, 3, &isnull));
}

/* Pushes a version onto a stage; the model is locked by the caller. */
void
MmStagePush(int64 model_id, const char *model, const char *stage,
			int64 version_id, int32 version, const char *via)
{
	Oid			types[5] = {INT8OID, TEXTOID, INT4OID, INT8OID, TEXTOID};
	Datum		values[5];
	int64		top_id;
	int32		depth;
	int32		previous = MmStageTop(model_id, stage, &top_id, &depth);

	values[0] = Int64GetDatum(model_id);
	values[1] = CStringGetTextDatum(stage);
	values[2] = Int32GetDatum(depth + 1);
	values[3] = Int64GetDatum(version_id);
	values[4] = CStringGetTextDatum(MmRoleName(GetUserId()));
	MmCatalogExec("INSERT INTO mm._stages (model_id, stage, depth, version_id, deployed_by) "
				  "VALUES ($1, $2, $3, $4, $5)", 5, types, values, NULL, SPI_OK_INSERT);
	MmStageHistory(model_id, model, stage, "deploy", version, previous, via);
}
