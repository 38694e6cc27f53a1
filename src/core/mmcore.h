/*
 * mmcore.h: what every part of the modelmgr core shares.
 *
 * The core is plain C99 with no PostgreSQL header, so that the same numerics
 * and model formats build into the extension, the standalone scorer and the
 * unit tests.  It reports failures through MmError instead of longjmp-ing, and
 * allocates through hooks so that inside the server every byte it takes comes
 * from a PostgreSQL memory context and is released when that context is.
 */
#ifndef MMCORE_H
#define MMCORE_H

#include <stddef.h>
#include <stdint.h>

/* Kinds of failure, mapped to SQLSTATEs by the server glue. */
typedef enum MmErrorCode
{
	MM_OK = 0,
	MM_ERR_INVALID_INPUT,		/* caller's data or arguments are unusable */
	MM_ERR_TOO_FEW_ROWS,		/* not enough rows for the requested fit */
	MM_ERR_CONSTANT_FEATURE,	/* a feature has no variance */
	MM_ERR_CONSTANT_TARGET,		/* the target has no variance */
	MM_ERR_CORRUPT,				/* serialized bytes fail their checks */
	MM_ERR_UNSUPPORTED,			/* a format or feature this build lacks */
	MM_ERR_NUMERIC,				/* the linear algebra failed */
	MM_ERR_NO_MEMORY
} MmErrorCode;

/* A failure: its kind, the index of the offending item if any, a message. */
typedef struct MmError
{
	MmErrorCode code;
	int			item;			/* feature index, or -1 */
	char		message[256];
} MmError;

/* Records a failure; always returns the code so callers can "return mm_fail(...)". */
extern MmErrorCode mm_fail(MmError *err, MmErrorCode code, int item, const char *fmt,...)
#if defined(__GNUC__)
			__attribute__((format(printf, 4, 5)))
#endif
			;

/* Allocation hooks; default to malloc/free, the server points them at palloc/pfree. */
typedef void *(*MmAllocFn) (size_t size);
typedef void (*MmFreeFn) (void *ptr);
extern void mm_set_allocator(MmAllocFn alloc_fn, MmFreeFn free_fn);
extern void *mm_alloc(size_t size);
extern void *mm_alloc0(size_t size);
extern void mm_free(void *ptr);
extern char *mm_strdup(const char *s);

/*
 * A growable buffer, allocated through the hooks and kept NUL-terminated so
 * that text built in it is a string.  Start from {0}; failed is set once an
 * allocation fails, after which appends do nothing.  The owner frees data.
 */
typedef struct MmBuffer
{
	char	   *data;
	size_t		len;
	size_t		cap;
	int			failed;
} MmBuffer;

extern void mm_buffer_append(MmBuffer *buf, const void *bytes, size_t n);

/*
 * A hook the long loops of the core call between blocks of rows; inside the
 * server it checks for query cancel (and may not return).  Everything the
 * core allocates comes from the hooks above, so leaving that way leaks nothing.
 */
typedef void (*MmInterruptFn) (void);
extern void mm_set_interrupt_check(MmInterruptFn fn);
extern void mm_check_interrupts(void);

/*
 * What the interrupt check leaves behind when it does not return: memory
 * and handles a library allocated outside the hooks (XGBoost's).  A core
 * function that holds such resources across mm_check_interrupts registers
 * a cleanup (in memory from mm_alloc, which must stay until the cleanup
 * runs or is disarmed); inside the server it runs if the memory the hooks
 * allocate from is released first, as when an error or a cancel abandons
 * the computation.  The function disarms it (fn = NULL) once it has
 * released the resources itself.  Without a hook, nothing is registered.
 */
typedef struct MmCleanup
{
	void		(*fn) (void *arg);
	void	   *arg;
} MmCleanup;
typedef void (*MmCleanupHookFn) (MmCleanup *cleanup);
extern void mm_set_cleanup_hook(MmCleanupHookFn fn);
extern void mm_register_cleanup(MmCleanup *cleanup);

/*
 * Runs fn over [0, n) in chunks of MM_CHUNK_ROWS rows (the last one
 * shorter): fn(arg, begin, end, chunk) for chunk = 0 .. mm_chunks(n) - 1, on
 * up to mm_threads() threads, the calling thread one of them.  The chunks do
 * not depend on the number of threads, so a caller that keeps one partial
 * result per chunk and merges them in chunk order gets the same bits
 * whatever the number of threads.  fn must not allocate through mm_alloc nor
 * call mm_check_interrupts (the caller checks between runs); the other
 * threads run with every signal blocked, so signal handlers stay on the
 * calling thread.  When a thread cannot start, its chunks run on the
 * calling thread.
 */
#define MM_CHUNK_ROWS 65536
typedef void (*MmChunkFn) (void *arg, size_t begin, size_t end, int chunk);
extern int	mm_chunks(size_t n);
extern void mm_parallel(size_t n, MmChunkFn fn, void *arg);

/*
 * mm_parallel with chunks of chunk_rows rows: for work whose rows are
 * costly and independent (a kernel model's predictions), where a few
 * thousand rows are worth several threads; a row's result must not depend
 * on its chunk.
 */
extern void mm_parallel_rows(size_t n, size_t chunk_rows, MmChunkFn fn, void *arg);

/* The most threads mm_parallel uses (1: the calling thread only). */
extern void mm_set_threads(int threads);
extern int	mm_threads(void);

/* Largest number of threads mm_parallel may use. */
#define MM_MAX_THREADS 64

/* Largest number of features any model may have. */
#define MM_MAX_FEATURES 1600

#endif							/* MMCORE_H */
