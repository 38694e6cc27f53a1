/*
 * checkagg.h: the aggregate that counts a monitoring check's window
 * (mm_check_stats), and what check.c hands it and takes back from it.
 */
#ifndef MM_CHECKAGG_H
#define MM_CHECKAGG_H

#include "postgres.h"

#include "checkstate.h"

/* The header of mm_check_stats: the version's artifact, its baseline (JSON) and the quality to count. */
extern bytea *MmCheckHeader(const bytea *artifact, const char *baseline_json, MmCheckQuality quality);

/*
 * Points view into the state a check's query returned (copied, checked);
 * view->head is NULL when the window had no row.
 */
extern void MmCheckStateRead(Datum result, bool isnull, uint64 expect_watches, MmCheckStateView *view,
							 void **watch);

#endif							/* MM_CHECKAGG_H */
