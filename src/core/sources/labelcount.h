/*
 * labelcount.h: a classifier's labels, counted per part of the split inside
 * the state of the first pass over a relation.
 *
 * A fit in passes must know its labels before its first pass over the
 * design, and their rows per part; counted by a grouping query, they cost
 * the relation's rows a trip through a lateral join and a hash table.  A
 * number or boolean label reaches the pass as a double already, so the
 * pass's state counts the distinct values it meets, sorted, up to
 * MM_MAX_CLASSES of them: one more marks the table overflowed, and the
 * labels are then counted by the queries, which say what is wrong.  The
 * table merges exactly, in any order, so parallel workers and a distributed
 * database's shards count alike.
 */
#ifndef MM_LABELCOUNT_H
#define MM_LABELCOUNT_H

#include <stdint.h>

#include "model.h"

typedef struct MmLabelCount
{
	double		value;
	int64_t		count[2];		/* rows in the training and the held-out part */
} MmLabelCount;

typedef struct MmLabelCounts
{
	int32_t		n;				/* distinct values, ascending in label[0 .. n) */
	int32_t		overflow;		/* 1: more than MM_MAX_CLASSES values met; counting stopped */
	MmLabelCount label[MM_MAX_CLASSES];
} MmLabelCounts;

/* An empty table. */
extern void mm_label_counts_init(MmLabelCounts *c);

/* Counts a row of label value (finite) in part (0 or 1). */
extern void mm_label_counts_add(MmLabelCounts *c, double value, int part);

/* Adds src's counts to dst's. */
extern void mm_label_counts_merge(MmLabelCounts *dst, const MmLabelCounts *src);

/*
 * 1 when bytes read back are a table add and merge could have made, of
 * rows rows in the two parts (every one of them counted, unless overflowed).
 */
extern int	mm_label_counts_check(const MmLabelCounts *c, int64_t rows);

#endif							/* MM_LABELCOUNT_H */
