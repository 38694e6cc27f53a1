/*
 * test_linfit.c: least squares against MADlib's published results and
 * closed forms.
 */
#include "testutil.h"

#include <string.h>

#include "linfit.h"
#include "moments.h"
#include "regmetrics.h"

/* Moments of rows given column by column (p features, then the target). */
static double *
moments_of(int p, int n, const double *const *cols)
{
	int			d = p + 1;
	double	   *block = calloc(mm_moments_len(d), sizeof(double));
	double	   *scratch = malloc(sizeof(double) * 2 * d);
	double	   *row = malloc(sizeof(double) * d);
	int			i,
				j;

	for (i = 0; i < n; i++)
	{
		for (j = 0; j < d; j++)
			row[j] = cols[j][i];
		mm_moments_add(block, d, row, scratch);
	}
	free(scratch);
	free(row);
	return block;
}

static void
free_linear(MmLinearModel *m)
{
	free(m->coef);
	free(m->std_err);
	free(m->stat);
	free(m->p_value);
}

/* MADlib linregr_train: price ~ tax + bath + size (expected.json houses_linear). */
static void
test_houses_ols(void **state)
{
	const double *cols[4] = {houses_tax, houses_bath, houses_size, houses_price};
	double	   *mom = moments_of(3, 15, cols);
	MmLinearModel m;
	MmError		err;
	uint8_t		aliased[4];
	MmRegressionMetrics met;

	assert_int_equal(mm_linear_fit(mom, 3, 0.0, 1, &m, aliased, NULL, &err), MM_OK);
	assert_int_equal(m.rank, 3);
	assert_close(m.intercept, -12849.4168959872, 1e-9);
	assert_close(m.coef[0], 28.9613922651765, 1e-9);
	assert_close(m.coef[1], 10181.6290712648, 1e-9);
	assert_close(m.coef[2], 50.516894915354, 1e-9);
	assert_close(m.std_err[0], 33453.0344331391, 1e-9);
	assert_close(m.std_err[1], 15.8992104963997, 1e-9);
	assert_close(m.std_err[2], 19437.7710925923, 1e-9);
	assert_close(m.std_err[3], 32.928023174087, 1e-9);
	assert_close(m.stat[0], -0.38410317968819, 1e-9);
	assert_close(m.stat[1], 1.82156166004184, 1e-9);
	assert_close(m.stat[2], 0.523806408809133, 1e-9);
	assert_close(m.stat[3], 1.53416118083605, 1e-9);
	assert_close(m.p_value[0], 0.708223134615422, 1e-9);
	assert_close(m.p_value[1], 0.0958005827189772, 1e-9);
	assert_close(m.p_value[2], 0.610804093526536, 1e-9);
	assert_close(m.p_value[3], 0.153235085548186, 1e-9);
	assert_int_equal(aliased[0] | aliased[1] | aliased[2] | aliased[3], 0);

	mm_regression_metrics_linear(mom, 3, m.intercept, m.coef, NULL, 0, &met);
	assert_close(met.r2, 0.768577580597443, 1e-10);
	free_linear(&m);
	free(mom);
}

/* The minimum-norm solution on exactly collinear data. */
static void
test_collinear_minimum_norm(void **state)
{
	/* y = 1 + 3 x1, x2 = 2 x1: slopes b1 + 2 b2 = 3 with least norm: (0.6, 1.2) */
	double		x1[6] = {1, 2, 3, 4, 5, 7};
	double		x2[6],
				y[6];
	const double *cols[3] = {x1, x2, y};
	double	   *mom;
	MmLinearModel m;
	MmError		err;
	uint8_t		aliased[3];
	int			i;

	for (i = 0; i < 6; i++)
	{
		x2[i] = 2 * x1[i];
		y[i] = 1 + 3 * x1[i];
	}
	mom = moments_of(2, 6, cols);
	assert_int_equal(mm_linear_fit(mom, 2, 0.0, 1, &m, aliased, NULL, &err), MM_OK);
	assert_int_equal(m.rank, 1);
	assert_close(m.coef[0], 0.6, 1e-9);
	assert_close(m.coef[1], 1.2, 1e-9);
	assert_close(m.intercept, 1.0, 1e-9);
	assert_true(aliased[1] && aliased[2]);
	assert_true(isnan(m.std_err[1]) && isnan(m.std_err[2]));
	free_linear(&m);
	free(mom);
}

/*
 * MADlib on the one house with bedroom = 4 (expected.json
 * houses_linear_bedroom_4): underdetermined, answered with the minimum-norm
 * solution over intercept and slopes.  One row cannot be trained on (fewer
 * rows than coefficients), so the row and three multiples of it stand in:
 * still rank 1, and with a column of row scales in place of the intercept
 * the minimum-norm solution is the same, x price / |x|^2.
 */
