/*
 * monitor.h: one run of a monitor, which mm_monitor_run and the monitor
 * workers share.
 */
#ifndef MM_MONITOR_H
#define MM_MONITOR_H

#include "postgres.h"

#include "utils/jsonb.h"

extern Jsonb *MmMonitorExecute(int32 id, const char *via, bool skip_locked, bool check_owner);

#endif							/* MM_MONITOR_H */
