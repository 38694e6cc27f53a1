/*
 * test_passfind.c: finding a pass again from the two numbers a pass state
 * carries (passfind.c): the artifact id of the algorithm whose table lists
 * it (or MM_PASS_SOURCE_ID for the source's own passes) and its index in
 * that list.  Another process finds the very table of functions, or
 * nothing.
 */
#include "testutil.h"

#include "column_stats.h"
#include "sourcepasses.h"

/* A pass no list holds. */
static const MmPass unlisted = {.name = "unlisted"};

/* Every algorithm's passes, at their index under its artifact id, and nothing past them. */
static void
test_algorithm_passes(void **state)
{
	int			count,
				a,
				i,
				listed = 0;
	const MmAlgorithm *const *all = mm_algorithms(&count);

	for (a = 0; a < count; a++)
	{
		int			id = all[a]->artifact_id;

		for (i = 0; all[a]->passes != NULL && all[a]->passes[i] != NULL; i++)
		{
			const MmPass *pass = all[a]->passes[i];
			int			found = -1;

			assert_ptr_equal(mm_pass_find(id, i), pass);
			/* the round trip a pass state's header makes */
			assert_int_equal(mm_pass_index(id, pass, &found), i);
			assert_int_equal(found, id);
			assert_ptr_equal(mm_pass_find(found, mm_pass_index(id, pass, &found)), pass);
			listed++;
		}
		assert_null(mm_pass_find(id, i));
		assert_null(mm_pass_find(id, -1));
	}
	/* linear regression, the elastic net and PCA list the moments pass, k-means its four */
	assert_true(listed >= 7);
	assert_non_null(mm_pass_find(ARTIFACT_ID("kmeans"), 3));
	assert_null(mm_pass_find(ARTIFACT_ID("kmeans"), 4));
}

/* The source's own passes, under MM_PASS_SOURCE_ID or behind any algorithm's. */
static void
test_source_passes(void **state)
{
	int			found = -1;

	assert_ptr_equal(mm_pass_find(MM_PASS_SOURCE_ID, MM_SOURCE_PASS_SUMMARY), &mm_pass_column_summary);
	assert_ptr_equal(mm_pass_find(MM_PASS_SOURCE_ID, MM_SOURCE_PASS_COLUMN_STATS), &mm_pass_column_stats);
	assert_null(mm_pass_find(MM_PASS_SOURCE_ID, MM_SOURCE_PASS_COLUMN_STATS + 1));
	assert_null(mm_pass_find(MM_PASS_SOURCE_ID, -1));

	assert_int_equal(mm_pass_index(MM_PASS_SOURCE_ID, &mm_pass_column_summary, &found),
					 MM_SOURCE_PASS_SUMMARY);
	assert_int_equal(found, MM_PASS_SOURCE_ID);
	found = -1;
	assert_int_equal(mm_pass_index(ARTIFACT_ID("linear_regression"), &mm_pass_column_summary, &found),
					 MM_SOURCE_PASS_SUMMARY);
	assert_int_equal(found, MM_PASS_SOURCE_ID);
	found = -1;
	assert_int_equal(mm_pass_index(unused_artifact_id(), &mm_pass_column_summary, &found),
					 MM_SOURCE_PASS_SUMMARY);
	assert_int_equal(found, MM_PASS_SOURCE_ID);
}

/* Unknown ids, passes listed elsewhere and passes listed nowhere are not found. */
static void
test_not_found(void **state)
{
	const MmPass *moments = ALGO("linear_regression")->passes[0];
	int			found = 12345;

	assert_null(mm_pass_find(unused_artifact_id(), 0));
	assert_null(mm_pass_find(-1, 0));
	assert_int_equal(mm_pass_index(ARTIFACT_ID("linear_regression"), &unlisted, &found), -1);
	assert_int_equal(mm_pass_index(MM_PASS_SOURCE_ID, &unlisted, &found), -1);
	/* a pass is found under the algorithm that lists it, not under another */
	assert_int_equal(mm_pass_index(ARTIFACT_ID("kmeans"), moments, &found), -1);
	assert_int_equal(mm_pass_index(MM_PASS_SOURCE_ID, moments, &found), -1);
	assert_int_equal(found, 12345);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_algorithm_passes),
		cmocka_unit_test(test_source_passes),
		cmocka_unit_test(test_not_found),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
