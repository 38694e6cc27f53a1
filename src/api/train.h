/*
 * train.h: the arguments of mm_train that mm_tune shares.
 */
#ifndef MM_TRAIN_H
#define MM_TRAIN_H

#include "postgres.h"

#include "fmgr.h"

#include "audit.h"
#include "fit.h"

extern void MmTrainRun(FunctionCallInfo fcinfo, MmTrainSpec *spec, MmAuditCall *call);
extern void MmReadTrainTarget(FunctionCallInfo fcinfo, MmTrainSpec *spec, MmAuditCall *call);
extern void MmReadTrainRecipe(FunctionCallInfo fcinfo, int first, MmTrainSpec *spec, MmAuditCall *call);
extern char *MmJsonStringArray(char **items, int n);

#endif							/* MM_TRAIN_H */
