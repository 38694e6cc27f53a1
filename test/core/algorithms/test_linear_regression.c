/*
 * test_linear_regression.c: linear regression's table.  Its fit gives the
 * very bits of mm_linear_fit over the moments the in-memory trainer builds,
 * in the design's units or, unpenalized, in the raw units the design was
 * scaled from; the fitted model's linear form and raw-unit coefficients are
 * its own; the artifact and the document carry it exactly.
 */
#include "algotest.h"

#include "linfit.h"
#include "moments.h"

/* The moments the in-memory trainer builds: batches of 256 rows merged in order. */
static double *
sequential_moments(const Data *d)
{
	int			dd = d->p + 1,
				j;
	double	   *block = calloc(mm_moments_len(dd), sizeof(double));
	double	   *cols = malloc(sizeof(double) * dd * 256);
	double	   *scratch = malloc(sizeof(double) * (mm_moments_len(dd) + dd));
	size_t		i = 0;

	while (i < d->n)
	{
		int			m = (int) (d->n - i < 256 ? d->n - i : 256),
					r;

		for (r = 0; r < m; r++)
		{
			for (j = 0; j < d->p; j++)
				cols[j * m + r] = d->x[(i + r) * d->p + j];
			cols[d->p * m + r] = d->t[i + r];
		}
		mm_moments_merge_batch(block, dd, cols, m, scratch);
		i += m;
	}
	free(cols);
	free(scratch);
	return block;
}

/* The arrays mm_linear_fit allocates in a reference fit. */
static void
free_linear(MmLinearModel *lin)
{
	mm_free(lin->coef);
	mm_free(lin->std_err);
	mm_free(lin->stat);
	mm_free(lin->p_value);
}

static void
test_fit_linear_regression(void **state)
{
	const MmAlgorithm *a = ALGO("linear_regression");
	Data		d = make_data(500, 3, 2, 1);
	MmFitContext ctx;
	MmDataSource src;
	MmParams	params;
	MmModel		m = shell(a, 3);
	MmLinearModel want;
	uint8_t		aliased[4];
	double	   *moments = sequential_moments(&d);
	MmError		err;

	context(&ctx, &src, &params, a, &d, 0);
	assert_int_equal(mm_param_set_number(&params, mm_param_index(a, "alpha"), 0.5, &err), MM_OK);
	assert_int_equal(a->fit(&ctx, &m, &err), MM_OK);
	assert_int_equal(mm_linear_fit(moments, 3, 0.5, 1, &want, aliased, NULL, &err), MM_OK);
	assert_true(same(&LIN(&m)->intercept, &want.intercept, 1));
	assert_true(same(LIN(&m)->coef, want.coef, 3));
	assert_true(same(LIN(&m)->std_err, want.std_err, 4));
	assert_int_equal(ctx.report.rank, 3);
	assert_memory_equal(ctx.report.aliased, aliased, 4);
	/* and it predicts through the table */
	assert_true(mm_model_predict(&m, d.x) == mm_linear_predict(&want, 3, d.x));
	a->free(m.fit);
	free_linear(&want);
	mm_free(ctx.report.aliased);
	free(moments);
	free_data(&d);
}

