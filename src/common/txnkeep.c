/*
 * txnkeep.c: a few values kept until the transaction ends (see txnkeep.h).
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "txnkeep.h"

/* The transaction's memory is going: what it held is forgotten. */
static void
forget(void *arg)
{
	MmTxnKeeper *k = arg;

	k->cxt = NULL;
	k->n = 0;
	k->generation++;
}

MemoryContext
MmTxnKeepMemory(MmTxnKeeper *k)
{
	if (k->n >= MM_TXN_KEEP)
		return NULL;
	if (k->cxt == NULL)
	{
		MemoryContextCallback *cb;

		k->cxt = AllocSetContextCreate(TopTransactionContext, "modelmgr values kept for the transaction",
									   ALLOCSET_DEFAULT_SIZES);
		cb = MemoryContextAlloc(k->cxt, sizeof(MemoryContextCallback));
		cb->func = forget;
		cb->arg = k;
		MemoryContextRegisterResetCallback(k->cxt, cb);
	}
	return k->cxt;
}

void
MmTxnKeep(MmTxnKeeper *k, void *value)
{
	Assert(k->n < MM_TXN_KEEP && k->cxt != NULL);
	k->kept[k->n++] = value;
}
