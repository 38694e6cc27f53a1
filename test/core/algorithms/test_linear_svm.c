/*
 * test_linear_svm.c: the linear SVM's table.  Its fit gives the very bits
 * of mm_svm_primal_fit (the squared hinge, the default) or mm_svm_fit (the
 * hinge) with the same options; the hinge needs the rows in memory, the
 * squared hinge only passes; the artifact and the document carry a fitted
 * model with either loss, its variant included, so that it scores and
 * decides the same, without probabilities.  The payload's prediction by
 * hand is test_linear_classifier.c's.
 */
#include "algotest.h"

#include "svm.h"
#include "svm_primal.h"

static void
test_fit_linear_svm(void **state)
{
	const MmAlgorithm *a = ALGO("linear_svm");
	Data		d = make_data(300, 2, 2, 4);
	int			hinge;

	for (hinge = 0; hinge < 2; hinge++)
	{
		MmFitContext ctx;
		MmDataSource src;
		MmParams	params;
		MmModel		m = shell(a, 2);
		MmSvmOptions o = {0};
		MmClassifier want = {0};
		MmError		err;

		context(&ctx, &src, &params, a, &d, 2);
		if (hinge)
			assert_int_equal(mm_param_set_string(&params, mm_param_index(a, "loss"), "hinge", 5, &err),
							 MM_OK);
		assert_int_equal(a->fit(&ctx, &m, &err), MM_OK);
		o.C = 1.0;
		o.squared_hinge = !hinge;
		o.fit_intercept = 1;
		o.max_iter = 1000;
		o.tol = 1e-4;
		o.seed = 42;
		if (hinge)
			assert_int_equal(mm_svm_fit(d.x, d.y, d.n, 2, 2, &o, &want, &err), MM_OK);
		else
			assert_int_equal(mm_svm_primal_fit(&src, 2, &o, &want, &err), MM_OK);
		assert_int_equal(CLS(&m)->variant, !hinge);
		assert_true(same(CLS(&m)->coef, want.coef, 2));
		assert_true(same(CLS(&m)->intercept, want.intercept, 1));
		assert_int_equal(ctx.report.n_iter, want.n_iter);
		assert_int_equal(ctx.report.converged, want.converged);
		a->free(m.fit);
		free_classifier(&want);
	}
	free_data(&d);
}

/*
 * A source that runs passes but holds no rows, as a relation's aggregate:
 * the squared hinge fits over it, the hinge refuses it, saying why.
 */
static const MmRows *
no_rows(MmDataSource *self)
{
	return NULL;
}

static void
test_fit_without_rows(void **state)
{
	const MmAlgorithm *a = ALGO("linear_svm");
	Data		d = make_data(300, 2, 2, 5);
	MmFitContext ctx;
	MmDataSource src;
	MmParams	params;
	MmModel		m = shell(a, 2);
	MmError		err;

	context(&ctx, &src, &params, a, &d, 2);
	src.rows = no_rows;
	assert_int_equal(a->fit(&ctx, &m, &err), MM_OK);
	assert_true(ctx.report.converged);
	a->free(m.fit);
	m = shell(a, 2);
	assert_int_equal(mm_param_set_string(&params, mm_param_index(a, "loss"), "hinge", 5, &err), MM_OK);
	assert_int_equal(a->fit(&ctx, &m, &err), MM_ERR_UNSUPPORTED);
	assert_non_null(strstr(err.message, "in memory"));
	if (m.fit)
		a->free(m.fit);
	free_data(&d);
}

/* Fitted models of both losses, one binary and one over three classes, read back the same. */
static void
test_codecs_carry_fit(void **state)
{
	const MmAlgorithm *a = ALGO("linear_svm");
	static const char *const losses[2] = {"hinge", "squared_hinge"};
	int			v;

	for (v = 0; v < 2; v++)
	{
		int			k = 2 + v;
		Data		d = make_data(300, 2, k, 30 + v);
		MmFitContext ctx;
		MmDataSource src;
		MmParams	params;
		MmModel		fitted = shell(a, 2);
		MmModel    *m;
		MmModel    *back = NULL;
		uint8_t    *bytes;
		size_t		len;
		MmError		err;

		context(&ctx, &src, &params, a, &d, k);
		assert_int_equal(mm_param_set_string(&params, mm_param_index(a, "loss"), losses[v],
											 strlen(losses[v]), &err), MM_OK);
		assert_int_equal(a->fit(&ctx, &fitted, &err), MM_OK);
		m = whole_model(&fitted, k);
		assert_int_equal(CLS(m)->variant, v);
		assert_false(mm_model_has_proba(m));
		assert_codecs_carry(m, &d);

		assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
		assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_OK);
		assert_int_equal(CLS(back)->variant, v);
		assert_int_equal(CLS(back)->n_iter, CLS(m)->n_iter);
		mm_model_free(back);
		mm_free(bytes);
		mm_model_free(m);
		free_data(&d);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fit_linear_svm),
		cmocka_unit_test(test_fit_without_rows),
		cmocka_unit_test(test_codecs_carry_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
