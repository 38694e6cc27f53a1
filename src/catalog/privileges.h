/*
 * privileges.h: what a role may do with a model (MM_PRIV_* bits), and the
 * checks.
 */
#ifndef MM_PRIVILEGES_H
#define MM_PRIVILEGES_H

#include "postgres.h"

#define MM_PRIV_USE 1
#define MM_PRIV_TRAIN 2
#define MM_PRIV_DEPLOY 4
#define MM_PRIV_ALL (MM_PRIV_USE | MM_PRIV_TRAIN | MM_PRIV_DEPLOY)
#define MM_PRIV_OWNER 8			/* archive, restore, purge, annotate, drop, grant, revoke, owner */

extern const char *MmPrivilegeName(int privilege);
extern int	MmParsePrivileges(const char *text);
extern int	MmPrivilegesOf(int64 model_id, Oid owner, Oid role, bool read_only);
extern int	MmRequirePrivileges(const char *model, int64 model_id, Oid owner, int needed, bool read_only);
extern void MmRequireGrants(void);

#endif							/* MM_PRIVILEGES_H */
