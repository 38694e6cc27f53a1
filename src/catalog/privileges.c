/*
 * privileges.c: per-model privileges, what they mean and how they are
 * checked (grants.c holds the SQL functions over them), the way
 * PostgreSQL does it for tables.
 *
 * A model has three grantable privileges: use (predict, evaluate, read
 * coefficients, compare, export, watch with an alert monitor, and see the
 * model in the registry views), train (add versions) and deploy (move
 * stages).  They are independent, as a table's SELECT and UPDATE are.  A
 * grant is a row of mm._grants; a grantee of 0 stands for PUBLIC.
 *
 * A role holds a privilege when it is a superuser, when it has the
 * privileges of the owner role, or when it has the privileges of a grantee
 * of that privilege (membership with INHERIT, exactly as has_privs_of_role
 * decides for tables).  What belongs to the owner alone (archive, restore,
 * purge, annotate, drop, grant, revoke, change the owner) is not
 * grantable, as ALTER and DROP of a table are not.
 *
 * Prediction checks once per call site and statement, when it resolves the
 * model reference, never per row.  A catalog made before privileges
 * existed (the library was upgraded and ALTER EXTENSION UPDATE has not run
 * yet) has no mm._grants: there every role may use every model, and only
 * owners manage them, as before.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"

#include "catalog.h"
#include "privileges.h"
#include "util.h"

/* The grantable privileges, in bit order. */
static const char *const privilege_names[] = {"use", "train", "deploy"};

#define NPRIVILEGES lengthof(privilege_names)

/* The name of a single privilege bit. */
const char *
MmPrivilegeName(int privilege)
{
	int			i;

	for (i = 0; i < (int) NPRIVILEGES; i++)
		if (privilege == (1 << i))
			return privilege_names[i];
	return "owner";
}

/* The bit of a privilege's name (case does not matter), or 0 for none. */
static int
privilege_bit(const char *name)
{
	int			i;

	for (i = 0; i < (int) NPRIVILEGES; i++)
		if (pg_strcasecmp(name, privilege_names[i]) == 0)
			return 1 << i;
	return 0;
}

/*
 * Privileges named in text: one name or a comma-separated list of them,
 * "all" for the three; case and surrounding spaces do not matter, as in
 * has_table_privilege.
 */
int
MmParsePrivileges(const char *text)
{
	char	   *copy = pstrdup(text);
	char	   *item;
	char	   *save = NULL;
	int			result = 0;

	for (item = strtok_r(copy, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save))
	{
		char	   *name = item;
		char	   *end;
		int			bit;

		while (*name == ' ' || *name == '\t')
			name++;
		end = name + strlen(name);
		while (end > name && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (pg_strcasecmp(name, "all") == 0)
		{
			result |= MM_PRIV_ALL;
			continue;
		}
		bit = privilege_bit(name);
		if (bit == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unrecognized privilege type: \"%s\"", name),
					 errhint("Model privileges are use, train, deploy and all.")));
		result |= bit;
	}
	if (result == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no privilege named in \"%s\"", text),
				 errhint("Model privileges are use, train, deploy and all.")));
	return result;
}

/*
 * The privileges role holds on a model (MM_PRIV_* bits, MM_PRIV_OWNER
 * included for the owner, its members and superusers).  read_only reads
 * the grants under the calling statement's snapshot (prediction), or a
 * fresh one.  SPI is connected.
 */
int
MmPrivilegesOf(int64 model_id, Oid owner, Oid role, bool read_only)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(model_id)};
	const char *sql = "SELECT grantee::pg_catalog.oid, privilege FROM mm._grants "
		"WHERE model_id OPERATOR(pg_catalog.=) $1";
	int			held = 0;
	int			n,
				i;

	if (has_privs_of_role(role, owner))
		return MM_PRIV_ALL | MM_PRIV_OWNER;
	if (!MmCatalogHas("_grants"))
		return MM_PRIV_USE;
	n = read_only ? MmCatalogQuery(sql, 1, types, values) :
		MmCatalogExec(sql, 1, types, values, NULL, SPI_OK_SELECT);
	for (i = 0; i < n; i++)
	{
		bool		isnull;
		Oid			grantee = DatumGetObjectId(MmCatalogGet(i, 1, &isnull));
		char	   *name = TextDatumGetCString(MmCatalogGet(i, 2, &isnull));

		if (grantee == InvalidOid || has_privs_of_role(role, grantee))
			held |= privilege_bit(name);
	}
	return held;
}

/*
 * Errors unless the current user holds every privilege in needed on the
 * model: "must be owner" for what only the owner may do, "permission
 * denied" (SQLSTATE 42501, as for a table) for the rest.  Returns the
 * privileges held.  SPI is connected.
 */
int
MmRequirePrivileges(const char *model, int64 model_id, Oid owner, int needed, bool read_only)
{
	int			held = MmPrivilegesOf(model_id, owner, GetUserId(), read_only);
	int			missing = needed & ~held;
	int			bit;

	if (missing == 0)
		return held;
	if (missing & MM_PRIV_OWNER)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of model \"%s\"", model),
				 errdetail("Model \"%s\" belongs to role \"%s\".", model, MmRoleName(owner))));
	for (bit = 1; !(missing & bit); bit <<= 1)
		;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied for model \"%s\"", model),
			 errdetail("This needs the %s privilege on the model.", MmPrivilegeName(bit)),
			 errhint("Its owner can grant it with: SELECT mm_grant(%s, '%s', %s);",
					 quote_literal_cstr(model), MmPrivilegeName(bit),
					 quote_literal_cstr(MmRoleName(GetUserId())))));
	return held;				/* not reached */
}

/*
 * Errors unless the catalog keeps grants: after the library is upgraded
 * and before ALTER EXTENSION ... UPDATE, there is nowhere to write them.
 */
void
MmRequireGrants(void)
{
	if (!MmCatalogHas("_grants"))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the modelmgr catalog does not keep privileges yet"),
				 errhint("Run ALTER EXTENSION modelmgr UPDATE.")));
}
