/*
 * security.c: who runs what as whom, and with which settings.
 *
 * The extension runs SQL in three roles' names:
 *
 *   - its own statements over the catalog (mm.*), as the catalog's owner;
 *   - statements that read a relation for the caller (training, tuning,
 *     evaluation), as the caller, with its privileges and row-level
 *     security, as the caller's own query would;
 *   - a monitor's check and action, as the monitor's owner, whoever runs
 *     them: the background worker (the bootstrap superuser) or any session
 *     calling mm_monitor_run.
 *
 * A relation can hold code of another role (a view's functions and
 * operators, a policy's expression), and that code can change the
 * session's settings: a set_config('search_path', ...) in a view outlives
 * the query that read it.  Left alone, the next statement of the extension
 * (or of the calling superuser) would resolve an unqualified operator in
 * that role's schema and run it with the caller's rights.  This is the
 * class of CVE-2022-1552 and CVE-2020-25695, and the cure is PostgreSQL's
 * own, from VACUUM, ANALYZE and REFRESH MATERIALIZED VIEW:
 *
 *   - every statement runs inside a new GUC nest level that is rolled back
 *     when it returns (AtEOXact_GUC with isCommit false), on success as on
 *     error, so nothing it set survives it, set_config(..., false) included;
 *   - inside, search_path is pinned to pg_catalog, pg_temp, so the
 *     statement's own names resolve in pg_catalog whatever the caller's
 *     path; the statements are written with qualified operators and
 *     functions besides;
 *   - code of another role runs as that role, under
 *     SECURITY_RESTRICTED_OPERATION, which forbids what would outlive the
 *     operation (SET ROLE, temporary objects, cursors WITH HOLD, LISTEN).
 *
 * An error inside a scope leaves the undoing to the (sub)transaction
 * abort, which restores the user id, the security context and every
 * setting of the levels it unwinds.
 */
#include "postgres.h"

#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "security.h"

/* The search_path every statement of the extension runs with. */
#define SAFE_SEARCH_PATH "pg_catalog, pg_temp"

/*
 * Opens a scope: as role (InvalidOid: the current user) and, when
 * restricted, under SECURITY_RESTRICTED_OPERATION; with a GUC nest level
 * and the safe search_path.  MmScopeEnd closes it.
 */
void
MmScopeBegin(MmScope *scope, Oid role, bool restricted)
{
	int			context;

	GetUserIdAndSecContext(&scope->saved_user, &scope->saved_context);
	context = scope->saved_context;
	if (OidIsValid(role))
		context |= SECURITY_LOCAL_USERID_CHANGE;
	if (restricted)
		context |= SECURITY_RESTRICTED_OPERATION;
	SetUserIdAndSecContext(OidIsValid(role) ? role : scope->saved_user, context);
	scope->guc_level = NewGUCNestLevel();
	(void) set_config_option("search_path", SAFE_SEARCH_PATH,
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
}

/* Closes a scope: every setting changed in it is rolled back, the user and context restored. */
void
MmScopeEnd(MmScope *scope)
{
	AtEOXact_GUC(false, scope->guc_level);
	SetUserIdAndSecContext(scope->saved_user, scope->saved_context);
}

/*
 * Runs one statement of the extension as the current user, in a scope of
 * its own (see the file comment); returns SPI's result code.  SPI is
 * connected.
 */
int
MmSpiRun(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls,
		 bool read_only, long count)
{
	MmScope		scope;
	int			rc;

	MmScopeBegin(&scope, InvalidOid, false);
	rc = SPI_execute_with_args(sql, nargs, types, values, nulls, read_only, count);
	MmScopeEnd(&scope);
	return rc;
}

/*
 * Runs one statement that reads a relation as the current user, its rows
 * going to dest, in a scope of its own; returns SPI's result code.
 */
int
MmSpiRunTo(const char *sql, ParamListInfo params, DestReceiver *dest)
{
	MmScope		scope;
	SPIExecuteOptions opts;
	int			rc;

	memset(&opts, 0, sizeof(opts));
	opts.params = params;
	opts.read_only = true;
	opts.dest = dest;
	MmScopeBegin(&scope, InvalidOid, false);
	rc = SPI_execute_extended(sql, &opts);
	MmScopeEnd(&scope);
	return rc;
}
