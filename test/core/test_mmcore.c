/*
 * test_mmcore.c: what the whole core leans on (mmcore.c): failures recorded
 * through MmError, allocation through the hooks (the server's palloc),
 * the growable buffer the codecs write into, the interrupt hook, and
 * mm_parallel's chunks, whose fixed boundaries are what lets a pass give
 * the same bits on any number of threads.
 */
#include "testutil.h"

#include <string.h>

/* ---------------------------------------------------------------- errors */

/* mm_fail fills the error as printf would and hands back its code. */
static void
test_fail(void **state)
{
	MmError		err;
	char		long_name[400];

	memset(&err, 0, sizeof(err));
	assert_int_equal(mm_fail(&err, MM_ERR_CONSTANT_FEATURE, 3, "feature \"%s\" is constant (%d rows)",
							 "tax", 15), MM_ERR_CONSTANT_FEATURE);
	assert_int_equal(err.code, MM_ERR_CONSTANT_FEATURE);
	assert_int_equal(err.item, 3);
	assert_string_equal(err.message, "feature \"tax\" is constant (15 rows)");

	/* a caller without an MmError still gets the code */
	assert_int_equal(mm_fail(NULL, MM_ERR_CORRUPT, -1, "ignored"), MM_ERR_CORRUPT);

	/* a message longer than the field is cut, not overrun */
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(mm_fail(&err, MM_ERR_INVALID_INPUT, -1, "%s", long_name), MM_ERR_INVALID_INPUT);
	assert_int_equal(err.item, -1);
	assert_int_equal(strlen(err.message), sizeof(err.message) - 1);
}

/* ---------------------------------------------------------------- allocation */

/* A test allocator: counts its calls and hands out bytes that are not zero. */
static struct
{
	int			allocs;
	int			frees;
	size_t		last_size;
} counted;

static void *
counting_alloc(size_t size)
{
	void	   *p = malloc(size);

	counted.allocs++;
	counted.last_size = size;
	if (p != NULL)
		memset(p, 0xAB, size);
	return p;
}

static void
counting_free(void *p)
{
	counted.frees++;
	free(p);
}

/* Every allocation and release of the core goes through the hooks. */
static void
test_allocator_hooks(void **state)
{
	unsigned char *a,
			   *z;
	char	   *s;
	size_t		i;

	memset(&counted, 0, sizeof(counted));
	mm_set_allocator(counting_alloc, counting_free);

	a = mm_alloc(10);
	assert_non_null(a);
	assert_int_equal(counted.allocs, 1);
	assert_int_equal(counted.last_size, 10);

	z = mm_alloc0(64);
	assert_non_null(z);
	assert_int_equal(counted.allocs, 2);
	for (i = 0; i < 64; i++)
		assert_int_equal(z[i], 0);

	s = mm_strdup("houses");
	assert_int_equal(counted.allocs, 3);
	assert_int_equal(counted.last_size, 7);
	assert_string_equal(s, "houses");

	mm_free(a);
	mm_free(z);
	mm_free(s);
	mm_free(NULL);				/* ignored: never reaches the hook */
	assert_int_equal(counted.frees, 3);

	/* NULL restores malloc and free: the test allocator sees no more calls */
	mm_set_allocator(NULL, NULL);
	a = mm_alloc0(8);
	assert_non_null(a);
	mm_free(a);
	assert_int_equal(counted.allocs, 3);
	assert_int_equal(counted.frees, 3);
}

/* ---------------------------------------------------------------- buffer */

/* The buffer doubles as it fills, keeping every byte and a NUL after them. */
static void
test_buffer_grows(void **state)
{
	MmBuffer	buf = {0};
	char		chunk[100];
	char		expected[1000];
	int			i;

	mm_buffer_append(&buf, "ab", 2);
	assert_int_equal(buf.len, 2);
	assert_string_equal(buf.data, "ab");
	/* ten appends of 100 bytes: past the first capacity, every byte kept in order */
	for (i = 0; i < 10; i++)
	{
		memset(chunk, 'a' + i, sizeof(chunk));
		memcpy(expected + i * 100, chunk, sizeof(chunk));
		mm_buffer_append(&buf, chunk, sizeof(chunk));
		assert_int_equal(buf.data[buf.len], '\0');
	}
	assert_int_equal(buf.len, 1002);
	assert_true(buf.cap >= buf.len + 1);
	assert_false(buf.failed);
	assert_memory_equal(buf.data, "ab", 2);
	assert_memory_equal(buf.data + 2, expected, sizeof(expected));
	assert_int_equal(strlen(buf.data), 1002);

	/* an empty append still leaves a string */
	mm_buffer_append(&buf, "", 0);
	assert_int_equal(buf.len, 1002);
	assert_int_equal(buf.data[1002], '\0');
	mm_free(buf.data);
}

