/*
 * roles.c: roles that own models or monitors, or hold privileges on
 * models, cannot vanish behind the catalog's back.
 *
 * PostgreSQL records who owns a table and who holds privileges on it in
 * pg_shdepend, so that DROP ROLE refuses while they exist, REASSIGN OWNED
 * gives them to another role and DROP OWNED drops them and revokes the
 * privileges.  Models and monitors are rows of the extension's catalog,
 * which pg_shdepend does not know, so the utility hook follows the same
 * three commands:
 *
 *   - DROP ROLE is refused (SQLSTATE 2BP01) while the role owns a model or
 *     a monitor, or holds a privilege on a model, with a detail listing
 *     them as PostgreSQL's own refusal does;
 *   - REASSIGN OWNED BY old TO new gives old's models and monitors to new;
 *   - DROP OWNED BY r removes r's monitors and models (refusing, unless
 *     CASCADE, while other roles' monitors watch those models) and revokes
 *     r's privileges on models.
 *
 * Nothing else names a role by OID: audit rows, trained_by, deployed_by
 * and granted_by keep the name as text.
 *
 * Like PostgreSQL's commands, these act on the database they run in only:
 * models in other databases keep the role's OID (doc/security.md says what
 * to do).  The hook exists in a backend once the library is loaded there,
 * which shared_preload_libraries makes every backend.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "access/xact.h"
#include "dropmodel.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"

#include "audit.h"
#include "catalog.h"
#include "roles.h"
#include "util.h"

/* Past this many lines the detail of a refusal is summarized, as PostgreSQL's is. */
#define MAX_REPORTED 100

static ProcessUtility_hook_type prev_utility = NULL;

/* Whether this database has the extension's catalog. */
static bool
catalog_here(void)
{
	return IsTransactionState() && OidIsValid(get_extension_oid("modelmgr", true)) &&
		MmCatalogHas("_models");
}

/*
 * Appends to detail one line per row of a catalog query on role: the
 * text of the first column after prefix; counts every row in *count.
 */
static void
depending(StringInfo detail, int *count, const char *sql, const char *prefix, Oid role)
{
	Oid			types[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(role)};
	int			n = MmCatalogExec(sql, 1, types, values, NULL, SPI_OK_SELECT),
				i;

	for (i = 0; i < n; i++, (*count)++)
	{
		bool		isnull;

		if (*count >= MAX_REPORTED)
			continue;
		appendStringInfo(detail, "%s%s%s", detail->len ? "\n" : "", prefix,
						 TextDatumGetCString(MmCatalogGet(i, 1, &isnull)));
	}
}

/* Refuses DROP ROLE of a role the catalog still names. */
static void
refuse_drop_role(DropRoleStmt *stmt)
{
	ListCell   *lc;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	foreach(lc, stmt->roles)
	{
		RoleSpec   *spec = lfirst(lc);
		Oid			role = get_rolespec_oid(spec, true);
		StringInfoData detail;
		int			count = 0;

		if (!OidIsValid(role))
			continue;
		initStringInfo(&detail);
		depending(&detail, &count,
				  "SELECT pg_catalog.format('%I', name) FROM mm._models "
				  "WHERE owner::pg_catalog.oid OPERATOR(pg_catalog.=) $1 ORDER BY name",
				  "owner of model ", role);
		if (MmCatalogHas("_monitors"))
			depending(&detail, &count,
					  "SELECT id::pg_catalog.text FROM mm._monitors "
					  "WHERE owner::pg_catalog.oid OPERATOR(pg_catalog.=) $1 ORDER BY id",
					  "owner of monitor ", role);
		if (MmCatalogHas("_grants"))
			depending(&detail, &count,
					  "SELECT pg_catalog.format('%I', m.name) FROM mm._models m "
					  "WHERE EXISTS (SELECT FROM mm._grants g WHERE g.model_id OPERATOR(pg_catalog.=) m.id "
					  "AND g.grantee::pg_catalog.oid OPERATOR(pg_catalog.=) $1) ORDER BY m.name",
					  "privileges for model ", role);
		if (count > MAX_REPORTED)
			appendStringInfo(&detail, "\nand %d other objects", count - MAX_REPORTED);
		if (count > 0)
			ereport(ERROR,
					(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
					 errmsg("role \"%s\" cannot be dropped because some objects depend on it",
							get_rolespec_name(spec)),
					 errdetail("%s", detail.data),
					 errhint("Give its models and monitors to another role with REASSIGN OWNED "
							 "(a model also with mm_set_owner()) or remove them with DROP OWNED; "
							 "revoke its privileges with mm_revoke() or DROP OWNED.")));
	}
	SPI_finish();
}

/* JSON of a role's name, for the audit log. */
static char *
role_json(Oid role)
{
	StringInfoData buf;

	initStringInfo(&buf);
	MmJsonString(&buf, MmRoleName(role));
	return buf.data;
}