static void
test_madlib_bedroom_4(void **state)
{
	int			i,
				k = -1;
	double		one[4],
				tax[4],
				bath[4],
				size[4],
				price[4];
	const double *cols[5] = {one, tax, bath, size, price};
	double	   *mom;
	MmLinearModel m;
	MmError		err;
	uint8_t		aliased[5];

	for (i = 0; i < 15; i++)
		if (houses_bedroom[i] == 4)
			k = i;
	/* the row and three multiples of it: rank 1, four rows for four coefficients */
	for (i = 0; i < 4; i++)
	{
		double		s = i + 1.0;

		one[i] = s;
		tax[i] = s * houses_tax[k];
		bath[i] = s * houses_bath[k];
		size[i] = s * houses_size[k];
		price[i] = s * houses_price[k];
	}
	mom = moments_of(4, 4, cols);
	assert_int_equal(mm_linear_fit(mom, 4, 0.0, 0, &m, aliased, NULL, &err), MM_OK);
	assert_int_equal(m.rank, 1);
	assert_close(m.coef[0], 0.0112536020318378, 1e-8);
	assert_close(m.coef[1], 41.4132554771633, 1e-8);
	assert_close(m.coef[2], 0.0225072040636757, 1e-8);
	assert_close(m.coef[3], 31.3975496688276, 1e-8);
	assert_true(aliased[1] && aliased[2] && aliased[3] && aliased[4]);
	free_linear(&m);
	free(mom);
}

/* Ridge with one feature: b = Sxy / (Sxx + alpha), intercept unpenalized. */
static void
test_ridge_closed_form(void **state)
{
	const double *cols[2] = {houses_size, houses_price};
	double	   *mom = moments_of(1, 15, cols);
	double		sxx = mm_moments_co(mom, 2, 0, 0),
				sxy = mm_moments_co(mom, 2, 0, 1);
	MmLinearModel m;
	MmError		err;

	assert_int_equal(mm_linear_fit(mom, 1, 250000.0, 1, &m, NULL, NULL, &err), MM_OK);
	assert_close(m.coef[0], sxy / (sxx + 250000.0), 1e-12);
	assert_close(m.intercept, mom[2] - m.coef[0] * mom[1], 1e-12);
	assert_true(isnan(m.std_err[0]) && isnan(m.p_value[1]));
	free_linear(&m);
	free(mom);
}

/* Errors: a constant feature, a constant target, too few rows. */
static void
test_degenerate(void **state)
{
	double		c[4] = {5, 5, 5, 5},
				x[4] = {1, 2, 3, 4},
				y[4] = {2, 4, 5, 9};
	const double *cols[3] = {x, c, y};
	const double *cols_ty[2] = {x, c};
	double	   *mom;
	MmLinearModel m;
	MmError		err;

	mom = moments_of(2, 4, cols);
	assert_int_equal(mm_linear_fit(mom, 2, 0.0, 1, &m, NULL, NULL, &err), MM_ERR_CONSTANT_FEATURE);
	assert_int_equal(err.item, 1);
	free(mom);
	mom = moments_of(1, 4, cols_ty);
	assert_int_equal(mm_linear_fit(mom, 1, 0.0, 1, &m, NULL, NULL, &err), MM_ERR_CONSTANT_TARGET);
	free(mom);
	mom = moments_of(2, 2, (const double *const[]) {x, y, y});
	assert_int_equal(mm_linear_fit(mom, 2, 0.0, 1, &m, NULL, NULL, &err), MM_ERR_TOO_FEW_ROWS);
	free(mom);
}

/* Data far from zero: the centered moments keep the answer exact. */
static void
test_large_offset(void **state)
{
	double		x[50],
				y[50];
	const double *cols[2] = {x, y};
	double	   *mom;
	MmLinearModel m;
	MmError		err;
	int			i;

	for (i = 0; i < 50; i++)
	{
		x[i] = 1.7e9 + i;		/* epoch seconds */
		y[i] = 3.0 * i + (i % 2 ? 0.25 : -0.25);
	}
	mom = moments_of(1, 50, cols);
	assert_int_equal(mm_linear_fit(mom, 1, 0.0, 1, &m, NULL, NULL, &err), MM_OK);
	/* least squares slope of alternating +-0.25 noise around 3 i */
	{
		double		sxy = 0,
					sxx = 0,
					mx = 1.7e9 + 24.5,
					my = 0;

		for (i = 0; i < 50; i++)
			my += y[i] / 50;
		for (i = 0; i < 50; i++)
		{
			sxy += (x[i] - mx) * (y[i] - my);
			sxx += (x[i] - mx) * (x[i] - mx);
		}
		assert_close(m.coef[0], sxy / sxx, 1e-9);
	}
	free_linear(&m);
	free(mom);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_houses_ols),
		cmocka_unit_test(test_collinear_minimum_norm),
		cmocka_unit_test(test_madlib_bedroom_4),
		cmocka_unit_test(test_ridge_closed_form),
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_large_offset),
	};

	return cmocka_run_group_tests_name("linfit", tests, NULL, NULL);
}
