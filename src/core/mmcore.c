/*
 * mmcore.c: error reporting and allocation hooks of the core.
 */
#include "mmcore.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *
default_alloc(size_t size)
{
	return malloc(size == 0 ? 1 : size);
}

static MmAllocFn alloc_hook = default_alloc;
static MmFreeFn free_hook = free;

/* Records a failure in err (which may be NULL) and returns its code. */
MmErrorCode
mm_fail(MmError *err, MmErrorCode code, int item, const char *fmt,...)
{
	va_list		ap;

	if (err == NULL)
		return code;
	err->code = code;
	err->item = item;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

/* Points the core's allocations at another allocator (NULL restores malloc). */
void
mm_set_allocator(MmAllocFn alloc_fn, MmFreeFn free_fn)
{
	alloc_hook = alloc_fn ? alloc_fn : default_alloc;
	free_hook = free_fn ? free_fn : free;
}

/* Allocates size bytes; NULL only when the standalone allocator runs out. */
void *
mm_alloc(size_t size)
{
	return alloc_hook(size);
}

/* Allocates size zeroed bytes. */
void *
mm_alloc0(size_t size)
{
	void	   *p = alloc_hook(size);

	if (p != NULL)
		memset(p, 0, size);
	return p;
}

/* Releases memory from mm_alloc; NULL is ignored. */
void
mm_free(void *ptr)
{
	if (ptr != NULL)
		free_hook(ptr);
}

/* Copies a NUL-terminated string with the core's allocator. */
char *
mm_strdup(const char *s)
{
	size_t		len = strlen(s) + 1;
	char	   *copy = mm_alloc(len);

	if (copy != NULL)
		memcpy(copy, s, len);
	return copy;
}

/* Appends n bytes to buf, growing it by doubling (see mmcore.h). */
void
mm_buffer_append(MmBuffer *buf, const void *bytes, size_t n)
{
	if (buf->failed)
		return;
	if (buf->len + n + 1 > buf->cap)
	{
		size_t		cap = buf->cap ? buf->cap * 2 : 256;
		char	   *grown;

		while (cap < buf->len + n + 1)
			cap *= 2;
		grown = mm_alloc(cap);
		if (grown == NULL)
		{
			buf->failed = 1;
			return;
		}
		if (buf->len > 0)
			memcpy(grown, buf->data, buf->len);
		mm_free(buf->data);
		buf->data = grown;
		buf->cap = cap;
	}
	memcpy(buf->data + buf->len, bytes, n);
	buf->len += n;
	buf->data[buf->len] = '\0';
}

static MmInterruptFn interrupt_hook = NULL;

/* Sets the hook long loops call (NULL: none). */
void
mm_set_interrupt_check(MmInterruptFn fn)
{
	interrupt_hook = fn;
}

/* Gives the caller a chance to cancel a long computation. */
void
mm_check_interrupts(void)
{
	if (interrupt_hook != NULL)
		interrupt_hook();
}

static MmCleanupHookFn cleanup_hook = NULL;

/* Sets how cleanups are registered (see mmcore.h). */
void
mm_set_cleanup_hook(MmCleanupHookFn fn)
{
	cleanup_hook = fn;
}

/* Registers a cleanup for an abandoned computation, where a hook is set. */
void
mm_register_cleanup(MmCleanup *cleanup)
{
	if (cleanup_hook != NULL)
		cleanup_hook(cleanup);
}

static int	thread_limit = 1;

/* Sets the most threads mm_parallel uses. */
void
mm_set_threads(int threads)
{
	thread_limit = threads < 1 ? 1 : threads > MM_MAX_THREADS ? MM_MAX_THREADS : threads;
}

/* The most threads mm_parallel uses. */
int
mm_threads(void)
{
	return thread_limit;
}

/* The number of chunks mm_parallel splits n rows into. */
int
mm_chunks(size_t n)
{
	return n == 0 ? 1 : (int) ((n + MM_CHUNK_ROWS - 1) / MM_CHUNK_ROWS);
}

/* One thread's share of an mm_parallel run: chunks first, first + stride, ... */
typedef struct Share
{
	MmChunkFn	fn;
	void	   *arg;
	size_t		n;
	size_t		chunk_rows;
	int			first;
	int			stride;
} Share;

/* The number of chunks of chunk_rows rows in n rows (one for none). */
static int
chunks_of(size_t n, size_t chunk_rows)
{
	return n == 0 ? 1 : (int) ((n + chunk_rows - 1) / chunk_rows);
}

static void *
run_share(void *p)
{
	Share	   *s = p;
	int			chunks = chunks_of(s->n, s->chunk_rows),
				c;

	for (c = s->first; c < chunks; c += s->stride)
	{
		size_t		begin = (size_t) c * s->chunk_rows;
		size_t		end = begin + s->chunk_rows < s->n ? begin + s->chunk_rows : s->n;

		s->fn(s->arg, begin, end, c);
	}
	return NULL;
}

/* Runs fn over [0, n) in chunks on several threads (see mmcore.h). */
void
mm_parallel(size_t n, MmChunkFn fn, void *arg)
{
	mm_parallel_rows(n, MM_CHUNK_ROWS, fn, arg);
}

void
mm_parallel_rows(size_t n, size_t chunk_rows, MmChunkFn fn, void *arg)
{
	Share		shares[MM_MAX_THREADS];
	pthread_t	threads[MM_MAX_THREADS];
	int			started[MM_MAX_THREADS];
	int			count = thread_limit,
				i;
	sigset_t	all,
				saved;

	if (chunk_rows == 0)
		chunk_rows = 1;
	if (count > chunks_of(n, chunk_rows))
		count = chunks_of(n, chunk_rows);
	for (i = 0; i < count; i++)
	{
		shares[i].fn = fn;
		shares[i].arg = arg;
		shares[i].n = n;
		shares[i].chunk_rows = chunk_rows;
		shares[i].first = i;
		shares[i].stride = count;
		started[i] = 0;
	}
	if (count > 1)
	{
		/* the threads start with every signal blocked, and keep that mask */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &saved);
		for (i = 1; i < count; i++)
			started[i] = pthread_create(&threads[i], NULL, run_share, &shares[i]) == 0;
		pthread_sigmask(SIG_SETMASK, &saved, NULL);
	}
	run_share(&shares[0]);
	for (i = 1; i < count; i++)
	{
		if (started[i])
			pthread_join(threads[i], NULL);
		else
			run_share(&shares[i]);
	}
}
