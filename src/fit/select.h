/*
 * select.h: feature selection by univariate scores (select_k_best).
 */
#ifndef MM_SELECT_H
#define MM_SELECT_H

#include "postgres.h"

#include "dataset.h"
#include "columns.h"
#include "model.h"
#include "preprocess.h"

extern void MmSelectFeatures(int k_best, const MmSource *src, const MmDataset *ds, bool *keep,
							 const MmFeatureTransform *all, double *const *code_of,
							 const MmCategories *cats, MmPreprocessFit *fit);

#endif							/* MM_SELECT_H */
