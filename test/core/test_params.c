/*
 * Hyperparameters from their declarations (params.c): defaults, the
 * setters' messages (the texts SQL reports), the resolved params JSON, the
 * hints, the default search spaces and the doc table.
 */
#include "testutil.h"

#include <string.h>

/* The text a buffer holds, freed by the caller. */
static char *
text_of(MmBuffer *b)
{
	assert_false(b->failed);
	return b->data;
}

static char *
params_json(const MmParams *params)
{
	MmBuffer	b = {0};

	mm_params_json(params, &b);
	return text_of(&b);
}

/* Sets a number and expects the message. */
static void
refuses_number(const char *algorithm, const char *name, double v, const char *message)
{
	const MmAlgorithm *a = ALGO(algorithm);
	MmParams	params;
	MmError		err;

	mm_params_defaults(a, &params);
	assert_int_equal(mm_param_set_number(&params, mm_param_index(a, name), v, &err), MM_ERR_INVALID_INPUT);
	assert_string_equal(err.message, message);
	assert_int_equal(params.given, 0);
}

static void
test_defaults(void **state)
{
	const MmAlgorithm *a = ALGO("logistic_regression");
	MmParams	params;
	char	   *json;

	mm_params_defaults(a, &params);
	assert_ptr_equal(params.algorithm, a);
	assert_int_equal(params.given, 0);
	assert_true(params.value[mm_param_index(a, "alpha")] == 1.0);
	assert_true(params.value[mm_param_index(a, "class_weight")] == -1.0);
	assert_int_equal(mm_param_index(a, "tol"), 4);
	assert_int_equal(mm_param_index(a, "C"), -1);

	/* the resolved params as the trainers record them today */
	json = params_json(&params);
	assert_string_equal(json, "{\"alpha\": 1, \"fit_intercept\": true, \"class_weight\": null, "
						"\"max_iter\": 100, \"tol\": 0.0001}");
	mm_free(json);
	mm_params_defaults(ALGO("linear_svm"), &params);
	json = params_json(&params);
	assert_string_equal(json, "{\"C\": 1, \"loss\": \"squared_hinge\", \"fit_intercept\": true, "
						"\"class_weight\": null, \"max_iter\": 1000, \"tol\": 0.0001}");
	mm_free(json);
	mm_params_defaults(ALGO("linear_regression"), &params);
	json = params_json(&params);
	assert_string_equal(json, "{\"alpha\": 0, \"fit_intercept\": true}");
	mm_free(json);
	mm_params_defaults(ALGO("kmeans"), &params);
	json = params_json(&params);
	assert_string_equal(json, "{\"k\": 8, \"max_iter\": 300, \"tol\": 0.0001}");
	mm_free(json);
}

static void
test_setting(void **state)
{
	const MmAlgorithm *a = ALGO("linear_svm");
	MmParams	params;
	MmError		err;
	char	   *json;

	mm_params_defaults(a, &params);
	assert_int_equal(mm_param_set_number(&params, 0, 0.25, &err), MM_OK);
	assert_int_equal(mm_param_set_string(&params, 1, "squared_hinge", 13, &err), MM_OK);
	assert_int_equal(mm_param_set_boolean(&params, 2, 0, &err), MM_OK);
	assert_int_equal(mm_param_set_string(&params, 3, "balanced", 8, &err), MM_OK);
	assert_int_equal(mm_param_set_number(&params, 4, 100000, &err), MM_OK);
	assert_int_equal(mm_param_set_number(&params, 5, 1e-6, &err), MM_OK);
	assert_int_equal(params.given, 0x3f);
	json = params_json(&params);
	assert_string_equal(json, "{\"C\": 0.25, \"loss\": \"squared_hinge\", \"fit_intercept\": false, "
						"\"class_weight\": \"balanced\", \"max_iter\": 100000, \"tol\": 1e-06}");
	mm_free(json);
	assert_int_equal(mm_param_set_null(&params, 3, &err), MM_OK);
	assert_true(params.value[3] == -1.0);

	/* a negative zero is a non-negative number, and is recorded as given */
	a = ALGO("linear_regression");
	mm_params_defaults(a, &params);
	assert_int_equal(mm_param_set_number(&params, 0, -0.0, &err), MM_OK);
	json = params_json(&params);
	assert_string_equal(json, "{\"alpha\": -0, \"fit_intercept\": true}");
	mm_free(json);
}

