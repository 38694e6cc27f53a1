/*
 * baseline.h: the profile of the training rows that monitors compare with,
 * and the outcome of a model it profiles.
 */
#ifndef MM_BASELINE_H
#define MM_BASELINE_H

#include "postgres.h"

#include "dataset.h"
#include "columns.h"
#include "lsq.h"
#include "model.h"

typedef struct MmBaselineSample MmBaselineSample;

/* Training rows whose values give a baseline's quantiles, at most. */
#define MM_BASELINE_SAMPLE 20000

extern MmBaselineSample *MmBaselineTake(const MmDataset *ds, const MmSource *src);
extern MmBaselineSample *MmBaselineFromMoments(const MmLsView *view, const MmSource *src);
extern MmBaselineSample *MmBaselineFromColumnStats(const void *stats, const MmSource *src,
												   int64 rows_train, const double *rows, size_t m,
												   MmStringDict **row_dicts,
												   MmStringDict *const *counted,
												   const int64 *text_missing,
												   double *const *values, const size_t *nvalues);
extern void MmBaselineSetRows(MmBaselineSample *sample, int64 rows_train);
extern char *MmBaselineFinish(MmBaselineSample *sample, const MmModel *model);

/*
 * The outcomes a training already computed for its design rows (n rows of
 * p columns): a sampled row whose design is bit for bit the training row
 * it was sampled from takes that row's outcome instead of scoring it
 * again, the same number since the model is a function of the bits.
 * NaN stands for an outcome not known.
 */
typedef struct MmKnownOutcomes
{
	const double *x;
	int			p;
	size_t		n;
	const double *outcome;
} MmKnownOutcomes;

extern char *MmBaselineFinishKnown(MmBaselineSample *sample, const MmModel *model,
								   const MmKnownOutcomes *known);
extern double MmModelOutcome(const MmModel *model, const double *z, double *scratch);
extern bool MmOutcomeIsCategorical(const MmModel *model);
extern char *MmOutcomeName(const MmModel *model, int outcome);
extern int	MmOutcomeCount(const MmModel *model);

#endif							/* MM_BASELINE_H */
