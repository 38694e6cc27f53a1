/*
 * test_moments.c: mergeable moments against a naive two-pass computation.
 */
#include "testutil.h"

#include <string.h>

#include "moments.h"

#define D 3
#define N 200

/* Mean and co-moments of rows[0..n) by two passes, as a moments block. */
static void
two_pass(double rows[][D], int n, double *block)
{
	int			i,
				j,
				r,
				k = 0;

	memset(block, 0, sizeof(double) * mm_moments_len(D));
	block[0] = n;
	for (r = 0; r < n; r++)
		for (j = 0; j < D; j++)
			block[1 + j] += rows[r][j] / n;
	for (i = 0; i < D; i++)
		for (j = i; j < D; j++, k++)
			for (r = 0; r < n; r++)
				block[1 + D + k] += (rows[r][i] - block[1 + i]) * (rows[r][j] - block[1 + j]);
}

/* Rows with an offset, so that raw sums of squares would cancel. */
static void
make_rows(double rows[][D], int n, double offset)
{
	uint64_t	s = 12345;
	int			r;

	for (r = 0; r < n; r++)
	{
		rows[r][0] = offset + test_uniform(&s);
		rows[r][1] = offset * 0.5 + 3 * rows[r][0] - 3 * offset + test_uniform(&s);
		rows[r][2] = -2 + 10 * test_uniform(&s);
	}
}

static void
assert_blocks_close(const double *a, const double *b, double rtol)
{
	int			i;

	for (i = 0; i < mm_moments_len(D); i++)
		assert_close(a[i], b[i], rtol);
}

/*
 * Row by row, merged in pieces, and in batches: all equal the two-pass
 * result to rtol, which must allow for what the data can represent: values
 * near 1e9 carry only about 1e-7 of a unit spread.
 */
static void
check_offset(double offset, double rtol)
{
	static double rows[N][D];
	double		expect[32],
				got[32],
				part[32],
				scratch[64];
	double		cols[N * D];
	int			splits[] = {1, 7, 32, 33, 100, N};
	int			r,
				s,
				j;

	make_rows(rows, N, offset);
	two_pass(rows, N, expect);

	memset(got, 0, sizeof(got));
	for (r = 0; r < N; r++)
		mm_moments_add(got, D, rows[r], scratch);
	assert_blocks_close(got, expect, rtol);

	for (s = 0; s < 6; s++)
	{
		int			cut = splits[s];

		memset(got, 0, sizeof(got));
		memset(part, 0, sizeof(part));
		for (r = 0; r < cut; r++)
			mm_moments_add(got, D, rows[r], scratch);
		for (r = cut; r < N; r++)
			mm_moments_add(part, D, rows[r], scratch);
		mm_moments_merge(got, part, D, scratch);
		assert_blocks_close(got, expect, rtol);
	}

	/* batches of various sizes, column-major */
	for (s = 0; s < 6; s++)
	{
		int			m = splits[s];

		memset(got, 0, sizeof(got));
		for (r = 0; r < N; r += m)
		{
			int			len = r + m <= N ? m : N - r,
						i;

			for (j = 0; j < D; j++)
				for (i = 0; i < len; i++)
					cols[j * len + i] = rows[r + i][j];
			mm_moments_merge_batch(got, D, cols, len, scratch);
		}
		assert_blocks_close(got, expect, rtol);
	}
}

static void
test_ordinary_data(void **state)
{
	check_offset(0.0, 1e-12);
}

/* Far from zero, where raw sums of squares would lose every digit. */
static void
test_large_offset(void **state)
{
	static double rows[N][D];
	double		sum = 0.0,
				sumsq = 0.0,
				expect[32];
	int			r;

	check_offset(1e6, 1e-8);
	check_offset(1e9, 1e-6);

	/* the textbook one-pass formula on the same data is far off */
	make_rows(rows, N, 1e9);
	two_pass(rows, N, expect);
	for (r = 0; r < N; r++)
	{
		sum += rows[r][0];
		sumsq += rows[r][0] * rows[r][0];
	}
	assert_true(fabs((sumsq - sum * sum / N) - expect[1 + D]) > 1e-2 * expect[1 + D]);
}

/* Merging with an empty block changes nothing, in either direction. */
static void
test_empty_merge(void **state)
{
	static double rows[N][D];
	double		a[32],
				empty[32],
				copy[32],
				scratch[64];
	int			r;

	make_rows(rows, 10, 5.0);
	memset(a, 0, sizeof(a));
	memset(empty, 0, sizeof(empty));
	for (r = 0; r < 10; r++)
		mm_moments_add(a, D, rows[r], scratch);
	memcpy(copy, a, sizeof(a));
	mm_moments_merge(a, empty, D, scratch);
	assert_memory_equal(a, copy, sizeof(double) * mm_moments_len(D));
	mm_moments_merge(empty, a, D, scratch);
	assert_memory_equal(empty, copy, sizeof(double) * mm_moments_len(D));
	mm_moments_merge_batch(a, D, NULL, 0, scratch);
	assert_memory_equal(a, copy, sizeof(double) * mm_moments_len(D));
}

/* Co-moments read back in either order. */
static void
test_symmetric_access(void **state)
{
	double		block[32] = {0},
				scratch[64],
				row[D] = {1, 2, 3},
				row2[D] = {2, 5, 1};

	mm_moments_add(block, D, row, scratch);
	mm_moments_add(block, D, row2, scratch);
	assert_true(mm_moments_co(block, D, 0, 2) == mm_moments_co(block, D, 2, 0));
	assert_close(mm_moments_co(block, D, 0, 1), 0.5 * 1 * 3, 1e-15);	/* (x1-x2)(y1-y2)/2 */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ordinary_data),
		cmocka_unit_test(test_large_offset),
		cmocka_unit_test(test_empty_merge),
		cmocka_unit_test(test_symmetric_access),
	};

	return cmocka_run_group_tests_name("moments", tests, NULL, NULL);
}
