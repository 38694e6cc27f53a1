/*
 * test_sourcepasses.c: the passes every source offers (sourcepasses.c),
 * the column summary: its state's layout, init, add, merge and check on a
 * few rows written out by hand.  Its run over a relation's framing is
 * test_passstate.c's.
 */
#include "testutil.h"

#include <string.h>

#include "sourcepasses.h"

#define P 2
#define D (P + 1)
#define LEN (2 + 3 * D)

/* Where the summary keeps column j's sum, minimum and maximum. */
#define SUM(j) (2 + (j))
#define MIN(j) (2 + D + (j))
#define MAX(j) (2 + 2 * D + (j))

static const double x[4 * P] = {
	1, -2,
	4, 3,
	-1, 0.5,
	2, 8,
};
static const double t[4] = {10, -5, 0, 7};

static const MmPass *const pass = &mm_pass_column_summary;

/* The summary of rows begin .. end, with the targets or without. */
static void
summary_of(double *s, size_t begin, size_t end, const double *targets)
{
	MmRows		rows = {end - begin, P, x + begin * P, NULL, targets ? targets + begin : NULL};

	pass->init(s, P, NULL);
	pass->add(s, &rows, NULL);
}

/* Listed first among the source's passes, with a state of 2 + 3 (p + 1) doubles. */
static void
test_listed(void **state)
{
	assert_ptr_equal(mm_source_passes[MM_SOURCE_PASS_SUMMARY], pass);
	assert_null(mm_source_passes[MM_SOURCE_PASS_COLUMN_STATS + 1]);
	assert_string_equal(pass->name, "column_summary");
	assert_null(pass->arg_size);
	assert_int_equal(pass->state_size(P, NULL), sizeof(double) * LEN);
	assert_int_equal(pass->state_size(0, NULL), sizeof(double) * 5);
}

/* Empty: its width, no rows, sums 0, and extremes any value replaces. */
static void
test_init(void **state)
{
	double		s[LEN];
	int			j;

	memset(s, 0xFF, sizeof(s));
	pass->init(s, P, NULL);
	assert_true(s[0] == D);
	assert_true(s[1] == 0);
	for (j = 0; j < D; j++)
	{
		assert_true(s[SUM(j)] == 0.0);
		assert_true(s[MIN(j)] == INFINITY);
		assert_true(s[MAX(j)] == -INFINITY);
	}
}

/* Rows add to the count, the sums and the extremes of each column and of the target. */
static void
test_add(void **state)
{
	double		s[LEN];

	summary_of(s, 0, 4, t);
	assert_true(s[0] == D);
	assert_true(s[1] == 4);
	assert_true(s[SUM(0)] == 6 && s[MIN(0)] == -1 && s[MAX(0)] == 4);
	assert_true(s[SUM(1)] == 9.5 && s[MIN(1)] == -2 && s[MAX(1)] == 8);
	assert_true(s[SUM(2)] == 12 && s[MIN(2)] == -5 && s[MAX(2)] == 10);

	/* without a target, its column counts every row as 0 */
	summary_of(s, 0, 4, NULL);
	assert_true(s[SUM(2)] == 0 && s[MIN(2)] == 0 && s[MAX(2)] == 0);
	assert_true(s[SUM(0)] == 6);

	/* two blocks into one state are the rows in one block */
	{
		double		twice[LEN];
		MmRows		second = {2, P, x + 2 * P, NULL, t + 2};

		summary_of(twice, 0, 2, t);
		pass->add(twice, &second, NULL);
		summary_of(s, 0, 4, t);
		assert_memory_equal(twice, s, sizeof(s));
	}
}

/* Merged, two parts are the whole; an empty part changes nothing. */
static void
test_merge(void **state)
{
	double		whole[LEN],
				a[LEN],
				b[LEN],
				empty[LEN];

	summary_of(whole, 0, 4, t);
	summary_of(a, 0, 1, t);
	summary_of(b, 1, 4, t);
	pass->merge(a, b, P, NULL);
	assert_memory_equal(a, whole, sizeof(whole));

	/* the other order gives the same bits: the sums are exact */
	summary_of(a, 0, 1, t);
	pass->merge(b, a, P, NULL);
	assert_memory_equal(b, whole, sizeof(whole));

	pass->init(empty, P, NULL);
	pass->merge(whole, empty, P, NULL);
	summary_of(a, 0, 4, t);
	assert_memory_equal(whole, a, sizeof(a));
	pass->merge(empty, whole, P, NULL);
	assert_memory_equal(empty, whole, sizeof(whole));
}

/* A state read back is taken only at the width it was made for, with a count. */
static void
test_check(void **state)
{
	double		s[LEN];

	summary_of(s, 0, 4, t);
	assert_true(pass->check(s, P, NULL));
	assert_false(pass->check(s, P + 1, NULL));
	assert_false(pass->check(s, P - 1, NULL));
	pass->init(s, P, NULL);
	assert_true(pass->check(s, P, NULL));
	s[1] = -1;
	assert_false(pass->check(s, P, NULL));
	s[1] = NAN;
	assert_false(pass->check(s, P, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listed),
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
