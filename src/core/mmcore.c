/*
 * mmcore.c: error reporting and allocation hooks of the core.
 */
#include "mmcore.h"

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
