/*
 * The embedding API (scorer.h): a document in, rows set field by field as
 * their text, results as the formulas of doc/export-format.md give them.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "scorer.h"
#include "testutil.h"

/*
 * area (real, imputed 100, clipped to [0, 500], centered 120, scaled 40),
 * garage, district (character(6), one-hot: inner, outer, and the other
 * group's column, rural)
 */
#define FEATURES \
	"\"features\": [{\"name\": \"area\", \"kind\": \"numeric\"}, {\"name\": \"garage\", \"kind\": \"boolean\"}," \
	" {\"name\": \"district\", \"kind\": \"categorical\"}], \"design_columns\": 5," \
	" \"preprocess\": [{\"impute\": 100, \"clip\": [0, 500], \"center\": 120, \"scale\": 40}," \
	" {\"impute\": null, \"clip\": [null, null], \"center\": 0, \"scale\": 1}," \
	" {\"impute\": null, \"clip\": [null, null], \"center\": 0, \"scale\": 1}]," \
	" \"categories\": [null, null, {\"encoding\": \"onehot\", \"names\": [\"inner\", \"outer\"], \"other\": [\"rural\"]}]," \
	" \"params\": null, \"metrics\": null, \"baseline\": null," \
	" \"feature_types\": [\"real\", \"boolean\", \"character(6)\"], \"provenance\": null"

static const char linear_doc[] =
	"{\"format\": \"modelmgr-model\", \"format_version\": 1, \"algorithm\": \"linear_regression\","
	" \"task\": \"regression\", \"target\": \"price\", " FEATURES ","
	" \"model\": {\"fit_intercept\": true, \"alpha\": 0, \"intercept\": 1000.5, \"coef\": [30.25, 7, -2, 5, 3],"
	" \"rank\": 5, \"df_resid\": 10, \"std_err\": [null, null, null, null, null, null],"
	" \"stat\": [null, null, null, null, null, null], \"p_value\": [null, null, null, null, null, null]}}";

static const char binary_doc[] =
	"{\"format\": \"modelmgr-model\", \"format_version\": 1, \"algorithm\": \"logistic_regression\","
	" \"task\": \"classification\", \"target\": \"sold\", " FEATURES ","
	" \"model\": {\"label_kind\": \"boolean\", \"classes\": [\"false\", \"true\"], \"class_values\": [0, 1],"
	" \"intercept\": [-0.5], \"coef\": [[0.75, 1.5, -1, 0.25, 0.5]], \"std_err\": [[null, null, null, null, null, null]],"
	" \"stat\": [[null, null, null, null, null, null]], \"p_value\": [[null, null, null, null, null, null]], \"alpha\": 1,"
	" \"fit_intercept\": true, \"balanced\": false, \"max_iter\": 100, \"tol\": 0.0001, \"n_iter\": 5,"
	" \"converged\": true, \"variant\": 0}}";

static MmScorer *
load(const char *doc)
{
	MmScorer   *s;
	MmError		err;

	if (mm_scorer_load(doc, strlen(doc), &s, &err) != MM_OK)
		fail_msg("not loaded: %s", err.message);
	return s;
}

static void
set(MmScorer *s, const char *area, const char *garage, const char *district)
{
	MmError		err;
	const char *v[3] = {area, garage, district};
	int			j;

	for (j = 0; j < 3; j++)
	{
		if (v[j] == NULL)
			mm_scorer_set_missing(s, j);
		else if (mm_scorer_set_field(s, j, v[j], strlen(v[j]), &err) != MM_OK)
			fail_msg("field %d refused: %s", j, err.message);
	}
}

/* The regression formula, term by term in design order, as doc/export-format.md states it. */
static double
linear_formula(double area, double garage, const double onehot[2])
{
	double		z0 = (area - 120.0) / 40.0;
	double		s = 1000.5;

	s += 30.25 * z0;
	s += 7.0 * garage;
	s += -2.0 * onehot[0];
	s += 5.0 * onehot[1];
	return s;
}

