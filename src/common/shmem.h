/*
 * shmem.h: the library's segments of shared memory.
 *
 * A module that keeps state in shared memory registers its segment once,
 * from _PG_init while the library is preloaded; shmem.c requests the space
 * and the segment's named locks, creates or attaches the segment at
 * startup, and points the module's pointer at it.  Without preloading
 * nothing is registered and the pointer stays NULL, which the module reads
 * as "no shared state".
 */
#ifndef MM_SHMEM_H
#define MM_SHMEM_H

#include "postgres.h"

#include "storage/lwlock.h"

/* The segment's size: asked when the space is requested, once MaxBackends is known. */
typedef Size (*MmShmemSizeFn) (void);

/*
 * Fills a segment just created (zeroed already): locks are the nlocks locks
 * of the tranche named as the segment, or NULL without locks.  Runs once per
 * server, under AddinShmemInitLock.
 */
typedef void (*MmShmemInitFn) (void *segment, LWLockPadded *locks);

extern bool MmShmemRegister(const char *name, MmShmemSizeFn size, int nlocks, MmShmemInitFn init,
							void **pointer);

#endif							/* MM_SHMEM_H */
