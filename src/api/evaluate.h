/*
 * evaluate.h: the names of a model's design columns, as mm_coefficients
 * reports them.
 */
#ifndef MM_EVALUATE_H
#define MM_EVALUATE_H

#include "postgres.h"

#include "model.h"

extern char *MmDesignName(const MmModel *model, int k);

#endif							/* MM_EVALUATE_H */