/* REASSIGN OWNED BY old TO new: the models and monitors of each old role go to new. */
static void
reassign_owned(ReassignOwnedStmt *stmt)
{
	Oid			new_owner = get_rolespec_oid(stmt->newrole, false);
	ListCell   *lc;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	foreach(lc, stmt->roles)
	{
		Oid			old_owner = get_rolespec_oid(lfirst(lc), false);
		Oid			types[2] = {OIDOID, OIDOID};
		Datum		values[2] = {ObjectIdGetDatum(old_owner), ObjectIdGetDatum(new_owner)};
		int			n,
					i;
		char	   *args;

		if (old_owner == new_owner)
			continue;
		args = psprintf("{\"role\": %s, \"new_owner\": %s}", role_json(old_owner), role_json(new_owner));
		n = MmCatalogExec("UPDATE mm._models SET owner = $2::pg_catalog.regrole "
						  "WHERE owner::pg_catalog.oid OPERATOR(pg_catalog.=) $1 RETURNING name",
						  2, types, values, NULL, SPI_OK_UPDATE_RETURNING);
		if (n > 0)
		{
			SPITupleTable *moved = SPI_tuptable;

			for (i = 0; i < n; i++)
			{
				bool		isnull;

				MmAuditRecord("REASSIGN OWNED",
							  TextDatumGetCString(SPI_getbinval(moved->vals[i], moved->tupdesc, 1, &isnull)),
							  args);
			}
		}
		if (MmCatalogHas("_monitors"))
			MmCatalogExec("UPDATE mm._monitors SET owner = $2::pg_catalog.regrole "
						  "WHERE owner::pg_catalog.oid OPERATOR(pg_catalog.=) $1",
						  2, types, values, NULL, SPI_OK_UPDATE);
	}
	SPI_finish();
}

/* DROP OWNED BY r: r's monitors and models go, its privileges on models are revoked. */
static void
drop_owned(DropOwnedStmt *stmt)
{
	ListCell   *lc;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	foreach(lc, stmt->roles)
	{
		Oid			role = get_rolespec_oid(lfirst(lc), false);
		Oid			types[1] = {OIDOID};
		Datum		values[1] = {ObjectIdGetDatum(role)};
		char	   *args = psprintf("{\"role\": %s, \"cascade\": %s}", role_json(role),
									stmt->behavior == DROP_CASCADE ? "true" : "false");
		int			n,
					i;

		if (MmCatalogHas("_monitors"))
			MmCatalogExec("DELETE FROM mm._monitors WHERE owner::pg_catalog.oid OPERATOR(pg_catalog.=) $1",
						  1, types, values, NULL, SPI_OK_DELETE);
		n = MmCatalogExec("SELECT id, name FROM mm._models "
						  "WHERE owner::pg_catalog.oid OPERATOR(pg_catalog.=) $1 ORDER BY name FOR UPDATE",
						  1, types, values, NULL, SPI_OK_SELECT);
		if (n > 0)
		{
			SPITupleTable *owned = SPI_tuptable;

			for (i = 0; i < n; i++)
			{
				bool		isnull;
				int64		id = DatumGetInt64(SPI_getbinval(owned->vals[i], owned->tupdesc, 1, &isnull));
				char	   *name = TextDatumGetCString(SPI_getbinval(owned->vals[i], owned->tupdesc, 2,
																	  &isnull));

				MmDropModel(id, name, "DROP OWNED", stmt->behavior == DROP_CASCADE);
				MmAuditRecord("DROP OWNED", name, args);
			}
		}
		if (MmCatalogHas("_grants"))
		{
			/* one audit row per model, naming the privileges revoked */
			n = MmCatalogExec("WITH revoked AS (DELETE FROM mm._grants "
							  "WHERE grantee::pg_catalog.oid OPERATOR(pg_catalog.=) $1 "
							  "RETURNING model_id, privilege) "
							  "SELECT m.name, pg_catalog.jsonb_agg(r.privilege ORDER BY r.privilege)::pg_catalog.text "
							  "FROM revoked r JOIN mm._models m ON m.id OPERATOR(pg_catalog.=) r.model_id "
							  "GROUP BY m.name ORDER BY m.name",
							  1, types, values, NULL, SPI_OK_SELECT);
			if (n > 0)
			{
				SPITupleTable *revoked = SPI_tuptable;

				for (i = 0; i < n; i++)
				{
					bool		isnull;
					char	   *name = TextDatumGetCString(SPI_getbinval(revoked->vals[i], revoked->tupdesc, 1,
																		  &isnull));
					char	   *privileges = TextDatumGetCString(SPI_getbinval(revoked->vals[i],
																				revoked->tupdesc, 2, &isnull));

					MmAuditRecord("DROP OWNED", name,
								  psprintf("{\"role\": %s, \"revoked\": %s}", role_json(role), privileges));
				}
			}
		}
	}
	SPI_finish();
}

/*
 * The utility hook: DROP ROLE is checked before PostgreSQL runs it;
 * REASSIGN OWNED and DROP OWNED are followed after PostgreSQL has checked
 * the caller's right to them and done its part, in the same transaction.
 */
static void
roles_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
			  ProcessUtilityContext context, ParamListInfo params, QueryEnvironment *queryEnv,
			  DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *stmt = pstmt->utilityStmt;
	bool		ours = (IsA(stmt, DropRoleStmt) || IsA(stmt, ReassignOwnedStmt) || IsA(stmt, DropOwnedStmt)) &&
		catalog_here();

	if (ours && IsA(stmt, DropRoleStmt))
		refuse_drop_role((DropRoleStmt *) stmt);
	if (prev_utility)
		prev_utility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	if (ours && IsA(stmt, ReassignOwnedStmt))
		reassign_owned((ReassignOwnedStmt *) stmt);
	else if (ours && IsA(stmt, DropOwnedStmt))
		drop_owned((DropOwnedStmt *) stmt);
}

/* Installs the utility hook. */
void
MmRolesInit(void)
{
	prev_utility = ProcessUtility_hook;
	ProcessUtility_hook = roles_utility;
}
