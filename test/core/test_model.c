/*
 * test_model.c: text features in the model (model.c): category codes, the
 * one-hot (full and reference-coded) and ordinal encodings, the design
 * columns they make, and their artifact.
 */
#include "testutil.h"

#include <string.h>

#include "artifact.h"
#include "model.h"

/*
 * A model over (city text one-hot with an "other" group, rooms numeric
 * scaled, grade text ordinal), as a linear regression.
 */
static MmModel *
city_model(void)
{
	MmModel    *m = mm_alloc0(sizeof(MmModel));
	MmCategories *city,
			   *grade;

	m->algorithm = ALGO("linear_regression");
	m->fit = test_payload(m->algorithm);
	m->task = MM_TASK_REGRESSION;
	m->n_features = 3;
	m->feature_names = mm_alloc0(sizeof(char *) * 3);
	m->feature_kinds = mm_alloc0(3);
	m->feature_names[0] = mm_strdup("city");
	m->feature_names[1] = mm_strdup("rooms");
	m->feature_names[2] = mm_strdup("grade");
	m->feature_kinds[0] = MM_FEATURE_CATEGORICAL;
	m->feature_kinds[1] = MM_FEATURE_NUMERIC;
	m->feature_kinds[2] = MM_FEATURE_CATEGORICAL;
	m->target = mm_strdup("price");
	m->categories = mm_alloc0(sizeof(MmCategories) * 3);
	city = &m->categories[0];
	city->encoding = MM_ENCODE_ONEHOT;
	city->n = 3;
	city->names = mm_alloc(sizeof(char *) * 3);
	city->names[0] = mm_strdup("");	/* the empty string is a category like any other */
	city->names[1] = mm_strdup("Lyon");
	city->names[2] = mm_strdup("Paris");
	city->n_other = 2;
	city->other = mm_alloc(sizeof(char *) * 2);
	city->other[0] = mm_strdup("Brest");
	city->other[1] = mm_strdup("Nice");
	grade = &m->categories[2];
	grade->encoding = MM_ENCODE_ORDINAL;
	grade->n = 2;
	grade->names = mm_alloc(sizeof(char *) * 2);
	grade->names[0] = mm_strdup("A");
	grade->names[1] = mm_strdup("B");
	m->transform = mm_alloc0(sizeof(MmFeatureTransform) * 3);
	m->transform[0] = (MmFeatureTransform) {2.0, -INFINITY, INFINITY, 0.0, 1.0};	/* impute Paris */
	m->transform[1] = (MmFeatureTransform) {NAN, -INFINITY, INFINITY, 3.0, 2.0};
	m->transform[2] = (MmFeatureTransform) {NAN, -INFINITY, INFINITY, 0.0, 1.0};
	m->n_design = mm_model_design_width(m);
	LIN(m)->fit_intercept = 1;
	LIN(m)->intercept = 100.0;
	LIN(m)->coef = mm_alloc(sizeof(double) * 6);
	LIN(m)->std_err = mm_alloc(sizeof(double) * 7);
	LIN(m)->stat = mm_alloc(sizeof(double) * 7);
	LIN(m)->p_value = mm_alloc(sizeof(double) * 7);
	for (int i = 0; i < 6; i++)
		LIN(m)->coef[i] = 10.0 * (i + 1);
	for (int i = 0; i < 7; i++)
		LIN(m)->std_err[i] = LIN(m)->stat[i] = LIN(m)->p_value[i] = NAN;
	LIN(m)->rank = 6;
	LIN(m)->df_resid = 10;
	return m;
}

static void
test_codes(void **state)
{
	MmModel    *m = city_model();
	const MmCategories *city = &m->categories[0];

	assert_int_equal(m->n_design, 6);	/* 3 cities + other, rooms, grade */
	assert_true(mm_category_code(city, "Lyon", 4) == 1.0);
	assert_true(mm_category_code(city, "Paris", 5) == 2.0);
	assert_true(mm_category_code(city, "", 0) == 0.0);
	assert_true(mm_category_code(city, "Nice", 4) == 3.0);	/* the other group */
	assert_true(mm_category_code(city, "Brest", 5) == 3.0);
	assert_true(mm_category_code(city, "Lyo", 3) == MM_CATEGORY_UNSEEN);
	assert_true(mm_category_code(city, "Lyons", 5) == MM_CATEGORY_UNSEEN);
	assert_true(mm_category_code(city, "paris", 5) == MM_CATEGORY_UNSEEN);
	/* the length counts, not a terminator: "Lyon" inside a longer buffer */
	assert_true(mm_category_code(city, "Lyonnais", 4) == 1.0);
	mm_model_free(m);
}