/* Once an allocation fails, the buffer is marked and nothing more goes in. */
static void
test_buffer_failure(void **state)
{
	MmBuffer	buf = {0};
	char		big[300];

	memset(big, 'x', sizeof(big));
	mm_set_allocator(test_budget_alloc, free);
	test_alloc_budget = 1;
	mm_buffer_append(&buf, "head", 4);
	assert_false(buf.failed);
	assert_string_equal(buf.data, "head");

	/* the growth this needs is refused */
	mm_buffer_append(&buf, big, sizeof(big));
	assert_true(buf.failed);
	assert_int_equal(buf.len, 4);
	assert_string_equal(buf.data, "head");

	/* later appends that would fit do nothing either: the text is already incomplete */
	test_alloc_budget = 10;
	mm_buffer_append(&buf, "tail", 4);
	assert_int_equal(buf.len, 4);
	assert_string_equal(buf.data, "head");
	assert_int_equal(test_alloc_budget, 10);
	mm_free(buf.data);
	mm_set_allocator(NULL, NULL);

	/* a failure on the very first append leaves no data at all */
	memset(&buf, 0, sizeof(buf));
	mm_set_allocator(test_budget_alloc, free);
	test_alloc_budget = 0;
	mm_buffer_append(&buf, "head", 4);
	assert_true(buf.failed);
	assert_null(buf.data);
	assert_int_equal(buf.len, 0);
	mm_set_allocator(NULL, NULL);
}

/* ---------------------------------------------------------------- interrupts */

static int	interrupt_calls;

/* The interrupt hook of these tests: it only counts. */
static void
count_interrupt(void)
{
	interrupt_calls++;
}

/* mm_check_interrupts calls the hook set, and nothing once it is unset. */
static void
test_interrupt_hook(void **state)
{
	interrupt_calls = 0;
	mm_check_interrupts();		/* no hook: nothing to call */
	mm_set_interrupt_check(count_interrupt);
	mm_check_interrupts();
	mm_check_interrupts();
	assert_int_equal(interrupt_calls, 2);
	mm_set_interrupt_check(NULL);
	mm_check_interrupts();
	assert_int_equal(interrupt_calls, 2);
}

/* ---------------------------------------------------------------- chunks and threads */

/* Rows per chunk are fixed; only the thread count is a setting, kept in range. */
static void
test_chunks(void **state)
{
	int			saved = mm_threads();

	assert_int_equal(mm_chunks(0), 1);
	assert_int_equal(mm_chunks(1), 1);
	assert_int_equal(mm_chunks(MM_CHUNK_ROWS), 1);
	assert_int_equal(mm_chunks(MM_CHUNK_ROWS + 1), 2);
	assert_int_equal(mm_chunks(3 * (size_t) MM_CHUNK_ROWS + 5), 4);

	/* the thread count is kept within [1, MM_MAX_THREADS] */
	mm_set_threads(0);
	assert_int_equal(mm_threads(), 1);
	mm_set_threads(-3);
	assert_int_equal(mm_threads(), 1);
	mm_set_threads(MM_MAX_THREADS + 1);
	assert_int_equal(mm_threads(), MM_MAX_THREADS);
	mm_set_threads(8);
	assert_int_equal(mm_threads(), 8);
	mm_set_threads(saved);
}

#define N_ROWS (3 * (size_t) MM_CHUNK_ROWS + 17)
#define N_CHUNKS 4

/*
 * What one mm_parallel run saw: visits per index, each chunk's calls and
 * bounds, and each chunk's partial sum (a rounding-sensitive one, so that
 * a merge in another order would show in the bits).
 */
typedef struct Run
{
	unsigned char visits[N_ROWS];
	int			calls[N_CHUNKS];
	size_t		begin[N_CHUNKS];
	size_t		end[N_CHUNKS];
	double		partial[N_CHUNKS];
} Run;