static void
test_messages(void **state)
{
	const MmAlgorithm *a = ALGO("logistic_regression");
	MmParams	params;
	MmError		err;

	refuses_number("linear_regression", "alpha", -1, "parameter \"alpha\" must be a finite non-negative number");
	refuses_number("linear_regression", "alpha", INFINITY, "parameter \"alpha\" must be a finite non-negative number");
	/* a value that is not a number comes as NaN */
	refuses_number("logistic_regression", "alpha", NAN, "parameter \"alpha\" must be a finite non-negative number");
	refuses_number("linear_svm", "C", 0, "parameter \"C\" must be a finite positive number");
	refuses_number("logistic_regression", "tol", 0, "parameter \"tol\" must be a finite positive number");
	refuses_number("logistic_regression", "max_iter", 0, "parameter \"max_iter\" must be an integer between 1 and 10000");
	refuses_number("logistic_regression", "max_iter", 2.5, "parameter \"max_iter\" must be an integer between 1 and 10000");
	refuses_number("linear_svm", "max_iter", 100001, "parameter \"max_iter\" must be an integer between 1 and 100000");
	refuses_number("kmeans", "k", 0, "parameter \"k\" must be an integer between 1 and 10000");
	refuses_number("kmeans", "max_iter", 1e6, "parameter \"max_iter\" must be an integer between 1 and 100000");
	refuses_number("kmeans", "tol", -1e-9, "parameter \"tol\" must be a finite non-negative number");
	refuses_number("logistic_regression", "fit_intercept", 1, "parameter \"fit_intercept\" must be true or false");
	refuses_number("logistic_regression", "class_weight", 1, "parameter \"class_weight\" must be \"balanced\" or null");

	mm_params_defaults(a, &params);
	assert_int_equal(mm_param_set_string(&params, 2, "balance", 7, &err), MM_ERR_INVALID_INPUT);
	assert_string_equal(err.message, "parameter \"class_weight\" must be \"balanced\" or null");
	assert_int_equal(err.item, 2);
	assert_int_equal(mm_param_set_null(&params, 1, &err), MM_ERR_INVALID_INPUT);
	assert_string_equal(err.message, "parameter \"fit_intercept\" must be true or false");
	assert_int_equal(mm_param_set_boolean(&params, 0, 1, &err), MM_ERR_INVALID_INPUT);
	assert_string_equal(err.message, "parameter \"alpha\" must be a finite non-negative number");
	a = ALGO("linear_svm");
	mm_params_defaults(a, &params);
	assert_int_equal(mm_param_set_string(&params, 1, "hinge2", 6, &err), MM_ERR_INVALID_INPUT);
	assert_string_equal(err.message, "parameter \"loss\" must be \"hinge\" or \"squared_hinge\"");
	assert_int_equal(mm_param_set_null(&params, 1, &err), MM_ERR_INVALID_INPUT);
	assert_string_equal(err.message, "parameter \"loss\" must be \"hinge\" or \"squared_hinge\"");
	assert_int_equal(params.given, 0);
}

