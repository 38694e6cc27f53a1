/*
 * passagg.h: passes of the core's data sources as the aggregate mm_pass.
 */
#ifndef MM_PASSAGG_H
#define MM_PASSAGG_H

#include "postgres.h"

#include "passstate.h"
#include "source.h"

extern bytea *MmPassHeader(int artifact_id, int index, int p, int target, double test_size,
						   int32 seed, const void *arg, size_t arg_len);
extern bytea *MmPassStateFromDatum(Datum datum, MmPassStateView *view, const MmPass **pass);

#endif							/* MM_PASSAGG_H */
