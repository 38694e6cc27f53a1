/*
 * test_distributions.c: tail probabilities against closed forms (the
 * regularized incomplete beta function where it reduces to elementary
 * functions, Student's t for 1 to 4 degrees of freedom) and published
 * critical values of the t and normal distributions; the quantiles against
 * closed forms and values computed in 40-digit arithmetic.
 */
#include "testutil.h"

#include "distributions.h"

/* Relative comparison that also accepts two values below the double range. */
static void
assert_rel(double got, double want, double rtol)
{
	if (want < 1e-300)
	{
		assert_true(got >= 0.0 && got < 1e-290);
		return;
	}
	if (!(fabs(got - want) <= rtol * want))
	{
		print_error("%.17g, expected %.17g (relative %g)\n", got, want, rtol);
		fail();
	}
}

/* Arguments in (0, 1), dyadic so that 1 - x is exact. */
static const double xs[] = {0x1p-30, 0x1p-10, 0.0625, 0.25, 0.375, 0.5, 0.6875, 0.8125, 0.96875, 1 - 0x1p-20};
#define NX ((int) (sizeof(xs) / sizeof(xs[0])))

/*
 * I_x(1, 1) = x, I_x(a, 1) = x^a, I_x(1, b) = 1 - (1 - x)^b (evaluated as
 * -expm1(b log1p(-x)) to keep its digits), I_x(1/2, 1/2) =
 * (2/pi) asin(sqrt(x)), I_0.5(a, a) = 1/2, and the symmetry
 * I_x(a, b) = 1 - I_{1-x}(b, a).
 */
static void
test_incomplete_beta_closed_forms(void **state)
{
	double		as[] = {0.1, 0.5, 1, 2.5, 7, 40, 300};
	int			i,
				j;

	for (i = 0; i < NX; i++)
	{
		double		x = xs[i];

		assert_rel(mm_incomplete_beta(1, 1, x), x, 1e-14);
		assert_rel(mm_incomplete_beta(0.5, 0.5, x), 2 / M_PI * asin(sqrt(x)), 1e-13);
		for (j = 0; j < 7; j++)
		{
			double		a = as[j];

			assert_rel(mm_incomplete_beta(a, 1, x), pow(x, a), 1e-12);
			assert_rel(mm_incomplete_beta(1, a, x), -expm1(a * log1p(-x)), 1e-12);
			assert_close(mm_incomplete_beta(a, 3.5, x), 1 - mm_incomplete_beta(3.5, a, 1 - x), 1e-14);
		}
	}
	{
		double		same[] = {0.1, 0.5, 1, 3, 10.5, 100, 1000};

		for (j = 0; j < 7; j++)
			assert_close(mm_incomplete_beta(same[j], same[j], 0.5), 0.5, 1e-12);
	}
}

/*
 * Integer a and b: I_x(a, b) is the binomial tail
 * sum_{j=a}^{a+b-1} C(a+b-1, j) x^j (1-x)^(a+b-1-j).
 */
static void
test_incomplete_beta_binomial(void **state)
{
	int			a,
				b,
				i;

	for (a = 1; a <= 12; a++)
		for (b = 1; b <= 12; b++)
			for (i = 0; i < NX; i++)
			{
				double		x = xs[i],
							sum = 0.0,
							choose = 1.0;	/* C(n, j), built up from j = 0 */
				int			n = a + b - 1,
							j;

				for (j = 0; j <= n; j++)
				{
					if (j >= a)
						sum += choose * pow(x, j) * pow(1 - x, n - j);
					choose = choose * (n - j) / (j + 1);
				}
				assert_rel(mm_incomplete_beta(a, b, x), sum, 1e-12);
			}
}

