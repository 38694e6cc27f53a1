/*
 * test_pca_decomposition.c: PCA's table.  Its fit gives the very bits of
 * mm_pca_fit for a count of components or a fraction of variance, and
 * without the rows those of mm_pca_from_moments over its pass; it needs the
 * rows for anything else; a fitted model projects a row onto its
 * components, predicts nothing, and reads back from the artifact and the
 * document projecting the same bits.
 */
#include "algotest.h"

#include "linear_moments.h"
#include "pca.h"

static void
test_fit_pca(void **state)
{
	const MmAlgorithm *a = ALGO("pca");
	Data		d = make_data(200, 3, 2, 6);
	MmFitContext ctx;
	MmDataSource src;
	MmParams	params;
	MmModel		m = shell(a, 3);
	MmPCA		want = {0};
	MmError		err;

	/* the default: every column's component */
	context(&ctx, &src, &params, a, &d, 0);
	assert_int_equal(a->check_params(&params, 3, &err), MM_OK);
	assert_int_equal(a->fit(&ctx, &m, &err), MM_OK);
	assert_int_equal(mm_pca_fit(d.x, d.n, 3, 3, 0.0, &want, &err), MM_OK);
	assert_int_equal(PCA(&m)->n_components, 3);
	assert_true(same(PCA(&m)->components, want.components, 9));
	assert_true(same(PCA(&m)->mean, want.mean, 3));
	a->free(m.fit);
	mm_free(want.mean);
	mm_free(want.components);
	mm_free(want.explained_variance);
	mm_free(want.explained_variance_ratio);

	/* a fraction of variance */
	memset(&want, 0, sizeof(want));
	m = shell(a, 3);
	assert_int_equal(mm_param_set_number(&params, 0, 0.5, &err), MM_OK);
	assert_int_equal(a->fit(&ctx, &m, &err), MM_OK);
	assert_int_equal(mm_pca_fit(d.x, d.n, 3, 0, 0.5, &want, &err), MM_OK);
	assert_int_equal(PCA(&m)->n_components, want.n_components);
	assert_true(same(PCA(&m)->components, want.components, (size_t) want.n_components * 3));
	a->free(m.fit);
	mm_free(want.mean);
	mm_free(want.components);
	mm_free(want.explained_variance);
	mm_free(want.explained_variance_ratio);
	free_data(&d);
}

/* A source that runs its passes over rows in memory but does not hand them out. */
static MmErrorCode
passes_only_run(MmDataSource *self, const MmPass *pass, const void *arg, void *state, MmError *err)
{
	MmDataSource *rows = self->impl;

	return rows->run(rows, pass, arg, state, err);
}

/*
 * Without the rows, PCA fits from its moments pass (the target counted as
 * 0), the solve a relation's aggregate feeds; the params record the count
 * fitted for the default.
 */
static void
test_fit_pca_from_pass(void **state)
{
	const MmAlgorithm *a = ALGO("pca");
	Data		d = make_data(300, 3, 2, 8);
	MmFitContext ctx;
	MmDataSource memory,
				passes;
	MmParams	params;
	MmModel		m = shell(a, 3);
	MmPCA		want = {0};
	MmError		err;
	double	   *moments;

	assert_non_null(a->passes);
	assert_ptr_equal(a->passes[0], &mm_linear_moments_pass);
	assert_null(a->passes[1]);
	context(&ctx, &memory, &params, a, &d, 0);
	d.rows.t = NULL;
	passes = memory;
	passes.rows = NULL;
	passes.run = passes_only_run;
	passes.impl = &memory;
	ctx.data = &passes;
	assert_int_equal(a->fit(&ctx, &m, &err), MM_OK);

	moments = mm_alloc(mm_linear_moments_pass.state_size(3, NULL));
	assert_int_equal(memory.run(&memory, &mm_linear_moments_pass, NULL, moments, &err), MM_OK);
	assert_int_equal(mm_pca_from_moments(moments, 4, 3, 3, 0.0, &want, &err), MM_OK);
	assert_int_equal(PCA(&m)->n_components, 3);
	assert_true(same(PCA(&m)->components, want.components, 9));
	assert_true(same(PCA(&m)->explained_variance, want.explained_variance, 3));
	a->fitted_params(&m, &params);
	assert_true(params.value[0] == 3.0);

	a->free(m.fit);
	mm_free(moments);
	mm_free(want.mean);
	mm_free(want.components);
	mm_free(want.explained_variance);
	mm_free(want.explained_variance_ratio);
	free_data(&d);
}

static void
test_fit_without_rows(void **state)
{
	assert_fit_needs_rows("pca");
}

/*
 * A fitted model's coordinates are the row's offsets from the mean along
 * each component, it predicts no value, and either codec carries it.
 */
static void
test_codecs_carry_fit(void **state)
{
	const MmAlgorithm *a = ALGO("pca");
	Data		d = make_data(250, 4, 2, 50);
	MmFitContext ctx;
	MmDataSource src;
	MmParams	params;
	MmModel		fitted = shell(a, 4);
	MmModel    *m;
	double		out[4];
	const double *z = d.x + 7 * 4;
	MmError		err;
	int			c,
				j;

	context(&ctx, &src, &params, a, &d, 0);
	assert_int_equal(mm_param_set_number(&params, 0, 2, &err), MM_OK);
	assert_int_equal(a->fit(&ctx, &fitted, &err), MM_OK);
	m = whole_model(&fitted, 0);
	assert_int_equal(mm_model_n_scores(m), 0);
	assert_true(isnan(mm_model_predict(m, z)));
	assert_int_equal(mm_model_project(m, z, out), 2);
	for (c = 0; c < 2; c++)
	{
		double		s = 0.0;

		for (j = 0; j < 4; j++)
			s += (z[j] - PCA(m)->mean[j]) * PCA(m)->components[c * 4 + j];
		assert_close(out[c], s, 1e-13);
	}
	assert_codecs_carry(m, &d);
	mm_model_free(m);
	free_data(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fit_pca),
		cmocka_unit_test(test_fit_pca_from_pass),
		cmocka_unit_test(test_fit_without_rows),
		cmocka_unit_test(test_codecs_carry_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
