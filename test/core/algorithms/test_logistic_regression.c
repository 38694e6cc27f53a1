/*
 * test_logistic_regression.c: logistic regression's table.  Its fit gives
 * the very bits of mm_logistic_fit with the same options, from its own
 * start or from the warm start the table hands out; it needs no more than
 * passes from its source, whose rows it never asks for; the artifact and the document carry a fitted model, binary or
 * multinomial, so that it scores, decides and gives probabilities the same.
 * The payload's prediction by hand is test_linear_classifier.c's.
 */
#include "algotest.h"

#include "logistic.h"

static void
test_fit_logistic_regression(void **state)
{
	const MmAlgorithm *a = ALGO("logistic_regression");
	Data		d = make_data(400, 2, 3, 3);
	MmFitContext ctx;
	MmDataSource src;
	MmParams	params;
	MmModel		m = shell(a, 2);
	MmLogisticOptions o = {0};
	MmClassifier want = {0};
	MmError		err;

	context(&ctx, &src, &params, a, &d, 3);
	assert_int_equal(mm_param_set_string(&params, mm_param_index(a, "class_weight"), "balanced", 8, &err),
					 MM_OK);
	assert_int_equal(mm_param_set_number(&params, mm_param_index(a, "alpha"), 0.1, &err), MM_OK);
	assert_int_equal(a->fit(&ctx, &m, &err), MM_OK);
	o.alpha = 0.1;
	o.fit_intercept = 1;
	o.balanced = 1;
	o.max_iter = 100;
	o.tol = 1e-4;
	assert_int_equal(mm_logistic_fit(d.x, d.y, d.n, 2, 3, &o, &want, &err), MM_OK);
	assert_int_equal(CLS(&m)->n_rows, 3);
	assert_true(same(CLS(&m)->coef, want.coef, 6));
	assert_true(same(CLS(&m)->intercept, want.intercept, 3));
	assert_int_equal(ctx.report.n_iter, want.n_iter);
	assert_int_equal(ctx.report.converged, want.converged);

	/* a warm start of the fit's own shape is taken; the coefficients it gives back are the fit's */
	{
		int			rows,
					width;
		double	   *w = a->warm_start(&m, &rows, &width);
		MmModel		again = shell(a, 2);
		MmClassifier want2 = {0};

		assert_int_equal(rows, 3);
		assert_int_equal(width, 2);
		assert_true(w[2] == CLS(&m)->intercept[0] && w[3] == CLS(&m)->coef[2]);
		ctx.warm_start = w;
		ctx.warm_rows = rows;
		ctx.warm_width = width;
		assert_int_equal(a->fit(&ctx, &again, &err), MM_OK);
		o.start = w;
		assert_int_equal(mm_logistic_fit(d.x, d.y, d.n, 2, 3, &o, &want2, &err), MM_OK);
		assert_true(same(CLS(&again)->coef, want2.coef, 6));
		a->free(again.fit);
		mm_free(w);
		free_classifier(&want2);
	}
	a->free(m.fit);
	free_classifier(&want);
	free_data(&d);
}

/* A source that runs passes over rows in memory (impl) but does not hand the rows out. */
static MmErrorCode
passes_only(MmDataSource *self, const MmPass *pass, const void *arg, void *state, MmError *err)
{
	MmDataSource *inner = self->impl;

	return inner->run(inner, pass, arg, state, err);
}

/* From a source of passes alone the fit is the one in memory, bit for bit. */
static void
test_fit_from_passes(void **state)
{
	const MmAlgorithm *a = ALGO("logistic_regression");
	Data		d = make_data(500, 3, 2, 9);
	MmFitContext ctx;
	MmDataSource src,
				far;
	MmParams	params;
	MmModel		near = shell(a, 3),
				there = shell(a, 3);
	MmError		err;

	context(&ctx, &src, &params, a, &d, 2);
	assert_int_equal(a->fit(&ctx, &near, &err), MM_OK);
	memset(&far, 0, sizeof(far));
	far.p = 3;
	far.run = passes_only;
	far.impl = &src;
	ctx.data = &far;
	assert_int_equal(a->fit(&ctx, &there, &err), MM_OK);
	assert_true(same(CLS(&near)->coef, CLS(&there)->coef, 3));
	assert_true(same(CLS(&near)->intercept, CLS(&there)->intercept, 1));
	a->free(near.fit);
	a->free(there.fit);
	free_data(&d);
}

/* Fitted binary and multinomial models read back from either codec and predict the same bits. */
static void
test_codecs_carry_fit(void **state)
{
	const MmAlgorithm *a = ALGO("logistic_regression");
	int			k;

	for (k = 2; k <= 3; k++)
	{
		Data		d = make_data(300, 2, k, 20 + k);
		MmFitContext ctx;
		MmDataSource src;
		MmParams	params;
		MmModel		fitted = shell(a, 2);
		MmModel    *m;
		MmError		err;

		context(&ctx, &src, &params, a, &d, k);
		assert_int_equal(a->fit(&ctx, &fitted, &err), MM_OK);
		m = whole_model(&fitted, k);
		assert_int_equal(CLS(m)->n_rows, k == 2 ? 1 : k);
		assert_true(mm_model_has_proba(m));
		assert_codecs_carry(m, &d);
		mm_model_free(m);
		free_data(&d);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fit_logistic_regression),
		cmocka_unit_test(test_fit_from_passes),
		cmocka_unit_test(test_codecs_carry_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