static void
test_encoding(void **state)
{
	MmModel    *m = city_model();
	double		x[3],
				z[6];
	double		center[6],
				scale[6];
	MmError		err;
	int			cat;

	x[0] = 1.0;					/* Lyon */
	x[1] = 7.0;
	x[2] = 1.0;					/* B */
	assert_int_equal(mm_model_transform(m, x, z, &err), MM_OK);
	assert_true(z[0] == 0 && z[1] == 1 && z[2] == 0 && z[3] == 0);
	assert_true(z[4] == 2.0);	/* (7 - 3) / 2 */
	assert_true(z[5] == 1.0);
	x[0] = MM_CATEGORY_UNSEEN;
	assert_int_equal(mm_model_transform(m, x, z, &err), MM_OK);
	assert_true(z[0] == 0 && z[1] == 0 && z[2] == 0 && z[3] == 0);
	x[0] = 3.0;					/* other */
	assert_int_equal(mm_model_transform(m, x, z, &err), MM_OK);
	assert_true(z[3] == 1 && z[0] + z[1] + z[2] == 0);
	x[0] = NAN;					/* imputed: Paris */
	assert_int_equal(mm_model_transform(m, x, z, &err), MM_OK);
	assert_true(z[2] == 1 && z[0] + z[1] + z[3] == 0);
	x[2] = NAN;					/* the grade is not imputed */
	assert_int_equal(mm_model_transform(m, x, z, &err), MM_ERR_INVALID_INPUT);
	assert_int_equal(err.item, 2);
	x[2] = MM_CATEGORY_UNSEEN;	/* an unseen grade is coded -1 */
	assert_int_equal(mm_model_transform(m, x, z, &err), MM_OK);
	assert_true(z[5] == -1.0);

	/* the prediction is the intercept plus the coefficients of the active columns */
	x[0] = 1.0;
	x[1] = 3.0;
	x[2] = 0.0;
	assert_int_equal(mm_model_transform(m, x, z, &err), MM_OK);
	assert_close(mm_model_predict(m, z), 100.0 + 20.0, 0);

	mm_model_design_scaling(m, center, scale);
	assert_true(center[4] == 3.0 && scale[4] == 2.0);
	assert_true(center[0] == 0.0 && scale[3] == 1.0 && scale[5] == 1.0);
	assert_int_equal(mm_design_feature(m, 0, &cat), 0);
	assert_int_equal(cat, 0);
	assert_int_equal(mm_design_feature(m, 3, &cat), 0);
	assert_int_equal(cat, 3);
	assert_int_equal(mm_design_feature(m, 4, &cat), 1);
	assert_int_equal(cat, -1);
	assert_int_equal(mm_design_feature(m, 5, &cat), 2);
	assert_int_equal(cat, -1);
	assert_int_equal(mm_design_feature(m, 6, &cat), -1);
	mm_model_free(m);
}

static void
test_artifact_roundtrip(void **state)
{
	MmModel    *m = city_model();
	MmModel    *back = NULL;
	MmError		err;
	uint8_t    *bytes,
			   *again;
	size_t		len,
				len2;
	double		x[3] = {3.0, 4.5, 0.0},
				z1[6],
				z2[6];

	assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_OK);
	assert_int_equal(back->n_design, 6);
	assert_string_equal(back->categories[0].names[0], "");
	assert_string_equal(back->categories[0].other[1], "Nice");
	assert_int_equal(back->categories[2].encoding, MM_ENCODE_ORDINAL);
	assert_int_equal(mm_artifact_write(back, &again, &len2, &err), MM_OK);
	assert_int_equal(len, len2);
	assert_memory_equal(bytes, again, len);
	assert_int_equal(mm_model_transform(m, x, z1, &err), MM_OK);
	assert_int_equal(mm_model_transform(back, x, z2, &err), MM_OK);
	assert_memory_equal(z1, z2, sizeof(z1));
	assert_true(mm_model_predict(m, z1) == mm_model_predict(back, z2));
	mm_free(bytes);
	mm_free(again);
	mm_model_free(back);

	/* names out of order, and an impossible imputed code, are damage */
	{
		char	   *t = m->categories[0].names[1];

		m->categories[0].names[1] = m->categories[0].names[2];
		m->categories[0].names[2] = t;
		assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
		back = NULL;
		assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_ERR_CORRUPT);
		assert_null(back);
		mm_free(bytes);
		m->categories[0].names[2] = m->categories[0].names[1];
		m->categories[0].names[1] = t;
	}
	m->transform[0].impute = 4.0;
	assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_ERR_CORRUPT);
	mm_free(bytes);
	m->transform[0].impute = 3.0;	/* the other group may be imputed */
	assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_OK);
	mm_model_free(back);
	mm_free(bytes);
	mm_model_free(m);
}

/*
 * Reference coding: city coded against Lyon has a column for "", Paris and
 * the other group; Lyon is all zeros, an unseen city 1/4 in each (the
 * average of the four levels); the artifact is format 3 and reads back to
 * the same reference and the same predictions.
 */
