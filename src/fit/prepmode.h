/*
 * prepmode.h: "impute": "most_frequent" on numeric features, fitted in
 * passes.
 */
#ifndef MM_PREPMODE_H
#define MM_PREPMODE_H

#include "postgres.h"

#include "columns.h"
#include "preprocess.h"

/*
 * Finds the training rows' most frequent value of every numeric feature of
 * src that pp imputes with it (MmDiscoverNumberMode), and turns the option
 * into imputing that value as a constant, which the rest of the fit in
 * passes fits exactly as the fit in memory fits the mode.  A feature NULL
 * in every training row keeps the option: the fit refuses it by name.
 * header is a pass header with a raw design for mm_pass_part.
 */
extern void MmFitNumberModes(MmPreprocess *pp, const MmSource *src, bytea *header, int target,
							 MmLabelKind label_kind);

#endif							/* MM_PREPMODE_H */
