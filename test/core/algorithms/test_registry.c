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
	/* artifact ids are the ones every stored model carries */
	static const struct
	{
		const char *name;
		MmTask		task;
		int			artifact_id;
	}			known[] = {
		{"linear_regression", MM_TASK_REGRESSION, 1},
		{"logistic_regression", MM_TASK_CLASSIFICATION, 2},
		{"linear_svm", MM_TASK_CLASSIFICATION, 3},
		{"kmeans", MM_TASK_CLUSTERING, 4},
		{"pca", MM_TASK_DECOMPOSITION, 5},
		{"elastic_net", MM_TASK_REGRESSION, 6},
		{"svm", MM_TASK_CLASSIFICATION, 12},
		{"svm", MM_TASK_REGRESSION, 13},
		{"gradient_boosting", MM_TASK_REGRESSION, 10},
		{"gradient_boosting", MM_TASK_CLASSIFICATION, 11},
		{"random_forest", MM_TASK_REGRESSION, 14},
		{"random_forest", MM_TASK_CLASSIFICATION, 15},
	};

	assert_int_equal(count, sizeof(known) / sizeof(known[0]));
	for (i = 0; i < count; i++)
	{
		assert_string_equal(all[i]->name, known[i].name);
		assert_int_equal(all[i]->task, known[i].task);
		assert_int_equal(all[i]->artifact_id, known[i].artifact_id);
		assert_ptr_equal(mm_algorithm_by_name_task(known[i].name, known[i].task), all[i]);
		assert_ptr_equal(mm_algorithm_by_artifact_id(known[i].artifact_id), all[i]);
		assert_non_null(all[i]->fit);
		assert_non_null(all[i]->write);
		assert_non_null(all[i]->read);
		assert_non_null(all[i]->to_json);
		assert_non_null(all[i]->from_json);
		assert_non_null(all[i]->free);
		assert_true(all[i]->n_params >= 1 && all[i]->n_params <= MM_MAX_PARAMS);
	}
	/* a name with a table per task: by name alone, its first */
	assert_ptr_equal(mm_algorithm_by_name("svm"), mm_algorithm_by_name_task("svm", MM_TASK_CLASSIFICATION));
	assert_null(mm_algorithm_by_name_task("svm", MM_TASK_CLUSTERING));
	assert_null(mm_algorithm_by_name_task("kmeans", MM_TASK_REGRESSION));
	/* the trees take missing values and have importances */
	for (i = 8; i < count; i++)
	{
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
	/* whether a kernel SVM has probabilities is the fitted model's */
	assert_non_null(ALGO("svm")->has_proba);
}

/* Messages name each algorithm once, svm and the trees included, whatever their tables. */
static void
test_algorithm_list(void **state)
{
	MmBuffer	b = {0};

	mm_algorithm_list(NULL, " or ", &b);
	assert_string_equal(b.data, "linear_regression, logistic_regression, linear_svm, kmeans, pca, "
						"elastic_net, svm, gradient_boosting or random_forest");
	mm_free(b.data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_algorithm_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