/* PCA's n_components: a count up to the design's width, or a fraction; its check says which. */
static void
test_pca_components(void **state)
{
	const MmAlgorithm *a = ALGO("pca");
	MmParams	params;
	MmError		err;
	char	   *json;
	static const double bad[] = {0, -1, 1.5, 5, NAN, INFINITY};
	int			i;

	mm_params_defaults(a, &params);
	assert_int_equal(a->check_params(&params, 4, &err), MM_OK);
	for (i = 0; i < (int) (sizeof(bad) / sizeof(bad[0])); i++)
	{
		mm_params_defaults(a, &params);
		assert_int_equal(mm_param_set_number(&params, 0, bad[i], &err), MM_OK);
		assert_int_equal(a->check_params(&params, 4, &err), MM_ERR_INVALID_INPUT);
		assert_string_equal(err.message, "parameter \"n_components\" must be a count from 1 to the 4 "
							"features, or a fraction of variance between 0 and 1");
	}
	/* a string or a boolean is no number either */
	mm_params_defaults(a, &params);
	assert_int_equal(mm_param_set_string(&params, 0, "all", 3, &err), MM_OK);
	assert_int_equal(a->check_params(&params, 4, &err), MM_ERR_INVALID_INPUT);

	mm_params_defaults(a, &params);
	assert_int_equal(mm_param_set_number(&params, 0, 0.9, &err), MM_OK);
	assert_int_equal(a->check_params(&params, 4, &err), MM_OK);
	json = params_json(&params);
	assert_string_equal(json, "{\"n_components\": 0.9}");
	mm_free(json);
	assert_int_equal(mm_param_set_number(&params, 0, 4, &err), MM_OK);
	assert_int_equal(a->check_params(&params, 4, &err), MM_OK);
	json = params_json(&params);
	assert_string_equal(json, "{\"n_components\": 4}");
	mm_free(json);
}

/*
 * random_forest's max_features and min_samples_leaf in scikit-learn's int
 * and float forms: 1 is one column and 1.0 every one, each recorded as
 * given; the words and null; the values neither form takes refused with
 * what is taken; a count checked against the design once it is built.
 */
static void
test_count_or_fraction(void **state)
{
	const MmAlgorithm *a = mm_algorithm_by_name_task("random_forest", MM_TASK_REGRESSION);
	const MmAlgorithm *c = mm_algorithm_by_name_task("random_forest", MM_TASK_CLASSIFICATION);
	int			mf = mm_param_index(a, "max_features");
	int			leaf = mm_param_index(a, "min_samples_leaf");
	static const double bad[] = {0, -1, -0.5, 1.5, NAN, INFINITY, -INFINITY};
	static const char *const taken = "parameter \"max_features\" must be a count of at least 1, "
		"a fraction in (0, 1], \"sqrt\", \"log2\" or null";
	MmParams	params;
	MmError		err;
	char	   *json;
	int			i;

	/* the regressor's default is every column (null), the classifier's sqrt */
	mm_params_defaults(a, &params);
	assert_true(isnan(params.value[mf]));
	json = params_json(&params);
	assert_non_null(strstr(json, "\"max_features\": null"));
	mm_free(json);
	mm_params_defaults(c, &params);
	json = params_json(&params);
	assert_non_null(strstr(json, "\"max_features\": \"sqrt\""));
	mm_free(json);

	/* 1 and 1.0 differ: a count of one, a fraction of all */
	mm_params_defaults(a, &params);
	assert_int_equal(mm_param_set_number(&params, mf, 1, &err), MM_OK);
	assert_int_equal(params.fraction, 0);
	json = params_json(&params);
	assert_non_null(strstr(json, "\"max_features\": 1,"));
	mm_free(json);
	assert_int_equal(mm_param_set_fraction(&params, mf, 1.0, &err), MM_OK);
	assert_int_equal(params.fraction, 1u << mf);
	json = params_json(&params);
	assert_non_null(strstr(json, "\"max_features\": 1.0,"));
	mm_free(json);

	/* a fraction below one is one whichever setter, a whole number above it a count */
	assert_int_equal(mm_param_set_number(&params, mf, 0.25, &err), MM_OK);
	assert_int_equal(params.fraction, 1u << mf);
	assert_int_equal(mm_param_set_fraction(&params, mf, 3.0, &err), MM_OK);
	assert_int_equal(params.fraction, 0);
	assert_true(params.value[mf] == 3.0);

	/* a word or null clears the fraction */
	assert_int_equal(mm_param_set_fraction(&params, mf, 0.5, &err), MM_OK);
	assert_int_equal(mm_param_set_string(&params, mf, "log2", 4, &err), MM_OK);
	assert_int_equal(params.fraction, 0);
	assert_true(params.value[mf] == -2.0);
	assert_int_equal(mm_param_set_null(&params, mf, &err), MM_OK);
	assert_true(isnan(params.value[mf]));

	for (i = 0; i < (int) (sizeof(bad) / sizeof(bad[0])); i++)
	{
		mm_params_defaults(a, &params);
		assert_int_equal(mm_param_set_number(&params, mf, bad[i], &err), MM_ERR_INVALID_INPUT);
		assert_string_equal(err.message, taken);
		assert_int_equal(mm_param_set_fraction(&params, mf, bad[i], &err), MM_ERR_INVALID_INPUT);
		assert_string_equal(err.message, taken);
		assert_int_equal(params.given, 0);
	}
	assert_int_equal(mm_param_set_string(&params, mf, "all", 3, &err), MM_ERR_INVALID_INPUT);
	assert_int_equal(mm_param_set_boolean(&params, mf, 1, &err), MM_ERR_INVALID_INPUT);
	assert_string_equal(err.message, taken);

	/* a count is of the design's columns, judged once the design is built */
	mm_params_defaults(a, &params);
	assert_int_equal(mm_param_set_number(&params, mf, 7, &err), MM_OK);
	assert_int_equal(a->check_design(&params, 7, &err), MM_OK);
	assert_int_equal(a->check_design(&params, 6, &err), MM_ERR_INVALID_INPUT);
	assert_string_equal(err.message, "parameter \"max_features\" is 7, more than the 6 columns of the design");
	assert_int_equal(mm_param_set_fraction(&params, mf, 1.0, &err), MM_OK);
	assert_int_equal(a->check_design(&params, 1, &err), MM_OK);

	/* min_samples_leaf's fraction excludes 1, where 1.0 stays the count it was */
	mm_params_defaults(a, &params);
	assert_int_equal(mm_param_set_fraction(&params, leaf, 0.05, &err), MM_OK);
	assert_int_equal(params.fraction, 1u << leaf);
	assert_int_equal(mm_param_set_fraction(&params, leaf, 1.0, &err), MM_OK);
	assert_int_equal(params.fraction, 0);
	assert_int_equal(mm_param_set_fraction(&params, leaf, 0.0, &err), MM_ERR_INVALID_INPUT);
	assert_string_equal(err.message, "parameter \"min_samples_leaf\" must be a count from 1 to 1000000 "
						"or a fraction in (0, 1)");
	assert_int_equal(mm_param_set_null(&params, leaf, &err), MM_ERR_INVALID_INPUT);
}

