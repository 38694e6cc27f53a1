/*
 * monitorrun.h: one run of a monitor, which mm_monitor_run and the monitor
 * workers share, and the errors mm_unmonitor shares with it.
 */
#ifndef MM_MONITORRUN_H
#define MM_MONITORRUN_H

#include "postgres.h"

#include "utils/jsonb.h"

extern Jsonb *MmMonitorExecute(int32 id, const char *via, bool skip_locked, bool check_owner);
extern void MmMonitorMissing(int32 id) pg_attribute_noreturn();
extern void MmRequireMonitorOwner(int32 id, Oid owner, const char *verb);

#endif							/* MM_MONITORRUN_H */
