/*
 * textcount.h: a text feature's values, or a classifier's text labels,
 * counted per part of the split inside the state of the first pass over a
 * relation.
 *
 * A fit in passes must know each text feature's values and its labels,
 * with their rows per part, before its first pass over the design.
 * Counted by a grouping query that carries the first pass, they cost every
 * row a trip through a lateral join and a hash table, several times a bare
 * scan of the columns.  The pass reads each text value anyway (the row's
 * hash takes it), so its state counts the values it meets, up to
 * MM_TEXT_COUNT_VALUES of them in MM_TEXT_COUNT_BYTES of text: one more
 * marks the table overflowed, and that feature's values (or the labels)
 * are then counted by a query of their own, which says what is wrong.  The
 * values are kept in the order of their hashes (then their bytes), so that
 * two tables merge exactly, in any order: parallel workers and a
 * distributed database's shards count alike.  A row finds its value through
 * an open-addressed index of the hashes, a load and a compare where a
 * binary search would take a mispredicted branch per step; the index only
 * speeds the search up: a value it misses is looked for in the order, so a
 * table read back from bytes is counted right whatever its index holds.
 */
#ifndef MM_TEXTCOUNT_H
#define MM_TEXTCOUNT_H

#include <stddef.h>
#include <stdint.h>

#define MM_TEXT_COUNT_VALUES 512
#define MM_TEXT_COUNT_BYTES (16 * 1024)
#define MM_TEXT_COUNT_SLOTS 1024	/* the index: a power of two, twice the values */

typedef struct MmTextCount
{
	uint64_t	hash;			/* the value's hash, as the row's hash takes it */
	uint32_t	offset;			/* of its bytes in the table's text */
	uint32_t	len;
	int64_t		count[2];		/* rows in the training and the held-out part */
} MmTextCount;

typedef struct MmTextCounts
{
	int32_t		n;				/* distinct values, in value[0 .. n), by hash then bytes */
	int32_t		overflow;		/* 1: more values or text than the table holds; counting stopped */
	uint32_t	used;			/* bytes of text */
	uint32_t	pad;
	int64_t		nulls[2];		/* rows where the feature is NULL, per part */
	MmTextCount value[MM_TEXT_COUNT_VALUES];
	char		text[MM_TEXT_COUNT_BYTES];
	uint16_t	slot[MM_TEXT_COUNT_SLOTS];	/* by hash: 1 + a value's place, 0 for none */
} MmTextCounts;

/* An empty table. */
extern void mm_text_counts_init(MmTextCounts *c);

/* Counts a row whose value is the len bytes at value, of that hash, in part (0 or 1). */
extern void mm_text_counts_add(MmTextCounts *c, const char *value, size_t len, uint64_t hash,
							   int part);

/* Counts a row where the feature is NULL, in part. */
extern void mm_text_counts_add_null(MmTextCounts *c, int part);

/* Adds src's counts to dst's. */
extern void mm_text_counts_merge(MmTextCounts *dst, const MmTextCounts *src);

/*
 * 1 when bytes read back are a table add and merge could have made, of
 * rows rows in the two parts (every one of them counted, unless
 * overflowed): every value's bytes within the text, in order, each met.
 */
extern int	mm_text_counts_check(const MmTextCounts *c, int64_t rows);

#endif							/* MM_TEXTCOUNT_H */
