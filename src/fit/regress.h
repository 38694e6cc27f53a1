/*
 * regress.h: regression models' metrics, at training and evaluation.
 */
#ifndef MM_REGRESS_H
#define MM_REGRESS_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "columns.h"
#include "fit.h"
#include "model.h"
#include "regmetrics.h"

extern void MmRegressionResults(const MmFitOutcome *in, MmTrained *out);
extern Jsonb *MmEvaluateRegressionInMemory(const MmModel *model, MmSource *src);
extern Jsonb *MmRegressionEvaluation(const MmModel *model, const MmRegressionMetrics *m,
									 int64 null_target, int64 unseen);
extern void MmAppendRegressionFields(StringInfo buf, const MmRegressionMetrics *m);
extern void MmAppendRegressionMetrics(StringInfo buf, const MmRegressionMetrics *m);

#endif							/* MM_REGRESS_H */
