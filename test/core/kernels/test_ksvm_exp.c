/*
 * test_ksvm_exp.c: the rbf kernel's exp (ksvm_exp.h) against libm's, to
 * an ulp, over the arguments a kernel gives, and at its edges: 0 gives 1,
 * below the flush point and -infinity give 0, NaN stays NaN.
 */
#include "testutil.h"

#include <float.h>

#include "ksvm_exp.h"

/* How many ulps of libm's exp(x) the core's is from it. */
static double
ulps_off(double x)
{
	double		want = exp(x),
				got = mm_exp_nonpositive(x);

	return fabs(got - want) / (nextafter(want, INFINITY) - want);
}

static void
test_within_an_ulp(void **state)
{
	MmRandom	r = mm_random(3);
	const double ranges[] = {1e-6, 1.0, 40.0, 708.0};
	double		worst = 0;
	int			i,
				k;

	for (k = 0; k < 4; k++)
		for (i = 0; i < 200000; i++)
			worst = fmax(worst, ulps_off(-mm_random_uniform(&r) * ranges[k]));
	/* the points where n, the power of 2, changes: r is at its widest there */
	for (k = 0; k < 1021; k++)
	{
		double		x = -(k + 0.5) * M_LN2;

		worst = fmax(worst, ulps_off(x));
		worst = fmax(worst, ulps_off(nextafter(x, 0)));
		worst = fmax(worst, ulps_off(nextafter(x, -INFINITY)));
	}
	assert_true(worst <= 1.0);
}

static void
test_edges(void **state)
{
	assert_true(mm_exp_nonpositive(0.0) == 1.0);
	assert_true(mm_exp_nonpositive(-0.0) == 1.0);
	assert_true(mm_exp_nonpositive(MM_EXP_FLUSH) > 0.0);
	assert_true(ulps_off(MM_EXP_FLUSH) <= 1.0);
	assert_true(mm_exp_nonpositive(nextafter(MM_EXP_FLUSH, -INFINITY)) == 0.0);
	assert_true(mm_exp_nonpositive(-745.5) == 0.0);
	assert_true(mm_exp_nonpositive(-1e300) == 0.0);
	assert_true(mm_exp_nonpositive(-INFINITY) == 0.0);
	assert_true(isnan(mm_exp_nonpositive(NAN)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_within_an_ulp),
		cmocka_unit_test(test_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