/* The chunk function: records what it was given into the Run. */
static void
record_chunk(void *arg, size_t begin, size_t end, int chunk)
{
	Run		   *run = arg;
	double		s = 0.0;
	size_t		i;

	/* chunks cover disjoint indexes, so threads never write the same byte */
	for (i = begin; i < end; i++)
	{
		run->visits[i]++;
		s += 1.0 / (double) (i + 1);
	}
	run->calls[chunk]++;
	run->begin[chunk] = begin;
	run->end[chunk] = end;
	run->partial[chunk] = s;
}

/* On 1, 2 and 8 threads: every index once, the same chunks, the same merged bits. */
static void
test_parallel(void **state)
{
	static Run	run;
	static const int thread_counts[] = {1, 2, 8};
	double		first_merged = 0.0;
	int			saved = mm_threads(),
				t,
				c;
	size_t		i;

	assert_int_equal(mm_chunks(N_ROWS), N_CHUNKS);
	for (t = 0; t < 3; t++)
	{
		double		merged;

		memset(&run, 0, sizeof(run));
		mm_set_threads(thread_counts[t]);
		mm_parallel(N_ROWS, record_chunk, &run);
		for (i = 0; i < N_ROWS; i++)
			if (run.visits[i] != 1)
				fail_msg("%d threads: index %zu visited %d times", thread_counts[t], i, run.visits[i]);
		for (c = 0; c < N_CHUNKS; c++)
		{
			size_t		end = (size_t) (c + 1) * MM_CHUNK_ROWS;

			assert_int_equal(run.calls[c], 1);
			assert_int_equal(run.begin[c], (size_t) c * MM_CHUNK_ROWS);
			assert_int_equal(run.end[c], end < N_ROWS ? end : N_ROWS);
		}
		/* merged in chunk order, the same bits whatever the number of threads */
		merged = run.partial[0];
		for (c = 1; c < N_CHUNKS; c++)
			merged += run.partial[c];
		if (t == 0)
			first_merged = merged;
		else
			assert_memory_equal(&merged, &first_merged, sizeof(double));
	}
	mm_set_threads(saved);
}

/* Fewer rows than a chunk, and none: one chunk, the second one empty. */
static void
test_parallel_small(void **state)
{
	static Run	run;
	int			saved = mm_threads();

	mm_set_threads(8);
	memset(&run, 0, sizeof(run));
	mm_parallel(10, record_chunk, &run);
	assert_int_equal(run.calls[0], 1);
	assert_int_equal(run.calls[1], 0);
	assert_int_equal(run.begin[0], 0);
	assert_int_equal(run.end[0], 10);

	memset(&run, 0, sizeof(run));
	mm_parallel(0, record_chunk, &run);
	assert_int_equal(run.calls[0], 1);
	assert_int_equal(run.calls[1], 0);
	assert_int_equal(run.begin[0], 0);
	assert_int_equal(run.end[0], 0);
	assert_int_equal(run.visits[0], 0);
	mm_set_threads(saved);
}

/* Chunks of a size of one's own: N_CHUNKS of them over a few thousand rows, on 1, 2 and 8 threads. */
static void
test_parallel_rows(void **state)
{
	static Run	run;
	static const int thread_counts[] = {1, 2, 8};
	size_t		n = 1000,
				chunk_rows = 256;
	int			saved = mm_threads(),
				t,
				c;
	size_t		i;

	for (t = 0; t < 3; t++)
	{
		memset(&run, 0, sizeof(run));
		mm_set_threads(thread_counts[t]);
		mm_parallel_rows(n, chunk_rows, record_chunk, &run);
		for (i = 0; i < n; i++)
			if (run.visits[i] != 1)
				fail_msg("%d threads: index %zu visited %d times", thread_counts[t], i, run.visits[i]);
		for (c = 0; c < N_CHUNKS; c++)
		{
			assert_int_equal(run.calls[c], 1);
			assert_int_equal(run.begin[c], (size_t) c * chunk_rows);
			assert_int_equal(run.end[c], (size_t) (c + 1) * chunk_rows < n ? (size_t) (c + 1) * chunk_rows : n);
		}
	}
	mm_set_threads(saved);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fail),
		cmocka_unit_test(test_allocator_hooks),
		cmocka_unit_test(test_buffer_grows),
		cmocka_unit_test(test_buffer_failure),
		cmocka_unit_test(test_interrupt_hook),
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_parallel),
		cmocka_unit_test(test_parallel_small),
		cmocka_unit_test(test_parallel_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