static void
test_linear(void **state)
{
	MmScorer   *s = load(linear_doc);
	MmError		err;
	const double inner[2] = {1, 0},
				none[2] = {0, 0};

	assert_int_equal(mm_scorer_feature(s, "district"), 2);
	assert_int_equal(mm_scorer_feature(s, "nope"), -1);
	assert_string_equal(mm_scorer_feature_type(s, 0), "real");
	assert_int_equal(mm_scorer_coordinates(s), 0);
	assert_null(mm_scorer_label(s));

	/* a feature never set is missing */
	assert_int_equal(mm_scorer_run(s, &err), MM_ERR_INVALID_INPUT);
	assert_string_equal(err.message, "feature \"garage\" is missing, and the model does not impute it");

	/* real reads in single precision, as float4in does; booleans as boolin; char(6) without padding */
	set(s, "130.1", "true", "inner ");
	assert_int_equal(mm_scorer_run(s, &err), MM_OK);
	assert_true(mm_scorer_value(s) == linear_formula((double) 130.1f, 1, inner));
	assert_true(mm_scorer_value(s) != linear_formula(130.1, 1, inner));

	/* a missing area is imputed; an unseen district encodes as zeros; clipping */
	set(s, NULL, " OFF ", "harbour");
	assert_int_equal(mm_scorer_run(s, &err), MM_OK);
	assert_true(mm_scorer_value(s) == linear_formula(100, 0, none));
	set(s, "9e3", "y", "inner");
	assert_int_equal(mm_scorer_run(s, &err), MM_OK);
	assert_true(mm_scorer_value(s) == linear_formula(500, 1, inner));
	set(s, "-1e30", "0", "outer");
	assert_int_equal(mm_scorer_run(s, &err), MM_OK);
	assert_true(mm_scorer_value(s) == linear_formula(0, 0, (const double[2]) {0, 1}));
	/* the other group's value in the column after the named categories */
	set(s, "120", "0", "rural");
	assert_int_equal(mm_scorer_run(s, &err), MM_OK);
	assert_true(mm_scorer_value(s) == linear_formula(120, 0, none) + 3.0);

	/* what it refuses, naming the feature */
	assert_int_equal(mm_scorer_set_field(s, 0, "12abc", 5, &err), MM_ERR_INVALID_INPUT);
	assert_int_equal(err.item, 0);
	assert_string_equal(err.message, "feature \"area\": \"12abc\" is not a number");
	assert_int_equal(mm_scorer_set_field(s, 0, "", 0, &err), MM_ERR_INVALID_INPUT);
	assert_int_equal(mm_scorer_set_field(s, 1, "maybe", 5, &err), MM_ERR_INVALID_INPUT);
	assert_string_equal(err.message, "feature \"garage\": \"maybe\" is not a boolean");
	set(s, "NaN", "t", "inner");
	assert_int_equal(mm_scorer_run(s, &err), MM_ERR_INVALID_INPUT);
	assert_string_equal(err.message, "feature \"area\" is NaN or infinite");
	set(s, "1", NULL, "inner");
	assert_int_equal(mm_scorer_run(s, &err), MM_ERR_INVALID_INPUT);
	assert_string_equal(err.message, "feature \"garage\" is missing, and the model does not impute it");
	/* the row after an error scores again */
	set(s, "130.1", "true", "inner");
	assert_int_equal(mm_scorer_run(s, &err), MM_OK);
	assert_true(mm_scorer_value(s) == linear_formula((double) 130.1f, 1, inner));
	mm_scorer_free(s);
}

static void
test_binary(void **state)
{
	MmScorer   *s = load(binary_doc);
	MmError		err;
	double		proba[2],
				score;

	set(s, "200", "f", "rural");
	assert_int_equal(mm_scorer_run(s, &err), MM_OK);
	/* the "other" group has the column after the named categories */
	score = -0.5;
	score += 0.75 * ((double) 200.0f - 120.0) / 40.0;
	score += 1.5 * 0.0;
	score += -1.0 * 0.0;
	score += 0.25 * 0.0;
	score += 0.5 * 1.0;
	assert_int_equal(mm_scorer_proba(s, proba), 2);
	assert_true(proba[1] == 1.0 / (1.0 + exp(-score)));
	assert_true(proba[0] == 1.0 - proba[1]);
	assert_string_equal(mm_scorer_label(s), "true");
	assert_true(mm_scorer_value(s) == 1.0);

	set(s, "10", "f", "outer");
	assert_int_equal(mm_scorer_run(s, &err), MM_OK);
	assert_string_equal(mm_scorer_label(s), "false");
	assert_true(mm_scorer_value(s) == 0.0);
	mm_scorer_free(s);
}

static void
test_refused_documents(void **state)
{
	MmScorer   *s;
	MmError		err;
	char		doc[sizeof(linear_doc)];

	assert_int_not_equal(mm_scorer_load(linear_doc, strlen(linear_doc) - 1, &s, &err), MM_OK);
	assert_null(s);
	memcpy(doc, linear_doc, sizeof(doc));
	memcpy(strstr(doc, "\"real\""), "[1234]", 6);
	assert_int_not_equal(mm_scorer_load(doc, strlen(doc), &s, &err), MM_OK);
	assert_null(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linear),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_refused_documents),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
