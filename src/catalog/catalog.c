/*
 * catalog.c: access to the model catalog (schema mm).
 *
 * The catalog tables are not writable by users: only the extension's
 * functions change them, so that versions, stages and the audit log can be
 * trusted.  Those functions run as the caller (training reads data with the
 * caller's privileges and row-level security), and switch to the catalog's
 * owner only around the statements that touch mm.*, with search_path pinned
 * to pg_catalog so that no object of the caller's can be picked up while the
 * owner's rights are in effect.  Every statement here is fully qualified and
 * takes its values as parameters.
 *
 * Statements run through SPI; the caller has connected.  Management
 * functions run them in read-write mode, so each sees what committed before
 * it; prediction runs them read-only, under the calling statement's
 * snapshot, which is what makes a deploy visible exactly to the statements
 * that start after it commits.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/genam.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "catalog.h"
#include "privileges.h"
#include "security.h"
#include "util.h"

#define CATALOG_SCHEMA "mm"

/* The schema of the catalog tables. */
const char *
MmCatalogSchema(void)
{
	return CATALOG_SCHEMA;
}

/*
 * Whether the catalog has a table: those of later versions are missing
 * while a database waits for ALTER EXTENSION ... UPDATE.
 */
bool
MmCatalogHas(const char *table)
{
	Oid			nsp = get_namespace_oid(CATALOG_SCHEMA, true);

	return OidIsValid(nsp) && OidIsValid(get_relname_relid(table, nsp));
}

/* The role owning the catalog tables (the extension's owner). */
Oid
MmCatalogOwner(bool missing_ok)
{
	Oid			nsp = get_namespace_oid(CATALOG_SCHEMA, true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid("_models", nsp) : InvalidOid;
	HeapTuple	tuple;
	Oid			owner;

	if (!OidIsValid(relid) && missing_ok)
		return InvalidOid;
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("the modelmgr catalog is missing"),
				 errhint("Create the extension with: CREATE EXTENSION modelmgr;")));
	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

/* Runs one statement as the catalog owner; returns the number of rows. */
static int
catalog_run(const char *sql, int nargs, Oid *types, Datum *values,
			const char *nulls, int expected, bool read_only)
{
	MmScope		scope;
	int			rc;

	MmScopeBegin(&scope, MmCatalogOwner(false), true);
	rc = SPI_execute_with_args(sql, nargs, types, values, nulls, read_only, 0);
	MmScopeEnd(&scope);
	if (rc != expected)
		elog(ERROR, "catalog statement failed (SPI code %d): %s", rc, sql);
	return (int) SPI_processed;
}

/*
 * Runs one catalog statement in read-write mode (a fresh snapshot, so it
 * sees what committed before it) and checks its SPI result code.
 */
int
MmCatalogExec(const char *sql, int nargs, Oid *types, Datum *values,
			  const char *nulls, int expected)
{
	return catalog_run(sql, nargs, types, values, nulls, expected, false);
}

/* Runs one catalog SELECT under the calling statement's snapshot. */
int
MmCatalogQuery(const char *sql, int nargs, Oid *types, Datum *values)
{
	return catalog_run(sql, nargs, types, values, NULL, SPI_OK_SELECT, true);
}

/* A column of a row the last catalog statement returned. */
Datum
MmCatalogGet(int row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, isnull);
}

/*
 * Finds a model by name: its id and owner, under the calling statement's
 * snapshot when read_only, or a fresh one.  Returns false when it does not
 * exist and missing_ok; errors otherwise.  SPI is connected.
 */
bool
MmFindModel(const char *name, bool read_only, bool missing_ok, int64 *id, Oid *owner)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(name)};
	bool		isnull;

	if (catalog_run("SELECT id, owner::pg_catalog.oid FROM mm._models WHERE name OPERATOR(pg_catalog.=) $1",
					1, types, values, NULL, SPI_OK_SELECT, read_only) == 0)
	{
		if (missing_ok)
			return false;
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model \"%s\" does not exist", name),
				 errhint("List the models with: SELECT model FROM mm.models;")));
	}
	*id = DatumGetInt64(MmCatalogGet(0, 1, &isnull));
	*owner = DatumGetObjectId(MmCatalogGet(0, 2, &isnull));
	return true;
}

/* Parses name, name@N or name@stage. */
void
MmParseRef(const char *reference, MmRef *ref)
{
	const char *at = strchr(reference, '@');

	ref->version = 0;
	ref->stage = "production";
	if (at == NULL)
	{
		ref->name = pstrdup(reference);
		MmCheckName(ref->name, "model");
		return;
	}
	ref->name = pnstrdup(reference, at - reference);
	MmCheckName(ref->name, "model");
	at++;
	if (*at >= '0' && *at <= '9')
	{
		char	   *end;
		long		v;

		errno = 0;
		v = strtol(at, &end, 10);
		if (*end != '\0' || errno != 0 || v < 1 || v > PG_INT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid model reference \"%s\"", reference),
					 errhint("Refer to a model as 'name', 'name@3' or 'name@stage'.")));
		ref->version = (int32) v;
		ref->stage = NULL;
		return;
	}
	ref->stage = pstrdup(at);
	MmCheckName(ref->stage, "stage");
}

/*
 * Resolves a model reference to a version, under the calling statement's
 * snapshot when read_only (prediction), or a fresh one otherwise, and
 * checks that the current user holds the privileges needed (MM_PRIV_*) on
 * the model.  Unknown models, versions and stages, and archived versions,
 * are errors.
 */