/* The ends, and NaN for every invalid argument. */
static void
test_incomplete_beta_edges(void **state)
{
	assert_true(mm_incomplete_beta(2, 3, 0) == 0);
	assert_true(mm_incomplete_beta(2, 3, 1) == 1);
	assert_true(mm_incomplete_beta(0.5, 40, 0) == 0);
	assert_true(isnan(mm_incomplete_beta(0, 3, 0.5)));
	assert_true(isnan(mm_incomplete_beta(-1, 3, 0.5)));
	assert_true(isnan(mm_incomplete_beta(2, 0, 0.5)));
	assert_true(isnan(mm_incomplete_beta(2, -0.5, 0.5)));
	assert_true(isnan(mm_incomplete_beta(2, 3, -0.001)));
	assert_true(isnan(mm_incomplete_beta(2, 3, 1.5)));
	assert_true(isnan(mm_incomplete_beta(NAN, 3, 0.5)));
	assert_true(isnan(mm_incomplete_beta(2, NAN, 0.5)));
	assert_true(isnan(mm_incomplete_beta(2, 3, NAN)));
}

/*
 * Student's t in closed form, P(|T| > t):
 *   df 1 (Cauchy): 1 - 2 atan(|t|) / pi, that is 2 atan(1/|t|) / pi
 *   df 2: 1 - |t| / sqrt(t^2 + 2), that is 2 / (s (s + |t|)), s = sqrt(t^2 + 2)
 *   df 3: (2/pi) (phi - sin(phi) cos(phi)), phi = atan(sqrt(3) / |t|)
 *   df 4: w^2 (2 + u) / 2, u = |t| / s, w = 1 - u = 4 / (s (s + |t|)), s = sqrt(t^2 + 4)
 * each written in the form that keeps its digits in the tail.
 */
static double
t_closed_form(double t, int df)
{
	double		a = fabs(t),
				s;

	switch (df)
	{
		case 1:
			return 2 * atan(1 / a) / M_PI;
		case 2:
			s = sqrt(a * a + 2);
			return 2 / (s * (s + a));
		case 3:
			{
				double		phi = atan(sqrt(3.0) / a);

				return 2 / M_PI * (phi - sin(phi) * cos(phi));
			}
		default:
			s = sqrt(a * a + 4);
			{
				double		w = 4 / (s * (s + a));

				return w * w * (2 + a / s) / 2;
			}
	}
}

static void
test_t_closed_forms(void **state)
{
	double		ts[] = {1e-3, 0.01, 0.1, 0.5, 1, 1.5, 2, 2.5, 3, 5, 10, 30, 100, 1e3, 1e4, 1e6};
	int			i,
				df;

	for (i = 0; i < 16; i++)
	{
		double		t = ts[i];

		for (df = 1; df <= 4; df++)
		{
			/* the df 3 form loses digits in the far tail; stop at 30 */
			if (df == 3 && t > 30)
				continue;
			assert_rel(mm_t_two_sided_p(t, df), t_closed_form(t, df), 1e-12);
			assert_true(mm_t_two_sided_p(-t, df) == mm_t_two_sided_p(t, df));
		}
		/* the Cauchy form as usually written, where it has its digits */
		if (t <= 10)
			assert_rel(mm_t_two_sided_p(t, 1), 1 - 2 * atan(t) / M_PI, 1e-12);
	}
}

/*
 * Published two-sided critical values of Student's t (the usual three
 * decimal table): each gives its level to four decimal places.
 */
static void
test_t_table(void **state)
{
	static const struct
	{
		int			df;
		double		t05;		/* two-sided 0.05 */
		double		t01;		/* two-sided 0.01 */
	}			table[] =
	{
		{1, 12.706, 63.657},
		{2, 4.303, 9.925},
		{3, 3.182, 5.841},
		{4, 2.776, 4.604},
		{5, 2.571, 4.032},
		{6, 2.447, 3.707},
		{7, 2.365, 3.499},
		{8, 2.306, 3.355},
		{9, 2.262, 3.250},
		{10, 2.228, 3.169},
		{11, 2.201, 3.106},
		{12, 2.179, 3.055},
		{15, 2.131, 2.947},
		{20, 2.086, 2.845},
		{25, 2.060, 2.787},
		{30, 2.042, 2.750},
		{40, 2.021, 2.704},
		{60, 2.000, 2.660},
		{120, 1.980, 2.617},
	};
	int			i;

	for (i = 0; i < (int) (sizeof(table) / sizeof(table[0])); i++)
	{
		assert_true(fabs(mm_t_two_sided_p(table[i].t05, table[i].df) - 0.05) < 5e-5);
		assert_true(fabs(mm_t_two_sided_p(table[i].t01, table[i].df) - 0.01) < 5e-5);
	}
	/* the example the table is usually read with */
	assert_close(mm_t_two_sided_p(2.228, 10), 0.05, 5e-5);
}

