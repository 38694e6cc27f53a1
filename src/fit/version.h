/*
 * version.h: training one version of a model and recording it.
 */
#ifndef MM_VERSION_H
#define MM_VERSION_H

#include "postgres.h"

#include "fmgr.h"

#include "algorithm.h"
#include "audit.h"
#include "dataset.h"
#include "columns.h"
#include "fit.h"

/* A version just trained and recorded. */
typedef struct MmTrainedVersion
{
	int32		version;
	int64		version_id;
	bool		deployed;
	MmTrained  *trained;
} MmTrainedVersion;

extern const MmAlgorithm *MmChooseAlgorithm(const MmTrainSpec *spec, const MmSource *src);
extern void MmCheckTrainSpec(const MmTrainSpec *spec);
extern void MmCheckTrainPrivileges(const char *model, const char *deploy);
extern void MmTrainVersion(FunctionCallInfo fcinfo, MmTrainSpec *spec, const MmTrainContext *ctx,
						   MmAuditCall *call, MmTrainedVersion *result);
extern void MmRecordVersion(const MmTrainSpec *spec, const MmSource *src, MmTrained *trained,
							double seconds, MmAuditCall *call, MmTrainedVersion *result);

#endif							/* MM_VERSION_H */
