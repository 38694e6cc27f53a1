/*
 * test_colmoments.c: compensated moments of columns in memory
 * (colmoments.h).
 *
 * The same rows in any order, and taken in blocks of any sizes, give the
 * same sums to the bit, with missing values left out of the sums, counts
 * and ranges; the sums are the exact ones rounded, where plain summation in
 * the rows' order is not; the squared deviations likewise.  That holds while
 * the compensation's own error (about n eps^2 times the sum of the
 * magnitudes) stays below half the sum's last bit: here values of a million
 * that cancel beside thousands of tenths, a condition of 10^7.
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "colmoments.h"

#define N 20000
#define P 5

static uint64_t rng = 41;

typedef struct Acc
{
	int64_t		count[P];
	double		sum[P],
				carry[P],
				min[P],
				max[P];
	MmColumnSums s;
} Acc;

static void
start(Acc *a)
{
	a->s.count = a->count;
	a->s.sum = a->sum;
	a->s.carry = a->carry;
	a->s.min = a->min;
	a->s.max = a->max;
	mm_column_sums_start(&a->s, P);
}

/*
 * Columns that plain sums round badly: large values that cancel, and many
 * small ones beside them; a column of tenths; one with missing values; one
 * of -0 and NaN only; one of whole numbers.
 */
static void
make_rows(double *x)
{
	int			i;

	for (i = 0; i < N; i++)
	{
		double		u = test_uniform(&rng);

		x[i * P + 0] = i % 2 == 0 ? (u - 0.5) * 1e6 : 0.1 * u;
		x[i * P + 1] = (double) (int) (u * 100) / 10.0;
		x[i * P + 2] = i % 7 == 0 ? NAN : u * 3.0 - 1.0;
		x[i * P + 3] = i % 3 == 0 ? NAN : -0.0;
		x[i * P + 4] = (double) (i % 97);
	}
	/* the large values cancel in pairs */
	for (i = 0; i + 2 < N; i += 4)
		x[(i + 2) * P] = -x[i * P];
}

/* Sums x's rows in the order given, in blocks of the sizes cycled through. */
static void
sum_rows(Acc *a, const double *x, const int *order, const size_t *blocks, int n_blocks,
		 const double *center)
{
	double	   *rows = malloc(sizeof(double) * N * P);
	size_t		at = 0;
	int			i,
				b = 0;

	for (i = 0; i < N; i++)
		memcpy(rows + (size_t) i * P, x + (size_t) order[i] * P, sizeof(double) * P);
	start(a);
	while (at < N)
	{
		size_t		take = blocks[b++ % n_blocks];

		if (take > N - at)
			take = N - at;
		if (center == NULL)
			mm_column_sums_add(&a->s, rows + at * P, take);
		else
			mm_column_sums_add_squares(&a->s, rows + at * P, take, center);
		at += take;
	}
	free(rows);
}

/* The exact sum of column j's present values, rounded: in long double, largest magnitudes cancelled first. */
static int
by_magnitude(const void *a, const void *b)
{
	double		x = fabs(*(const double *) a),
				y = fabs(*(const double *) b);

	return (x < y) - (x > y);
}

static double
exact_sum(const double *x, int j, const double *center)
{
	double	   *v = malloc(sizeof(double) * N);
	long double s = 0.0L;
	int			i,
				n = 0;

	for (i = 0; i < N; i++)
		if (!isnan(x[i * P + j]))
		{
			double		d = center == NULL ? x[i * P + j] : x[i * P + j] - center[j];

			v[n++] = center == NULL ? d : d * d;
		}
	qsort(v, n, sizeof(double), by_magnitude);
	for (i = 0; i < n; i++)
		s += v[i];
	free(v);
	return (double) s;
}

static void
test_any_order(void **unused)
{
	double	   *x = malloc(sizeof(double) * N * P);
	int			order[N],
				i,
				j,
				k;
	static const size_t one_block[] = {N},
				uneven[] = {1, 7, 4096, 3, 65536},
				small[] = {13};
	Acc			first,
				other;
	double		center[P];

	make_rows(x);
	for (i = 0; i < N; i++)
		order[i] = i;
	sum_rows(&first, x, order, one_block, 1, NULL);
	for (j = 0; j < P; j++)
	{
		int64_t		present = 0;

		for (i = 0; i < N; i++)
			present += !isnan(x[i * P + j]);
		assert_int_equal(first.count[j], present);
		center[j] = mm_column_sum(&first.s, j) / (double) present;
	}
	/* the exact sums, rounded: column 0's plain sum in the rows' order is not */
	for (j = 0; j < P; j++)
		assert_true(mm_column_sum(&first.s, j) == exact_sum(x, j, NULL));
	{
		double		plain = 0.0;

		for (i = 0; i < N; i++)
			plain += x[i * P];
		assert_true(plain != exact_sum(x, 0, NULL));
	}
	/* -0 and NaN only: a sum of 0, and the range of -0 */
	assert_true(mm_column_sum(&first.s, 3) == 0.0);
	assert_true(first.min[3] == 0.0 && first.max[3] == 0.0);
	assert_true(first.min[2] > -1.0 && first.max[2] < 2.0);

	for (k = 0; k < 4; k++)
	{
		test_shuffle(order, N, &rng);
		sum_rows(&other, x, order, k % 2 ? uneven : small, k % 2 ? 5 : 1, NULL);
		for (j = 0; j < P; j++)
		{
			assert_true(mm_column_sum(&other.s, j) == mm_column_sum(&first.s, j));
			assert_int_equal(other.count[j], first.count[j]);
			assert_true(other.min[j] == first.min[j] && other.max[j] == first.max[j]);
		}
	}

	/* the squared deviations: the same in any order, the exact sum rounded */
	for (i = 0; i < N; i++)
		order[i] = i;
	sum_rows(&first, x, order, one_block, 1, center);
	for (j = 0; j < P; j++)
		assert_true(mm_column_sum(&first.s, j) == exact_sum(x, j, center));
	for (k = 0; k < 4; k++)
	{
		test_shuffle(order, N, &rng);
		sum_rows(&other, x, order, k % 2 ? uneven : small, k % 2 ? 5 : 1, center);
		for (j = 0; j < P; j++)
			assert_true(mm_column_sum(&other.s, j) == mm_column_sum(&first.s, j));
	}
	free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_any_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
