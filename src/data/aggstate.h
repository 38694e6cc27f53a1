/*
 * aggstate.h: aggregate states, bytea holding the core's state at
 * MM_STATE_OFFSET, and the arguments aggregates share.
 */
#ifndef MM_AGGSTATE_H
#define MM_AGGSTATE_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/array.h"

#define MM_STATE_OFFSET (VARHDRSZ + 4)

extern void *MmStatePayload(bytea *state, Size *len);
extern void *MmStateWritable(bytea **state, Size *len);
extern bytea *MmStateAlloc(MemoryContext cxt, Size len);
extern void MmRequireAggregate(FunctionCallInfo fcinfo, const char *name, MemoryContext *aggcxt);
extern int	MmFloat8ArrayLength(ArrayType *x, const char *argname);
extern bool MmFloat8ArrayValues(ArrayType *x, double *values, uint8 *isnull);

#endif							/* MM_AGGSTATE_H */