void
MmResolveRef(const char *reference, bool read_only, int needed, MmVersionRef *out)
{
	MmRef		ref;
	Datum		values[2];
	bool		isnull;
	int			n;

	MmParseRef(reference, &ref);
	(void) MmFindModel(ref.name, read_only, false, &out->model_id, &out->owner);
	out->model = ref.name;
	/* before anything of the model is shown, existing stages and versions included */
	if (needed != 0)
		(void) MmRequirePrivileges(ref.name, out->model_id, out->owner, needed, read_only);

	values[0] = Int64GetDatum(out->model_id);
	if (ref.version > 0)
	{
		Oid			vtypes[2] = {INT8OID, INT4OID};

		values[1] = Int32GetDatum(ref.version);
		n = catalog_run("SELECT id, version, status, artifact_crc FROM mm._versions "
						"WHERE model_id OPERATOR(pg_catalog.=) $1 AND version OPERATOR(pg_catalog.=) $2",
						2, vtypes, values, NULL, SPI_OK_SELECT, read_only);
		if (n == 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("model \"%s\" has no version %d", ref.name, ref.version),
					 errhint("List its versions with: SELECT version FROM mm.versions WHERE model = '%s';",
							 ref.name)));
	}
	else
	{
		Oid			stypes[2] = {INT8OID, TEXTOID};

		values[1] = CStringGetTextDatum(ref.stage);
		n = catalog_run("SELECT v.id, v.version, v.status, v.artifact_crc "
						"FROM mm._stages s JOIN mm._versions v ON v.id OPERATOR(pg_catalog.=) s.version_id "
						"WHERE s.model_id OPERATOR(pg_catalog.=) $1 AND s.stage OPERATOR(pg_catalog.=) $2 "
						"ORDER BY s.depth DESC LIMIT 1",
						2, stypes, values, NULL, SPI_OK_SELECT, read_only);
		if (n == 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("model \"%s\" has no version deployed to stage \"%s\"",
							ref.name, ref.stage),
					 strcmp(ref.stage, "production") == 0 ?
					 errhint("Deploy one with: SELECT mm_deploy('%s');", ref.name) :
					 errhint("Deploy one with: SELECT mm_deploy('%s', stage => '%s');",
							 ref.name, ref.stage)));
	}
	out->version_id = DatumGetInt64(MmCatalogGet(0, 1, &isnull));
	out->version = DatumGetInt32(MmCatalogGet(0, 2, &isnull));
	if (strcmp(TextDatumGetCString(MmCatalogGet(0, 3, &isnull)), "archived") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("version %d of model \"%s\" is archived", out->version, ref.name),
				 errhint("Restore it with: SELECT mm_restore('%s', %d);", ref.name, out->version)));
	out->crc = (uint32) DatumGetInt64(MmCatalogGet(0, 4, &isnull));
}

/*
 * Locks a model's row for the rest of the transaction, serializing every
 * change to its versions and stages, and checks that the current user
 * holds the privileges needed (MM_PRIV_*).  Returns false when the model
 * does not exist and missing_ok; errors otherwise.
 */
bool
MmLockModel(const char *model, int needed, MmLockedModel *out, bool missing_ok)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	bool		isnull;

	values[0] = CStringGetTextDatum(model);
	if (MmCatalogExec("SELECT id, owner::pg_catalog.oid, task FROM mm._models "
					  "WHERE name OPERATOR(pg_catalog.=) $1 FOR UPDATE",
					  1, types, values, NULL, SPI_OK_SELECT) == 0)
	{
		if (missing_ok)
			return false;
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model \"%s\" does not exist", model),
				 errhint("List the models with: SELECT model FROM mm.models;")));
	}
	out->id = DatumGetInt64(MmCatalogGet(0, 1, &isnull));
	out->owner = DatumGetObjectId(MmCatalogGet(0, 2, &isnull));
	out->task = TextDatumGetCString(MmCatalogGet(0, 3, &isnull));
	out->held = MmRequirePrivileges(model, out->id, out->owner, needed, false);
	return true;
}

/*
 * The schema the extension's functions and aggregates live in, quoted, from
 * pg_extension: the one way the extension names its own objects in SQL.
 */
const char *
MmExtensionSchema(void)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	Oid			nsp = InvalidOid;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ,
				CStringGetDatum("modelmgr"));
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
		nsp = ((Form_pg_extension) GETSTRUCT(tuple))->extnamespace;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	if (!OidIsValid(nsp))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("extension \"modelmgr\" is not installed in this database"),
				 errhint("Create it with: CREATE EXTENSION modelmgr;")));
	return quote_identifier(get_namespace_name(nsp));
}

/*
 * Errors unless the extension's SQL objects are those this library writes:
 * after the library is upgraded and before ALTER EXTENSION ... UPDATE, the
 * catalog lacks what a new version records.
 */
void
MmRequireCurrentSchema(void)
{
	bool		isnull;
	char	   *installed;

	if (MmSpiRun("SELECT extversion FROM pg_catalog.pg_extension "
				 "WHERE extname OPERATOR(pg_catalog.=) 'modelmgr'",
				 0, NULL, NULL, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the installed version of modelmgr");
	installed = TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
												  &isnull));
	if (strcmp(installed, MM_EXTENSION_VERSION) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension modelmgr is installed at version %s, and this library trains for %s",
						installed, MM_EXTENSION_VERSION),
				 errhint("Run ALTER EXTENSION modelmgr UPDATE.")));
}
