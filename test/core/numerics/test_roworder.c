/*
 * test_roworder.c: an order of rows that depends on their contents only
 * (roworder.h).
 *
 * The same rows in any order come out as the same sequence of rows: rows
 * with duplicates, -0 beside 0, class labels or numeric ones; rows that
 * differ only beyond a float's precision sort next to each other, by their
 * doubles; every row number comes out once.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "roworder.h"

#define N 3000
#define P 3

static uint64_t rng = 29;

/* Rows of few distinct values (many duplicates), some -0, some a rounding apart, and their labels. */
static void
make_rows(double *x, int32_t *y, double *t)
{
	int			i,
				j;

	for (i = 0; i < N; i++)
	{
		for (j = 0; j < P; j++)
			x[i * P + j] = (double) (int) (test_uniform(&rng) * 7) - 3.0;
		if (i % 11 == 0)
			x[i * P] = -0.0;
		if (i % 13 == 0)
			x[i * P + 1] = 0.1 + (i % 2) * 1e-15;	/* one float, two doubles */
		y[i] = (int32_t) (test_uniform(&rng) * 3);
		t[i] = test_uniform(&rng) < 0.5 ? 1.5 : -2.25;
	}
}

/* The rows at order, in that order, into out (the rows' values then labels, as doubles). */
static void
gather(const double *x, const int32_t *y, const double *t, const size_t *order, double *out)
{
	size_t		i;
	int			j;

	for (i = 0; i < N; i++)
	{
		for (j = 0; j < P; j++)
		{
			double		v = x[order[i] * P + (size_t) j];

			/* -0 and 0 are interchangeable rows' values */
			out[i * (P + 2) + (size_t) j] = v == 0.0 ? 0.0 : v;
		}
		out[i * (P + 2) + P] = y ? (double) y[order[i]] : 0.0;
		out[i * (P + 2) + P + 1] = t ? t[order[i]] : 0.0;
	}
}

/* The rows shuffled by perm. */
static void
shuffle_rows(const double *x, const int32_t *y, const double *t, const int *perm,
			 double *sx, int32_t *sy, double *st)
{
	int			i;

	for (i = 0; i < N; i++)
	{
		memcpy(sx + (size_t) i * P, x + (size_t) perm[i] * P, sizeof(double) * P);
		sy[i] = y[perm[i]];
		st[i] = t[perm[i]];
	}
}

static void
check_labels(int with_classes)
{
	double	   *x = malloc(sizeof(double) * N * P),
			   *t = malloc(sizeof(double) * N),
			   *sx = malloc(sizeof(double) * N * P),
			   *st = malloc(sizeof(double) * N),
			   *a = malloc(sizeof(double) * N * (P + 2)),
			   *b = malloc(sizeof(double) * N * (P + 2));
	int32_t    *y = malloc(sizeof(int32_t) * N),
			   *sy = malloc(sizeof(int32_t) * N);
	int		   *perm = malloc(sizeof(int) * N);
	char	   *seen = calloc(N, 1);
	size_t	   *first,
			   *again;
	int			i,
				shuffles,
				apart = 0;

	make_rows(x, y, t);
	first = mm_row_order(x, with_classes ? y : NULL, with_classes ? NULL : t, N, P);
	assert_non_null(first);
	for (i = 0; i < N; i++)
	{
		assert_true(first[i] < N);
		assert_false(seen[first[i]]);
		seen[first[i]] = 1;
	}
	gather(x, with_classes ? y : NULL, with_classes ? NULL : t, first, a);
	for (shuffles = 0; shuffles < 5; shuffles++)
	{
		for (i = 0; i < N; i++)
			perm[i] = i;
		test_shuffle(perm, N, &rng);
		shuffle_rows(x, y, t, perm, sx, sy, st);
		again = mm_row_order(sx, with_classes ? sy : NULL, with_classes ? NULL : st, N, P);
		assert_non_null(again);
		gather(sx, with_classes ? sy : NULL, with_classes ? NULL : st, again, b);
		assert_memory_equal(a, b, sizeof(double) * N * (P + 2));
		mm_free(again);
	}
	/* rows a rounding apart (one float, two doubles) are next to each other, by their doubles */
	for (i = 1; i < N; i++)
	{
		const double *r = a + (size_t) i * (P + 2),
				   *q = r - (P + 2);

		if (r[0] == q[0] && r[2] == q[2] && r[P] == q[P] && r[P + 1] == q[P + 1] &&
			(float) r[1] == (float) q[1] && r[1] != q[1])
		{
			assert_true(q[1] < r[1]);
			apart++;
		}
	}
	assert_true(apart > 0);
	mm_free(first);
	free(x);
	free(t);
	free(sx);
	free(st);
	free(a);
	free(b);
	free(y);
	free(sy);
	free(perm);
	free(seen);
}

static void
test_class_labels(void **state)
{
	(void) state;
	check_labels(1);
}

static void
test_numeric_labels(void **state)
{
	(void) state;
	check_labels(0);
}

/* No rows, one row. */
static void
test_few_rows(void **state)
{
	double		x[P] = {1.0, 2.0, 3.0};
	int32_t		y[1] = {0};
	size_t	   *order;

	(void) state;
	order = mm_row_order(x, y, NULL, 0, P);
	assert_non_null(order);
	mm_free(order);
	order = mm_row_order(x, y, NULL, 1, P);
	assert_non_null(order);
	assert_int_equal(order[0], 0);
	mm_free(order);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_class_labels),
		cmocka_unit_test(test_numeric_labels),
		cmocka_unit_test(test_few_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
