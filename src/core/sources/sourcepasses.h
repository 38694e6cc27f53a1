/*
 * sourcepasses.h: the passes every data source offers, whatever the
 * algorithm: statistics of the design itself.
 *
 * mm_pass_find lists them under artifact id MM_PASS_SOURCE_ID (0, which no
 * algorithm has), so that they run over a relation like any algorithm's
 * passes.
 *
 * The column summary gathers, over the training rows, the row count and
 * per column of the design then the target (0 without one) the sum, the
 * minimum and the maximum: what scaling to a range and the check for a
 * constant column need.  Its state is 2 + 3 (p + 1) doubles: the width
 * p + 1, n, then the sums, the minimums and the maximums.  Merged in any order it gives the
 * same bits whenever the sums are exact (integers below 2^53).
 *
 * The column statistics (column_stats.h) add per column the missing
 * values, the variance and a quantile sketch: what preprocessing fits.
 */
#ifndef MM_SOURCEPASSES_H
#define MM_SOURCEPASSES_H

#include "source.h"

#define MM_SOURCE_PASS_SUMMARY 0
#define MM_SOURCE_PASS_COLUMN_STATS 1

extern const MmPass mm_pass_column_summary;

/* The source's own passes, NULL-terminated. */
extern const MmPass *const mm_source_passes[];

#endif							/* MM_SOURCEPASSES_H */
