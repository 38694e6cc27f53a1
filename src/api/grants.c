/*
 * grants.c: mm_grant, mm_revoke, mm_set_owner and mm_has_privilege, the SQL
 * functions over a model's privileges (privileges.c says what they mean and
 * checks them).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"

#include "audit.h"
#include "catalog.h"
#include "privileges.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mm_grant);
PG_FUNCTION_INFO_V1(mm_revoke);
PG_FUNCTION_INFO_V1(mm_set_owner);
PG_FUNCTION_INFO_V1(mm_has_privilege);

/* A grantee argument: a role, or 0 for public. */
static Oid
grantee_arg(FunctionCallInfo fcinfo, int argno, MmAuditCall *call)
{
	char	   *name = MmArgCString(fcinfo, argno, "grantee");

	MmAuditArgText(call, "grantee", name);
	if (pg_strcasecmp(name, "public") == 0)
		return InvalidOid;
	return get_role_oid(name, false);
}

/* Body of mm_grant and mm_revoke. */
static Datum
change_grants(FunctionCallInfo fcinfo, MmAuditCall *call, bool grant)
{
	char	   *model = MmArgCString(fcinfo, 0, "model");
	char	   *privilege;
	Oid			grantee;
	int			privileges,
				bit;
	MmLockedModel m;

	MmAuditSetModel(call, model);
	MmCheckName(model, "model");
	privilege = MmArgCString(fcinfo, 1, "privilege");
	MmAuditArgText(call, "privilege", privilege);
	grantee = grantee_arg(fcinfo, 2, call);
	privileges = MmParsePrivileges(privilege);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MmRequireGrants();
	(void) MmLockModel(model, MM_PRIV_OWNER, &m, false);
	for (bit = MM_PRIV_USE; bit & MM_PRIV_ALL; bit <<= 1)
	{
		Oid			types[4] = {INT8OID, OIDOID, TEXTOID, TEXTOID};
		Datum		values[4];

		if (!(privileges & bit))
			continue;
		values[0] = Int64GetDatum(m.id);
		values[1] = ObjectIdGetDatum(grantee);
		values[2] = CStringGetTextDatum(MmPrivilegeName(bit));
		values[3] = CStringGetTextDatum(MmRoleName(GetUserId()));
		if (grant)
			MmCatalogExec("INSERT INTO mm._grants (model_id, grantee, privilege, granted_by) "
						  "VALUES ($1, $2::pg_catalog.regrole, $3, $4) ON CONFLICT DO NOTHING",
						  4, types, values, NULL, SPI_OK_INSERT);
		else
			MmCatalogExec("DELETE FROM mm._grants WHERE model_id OPERATOR(pg_catalog.=) $1 "
						  "AND grantee::pg_catalog.oid OPERATOR(pg_catalog.=) $2 "
						  "AND privilege OPERATOR(pg_catalog.=) $3",
						  3, types, values, NULL, SPI_OK_DELETE);
	}
	SPI_finish();
	PG_RETURN_VOID();
}

static Datum
grant_body(FunctionCallInfo fcinfo, MmAuditCall *call)
{
	return change_grants(fcinfo, call, true);
}

static Datum
revoke_body(FunctionCallInfo fcinfo, MmAuditCall *call)
{
	return change_grants(fcinfo, call, false);
}

/* mm_grant(model, privilege, grantee): see doc/security.md. */
Datum
mm_grant(PG_FUNCTION_ARGS)
{
	return MmRunAudited(fcinfo, "mm_grant", grant_body);
}

/* mm_revoke(model, privilege, grantee). */
Datum
mm_revoke(PG_FUNCTION_ARGS)
{
	return MmRunAudited(fcinfo, "mm_revoke", revoke_body);
}

/* Body of mm_set_owner: as ALTER TABLE ... OWNER TO asks, the caller must be able to become the new owner. */
static Datum
set_owner_body(FunctionCallInfo fcinfo, MmAuditCall *call)
{
	char	   *model = MmArgCString(fcinfo, 0, "model");
	Oid			new_owner;
	MmLockedModel m;
	Oid			types[2] = {INT8OID, OIDOID};
	Datum		values[2];

	MmAuditSetModel(call, model);
	MmCheckName(model, "model");
	MmRequireArg(fcinfo, 1, "new_owner");
	new_owner = PG_GETARG_OID(1);
	MmAuditArgText(call, "new_owner", MmRoleName(new_owner));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	(void) MmLockModel(model, MM_PRIV_OWNER, &m, false);
	if (!superuser() && !is_member_of_role(GetUserId(), new_owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be member of role \"%s\"", MmRoleName(new_owner)),
				 errdetail("Only a member of the new owner role may give it model \"%s\".", model)));
	values[0] = Int64GetDatum(m.id);
	values[1] = ObjectIdGetDatum(new_owner);
	MmCatalogExec("UPDATE mm._models SET owner = $2::pg_catalog.regrole WHERE id OPERATOR(pg_catalog.=) $1",
				  2, types, values, NULL, SPI_OK_UPDATE);
	SPI_finish();
	PG_RETURN_VOID();
}

/* mm_set_owner(model, new_owner). */
Datum
mm_set_owner(PG_FUNCTION_ARGS)
{
	return MmRunAudited(fcinfo, "mm_set_owner", set_owner_body);
}

/*
 * mm_has_privilege(model, privilege, role): whether role (the current user
 * when NULL) holds any of the privileges named, or all three for "all";
 * an unknown model is an error, as for has_table_privilege.
 */
Datum
mm_has_privilege(PG_FUNCTION_ARGS)
{
	char	   *reference = MmArgCString(fcinfo, 0, "model");
	char	   *privilege = MmArgCString(fcinfo, 1, "privilege");
	Oid			role = PG_ARGISNULL(2) ? GetUserId() : PG_GETARG_OID(2);
	int			wanted = MmParsePrivileges(privilege);
	MmRef		ref;
	int64		model_id;
	Oid			owner;
	int			held;

	MmParseRef(reference, &ref);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	(void) MmFindModel(ref.name, true, false, &model_id, &owner);
	held = MmPrivilegesOf(model_id, owner, role, true);
	SPI_finish();
	/* "all" asks for every privilege; a list asks for any of them, as has_table_privilege does */
	if (pg_strcasecmp(privilege, "all") == 0)
		PG_RETURN_BOOL((held & MM_PRIV_ALL) == MM_PRIV_ALL);
	PG_RETURN_BOOL((held & wanted) != 0);
}
