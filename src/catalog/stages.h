/*
 * stages.h: a model's stages and their history, which the registry
 * functions, training and import share.
 */
#ifndef MM_STAGES_H
#define MM_STAGES_H

#include "postgres.h"

extern int32 MmStageTop(int64 model_id, const char *stage, int64 *version_id, int32 *depth);
extern void MmStagePush(int64 model_id, const char *model, const char *stage,
						int64 version_id, int32 version, const char *via);
extern void MmStageHistory(int64 model_id, const char *model, const char *stage, const char *action,
						   int32 version, int32 previous, const char *via);

#endif							/* MM_STAGES_H */
