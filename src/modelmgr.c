/*
 * modelmgr.c: the library's entry point.  Each module sets itself up.
 */
#include "postgres.h"

#include "export.h"
#include "guc.h"
#include "passmodel.h"
#include "progress.h"
#include "roles.h"
#include "shardplan.h"
#include "trainprogress.h"
#include "util.h"
#include "worker.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* Loads the settings and points the core at palloc. */
void
_PG_init(void)
{
	MmGucInit();
	MmCoreInit();
	MmPassModelInit();
	MmWorkerInit();
	MmProgressInit();
	MmTrainProgressInit();
	MmExportInit();
	MmRolesInit();
	MmShardPlanInit();
}
