/*
 * test_source.c: the data source over rows in memory (source.c).  A pass
 * runs chunk by chunk into partial states merged in chunk order, so its
 * result is the reference built here the same way, bit for bit, on any
 * number of threads; within one chunk it is the pass run over the rows in
 * one go.  The pass of this file sums columns of non-integer data, so that
 * a merge out of order or a block at the wrong offset shows in the bits.
 */
#include "testutil.h"

#include <string.h>

/*
 * The test pass's state: the rows, the calls of add, the sums of the
 * classes and of the targets, then each column's sum times the arg.
 */
enum
{
	S_N, S_ADDS, S_Y, S_T, S_X
};

/* The test pass's functions. */
static size_t
sums_size(int p, const void *arg)
{
	return sizeof(double) * (S_X + (size_t) p);
}

static void
sums_init(void *state, int p, const void *arg)
{
	memset(state, 0, sums_size(p, arg));
}

static void
sums_add(void *state, const MmRows *rows, const void *arg)
{
	double	   *s = state;
	double		weight = *(const double *) arg;
	size_t		r;
	int			j;

	for (r = 0; r < rows->n; r++)
	{
		for (j = 0; j < rows->p; j++)
			s[S_X + j] += weight * rows->x[r * rows->p + j];
		s[S_Y] += rows->y != NULL ? rows->y[r] : 0;
		s[S_T] += rows->t != NULL ? rows->t[r] : 0.0;
	}
	s[S_N] += (double) rows->n;
	s[S_ADDS] += 1;
}

static void
sums_merge(void *state, const void *other, int p, const void *arg)
{
	double	   *s = state;
	const double *o = other;
	int			j;

	for (j = 0; j < S_X + p; j++)
		s[j] += o[j];
}

static const MmPass sums_pass = {
	.name = "sums",
	.state_size = sums_size,
	.init = sums_init,
	.add = sums_add,
	.merge = sums_merge,
};

#define P 2

/* n rows of P uniform features, a target and two classes. */
typedef struct Data
{
	double	   *x;
	double	   *t;
	int32_t    *y;
	MmRows		rows;
} Data;

/* Rows from the project's generator; the caller frees them. */
static Data
make_data(size_t n, uint64_t seed)
{
	Data		d;
	size_t		i;

	d.x = malloc(sizeof(double) * (n * P + 1));
	d.t = malloc(sizeof(double) * (n + 1));
	d.y = malloc(sizeof(int32_t) * (n + 1));
	for (i = 0; i < n * P; i++)
		d.x[i] = test_uniform(&seed) * 4.0 - 2.0;
	for (i = 0; i < n; i++)
	{
		d.t[i] = test_uniform(&seed);
		d.y[i] = test_uniform(&seed) < 0.5 ? 0 : 1;
	}
	d.rows = (MmRows) {n, P, d.x, d.y, d.t};
	return d;
}

/* Frees what make_data allocated. */
static void
free_data(Data *d)
{
	free(d->x);
	free(d->t);
	free(d->y);
}

/* The pass over rows begin .. end in one add. */
static void
run_block(double *state, const Data *d, size_t begin, size_t end, const double *weight)
{
	MmRows		block = {end - begin, P, d->x + begin * P, d->y + begin, d->t + begin};

	sums_init(state, P, weight);
	sums_add(state, &block, weight);
}

/* What the source must give: each chunk's state, merged into the first in chunk order. */
static void
reference(double *state, const Data *d, const double *weight)
{
	double		chunk[S_X + P];
	size_t		begin;

	run_block(state, d, 0, d->rows.n < MM_CHUNK_ROWS ? d->rows.n : MM_CHUNK_ROWS, weight);
	for (begin = MM_CHUNK_ROWS; begin < d->rows.n; begin += MM_CHUNK_ROWS)
	{
		size_t		end = begin + MM_CHUNK_ROWS < d->rows.n ? begin + MM_CHUNK_ROWS : d->rows.n;

		run_block(chunk, d, begin, end, weight);
		sums_merge(state, chunk, P, weight);
	}
}

static int	interrupt_calls;

/* The interrupt hook of these tests: it only counts. */
static void
count_interrupt(void)
{
	interrupt_calls++;
}

/* The source describes the rows it was given and hands them out as they are. */
static void
test_source_fields(void **state)
{
	Data		d = make_data(7, 1);
	MmDataSource src;

	mm_memory_source(&src, &d.rows);
	assert_int_equal(src.p, P);
	assert_int_equal(src.n_rows, 7);
	assert_non_null(src.run);
	assert_ptr_equal(src.rows(&src), &d.rows);
	free_data(&d);
}

