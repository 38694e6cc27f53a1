/*
 * test_algorithms.c: the algorithm tables' fits, which must give the very
 * bits of the solver each calls with the same inputs, so that a trainer may
 * call either.  The data source over rows in memory they fit over is
 * test_source.c's, the registry test_registry.c's.
 */
#include "testutil.h"

#include <string.h>

#include "kmeans.h"
#include "linear_moments.h"
#include "linfit.h"
#include "logistic.h"
#include "moments.h"
#include "pca.h"
#include "svm.h"

/* n rows of p uniform features, a numeric target and k classes (from the first feature). */
typedef struct Data
{
	size_t		n;
	int			p;
	double	   *x;
	double	   *t;
	int32_t    *y;
	MmRows		rows;
} Data;

static Data
make_data(size_t n, int p, int k, uint64_t seed)
{
	Data		d;
	MmRandom	r = mm_random(seed);
	size_t		i;
	int			j;

	d.n = n;
	d.p = p;
	d.x = malloc(sizeof(double) * n * p);
	d.t = malloc(sizeof(double) * n);
	d.y = malloc(sizeof(int32_t) * n);
	for (i = 0; i < n; i++)
	{
		double		s = 0.0;

		for (j = 0; j < p; j++)
		{
			d.x[i * p + j] = mm_random_uniform(&r) * 4.0 - 2.0;
			s += (j + 1) * d.x[i * p + j];
		}
		d.t[i] = s + mm_random_uniform(&r);
		/* classes overlap, so that every fit has a finite optimum */
		d.y[i] = (int32_t) ((d.x[i * p] + 2.0 + mm_random_uniform(&r)) / 5.0 * k);
		if (d.y[i] >= k)
			d.y[i] = k - 1;
	}
	d.rows.n = n;
	d.rows.p = p;
	d.rows.x = d.x;
	d.rows.y = d.y;
	d.rows.t = d.t;
	return d;
}

static void
free_data(Data *d)
{
	free(d->x);
	free(d->t);
	free(d->y);
}

/* A context over the rows with the algorithm's default params. */
static void
context(MmFitContext *ctx, MmDataSource *src, MmParams *params, const MmAlgorithm *a, Data *d,
		int k)
{
	memset(ctx, 0, sizeof(*ctx));
	mm_memory_source(src, &d->rows);
	mm_params_defaults(a, params);
	ctx->data = src;
	ctx->params = params;
	ctx->seed = 42;
	ctx->n_classes = k;
}

/* A model shell as a trainer fills it before calling fit. */
static MmModel
shell(const MmAlgorithm *a, int p)
{
	MmModel		m;

	memset(&m, 0, sizeof(m));
	m.algorithm = a;
	m.task = a->task;
	m.n_features = p;
	m.n_design = p;
	return m;
}

static int
same(const double *a, const double *b, size_t n)
{
	return memcmp(a, b, sizeof(double) * n) == 0;
}

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
	assert_int_equal(mm_linear_fit(moments, 3, 0.5, 1, &want, aliased, &err), MM_OK);
	assert_true(same(&LIN(&m)->intercept, &want.intercept, 1));
	assert_true(same(LIN(&m)->coef, want.coef, 3));
	assert_true(same(LIN(&m)->std_err, want.std_err, 4));
	assert_int_equal(ctx.report.rank, 3);
	assert_memory_equal(ctx.report.aliased, aliased, 4);
	/* and it predicts through the table */
	assert_true(mm_model_predict(&m, d.x) == mm_linear_predict(&want, 3, d.x));
	a->free(m.fit);
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
	assert_int_equal(mm_linear_fit(moments, 2, 0.0, 1, &want, aliased, &err), MM_OK);
	for (j = 0; j < 2; j++)
	{
		want.intercept += want.coef[j] * center[j];
		want.coef[j] *= scale[j];
	}
	assert_true(same(&LIN(&m)->intercept, &want.intercept, 1));
	assert_true(same(LIN(&m)->coef, want.coef, 2));
	assert_true(same(LIN(&m)->p_value, want.p_value, 3));
	a->free(m.fit);
	mm_free(ctx.report.aliased);
	free(moments);
	free_data(&d);
	free_data(&raw);
}

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
		mm_free(want2.intercept);
		mm_free(want2.coef);
		mm_free(want2.std_err);
		mm_free(want2.stat);
		mm_free(want2.p_value);
	}
	a->free(m.fit);
	mm_free(want.intercept);
	mm_free(want.coef);
	mm_free(want.std_err);
	mm_free(want.stat);
	mm_free(want.p_value);
	free_data(&d);
}

