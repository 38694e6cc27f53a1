/*
 * test_inference.c: a fit's statistics against statsmodels' (OLS on six
 * rows, with and without a constant, computed with statsmodels 0.13) and
 * against their definitions (Logit's from the log-likelihood and the class
 * counts; one row's log-likelihood against the log of its probability).
 */
#include "testutil.h"

#include "inference.h"

static void
test_ols_with_constant(void **state)
{
	MmOlsStatistics s;

	/* y = 1.1 1.9 3.2 3.9 5.1 6.3 on x = 1 .. 6 */
	mm_ols_statistics(6, 0.1041904761904764, 18.928333333333335, 3.5833333333333335, 1, 4, 1, &s);
	assert_close(s.adj_r2, 0.9931194103070478, 1e-12);
	assert_close(s.f_statistic, 722.681901279706, 1e-10);
	assert_close(s.f_p_value, 1.1383115915843824e-05, 1e-9);
	assert_close(s.log_likelihood, 3.6462508679471872, 1e-12);
	assert_close(s.aic, -3.2925017358943744, 1e-12);
	assert_close(s.bic, -3.7089827974382645, 1e-12);
	assert_close(s.df_model, 1, 0);
	assert_close(s.df_resid, 4, 0);
}

/* Without a constant, r2 and F compare with zero: the uncentered sums of squares. */
static void
test_ols_through_origin(void **state)
{
	MmOlsStatistics s;

	mm_ols_statistics(6, 0.1067032967032968, 18.928333333333335, 3.5833333333333335, 1, 5, 0, &s);
	assert_close(s.adj_r2, 0.9986657918511623, 1e-12);
	assert_close(s.f_statistic, 4492.049433573631, 1e-10);
	assert_close(s.f_p_value, 1.4000941392834595e-08, 1e-9);
	assert_close(s.log_likelihood, 3.5747568810969765, 1e-12);
	assert_close(s.aic, -5.149513762193953, 1e-12);
	assert_close(s.bic, -5.357754292965899, 1e-12);
}

/* No residual degrees of freedom, or a perfect fit: what is undefined is NaN. */
static void
test_ols_degenerate(void **state)
{
	MmOlsStatistics s;

	mm_ols_statistics(2, 0.0, 2.0, 1.0, 1, 0, 1, &s);
	assert_true(isnan(s.adj_r2));
	assert_true(isnan(s.f_statistic) && isnan(s.f_p_value));
	assert_true(isnan(s.log_likelihood) && isnan(s.aic) && isnan(s.bic));
}

static void
test_logit(void **state)
{
	static const double count[3] = {10, 20, 30};
	MmLogitStatistics s;
	double		llnull = 10 * log(10.0 / 60) + 20 * log(20.0 / 60) + 30 * log(30.0 / 60);

	mm_logit_statistics(-40.0, count, 60, 3, 8, &s);
	assert_close(s.log_likelihood, -40.0, 0);
	assert_close(s.null_log_likelihood, llnull, 1e-15);
	assert_close(s.pseudo_r2, 1.0 - -40.0 / llnull, 1e-15);
	assert_close(s.aic, 80.0 + 16.0, 1e-15);
	assert_close(s.bic, 80.0 + log(60.0) * 8, 1e-15);
	assert_close(s.deviance, 80.0, 1e-15);
}

/* One row's log-likelihood is the log of its probability, without 1 - p's rounding. */
static void
test_row_log_likelihood(void **state)
{
	double		t = 2.5,
				p1 = 1.0 / (1.0 + exp(-t));
	double		multi[3] = {0.3, -1.2, 2.0};
	double		sum = exp(0.3) + exp(-1.2) + exp(2.0);

	assert_close(mm_logit_row_log_likelihood(&t, 1, 1), log(p1), 1e-14);
	assert_close(mm_logit_row_log_likelihood(&t, 1, 0), log(1.0 - p1), 1e-14);
	/* far out, where 1 - p is 0 in doubles: log p0 = -t - log(1 + exp(-t)) */
	t = 50.0;
	assert_close(mm_logit_row_log_likelihood(&t, 1, 0), -50.0 - log1p(exp(-50.0)), 1e-15);
	assert_close(mm_logit_row_log_likelihood(multi, 3, 2), log(exp(2.0) / sum), 1e-14);
	assert_close(mm_logit_row_log_likelihood(multi, 3, 1), log(exp(-1.2) / sum), 1e-14);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ols_with_constant),
		cmocka_unit_test(test_ols_through_origin),
		cmocka_unit_test(test_ols_degenerate),
		cmocka_unit_test(test_logit),
		cmocka_unit_test(test_row_log_likelihood),
	};

	return cmocka_run_group_tests_name("inference", tests, NULL, NULL);
}