/*
 * Small two-sided p-values keep their relative digits where t^2 is below
 * df, which 1 - I would cancel away (reference: scipy.stats.t.sf, doubled).
 */
static void
test_t_small_p(void **state)
{
	assert_rel(mm_t_two_sided_p(11.5, 146), 3.398979008709976e-22, 1e-12);
	assert_rel(mm_t_two_sided_p(-12.0, 147), 1.475946429233763e-23, 1e-12);
	assert_rel(mm_t_two_sided_p(13.0, 432), 7.665183903581544e-33, 1e-12);
	assert_rel(mm_t_two_sided_p(7.7, 431), 9.405865284801744e-14, 1e-12);
}

/*
 * Critical values to 15 significant digits (the 0.975, 0.995 and 0.95
 * quantiles): the p-value is the level to 1e-12.
 */
static void
test_t_precise_quantiles(void **state)
{
	assert_rel(mm_t_two_sided_p(12.7062047361747, 1), 0.05, 1e-12);
	assert_rel(mm_t_two_sided_p(4.30265272974946, 2), 0.05, 1e-12);
	assert_rel(mm_t_two_sided_p(2.57058183563631, 5), 0.05, 1e-12);
	assert_rel(mm_t_two_sided_p(2.22813885198627, 10), 0.05, 1e-12);
	assert_rel(mm_t_two_sided_p(2.08596344726586, 20), 0.05, 1e-12);
	assert_rel(mm_t_two_sided_p(2.04227245630124, 30), 0.05, 1e-12);
	assert_rel(mm_t_two_sided_p(3.16927267261695, 10), 0.01, 1e-12);
	assert_rel(mm_t_two_sided_p(3.10580651553928, 11), 0.01, 1e-12);
	assert_rel(mm_t_two_sided_p(1.81246112281168, 10), 0.10, 1e-12);
}

/*
 * As the degrees of freedom grow the t tail falls toward the normal one:
 * p(1.96) decreases with df, stays above the normal's, and at df = 1e6 the
 * normal 5% point gives 0.05 to 1e-6.
 */
static void
test_t_large_df(void **state)
{
	double		dfs[] = {10, 100, 1e3, 1e4, 1e5, 1e6};
	double		z = mm_z_two_sided_p(1.96),
				prev = 1.0;
	int			i;

	for (i = 0; i < 6; i++)
	{
		double		p = mm_t_two_sided_p(1.96, dfs[i]);

		assert_true(p < prev);
		assert_true(p > z);
		prev = p;
	}
	assert_true(fabs(mm_t_two_sided_p(1.96, 1e6) - z) < 1e-6);
	assert_true(fabs(mm_t_two_sided_p(1.959963984540054, 1e6) - 0.05) < 1e-6);
	assert_true(fabs(mm_t_two_sided_p(1.96, 1e6) - 0.05) < 1e-4);
}

/* t = 0 gives 1, infinite t gives 0, NaN t or an invalid df gives NaN. */
static void
test_t_edges(void **state)
{
	assert_true(mm_t_two_sided_p(0, 1) == 1.0);
	assert_true(mm_t_two_sided_p(0, 1e6) == 1.0);
	assert_true(mm_t_two_sided_p(-0.0, 7) == 1.0);
	assert_true(mm_t_two_sided_p(INFINITY, 5) == 0.0);
	assert_true(mm_t_two_sided_p(-INFINITY, 5) == 0.0);
	assert_true(isnan(mm_t_two_sided_p(NAN, 5)));
	assert_true(isnan(mm_t_two_sided_p(1, NAN)));
	assert_true(isnan(mm_t_two_sided_p(1, 0)));
	assert_true(isnan(mm_t_two_sided_p(1, -3)));
	assert_true(isnan(mm_t_two_sided_p(NAN, NAN)));
}

