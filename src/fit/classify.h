/*
 * classify.h: labels, the checks of classes, and classifiers' metrics.
 */
#ifndef MM_CLASSIFY_H
#define MM_CLASSIFY_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "classmetrics.h"
#include "dataset.h"
#include "columns.h"
#include "fit.h"
#include "model.h"

extern MmLabelKind MmLabelKindOf(Oid type);
extern void MmCheckClasses(const MmDataset *ds, const MmSource *src);
extern void MmCheckClassCounts(const int64 *train, int nlabels, char **labels,
							   const MmSource *src);
extern void MmClassificationResults(const MmFitOutcome *in, MmTrained *out);
extern Jsonb *MmEvaluateClassifier(const MmModel *model, MmSource *src);
extern void MmCheckEvaluationLabels(const MmModel *model, const MmSource *src);
extern int	MmEvaluationClass(const MmModel *model, const char *label, const MmSource *src);
extern Jsonb *MmClassifierEvaluation(const MmModel *model, const MmClassMetrics *m,
									 int64 null_target, int64 unseen);

#endif							/* MM_CLASSIFY_H */
