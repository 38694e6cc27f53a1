/*
 * unsupervised.h: clustering and decomposition models' metrics.
 */
#ifndef MM_UNSUPERVISED_H
#define MM_UNSUPERVISED_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "columns.h"
#include "fit.h"
#include "model.h"

/* Silhouette scores are computed on at most this many rows (it is quadratic). */
#define MM_SILHOUETTE_ROWS 2000

extern void MmClusteringResults(const MmFitOutcome *in, MmTrained *out);
extern void MmDecompositionResults(const MmFitOutcome *in, MmTrained *out);
extern Jsonb *MmEvaluateUnsupervised(const MmModel *model, MmSource *src);
extern Jsonb *MmClusteringEvaluation(const MmModel *model, double inertia, double silhouette,
									 size_t silhouette_rows, const int64 *sizes, size_t n,
									 int64 unseen);
extern Jsonb *MmDecompositionEvaluation(const MmModel *model, const double *ratio, size_t n,
										int64 unseen);
extern void MmNoRowsToEvaluate(const MmSource *src);

#endif							/* MM_UNSUPERVISED_H */
