/*
 * evaluatepasses.h: mm_evaluate in passes over the relation.
 */
#ifndef MM_EVALUATEPASSES_H
#define MM_EVALUATEPASSES_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "columns.h"
#include "model.h"

/*
 * Whether mm_evaluate of model on src runs in passes: as
 * modelmgr.train_in_passes says, under auto where training would (the rows
 * would not fit modelmgr.max_train_memory, or are distributed).
 */
extern bool MmEvaluateInPasses(const MmModel *model, const MmSource *src);

/*
 * The metrics of model on every row of src (columns resolved for the
 * model) measured in passes, as the flat JSON object mm_evaluate returns;
 * the same as evaluation in memory gives, the binary ROC AUC within the
 * bound of its histogram.  SPI is connected.
 */
extern Jsonb *MmEvaluatePasses(const MmModel *model, MmSource *src);

#endif							/* MM_EVALUATEPASSES_H */
