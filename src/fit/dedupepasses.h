/*
 * dedupepasses.h: dropping duplicate rows when training in passes.
 */
#ifndef MM_DEDUPEPASSES_H
#define MM_DEDUPEPASSES_H

#include "postgres.h"

#include "columns.h"
#include "discover.h"
#include "relsource.h"

/*
 * The relation of src's distinct rows, as a parenthesized subquery to read
 * FROM: one row per distinct tuple of the values the passes read (each
 * feature's expression and the target as target and label_kind read it),
 * with the columns those expressions name, so that they read it as they
 * read the relation.
 */
extern char *MmDistinctRowsRelation(const MmSource *src, int target, MmLabelKind label_kind);

/*
 * A copy of a relation source's counts (MmRelationSourceCounts) over p
 * features, which outlives the source's next pass.
 */
extern void MmCopyPassCounts(const MmPassCounts *from, int p, MmPassCounts *to);

/* The rows a read's counts say were usable: offered, less those refused. */
extern int64 MmUsableRows(const MmPassCounts *counts);

#endif
