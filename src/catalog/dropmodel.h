/*
 * dropmodel.h: the removal of a model's rows, which mm_drop_model and the
 * roles' hook share.
 */
#ifndef MM_DROPMODEL_H
#define MM_DROPMODEL_H

#include "postgres.h"

extern void MmDropModel(int64 model_id, const char *model, const char *via, bool drop_monitors);

#endif							/* MM_DROPMODEL_H */
