/*
 * reference.h: reference (treatment) coding of text features: which fits
 * use it, and which level is the reference.
 */
#ifndef MM_REFERENCE_H
#define MM_REFERENCE_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "algorithm.h"
#include "columns.h"
#include "model.h"
#include "params.h"
#include "preprocess.h"

extern char *MmParseReference(JsonbValue *v);
extern bool MmReferenceCoding(const MmAlgorithm *algorithm, const MmParams *params);
extern void MmChooseReference(const MmColumnPrep *prep, bool coding, const MmSource *src, int j,
							  MmCategories *cats);

#endif							/* MM_REFERENCE_H */
