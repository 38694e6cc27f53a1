/*
 * test_trivial.c: the trivial classifier's scores (trivial.h) agree with
 * mm_class_metrics given its predictions, and its class is chosen as
 * scikit-learn's DummyClassifier chooses it.
 */
#include "testutil.h"

#include <string.h>

#include "classmetrics.h"
#include "trivial.h"

static void
test_majority(void **state)
{
	double		counts[4] = {3, 5, 5, 1};
	double		none[2] = {0, 0};

	/* the first of the tied classes */
	assert_int_equal(mm_majority_class(counts, 4), 1);
	assert_int_equal(mm_majority_class(none, 2), -1);
}

/* The scores mm_class_metrics gives the constant prediction c on rows with these counts. */
static void
check_against_metrics(const double *counts, int k, int c)
{
	int32_t		y[64],
				pred[64];
	int			n = 0,
				j,
				i;
	double		accuracy,
				f1;
	MmClassMetrics m;
	MmError		err;

	for (j = 0; j < k; j++)
		for (i = 0; i < (int) counts[j]; i++)
		{
			y[n] = j;
			pred[n++] = c;
		}
	assert_int_equal(mm_class_metrics(y, pred, NULL, NULL, n, k, &m, &err), MM_OK);
	mm_constant_class_scores(counts, k, c, &accuracy, &f1);
	assert_close(accuracy, m.accuracy, 1e-15);
	assert_close(f1, m.f1, 1e-15);
	mm_free(m.confusion);
}

static void
test_scores(void **state)
{
	double		binary[2] = {13, 2};
	double		three[3] = {4, 0, 9};
	double		absent[3] = {0, 6, 2};
	double		empty[2] = {0, 0};
	double		accuracy,
				f1;

	check_against_metrics(binary, 2, 0);
	check_against_metrics(binary, 2, 1);
	/* a class without rows in the part does not enter the average */
	check_against_metrics(three, 3, 2);
	/* the predicted class has no rows in this part (a held-out part can lack it) */
	check_against_metrics(absent, 3, 0);
	mm_constant_class_scores(binary, 2, 0, &accuracy, &f1);
	assert_close(accuracy, 13.0 / 15, 1e-15);
	assert_close(f1, (2.0 * (13.0 / 15) / (13.0 / 15 + 1.0)) / 2, 1e-15);
	mm_constant_class_scores(empty, 2, 0, &accuracy, &f1);
	assert_true(isnan(accuracy) && isnan(f1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_majority),
		cmocka_unit_test(test_scores),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