static void
test_hints(void **state)
{
	static const char *const want[][2] = {
		{"linear_regression", "Valid parameters: alpha, fit_intercept."},
		{"logistic_regression", "Valid parameters: alpha, fit_intercept, class_weight, max_iter, tol."},
		{"linear_svm", "Valid parameters: C, loss, fit_intercept, class_weight, max_iter, tol."},
		{"kmeans", "Valid parameters: k, max_iter, tol (the seed argument seeds the starts)."},
		{"pca", "Valid parameters: n_components."},
	};
	int			i;

	for (i = 0; i < 5; i++)
	{
		MmBuffer	b = {0};

		mm_params_hint(ALGO(want[i][0]), &b);
		assert_string_equal(text_of(&b), want[i][1]);
		mm_free(b.data);
	}
}

/* The default search spaces, as mm_tune has always defaulted them (src/fit/searchspace.c). */
static void
test_search_spaces(void **state)
{
	static const char *const want[][3] = {
		{"linear_regression",
			"{\"alpha\": [0.0001, 0.00023357, 0.00054556, 0.0012743, 0.0029764, 0.0069519, 0.016238, "
			"0.037927, 0.088587, 0.20691, 0.48329, 1.1288, 2.6367, 6.1585, 14.384, 33.598, 78.476, 183.3, "
			"428.13, 1000]}",
		"{\"alpha\": {\"log_uniform\": [0.0001, 1000]}}"},
		{"logistic_regression", "{\"alpha\": [0.001, 0.01, 0.1, 1, 10, 100]}",
		"{\"alpha\": {\"log_uniform\": [0.001, 100]}}"},
		{"linear_svm", "{\"C\": [0.001, 0.01, 0.1, 1, 10, 100]}", "{\"C\": {\"log_uniform\": [0.001, 100]}}"},
		{"kmeans", "{\"k\": [2, 3, 4, 5, 6, 7, 8, 9, 10]}", "{\"k\": {\"int_uniform\": [2, 10]}}"},
		{"pca", "{}", "{}"},
	};
	int			i,
				random;

	for (i = 0; i < 5; i++)
		for (random = 0; random <= 1; random++)
		{
			MmBuffer	b = {0};

			mm_params_search_space(ALGO(want[i][0]), random, &b);
			assert_string_equal(text_of(&b), want[i][1 + random]);
			mm_free(b.data);
		}
}

