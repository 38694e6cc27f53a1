/*
 * aggsource.h: a data source over the training aggregate's moments.
 */
#ifndef MM_AGGSOURCE_H
#define MM_AGGSOURCE_H

#include "postgres.h"

#include "algorithm.h"
#include "source.h"

extern void MmMomentsSource(MmDataSource *source, const double *moments, int p,
							MmDataSource *rows);
extern bool MmAggregateServes(const MmAlgorithm *algorithm);

#endif							/* MM_AGGSOURCE_H */
