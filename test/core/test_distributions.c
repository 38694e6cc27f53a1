/*
 * test_distributions.c: tail probabilities against closed forms and
 * published critical values.
 */
#include "testutil.h"

#include "distributions.h"

/* I_x(a, b) where it has a closed form. */
static void
test_incomplete_beta_closed_forms(void **state)
{
	double		xs[] = {1e-6, 0.01, 0.2, 0.5, 0.77, 0.999};
	double		as[] = {0.5, 1, 2.5, 7, 40};
	int			i,
				j;

	for (i = 0; i < 6; i++)
	{
		double		x = xs[i];

		assert_close(mm_incomplete_beta(1, 1, x), x, 1e-13);
		for (j = 0; j < 5; j++)
		{
			assert_close(mm_incomplete_beta(as[j], 1, x), pow(x, as[j]), 1e-12);
			assert_close(mm_incomplete_beta(1, as[j], x), 1 - pow(1 - x, as[j]), 1e-12);
			/* symmetry */
			assert_close(mm_incomplete_beta(as[j], 3, x), 1 - mm_incomplete_beta(3, as[j], 1 - x), 1e-12);
		}
	}
	for (j = 0; j < 5; j++)
		assert_close(mm_incomplete_beta(as[j], as[j], 0.5), 0.5, 1e-12);
	assert_true(mm_incomplete_beta(2, 3, 0) == 0 && mm_incomplete_beta(2, 3, 1) == 1);
	assert_true(isnan(mm_incomplete_beta(-1, 3, 0.5)));
	assert_true(isnan(mm_incomplete_beta(2, 3, 1.5)));
	assert_true(isnan(mm_incomplete_beta(2, 3, NAN)));
}

/* Student's t: closed forms for 1 and 2 degrees of freedom, table values beyond. */
static void
test_t_distribution(void **state)
{
	double		ts[] = {0, 0.1, 1, 2.5, 12.706, 100};
	int			i;

	for (i = 0; i < 6; i++)
	{
		double		t = ts[i];

		/* df = 1 is the Cauchy distribution */
		assert_close(mm_t_two_sided_p(t, 1), 1 - 2 * atan(fabs(t)) / M_PI, 1e-12);
		assert_close(mm_t_two_sided_p(-t, 1), 1 - 2 * atan(fabs(t)) / M_PI, 1e-12);
		/* df = 2: P(|T| > t) = 1 - t / sqrt(t^2 + 2) */
		assert_close(mm_t_two_sided_p(t, 2), 1 - fabs(t) / sqrt(t * t + 2), 1e-12);
	}
	/* two-sided 5% critical values of the t table */
	assert_close(mm_t_two_sided_p(12.7062047361747, 1), 0.05, 1e-10);
	assert_close(mm_t_two_sided_p(2.22813885198627, 10), 0.05, 1e-10);
	assert_close(mm_t_two_sided_p(2.04227245630124, 30), 0.05, 1e-10);
	/* 1% critical value at 11 degrees of freedom (the houses example's df) */
	assert_close(mm_t_two_sided_p(3.10580651553928, 11), 0.01, 1e-10);
	/* large df approaches the normal */
	assert_close(mm_t_two_sided_p(1.959963984540054, 1e7), 0.05, 1e-6);
	assert_true(mm_t_two_sided_p(INFINITY, 5) == 0);
	assert_true(isnan(mm_t_two_sided_p(NAN, 5)));
	assert_true(isnan(mm_t_two_sided_p(1, 0)));
}

/* The normal: the 5% and 1% critical values. */
static void
test_z(void **state)
{
	assert_close(mm_z_two_sided_p(1.959963984540054), 0.05, 1e-12);
	assert_close(mm_z_two_sided_p(-2.5758293035489), 0.01, 1e-11);
	assert_close(mm_z_two_sided_p(0), 1, 1e-15);
	assert_true(isnan(mm_z_two_sided_p(NAN)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_incomplete_beta_closed_forms),
		cmocka_unit_test(test_t_distribution),
		cmocka_unit_test(test_z),
	};

	return cmocka_run_group_tests_name("distributions", tests, NULL, NULL);
}