static void
test_reference_coding(void **state)
{
	MmModel    *m = city_model();
	MmModel    *back = NULL;
	MmError		err;
	uint8_t    *bytes,
			   *again;
	size_t		len,
				len2;
	double		x[3] = {1.0, 3.0, 0.0},
				z[5],
				z2[5];
	int			cat;

	m->categories[0].has_reference = 1;
	m->categories[0].reference = 1;
	m->n_design = mm_model_design_width(m);
	LIN(m)->rank = 5;
	assert_int_equal(m->n_design, 5);
	assert_int_equal(mm_model_transform(m, x, z, &err), MM_OK);
	assert_true(z[0] == 0 && z[1] == 0 && z[2] == 0 && z[3] == 0.0 && z[4] == 0.0);
	assert_true(mm_model_predict(m, z) == 100.0);
	x[0] = 0.0;					/* "" */
	assert_int_equal(mm_model_transform(m, x, z, &err), MM_OK);
	assert_true(z[0] == 1 && z[1] == 0 && z[2] == 0);
	x[0] = 3.0;					/* other */
	assert_int_equal(mm_model_transform(m, x, z, &err), MM_OK);
	assert_true(z[0] == 0 && z[1] == 0 && z[2] == 1);
	x[0] = MM_CATEGORY_UNSEEN;
	assert_int_equal(mm_model_transform(m, x, z, &err), MM_OK);
	assert_true(z[0] == 0.25 && z[1] == 0.25 && z[2] == 0.25);
	assert_close(mm_model_predict(m, z), 100.0 + (10.0 + 20.0 + 30.0) / 4.0, 1e-15);
	x[0] = NAN;					/* imputed: Paris */
	assert_int_equal(mm_model_transform(m, x, z, &err), MM_OK);
	assert_true(z[0] == 0 && z[1] == 1 && z[2] == 0);

	assert_int_equal(mm_design_feature(m, 0, &cat), 0);
	assert_int_equal(cat, 0);
	assert_int_equal(mm_design_feature(m, 1, &cat), 0);
	assert_int_equal(cat, 2);
	assert_int_equal(mm_design_feature(m, 2, &cat), 0);
	assert_int_equal(cat, 3);
	assert_int_equal(mm_design_feature(m, 3, &cat), 1);
	assert_int_equal(cat, -1);

	assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
	assert_int_equal(bytes[4] | bytes[5] << 8, 3);
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_OK);
	assert_int_equal(back->n_design, 5);
	assert_int_equal(back->categories[0].has_reference, 1);
	assert_int_equal(back->categories[0].reference, 1);
	assert_int_equal(back->categories[2].has_reference, 0);
	assert_int_equal(mm_artifact_write(back, &again, &len2, &err), MM_OK);
	assert_int_equal(len, len2);
	assert_memory_equal(bytes, again, len);
	assert_int_equal(mm_model_transform(back, x, z2, &err), MM_OK);
	assert_memory_equal(z, z2, sizeof(z));
	mm_free(bytes);
	mm_free(again);
	mm_model_free(back);

	/* a reference that is no kept category is damage */
	m->categories[0].reference = 3;
	assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
	back = NULL;
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_ERR_CORRUPT);
	assert_null(back);
	mm_free(bytes);
	mm_model_free(m);
}

/*
 * Confidence intervals: coef -+ q std_err with q the t quantile of each
 * coefficient's df (2.2281388519862742 for 10 df at 95%, 12.706204736174693
 * for 1), the normal one (1.6448536269514723 at 90%) for INFINITY, and none
 * without a standard error or with no degrees of freedom left.
 */
static void
test_coefficient_intervals(void **state)
{
	MmCoefficient co[] = {
		{0, -1, 3.0, 0.5, 6.0, 0.0, 10.0}, {0, 0, -2.0, 1.0, -2.0, 0.0, 10.0},
		{0, 1, 1.0, NAN, NAN, NAN, 10.0}, {0, 2, 4.0, 2.0, 2.0, 0.0, 1.0},
		{0, 3, 4.0, 2.0, 2.0, 0.0, INFINITY}, {0, 4, 4.0, 2.0, 2.0, 0.0, 0.0},
	};
	double		lo[6],
				hi[6];

	mm_coefficient_intervals(co, 6, 0.95, lo, hi);
	assert_close(lo[0], 3.0 - 0.5 * 2.2281388519862742, 1e-13);
	assert_close(hi[0], 3.0 + 0.5 * 2.2281388519862742, 1e-13);
	assert_close(lo[1], -2.0 - 2.2281388519862742, 1e-13);
	assert_true(isnan(lo[2]) && isnan(hi[2]));
	assert_close(hi[3], 4.0 + 2.0 * 12.706204736174693, 1e-12);
	assert_close(hi[4], 4.0 + 2.0 * 1.9599639845400539, 1e-13);
	assert_true(isnan(lo[5]) && isnan(hi[5]));
	mm_coefficient_intervals(co + 4, 1, 0.90, lo, hi);
	assert_close(lo[0], 4.0 - 2.0 * 1.6448536269514723, 1e-13);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_artifact_roundtrip),
		cmocka_unit_test(test_reference_coding),
		cmocka_unit_test(test_coefficient_intervals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
