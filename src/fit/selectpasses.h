/*
 * selectpasses.h: feature selection ({"select": {"k_best": k}}) fitted in
 * passes, equal to the selection in memory (select.h) on the same rows.
 */
#ifndef MM_SELECTPASSES_H
#define MM_SELECTPASSES_H

#include "postgres.h"

#include "fitpasses.h"

/*
 * Scores the features keep still holds (of src's, as read) from one pass of
 * the selection statistics (selectstats.h) over pd's training rows, imputed
 * and clipped by all and coded by cats, then keeps the k_best as
 * MmSelectFeatures does: keep, fit's dropped features and the p-values'
 * JSON.
 */
extern void MmSelectFeaturesByPasses(int k_best, const MmTrainSpec *spec, const MmPassesData *pd,
									 const MmSource *src, bool *keep,
									 const MmFeatureTransform *all, const MmCategories *cats,
									 MmPreprocessFit *fit);

#endif							/* MM_SELECTPASSES_H */
