/*
 * worker.h: the monitor launcher and its workers.
 */
#ifndef MM_WORKER_H
#define MM_WORKER_H

#include "postgres.h"

extern void MmWorkerInit(void);
extern bool MmMonitorsCanRun(void);
extern void MmMonitorCreated(void);

#endif							/* MM_WORKER_H */
