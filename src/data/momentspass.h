/*
 * momentspass.h: the one aggregate pass over a relation that gathers the
 * moments of its features and target.
 */
#ifndef MM_MOMENTSPASS_H
#define MM_MOMENTSPASS_H

#include "postgres.h"

#include "fmgr.h"

#include "columns.h"
#include "lsq.h"
#include "trainspec.h"

extern char *MmMomentsPass(FunctionCallInfo fcinfo, const MmTrainSpec *spec, const MmSource *src,
						   MmLsView *view);
extern char *MmFoldQuery(const MmSource *src, const char *schema);
extern void MmCheckCounts(const MmLsView *v, const MmSource *src);
extern void MmCheckRowCounts(int p, const int64 *null_count, const int64 *nonfinite_count,
							 double usable_rows, const MmSource *src);

#endif							/* MM_MOMENTSPASS_H */
