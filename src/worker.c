/*
 * worker.c: the background workers that run monitors.
 */
#include "postgres.h"

#include "miscadmin.h"

#include "modelmgr.h"
#include "monitor.h"

/* Whether the library was loaded at server start, which background workers need. */
static bool preloaded = false;

bool
MmMonitorsCanRun(void)
{
	return preloaded;
}

void
MmWorkerInit(void)
{
	preloaded = process_shared_preload_libraries_in_progress;
}