/*
 * The normal: the two-sided 5%, 1% and 0.1% points to 16 digits give their
 * levels to 1e-12, erfc's value at 10/sqrt(2) in the far tail, 1 at 0,
 * symmetry, 0 at infinity, NaN for NaN.
 */
static void
test_z(void **state)
{
	assert_rel(mm_z_two_sided_p(1.959963984540054), 0.05, 1e-12);
	assert_rel(mm_z_two_sided_p(-1.959963984540054), 0.05, 1e-12);
	assert_rel(mm_z_two_sided_p(2.575829303548901), 0.01, 1e-12);
	assert_rel(mm_z_two_sided_p(3.290526731491926), 0.001, 1e-12);
	assert_rel(mm_z_two_sided_p(10), 1.5239706048321052e-23, 1e-12);
	assert_true(mm_z_two_sided_p(0) == 1.0);
	assert_true(mm_z_two_sided_p(INFINITY) == 0.0);
	assert_true(mm_z_two_sided_p(-INFINITY) == 0.0);
	assert_true(isnan(mm_z_two_sided_p(NAN)));
}

/*
 * F and chi-square tails against closed forms: P(F(2, 2) > f) = 1 / (1 + f);
 * F(1, d) is the square of Student's t; P(chi2(2) > x) = exp(-x / 2);
 * chi2(1) is the square of a normal; and the tables' 5% points.
 */
static void
test_f_and_chi2(void **state)
{
	double		f,
				x;

	for (f = 0.01; f < 1000; f *= 1.7)
		assert_close(mm_f_upper_p(f, 2, 2), 1.0 / (1.0 + f), 1e-12);
	for (f = 0.05; f < 400; f *= 1.9)
		assert_close(mm_f_upper_p(f, 1, 7), mm_t_two_sided_p(sqrt(f), 7), 1e-12);
	for (x = 0.01; x < 200; x *= 1.6)
		assert_close(mm_chi2_upper_p(x, 2), exp(-x / 2), 1e-12);
	for (x = 0.01; x < 60; x *= 1.6)
		assert_close(mm_chi2_upper_p(x, 1), mm_z_two_sided_p(sqrt(x)), 1e-12);
	/* 5% critical values: chi2(4) 9.487729, chi2(10) 18.307038, F(3, 20) 3.098391 */
	assert_close(mm_chi2_upper_p(9.487729036781154, 4), 0.05, 1e-9);
	assert_close(mm_chi2_upper_p(18.307038053275146, 10), 0.05, 1e-9);
	assert_close(mm_f_upper_p(3.0983912121407795, 3, 20), 0.05, 1e-9);
	assert_true(mm_chi2_upper_p(0, 3) == 1.0 && mm_f_upper_p(0, 3, 3) == 1.0);
	assert_true(mm_chi2_upper_p(INFINITY, 3) == 0.0 && mm_f_upper_p(INFINITY, 3, 3) == 0.0);
}

/*
 * Quantiles against closed forms: t with 1 df is Cauchy, t = tan(pi (p -
 * 1/2)); with 2 df t = (2p - 1) sqrt(2 / (4 p (1 - p))); and every quantile
 * inverts its tail probability.
 */
static void
test_quantile_closed_forms(void **state)
{
	double		ps[] = {1e-12, 1e-6, 0.001, 0.025, 0.1, 0.3, 0.45, 0.55, 0.7, 0.9, 0.975, 0.999, 0.9999995};
	int			i;

	for (i = 0; i < 13; i++)
	{
		double		p = ps[i],
					t1 = mm_t_quantile(p, 1),
					t2 = mm_t_quantile(p, 2);

		assert_close(t1, tan(M_PI * (p - 0.5)), 1e-13 * fabs(t1));
		assert_close(t2, (2 * p - 1) * sqrt(2.0 / (4 * p * (1 - p))), 1e-13 * fabs(t2));
		assert_rel(mm_t_two_sided_p(mm_t_quantile(p, 7.5), 7.5), 2 * fmin(p, 1 - p), 1e-11);
		assert_rel(mm_z_two_sided_p(mm_normal_quantile(p)), 2 * fmin(p, 1 - p), 1e-14);
		/* symmetric about 0, where 1 - p is exact */
		if (p >= 0.5)
			assert_true(mm_t_quantile(1 - p, 12) == -mm_t_quantile(p, 12));
	}
	assert_true(mm_t_quantile(0.5, 3) == 0.0 && mm_normal_quantile(0.5) == 0.0);
}

