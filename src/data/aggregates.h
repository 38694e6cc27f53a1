/*
 * aggregates.h: the states of the training, cross-validation and evaluation
 * aggregates, read back from their results.
 */
#ifndef MM_AGGREGATES_H
#define MM_AGGREGATES_H

#include "postgres.h"

#include "regmetrics.h"

extern void *MmLsStateFromDatum(Datum datum);
extern void *MmLsMerge(void *a, const void *b);
extern int	MmCvStates(Datum datum, void ***states);
extern void MmEvalMetricsFromDatum(Datum datum, MmRegressionMetrics *out);

#endif							/* MM_AGGREGATES_H */
