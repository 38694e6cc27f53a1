/*
 * test_registry.c: the registry of algorithm tables (registry.c): every
 * algorithm by name and by the artifact id stored models carry, the
 * defaults per task, and what each table offers the glue.
 */
#include "testutil.h"

static void
test_registry(void **state)
{
	int			count,
				i;
	const MmAlgorithm *const *all = mm_algorithms(&count);
	static const char *const names[] = {"linear_regression", "logistic_regression", "linear_svm",
	"kmeans", "pca", "elastic_net"};

	/* six with an id each, then gradient boosting's and the random forest's table per task */
	assert_int_equal(count, 10);
	for (i = 0; i < 6; i++)
	{
		/* artifact ids are the ones every stored model carries */
		assert_string_equal(all[i]->name, names[i]);
		assert_int_equal(all[i]->artifact_id, i + 1);
		assert_ptr_equal(mm_algorithm_by_name(names[i]), all[i]);
		assert_ptr_equal(mm_algorithm_by_artifact_id(i + 1), all[i]);
		assert_non_null(all[i]->fit);
		assert_non_null(all[i]->write);
		assert_non_null(all[i]->read);
		assert_non_null(all[i]->to_json);
		assert_non_null(all[i]->from_json);
		assert_non_null(all[i]->free);
		assert_true(all[i]->n_params >= 1 && all[i]->n_params <= MM_MAX_PARAMS);
	}
	for (i = 6; i < 10; i++)
	{
		assert_string_equal(all[i]->name, i < 8 ? "gradient_boosting" : "random_forest");
		assert_int_equal(all[i]->artifact_id, i + 4);
		assert_ptr_equal(mm_algorithm_by_artifact_id(i + 4), all[i]);
		assert_ptr_equal(mm_algorithm_for_task(all[i]->name, all[i]->task), all[i]);
		assert_int_equal(all[i]->task, i % 2 == 0 ? MM_TASK_REGRESSION : MM_TASK_CLASSIFICATION);
		assert_int_equal(mm_algorithm_first_of_name(all[i]), i % 2 == 0);
		assert_non_null(all[i]->importances);
		assert_true(all[i]->missing_values);
	}
	assert_null(mm_algorithm_by_name("auto"));
	assert_null(mm_algorithm_by_artifact_id(0));
	assert_null(mm_algorithm_by_artifact_id(7));
	assert_ptr_equal(mm_algorithm_default(MM_TASK_REGRESSION), ALGO("linear_regression"));
	assert_ptr_equal(mm_algorithm_default(MM_TASK_CLASSIFICATION), ALGO("logistic_regression"));
	assert_null(mm_algorithm_default(MM_TASK_CLUSTERING));
	/* what the glue asks of a table instead of its name */
	assert_non_null(ALGO("logistic_regression")->proba);
	assert_null(ALGO("linear_svm")->proba);
	assert_non_null(ALGO("kmeans")->project);
	assert_non_null(ALGO("pca")->project);
	assert_null(ALGO("linear_regression")->project);
	assert_null(ALGO("pca")->score);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
