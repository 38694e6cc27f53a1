/*
 * shmem.c: the shared-memory hooks, chained once for every segment of the
 * library (shmem.h).
 *
 * Since PostgreSQL 15 a library asks for its space from shmem_request_hook,
 * which runs once MaxBackends is known, and creates or attaches its
 * segments from shmem_startup_hook, under AddinShmemInitLock.  Each hook is
 * chained here, once, and walks the registered segments in the order they
 * were registered.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/shmem.h"

#include "shmem.h"

/* More than the library has: registering past it is a programming error. */
#define MAX_SEGMENTS 8

typedef struct Segment
{
	const char *name;			/* of the segment and of its lock tranche */
	MmShmemSizeFn size;
	int			nlocks;
	MmShmemInitFn init;
	void	  **pointer;
} Segment;

/* What _PG_init registered: configuration, set once per process. */
static Segment segments[MAX_SEGMENTS];
static int	nsegments = 0;
static shmem_request_hook_type prev_shmem_request = NULL;
static shmem_startup_hook_type prev_shmem_startup = NULL;

static void
shmem_request(void)
{
	int			i;

	if (prev_shmem_request)
		prev_shmem_request();
	for (i = 0; i < nsegments; i++)
	{
		RequestAddinShmemSpace(segments[i].size());
		if (segments[i].nlocks > 0)
			RequestNamedLWLockTranche(segments[i].name, segments[i].nlocks);
	}
}

static void
shmem_startup(void)
{
	int			i;

	if (prev_shmem_startup)
		prev_shmem_startup();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	for (i = 0; i < nsegments; i++)
	{
		const Segment *s = &segments[i];
		Size		size = s->size();
		bool		found;
		void	   *segment = ShmemInitStruct(s->name, size, &found);

		if (!found)
		{
			memset(segment, 0, size);
			if (s->init != NULL)
				s->init(segment, s->nlocks > 0 ? GetNamedLWLockTranche(s->name) : NULL);
		}
		*s->pointer = segment;
	}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * Registers a segment of size() bytes named name, with nlocks locks of a
 * tranche of the same name, to be filled by init (may be NULL) when created;
 * *pointer is set to it at startup.  Called from _PG_init; false, and
 * nothing registered, unless the library is being preloaded.
 */
bool
MmShmemRegister(const char *name, MmShmemSizeFn size, int nlocks, MmShmemInitFn init,
				void **pointer)
{
	if (!process_shared_preload_libraries_in_progress)
		return false;
	if (nsegments == MAX_SEGMENTS)
		elog(ERROR, "too many shared memory segments registered");
	if (nsegments == 0)
	{
		prev_shmem_request = shmem_request_hook;
		shmem_request_hook = shmem_request;
		prev_shmem_startup = shmem_startup_hook;
		shmem_startup_hook = shmem_startup;
	}
	segments[nsegments].name = name;
	segments[nsegments].size = size;
	segments[nsegments].nlocks = nlocks;
	segments[nsegments].init = init;
	segments[nsegments].pointer = pointer;
	nsegments++;
	return true;
}
