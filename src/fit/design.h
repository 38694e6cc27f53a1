/*
 * design.h: the names of a model's design columns, as mm_coefficients
 * reports them.
 */
#ifndef MM_DESIGN_H
#define MM_DESIGN_H

#include "postgres.h"

#include "model.h"

extern char *MmDesignName(const MmModel *model, int k);

#endif							/* MM_DESIGN_H */