/*
 * An object of class labels and weights (the kernel SVM's class_weight):
 * kept as given for the version's params, resolved against the model's
 * labels with 1 for the classes it does not name, a key that is no class
 * refused by name, and numbers that are not positive refused with the
 * parameter's message.
 */
static void
test_label_maps(void **state)
{
	const MmAlgorithm *a = mm_algorithm_by_name_task("svm", MM_TASK_CLASSIFICATION);
	int			i = mm_param_index(a, "class_weight");
	static const char *const keys[] = {"yes", "maybe"};
	static const double values[] = {5, 0.5};
	static const double bad[] = {5, 0};
	static const char *const labels[] = {"no", "yes"};
	MmParamMap	map = {1, keys, values};
	MmParams	params;
	MmError		err;
	double		w[2];
	char	   *json;

	assert_true(i >= 0);
	mm_params_defaults(a, &params);
	assert_int_equal(mm_param_label_values(&params, i, labels, 2, w, &err), MM_OK);
	assert_true(w[0] == 1.0 && w[1] == 1.0);

	assert_int_equal(mm_param_set_map(&params, i, &map, &err), MM_OK);
	json = params_json(&params);
	assert_non_null(strstr(json, "\"class_weight\": {\"yes\": 5}"));
	mm_free(json);
	assert_int_equal(mm_param_label_values(&params, i, labels, 2, w, &err), MM_OK);
	assert_true(w[0] == 1.0 && w[1] == 5.0);

	map.n = 2;
	assert_int_equal(mm_param_set_map(&params, i, &map, &err), MM_OK);
	assert_int_equal(mm_param_label_values(&params, i, labels, 2, w, &err), MM_ERR_INVALID_INPUT);
	assert_string_equal(err.message, "class_weight names \"maybe\", which is not a class of the training rows");
	assert_int_equal(err.item, i);

	map.values = bad;
	assert_int_equal(mm_param_set_map(&params, i, &map, &err), MM_ERR_INVALID_INPUT);
	assert_string_equal(err.message, "parameter \"class_weight\" must be \"balanced\" or null, "
						"or an object of class labels and positive numbers");

	/* a parameter that takes no object refuses one */
	a = ALGO("logistic_regression");
	mm_params_defaults(a, &params);
	map.values = values;
	assert_int_equal(mm_param_set_map(&params, mm_param_index(a, "class_weight"), &map, &err),
					 MM_ERR_INVALID_INPUT);
	assert_string_equal(err.message, "parameter \"class_weight\" must be \"balanced\" or null");
}

static void
test_markdown(void **state)
{
	MmBuffer	b = {0};
	char	   *md;

	mm_params_markdown(&b);
	md = text_of(&b);
	assert_non_null(strstr(md, "## linear_regression\n"));
	assert_non_null(strstr(md, "## pca\n"));
	assert_non_null(strstr(md, "| `alpha` | number >= 0 | `0` | yes |"));
	assert_non_null(strstr(md, "| `C` | number > 0 | `1` | yes |"));
	assert_non_null(strstr(md, "| `loss` | \"hinge\" or \"squared_hinge\" | `\"squared_hinge\"` | no |"));
	assert_non_null(strstr(md, "| `class_weight` | \"balanced\" or null | `null` | no |"));
	assert_non_null(strstr(md, "| `max_iter` | integer in [1, 10000] | `100` | no |"));
	assert_non_null(strstr(md, "| `k` | integer in [1, 10000] | `8` | yes |"));
	mm_free(md);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_setting),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_pca_components),
		cmocka_unit_test(test_count_or_fraction),
		cmocka_unit_test(test_hints),
		cmocka_unit_test(test_search_spaces),
		cmocka_unit_test(test_label_maps),
		cmocka_unit_test(test_markdown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
