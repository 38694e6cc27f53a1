/*
 * registry.h: stages and the dropping of models, which training, import and
 * the roles' hook share with the registry functions.
 */
#ifndef MM_REGISTRY_H
#define MM_REGISTRY_H

#include "postgres.h"

extern void MmStagePush(int64 model_id, const char *model, const char *stage,
						int64 version_id, int32 version, const char *via);
extern int32 MmStageTop(int64 model_id, const char *stage, int64 *version_id);
extern void MmDropModel(int64 model_id, const char *model, const char *via, bool drop_monitors);

#endif							/* MM_REGISTRY_H */
