/*
 * trivialmodel.h: what the trivial model scores on each part of a
 * training, beside the fitted model's metrics: the majority class of the
 * training part for classifiers, the training mean for regressions.
 * deploy => 'if_better' (version.c) and mm_tune's deployment refuse a
 * version that does not beat it.
 */
#ifndef MM_TRIVIALMODEL_H
#define MM_TRIVIALMODEL_H

#include "postgres.h"

#include "lib/stringinfo.h"

#include "dataset.h"
#include "fit.h"

extern int	MmMajorityClass(const MmDataset *ds);
extern double MmAppendClassBaseline(StringInfo metrics, const MmDataset *ds, int part, int majority);
extern double MmAppendClassBaselineCounts(StringInfo metrics, const double *counts, int nlabels,
										  char **labels, int majority);
extern double MmAppendRegressionBaseline(StringInfo metrics, const MmFitOutcome *in, int part);

#endif							/* MM_TRIVIALMODEL_H */
