/*
 * security.h: running as another role, in a restricted context, and the
 * queries run through SPI under it.
 */
#ifndef MM_SECURITY_H
#define MM_SECURITY_H

#include "postgres.h"

#include "nodes/params.h"
#include "tcop/dest.h"

/* What a switch of user, security context and settings saved, to undo it. */
typedef struct MmScope
{
	Oid			saved_user;
	int			saved_context;
	int			guc_level;
} MmScope;

extern void MmScopeBegin(MmScope *scope, Oid role, bool restricted);
extern void MmScopeEnd(MmScope *scope);
extern int	MmSpiRun(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls,
					 bool read_only, long count);
extern int	MmSpiRunTo(const char *sql, ParamListInfo params, DestReceiver *dest);

#endif							/* MM_SECURITY_H */
