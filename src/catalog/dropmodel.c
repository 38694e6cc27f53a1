/*
 * dropmodel.c: the removal of a model's rows, which mm_drop_model and the
 * roles' hook (DROP OWNED, DROP ROLE) share.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"

#include "catalog.h"
#include "dropmodel.h"
#include "stages.h"

/*
 * Removes a locked model: its stages (the history records that they were
 * emptied, via names who), versions and grants; history and audit rows
 * stay.  Monitors watch a model by name: with drop_monitors they go too,
 * otherwise their existence is an error.  SPI is connected.
 */
void
MmDropModel(int64 model_id, const char *model, const char *via, bool drop_monitors)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(model_id)};
	Oid			mtypes[1] = {TEXTOID};
	Datum		mvalues[1] = {CStringGetTextDatum(model)};
	int			n,
				i;
	bool		isnull;

	/* a catalog from before monitors has none */
	if (MmCatalogHas("_monitors"))
	{
		if (drop_monitors &&
			MmCatalogExec("WITH dropped AS (DELETE FROM mm._monitors WHERE model OPERATOR(pg_catalog.=) $1 "
						  "RETURNING id) "
						  "SELECT pg_catalog.string_agg(id::pg_catalog.text, ', ' ORDER BY id) FROM dropped "
						  "HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 0",
						  1, mtypes, mvalues, NULL, SPI_OK_SELECT) > 0)
			ereport(NOTICE,
					(errmsg("drop cascades to the monitors of model \"%s\"", model),
					 errdetail("Monitors: %s.", TextDatumGetCString(MmCatalogGet(0, 1, &isnull)))));
		else if (!drop_monitors &&
				 MmCatalogExec("SELECT pg_catalog.string_agg(id::pg_catalog.text, ', ' ORDER BY id) "
							   "FROM mm._monitors WHERE model OPERATOR(pg_catalog.=) $1 "
							   "HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 0",
							   1, mtypes, mvalues, NULL, SPI_OK_SELECT) > 0)
			ereport(ERROR,
					(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
					 errmsg("cannot drop model \"%s\" because monitors watch it", model),
					 errdetail("Monitors: %s.", TextDatumGetCString(MmCatalogGet(0, 1, &isnull))),
					 strcmp(via, "mm_drop_model") == 0 ?
					 errhint("Remove them first with mm_unmonitor(), or drop them with the model: "
							 "SELECT mm_drop_model('%s', cascade => true);", model) :
					 errhint("Remove them first with mm_unmonitor(), or add CASCADE.")));
	}

	/* the stages it served are emptied, and the history says so */
	n = MmCatalogExec("SELECT s.stage, v.version FROM mm._stages s "
					  "JOIN mm._versions v ON v.id OPERATOR(pg_catalog.=) s.version_id "
					  "WHERE s.model_id OPERATOR(pg_catalog.=) $1 AND s.depth OPERATOR(pg_catalog.=) "
					  "(SELECT pg_catalog.max(t.depth) FROM mm._stages t "
					  "WHERE t.model_id OPERATOR(pg_catalog.=) s.model_id "
					  "AND t.stage OPERATOR(pg_catalog.=) s.stage) ORDER BY s.stage",
					  1, types, values, NULL, SPI_OK_SELECT);
	if (n > 0)
	{
		SPITupleTable *served = SPI_tuptable;

		for (i = 0; i < n; i++)
		{
			char	   *stage = TextDatumGetCString(SPI_getbinval(served->vals[i], served->tupdesc, 1, &isnull));
			int32		version = DatumGetInt32(SPI_getbinval(served->vals[i], served->tupdesc, 2, &isnull));

			MmStageHistory(model_id, model, stage, "undeploy", 0, version, via);
		}
	}
	MmCatalogExec("DELETE FROM mm._stages WHERE model_id OPERATOR(pg_catalog.=) $1", 1, types, values, NULL,
				  SPI_OK_DELETE);
	MmCatalogExec("DELETE FROM mm._versions WHERE model_id OPERATOR(pg_catalog.=) $1", 1, types, values, NULL,
				  SPI_OK_DELETE);
	if (MmCatalogHas("_grants"))
		MmCatalogExec("DELETE FROM mm._grants WHERE model_id OPERATOR(pg_catalog.=) $1", 1, types, values,
					  NULL, SPI_OK_DELETE);
	MmCatalogExec("DELETE FROM mm._models WHERE id OPERATOR(pg_catalog.=) $1", 1, types, values, NULL,
				  SPI_OK_DELETE);
}
