/*
 * evalarg.h: the model a metrics pass carries (evalpasses.h), for training
 * in passes and mm_evaluate in passes.
 */
#ifndef MM_EVALARG_H
#define MM_EVALARG_H

#include "postgres.h"

#include "model.h"
#include "regmetrics.h"
#include "source.h"

extern void *MmEvalPassArg(const MmModel *model, int slots);
extern void MmRegressionMetricsPass(const MmModel *model, double train_mean, const MmPass **pass,
									void **arg);
extern void MmRegressionMetricsRead(const MmPass *pass, const void *state, MmRegressionMetrics *model,
									MmRegressionMetrics *mean);
extern void MmCheckEvalPassRead(int unread);
extern void MmNoteRocFull(int full);

#endif							/* MM_EVALARG_H */