static void
test_fit_linear_svm(void **state)
{
	const MmAlgorithm *a = ALGO("linear_svm");
	Data		d = make_data(300, 2, 2, 4);
	MmFitContext ctx;
	MmDataSource src;
	MmParams	params;
	MmModel		m = shell(a, 2);
	MmSvmOptions o = {0};
	MmClassifier want = {0};
	MmError		err;

	context(&ctx, &src, &params, a, &d, 2);
	assert_int_equal(mm_param_set_string(&params, mm_param_index(a, "loss"), "squared_hinge", 13, &err),
					 MM_OK);
	assert_int_equal(a->fit(&ctx, &m, &err), MM_OK);
	o.C = 1.0;
	o.squared_hinge = 1;
	o.fit_intercept = 1;
	o.max_iter = 1000;
	o.tol = 1e-4;
	o.seed = 42;
	assert_int_equal(mm_svm_fit(d.x, d.y, d.n, 2, 2, &o, &want, &err), MM_OK);
	assert_int_equal(CLS(&m)->variant, 1);
	assert_true(same(CLS(&m)->coef, want.coef, 2));
	assert_true(same(CLS(&m)->intercept, want.intercept, 1));
	assert_int_equal(ctx.report.n_iter, want.n_iter);
	a->free(m.fit);
	mm_free(want.intercept);
	mm_free(want.coef);
	mm_free(want.std_err);
	mm_free(want.stat);
	mm_free(want.p_value);
	free_data(&d);
}

static void
test_fit_kmeans(void **state)
{
	const MmAlgorithm *a = ALGO("kmeans");
	Data		d = make_data(600, 2, 2, 5);
	MmFitContext ctx;
	MmDataSource src;
	MmParams	params;
	MmModel		m = shell(a, 2);
	MmKMeansOptions o = {3, 300, 1e-4, 42};
	MmKMeans	want = {0};
	int64_t		sizes[3];
	MmError		err;

	context(&ctx, &src, &params, a, &d, 0);
	assert_int_equal(mm_param_set_number(&params, mm_param_index(a, "k"), 3, &err), MM_OK);
	assert_int_equal(a->fit(&ctx, &m, &err), MM_OK);
	assert_int_equal(mm_kmeans_fit(d.x, d.n, 2, &o, &want, sizes, &err), MM_OK);
	assert_int_equal(KM(&m)->k, 3);
	assert_true(same(KM(&m)->centers, want.centers, 6));
	assert_true(same(&KM(&m)->inertia, &want.inertia, 1));
	assert_memory_equal(ctx.report.sizes, sizes, sizeof(sizes));
	assert_int_equal(ctx.report.n_iter, want.n_iter);
	/* its prediction is the nearest center, its coordinates the distances */
	{
		double		dist[3];

		assert_int_equal(mm_model_project(&m, d.x, dist), 3);
		assert_int_equal(mm_model_class(&m, d.x),
						 dist[0] <= dist[1] && dist[0] <= dist[2] ? 0 : dist[1] <= dist[2] ? 1 : 2);
	}
	a->free(m.fit);
	mm_free(ctx.report.sizes);
	mm_free(want.centers);
	free_data(&d);
}

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

/* k-means refuses more clusters than training rows, as a setting the rows cannot meet. */
static void
test_kmeans_more_clusters_than_rows(void **state)
{
	const MmAlgorithm *a = ALGO("kmeans");
	Data		d = make_data(5, 2, 2, 9);
	MmFitContext ctx;
	MmDataSource src;
	MmParams	params;
	MmModel		m = shell(a, 2);
	MmError		err;

	context(&ctx, &src, &params, a, &d, 0);
	assert_int_equal(mm_param_set_number(&params, mm_param_index(a, "k"), 6, &err), MM_OK);
	assert_int_equal(a->fit(&ctx, &m, &err), MM_ERR_INVALID_INPUT);
	assert_string_equal(err.message, "k = 6 clusters need at least as many training rows, and there are 5");
	if (m.fit)
		a->free(m.fit);
	free_data(&d);
}

/* A source that runs passes elsewhere and holds no rows. */
static MmErrorCode
no_run(MmDataSource *self, const MmPass *pass, const void *arg, void *state, MmError *err)
{
	return mm_fail(err, MM_ERR_UNSUPPORTED, -1, "no passes here");
}

static void
test_fit_without_rows(void **state)
{
	MmDataSource src;
	MmFitContext ctx;
	MmParams	params;
	MmError		err;
	static const char *const needs_rows[] = {"logistic_regression", "linear_svm", "kmeans", "pca"};
	int			i;

	memset(&src, 0, sizeof(src));
	src.p = 2;
	src.n_rows = 10;
	src.run = no_run;
	for (i = 0; i < 4; i++)
	{
		const MmAlgorithm *a = ALGO(needs_rows[i]);
		MmModel		m = shell(a, 2);

		memset(&ctx, 0, sizeof(ctx));
		mm_params_defaults(a, &params);
		ctx.data = &src;
		ctx.params = &params;
		ctx.n_classes = 2;
		assert_int_equal(a->fit(&ctx, &m, &err), MM_ERR_UNSUPPORTED);
		assert_non_null(strstr(err.message, "in memory"));
		if (m.fit)
			a->free(m.fit);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fit_linear_regression),
		cmocka_unit_test(test_fit_linear_in_units),
		cmocka_unit_test(test_fit_logistic_regression),
		cmocka_unit_test(test_fit_linear_svm),
		cmocka_unit_test(test_fit_kmeans),
		cmocka_unit_test(test_fit_pca),
		cmocka_unit_test(test_fit_pca_from_pass),
		cmocka_unit_test(test_kmeans_more_clusters_than_rows),
		cmocka_unit_test(test_fit_without_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