/* Within one chunk: the pass run over the rows in one go. */
static void
test_one_chunk(void **state)
{
	Data		d = make_data(1000, 2);
	MmDataSource src;
	MmError		err;
	double		weight = 0.75,
				want[S_X + P],
				got[S_X + P];

	mm_memory_source(&src, &d.rows);
	assert_int_equal(src.run(&src, &sums_pass, &weight, got, &err), MM_OK);
	run_block(want, &d, 0, 1000, &weight);
	assert_memory_equal(got, want, sizeof(want));
	assert_true(got[S_ADDS] == 1);
	free_data(&d);
}

/*
 * Several chunks: the reference's bits on 1 and on 4 threads, and a chance
 * to cancel after each wave of as many chunks as there are threads.
 */
static void
test_many_chunks(void **state)
{
	Data		d = make_data(3 * (size_t) MM_CHUNK_ROWS + 5, 3);
	MmDataSource src;
	MmError		err;
	double		weight = 1.5,
				want[S_X + P],
				one[S_X + P],
				four[S_X + P];
	int			saved = mm_threads();

	reference(want, &d, &weight);
	mm_memory_source(&src, &d.rows);
	mm_set_interrupt_check(count_interrupt);

	interrupt_calls = 0;
	mm_set_threads(1);
	assert_int_equal(src.run(&src, &sums_pass, &weight, one, &err), MM_OK);
	assert_int_equal(interrupt_calls, 4);

	interrupt_calls = 0;
	mm_set_threads(4);
	assert_int_equal(src.run(&src, &sums_pass, &weight, four, &err), MM_OK);
	assert_int_equal(interrupt_calls, 1);

	mm_set_interrupt_check(NULL);
	mm_set_threads(saved);
	assert_memory_equal(one, want, sizeof(want));
	assert_memory_equal(four, want, sizeof(want));
	assert_true(one[S_N] == (double) d.rows.n);
	assert_true(one[S_ADDS] == 4);
	free_data(&d);
}

/* More chunks than threads: several waves, still merged in chunk order. */
static void
test_waves(void **state)
{
	Data		d = make_data(5 * (size_t) MM_CHUNK_ROWS + 1, 4);
	MmDataSource src;
	MmError		err;
	double		weight = -0.5,
				want[S_X + P],
				got[S_X + P];
	int			saved = mm_threads();

	reference(want, &d, &weight);
	mm_memory_source(&src, &d.rows);
	mm_set_threads(2);
	assert_int_equal(src.run(&src, &sums_pass, &weight, got, &err), MM_OK);
	mm_set_threads(saved);
	assert_memory_equal(got, want, sizeof(want));
	assert_true(got[S_ADDS] == 6);
	free_data(&d);
}

/* No rows: the pass's empty state, whatever the state held before. */
static void
test_empty(void **state)
{
	MmRows		none = {0, P, NULL, NULL, NULL};
	MmDataSource src;
	MmError		err;
	double		weight = 1.0,
				got[S_X + P],
				want[S_X + P];

	mm_memory_source(&src, &none);
	assert_int_equal(src.n_rows, 0);
	assert_ptr_equal(src.rows(&src), &none);
	memset(got, 0xFF, sizeof(got));
	assert_int_equal(src.run(&src, &sums_pass, &weight, got, &err), MM_OK);
	sums_init(want, P, &weight);
	assert_memory_equal(got, want, sizeof(want));
}

/* Rows without classes or targets reach the pass as such. */
static void
test_no_targets(void **state)
{
	Data		d = make_data(50, 5);
	MmDataSource src;
	MmError		err;
	double		weight = 1.0,
				got[S_X + P];

	d.rows.y = NULL;
	d.rows.t = NULL;
	mm_memory_source(&src, &d.rows);
	assert_int_equal(src.run(&src, &sums_pass, &weight, got, &err), MM_OK);
	assert_true(got[S_N] == 50);
	assert_true(got[S_Y] == 0.0 && got[S_T] == 0.0);
	free_data(&d);
}

/* The partial states come from the core's allocator; without memory the run fails cleanly. */
static void
test_out_of_memory(void **state)
{
	Data		d = make_data(10, 6);
	MmDataSource src;
	MmError		err;
	double		weight = 1.0,
				got[S_X + P];

	mm_memory_source(&src, &d.rows);
	mm_set_allocator(test_budget_alloc, free);
	test_alloc_budget = 0;
	assert_int_equal(src.run(&src, &sums_pass, &weight, got, &err), MM_ERR_NO_MEMORY);
	mm_set_allocator(NULL, NULL);
	assert_non_null(strstr(err.message, "\"sums\""));
	free_data(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source_fields),
		cmocka_unit_test(test_one_chunk),
		cmocka_unit_test(test_many_chunks),
		cmocka_unit_test(test_waves),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_no_targets),
		cmocka_unit_test(test_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