/* Unpenalized with a design's scaling: fitted in raw units, then mapped back, as the trainer does. */
static void
test_fit_linear_in_units(void **state)
{
	const MmAlgorithm *a = ALGO("linear_regression");
	Data		d = make_data(300, 2, 2, 2);
	Data		raw = make_data(300, 2, 2, 2);
	double		center[2] = {0.5, -1.0},
				scale[2] = {2.0, 0.25};
	MmFitContext ctx;
	MmDataSource src;
	MmParams	params;
	MmModel		m = shell(a, 2);
	MmLinearModel want;
	uint8_t		aliased[3];
	double	   *moments;
	MmError		err;
	size_t		i;
	int			j;

	/* the design holds scaled columns; raw holds the same rows in the units they came in */
	for (i = 0; i < d.n; i++)
		for (j = 0; j < 2; j++)
		{
			d.x[i * 2 + j] = (d.x[i * 2 + j] - center[j]) / scale[j];
			raw.x[i * 2 + j] = d.x[i * 2 + j] * scale[j] + center[j];
		}
	context(&ctx, &src, &params, a, &d, 0);
	ctx.center = center;
	ctx.scale = scale;
	assert_int_equal(a->fit(&ctx, &m, &err), MM_OK);
	moments = sequential_moments(&raw);
	assert_int_equal(mm_linear_fit(moments, 2, 0.0, 1, &want, aliased, NULL, &err), MM_OK);
	for (j = 0; j < 2; j++)
	{
		want.intercept += want.coef[j] * center[j];
		want.coef[j] *= scale[j];
	}
	assert_true(same(&LIN(&m)->intercept, &want.intercept, 1));
	assert_true(same(LIN(&m)->coef, want.coef, 2));
	assert_true(same(LIN(&m)->p_value, want.p_value, 3));
	a->free(m.fit);
	free_linear(&want);
	mm_free(ctx.report.aliased);
	free(moments);
	free_data(&d);
	free_data(&raw);
}

/*
 * The fitted model's own operations: its linear form is the fit's
 * coefficients, its coefficients are in the units the design was scaled
 * from (with the fit's statistics) and score a raw row as the model scores
 * it transformed, and the codecs carry it, its preprocessing included.
 */
static void
test_linear_regression_model(void **state)
{
	const MmAlgorithm *a = ALGO("linear_regression");
	Data		d = make_data(400, 3, 2, 10);
	MmFitContext ctx;
	MmDataSource src;
	MmParams	params;
	MmModel		fitted = shell(a, 3);
	MmModel    *m;
	MmCoefficient *co;
	double		intercept;
	const double *form;
	MmError		err;
	int			n,
				j;

	context(&ctx, &src, &params, a, &d, 0);
	assert_int_equal(a->fit(&ctx, &fitted, &err), MM_OK);
	mm_free(ctx.report.aliased);
	m = whole_model(&fitted, 0);
	m->transform = mm_alloc(sizeof(MmFeatureTransform) * 3);
	for (j = 0; j < 3; j++)
		m->transform[j] = (MmFeatureTransform) {NAN, -INFINITY, INFINITY, 0.5 * j - 1.0, 1.0 + j};

	form = a->linear_form(m, &intercept);
	assert_ptr_equal(form, LIN(m)->coef);
	assert_true(same(&intercept, &LIN(m)->intercept, 1));

	n = a->coefficients(m, &co);
	assert_int_equal(n, 4);
	assert_int_equal(co[0].column, -1);
	intercept = LIN(m)->intercept;
	for (j = 0; j < 3; j++)
	{
		double		w = LIN(m)->coef[j] / m->transform[j].scale;

		assert_int_equal(co[1 + j].row, 0);
		assert_int_equal(co[1 + j].column, j);
		assert_true(co[1 + j].value == w);
		assert_true(same(&co[1 + j].std_err, &LIN(m)->std_err[1 + j], 1));
		assert_true(same(&co[1 + j].stat, &LIN(m)->stat[1 + j], 1));
		assert_true(same(&co[1 + j].p_value, &LIN(m)->p_value[1 + j], 1));
		/* the t statistic's degrees of freedom, from which the interval takes its quantile */
		assert_true(co[1 + j].df == LIN(m)->df_resid);
		intercept -= w * m->transform[j].center;
	}
	assert_true(co[0].value == intercept);
	assert_true(same(&co[0].std_err, &LIN(m)->std_err[0], 1));
	{
		static const double x[3] = {2.5, -0.75, 4.0};
		double		z[3];

		assert_int_equal(mm_model_transform(m, x, z, &err), MM_OK);
		assert_close(co[0].value + co[1].value * x[0] + co[2].value * x[1] + co[3].value * x[2],
					 mm_model_predict(m, z), 1e-13);
	}
	mm_free(co);

	assert_codecs_carry(m, &d);
	mm_model_free(m);
	free_data(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fit_linear_regression),
		cmocka_unit_test(test_fit_linear_in_units),
		cmocka_unit_test(test_linear_regression_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
