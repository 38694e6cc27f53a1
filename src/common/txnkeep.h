/*
 * txnkeep.h: a few values a process keeps until its transaction ends.
 *
 * A distributed database's shard query may call an aggregate's transition
 * through a new FmgrInfo for every row (Citus' worker_partial_agg does), so
 * what a call site keeps in fn_extra is gone on the next row.  What is made
 * from an argument that is the same on every row (a check header, a pass's
 * design) is kept here instead, in the transaction's memory, up to
 * MM_TXN_KEEP values a keeper: past that, callers keep in the call site's
 * memory as before, so memory stays bounded however many a transaction
 * meets.
 */
#ifndef MM_TXNKEEP_H
#define MM_TXNKEEP_H

#include "postgres.h"

#define MM_TXN_KEEP 8

typedef struct MmTxnKeeper
{
	MemoryContext cxt;			/* NULL until the transaction's first value */
	int			n;
	void	   *kept[MM_TXN_KEEP];
	uint64		generation;		/* moves on when the transaction's values are gone */
} MmTxnKeeper;

/*
 * The memory a new value to keep is made in: the transaction's while the
 * keeper has room, else NULL (the caller makes it in memory of its own).
 */
extern MemoryContext MmTxnKeepMemory(MmTxnKeeper *k);

/* Keeps value, made in MmTxnKeepMemory's memory, until the transaction ends. */
extern void MmTxnKeep(MmTxnKeeper *k, void *value);

#endif							/* MM_TXNKEEP_H */
