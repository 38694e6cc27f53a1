/*
 * numbermode.h: the most frequent value of a numeric feature in the
 * training rows, for preprocess option "impute": "most_frequent" fitted in
 * passes.
 */
#ifndef MM_NUMBERMODE_H
#define MM_NUMBERMODE_H

#include "postgres.h"

#include "columns.h"
#include "dataset.h"

/*
 * The most frequent value of numeric feature j of src among the training
 * rows where it is not NULL, the smallest among ties, as the fit in memory
 * chooses it; header is a pass header with a raw design for mm_pass_part.
 * False when the feature is NULL in every training row.
 */
extern bool MmDiscoverNumberMode(const MmSource *src, int j, bytea *header, int target,
								 MmLabelKind label_kind, double *mode);

#endif							/* MM_NUMBERMODE_H */
