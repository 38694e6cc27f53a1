/*
 * evalarg.h: the model a metrics pass carries (evalpasses.h), for training
 * in passes and mm_evaluate in passes.
 */
#ifndef MM_EVALARG_H
#define MM_EVALARG_H

#include "postgres.h"

#include "model.h"

extern void *MmEvalPassArg(const MmModel *model, int slots);
extern void *MmRegressorPassArg(const MmModel *model, double train_mean);
extern void MmCheckEvalPassRead(int unread);
extern void MmNoteRocFull(int full);

#endif							/* MM_EVALARG_H */
