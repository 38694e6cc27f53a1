/*
 * test_regmetrics.c: metrics from moments and from residual states equal the
 * metrics computed row by row.
 */
#include "testutil.h"

#include <string.h>

#include "moments.h"
#include "regmetrics.h"

#define N 500
#define P 2

/* A model and rows it fits imperfectly. */
static void
make_data(double rows[N][P + 1], MmLinearModel *m, double *coef)
{
	uint64_t	s = 7;
	int			r;

	for (r = 0; r < N; r++)
	{
		rows[r][0] = 100 + 10 * test_uniform(&s);
		rows[r][1] = -3 + test_uniform(&s);
		rows[r][2] = 2 + 0.7 * rows[r][0] - 1.5 * rows[r][1] + (test_uniform(&s) - 0.5) * 4;
	}
	memset(m, 0, sizeof(*m));
	coef[0] = 0.69;
	coef[1] = -1.4;
	m->coef = coef;
	m->intercept = 2.3;
	m->fit_intercept = 1;
}

/* r2, rmse, mae, explained variance written out. */
static void
direct(double rows[N][P + 1], const MmLinearModel *m, MmRegressionMetrics *out)
{
	double		e[N];
	double		ybar = 0,
				ebar = 0,
				sse = 0,
				sae = 0,
				syy = 0,
				see = 0;
	int			r;

	for (r = 0; r < N; r++)
	{
		e[r] = rows[r][P] - mm_linear_predict(m, P, rows[r]);
		ybar += rows[r][P] / N;
		ebar += e[r] / N;
		sse += e[r] * e[r];
		sae += fabs(e[r]);
	}
	for (r = 0; r < N; r++)
	{
		syy += (rows[r][P] - ybar) * (rows[r][P] - ybar);
		see += (e[r] - ebar) * (e[r] - ebar);
	}
	out->r2 = 1 - sse / syy;
	out->rmse = sqrt(sse / N);
	out->mae = sae / N;
	out->explained_variance = 1 - see / syy;
}

static void
test_from_moments(void **state)
{
	static double rows[N][P + 1];
	double		coef[P],
				block[32] = {0},
				scratch[64];
	MmLinearModel m;
	MmRegressionMetrics want,
				got;
	int			r;

	make_data(rows, &m, coef);
	direct(rows, &m, &want);
	for (r = 0; r < N; r++)
		mm_moments_add(block, P + 1, rows[r], scratch);
	mm_regression_metrics_linear(block, P, &m, &rows[0][0], N, &got);
	assert_close(got.r2, want.r2, 1e-10);
	assert_close(got.rmse, want.rmse, 1e-10);
	assert_close(got.mae, want.mae, 1e-12);
	assert_close(got.explained_variance, want.explained_variance, 1e-10);
	assert_true(got.rows == N && got.mae_rows == N);

	/* no rows: every metric undefined */
	memset(block, 0, sizeof(block));
	mm_regression_metrics_linear(block, P, &m, NULL, 0, &got);
	assert_true(isnan(got.r2) && isnan(got.rmse) && isnan(got.mae) && isnan(got.explained_variance));
}

static void
test_evaluation_states(void **state)
{
	static double rows[N][P + 1];
	double		coef[P],
				a[MM_EVAL_STATE_LEN],
				b[MM_EVAL_STATE_LEN],
				scratch[8];
	MmLinearModel m;
	MmRegressionMetrics want,
				got;
	int			r;

	make_data(rows, &m, coef);
	direct(rows, &m, &want);
	mm_eval_init(a);
	mm_eval_init(b);
	for (r = 0; r < N; r++)
		mm_eval_add(r % 3 ? a : b, rows[r][P], mm_linear_predict(&m, P, rows[r]), scratch);
	mm_eval_merge(a, b, scratch);
	mm_eval_metrics(a, &got);
	assert_close(got.r2, want.r2, 1e-10);
	assert_close(got.rmse, want.rmse, 1e-10);
	assert_close(got.mae, want.mae, 1e-12);
	assert_close(got.explained_variance, want.explained_variance, 1e-10);

	/* a constant target: r2 and explained variance are undefined, errors are not */
	mm_eval_init(a);
	for (r = 0; r < 10; r++)
		mm_eval_add(a, 5.0, 4.0 + r % 2, scratch);
	mm_eval_metrics(a, &got);
	assert_true(isnan(got.r2) && isnan(got.explained_variance));
	assert_close(got.mae, 0.5, 1e-15);
	assert_close(got.rmse, sqrt(0.5), 1e-15);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_moments),
		cmocka_unit_test(test_evaluation_states),
	};

	return cmocka_run_group_tests_name("regmetrics", tests, NULL, NULL);
}