/*
 * Quantiles computed in 40-digit arithmetic (mpmath: the root of the
 * regularized incomplete beta function) at the doubles nearest the usual
 * two-sided 95% and 0.9999995 (level 0.999999): that far out, the
 * double's own rounding moves t by more than 1e-13.
 */
static void
test_quantile_table(void **state)
{
	static const struct
	{
		double		df,
					p,
					t;
	}			table[] = {
		{1, 0.975, 12.706204736174693}, {1, 0.9999995, 636619.77241943031},
		{2, 0.975, 4.3026527297494618}, {2, 0.9999995, 999.9992500409771},
		{3, 0.975, 3.1824463052837084}, {3, 0.9999995, 130.15458956192758},
		{9, 0.975, 2.262157162798205}, {9, 0.9999995, 11.636782027441653},
		{10, 0.975, 2.2281388519862742}, {10, 0.9999995, 10.516489957008546},
		{30, 0.975, 2.0422724563012379}, {30, 0.9999995, 6.1190756204137325},
		{100, 0.975, 1.9839715185235519}, {100, 0.9999995, 5.2137275742494876},
		{1000, 0.975, 1.9623390808264081}, {1000, 0.9999995, 4.9222895234460738},
		{100000, 0.975, 1.9599877075346093}, {100000, 0.9999995, 4.8919433407313028},
		{INFINITY, 0.975, 1.9599639845400539}, {INFINITY, 0.995, 2.5758293035489005},
		{INFINITY, 0.9999995, 4.891638475714779},
	};
	int			i;

	for (i = 0; i < (int) (sizeof(table) / sizeof(table[0])); i++)
	{
		assert_rel(mm_t_quantile(table[i].p, table[i].df), table[i].t, 1e-13);
		assert_rel(-mm_t_quantile(1 - table[i].p, table[i].df), table[i].t, 1e-13);
	}
	assert_rel(mm_normal_quantile(0.975), 1.9599639845400539, 1e-15);
	/* far tails: the normal's to the end of the double range, t's to very large values */
	assert_rel(-mm_normal_quantile(1e-300), 37.047096299361199, 1e-12);
	assert_true(isfinite(mm_t_quantile(1e-15, 0.5)) && mm_t_quantile(1e-15, 0.5) < -1e25);
}

/* Quantiles refuse what is no probability or no distribution. */
static void
test_quantile_edges(void **state)
{
	assert_true(isnan(mm_normal_quantile(0)) && isnan(mm_normal_quantile(1)));
	assert_true(isnan(mm_normal_quantile(NAN)) && isnan(mm_normal_quantile(-0.5)));
	assert_true(isnan(mm_t_quantile(0, 5)) && isnan(mm_t_quantile(1, 5)));
	assert_true(isnan(mm_t_quantile(0.9, 0)) && isnan(mm_t_quantile(0.9, -1)));
	assert_true(isnan(mm_t_quantile(0.9, NAN)) && isnan(mm_t_quantile(NAN, 3)));
	assert_true(mm_t_quantile(0.975, INFINITY) == mm_normal_quantile(0.975));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_incomplete_beta_closed_forms),
		cmocka_unit_test(test_incomplete_beta_binomial),
		cmocka_unit_test(test_incomplete_beta_edges),
		cmocka_unit_test(test_t_closed_forms),
		cmocka_unit_test(test_t_table),
		cmocka_unit_test(test_t_small_p),
		cmocka_unit_test(test_t_precise_quantiles),
		cmocka_unit_test(test_t_large_df),
		cmocka_unit_test(test_t_edges),
		cmocka_unit_test(test_z),
		cmocka_unit_test(test_f_and_chi2),
		cmocka_unit_test(test_quantile_closed_forms),
		cmocka_unit_test(test_quantile_table),
		cmocka_unit_test(test_quantile_edges),
	};

	return cmocka_run_group_tests_name("distributions", tests, NULL, NULL);
}
