/*
 * test_elastic_net.c: the elastic net against scikit-learn.
 *
 * elastic_net_fixtures.h holds a fixed data set and scikit-learn's answers
 * on it (test/oracle/elastic_net_fixtures.py regenerates it): ElasticNet and
 * Lasso fits with tol 1e-12, LinearRegression, and enet_path's alpha grid
 * and path.  Slopes must agree to 1e-5 relative or 1e-8 absolute, and where
 * scikit-learn's L1 penalty put an exact zero ours must be exactly zero too.
 */
#include "testutil.h"

#include <string.h>

#include "algorithm.h"
#include "artifact.h"
#include "document.h"
#include "elastic_net.h"
#include "elastic_net_fixtures.h"
#include "moments.h"

#define RTOL 1e-5
#define ATOL 1e-8
#define TIGHT_TOL 1e-12
#define MANY_SWEEPS 1000000

/* Moments of the first p features of the fixture and its target, row by row. */
static double *
fixture_moments(int p)
{
	int			d = p + 1;
	double	   *block = calloc(mm_moments_len(d), sizeof(double));
	double		scratch[2 * (ENET_P + 1)];
	double		row[ENET_P + 1];
	int			i;

	for (i = 0; i < ENET_N; i++)
	{
		memcpy(row, enet_data + i * (ENET_P + 1), sizeof(double) * p);
		row[p] = enet_data[i * (ENET_P + 1) + ENET_P];
		mm_moments_add(block, d, row, scratch);
	}
	return block;
}

/* The fixture's target mean, summed plainly. */
static double
fixture_target_mean(void)
{
	double		s = 0.0;
	int			i;

	for (i = 0; i < ENET_N; i++)
		s += enet_data[i * (ENET_P + 1) + ENET_P];
	return s / ENET_N;
}

static MmEnetParams
params_of(double alpha, double l1_ratio, int fit_intercept)
{
	MmEnetParams params;

	memset(&params, 0, sizeof(params));
	params.alpha = alpha;
	params.l1_ratio = l1_ratio;
	params.fit_intercept = fit_intercept;
	params.max_iter = MANY_SWEEPS;
	params.tol = TIGHT_TOL;
	return params;
}

/* Fails unless actual is expected to RTOL or ATOL, and exactly 0 where expected is. */
#define assert_coef(actual, expected) \
	assert_coef_impl((actual), (expected), #actual, __FILE__, __LINE__)

static void
assert_coef_impl(double actual, double expected, const char *what, const char *file, int line)
{
	double		diff = fabs(actual - expected);

	if (expected == 0.0 ? actual != 0.0 : !(diff <= RTOL * fabs(expected) || diff <= ATOL))
	{
		print_error("%s = %.17g, expected %.17g\n", what, actual, expected);
		_fail(file, line);
	}
}

/* Every ElasticNet and Lasso fit of the fixture: lasso, ridge-like, mixed, without intercept. */
static void
test_fits_match_sklearn(void **state)
{
	double	   *mom = fixture_moments(ENET_P);
	size_t		c;
	int			j;

	for (c = 0; c < sizeof(enet_cases) / sizeof(enet_cases[0]); c++)
	{
		const EnetCase *e = &enet_cases[c];
		MmEnetParams params = params_of(e->alpha, e->l1_ratio, e->fit_intercept);
		MmElasticNet m;
		MmError		err;

		print_message("alpha %g, l1_ratio %g, fit_intercept %d\n", e->alpha, e->l1_ratio,
					  e->fit_intercept);
		assert_int_equal(mm_enet_fit(mom, ENET_P, &params, NULL, &m, &err), MM_OK);
		assert_int_equal(m.status.converged, 1);
		assert_true(m.status.n_iter >= 1 && m.status.n_iter < MANY_SWEEPS);
		assert_true(m.status.dual_gap < TIGHT_TOL * 1e3);
		assert_int_equal(m.n_features, ENET_P);
		assert_coef(m.intercept, e->intercept);
		if (!e->fit_intercept)
			assert_true(m.intercept == 0.0);
		for (j = 0; j < ENET_P; j++)
			assert_coef(m.coef[j], e->coef[j]);
		mm_elastic_net_free(&m);
	}
	free(mom);
}

/* alpha_max against its definition, and the fits on either side of it. */
static void
test_alpha_max(void **state)
{
	double	   *mom = fixture_moments(ENET_P);
	double		amax,
				ridge_max;
	MmEnetParams params;
	MmElasticNet m;
	MmError		err;
	int			j,
				nonzero = 0;

	assert_int_equal(mm_enet_alpha_max(mom, ENET_P, 0.5, 1, &amax, &err), MM_OK);
	assert_close(amax, enet_alpha_max_centered, 1e-12);
	assert_int_equal(mm_enet_alpha_max(mom, ENET_P, 0.5, 0, &amax, &err), MM_OK);
	assert_close(amax, enet_alpha_max_raw, 1e-12);
	assert_int_equal(mm_enet_alpha_max(mom, ENET_P, 0.0, 1, &ridge_max, &err), MM_OK);
	assert_true(isinf(ridge_max));

	/* just above: every slope exactly zero, the intercept the target's mean, at once */
	params = params_of(1.01 * enet_alpha_max_centered, 0.5, 1);
	assert_int_equal(mm_enet_fit(mom, ENET_P, &params, NULL, &m, &err), MM_OK);
	for (j = 0; j < ENET_P; j++)
		assert_true(m.coef[j] == 0.0);
	assert_close(m.intercept, fixture_target_mean(), 1e-12);
	assert_int_equal(m.status.converged, 1);
	assert_int_equal(m.status.n_iter, 1);
	mm_elastic_net_free(&m);

	/* just below: not all */
	params.alpha = 0.99 * enet_alpha_max_centered;
	assert_int_equal(mm_enet_fit(mom, ENET_P, &params, NULL, &m, &err), MM_OK);
	for (j = 0; j < ENET_P; j++)
		nonzero += m.coef[j] != 0.0;
	assert_int_equal(nonzero, 1);
	mm_elastic_net_free(&m);
	free(mom);
}

/* The default grid is scikit-learn's. */
static void
test_alpha_grid(void **state)
{
	double	   *mom = fixture_moments(ENET_P);
	double		amax,
				alphas[ENET_PATH_N],
				one;
	MmError		err;
	int			k;

	assert_int_equal(mm_enet_alpha_max(mom, ENET_P, ENET_PATH_L1_RATIO, 1, &amax, &err), MM_OK);
	mm_enet_alpha_grid(amax, ENET_PATH_EPS, ENET_PATH_N, alphas);
	for (k = 0; k < ENET_PATH_N; k++)
		assert_close(alphas[k], enet_path_alphas[k], 1e-12);
	mm_enet_alpha_grid(amax, ENET_PATH_EPS, 1, &one);
	assert_close(one, ENET_PATH_EPS * amax, 1e-12);
	mm_enet_alpha_grid(0.0, ENET_PATH_EPS, ENET_PATH_N, alphas);
	for (k = 0; k < ENET_PATH_N; k++)
		assert_true(alphas[k] == 1e-15);
	free(mom);
}

/* The warm-started path: scikit-learn's enet_path, and each point a cold fit. */
static void
test_path(void **state)
{
	double	   *mom = fixture_moments(ENET_P);
	MmEnetParams params = params_of(0.0, ENET_PATH_L1_RATIO, 1);
	double		coefs[ENET_PATH_N * ENET_P],
				intercepts[ENET_PATH_N];
	MmEnetStatus status[ENET_PATH_N];
	MmError		err;
	long		warm_sweeps = 0,
				cold_sweeps = 0;
	int			k,
				j;

	assert_int_equal(mm_enet_path(mom, ENET_P, &params, enet_path_alphas, ENET_PATH_N,
								  coefs, intercepts, status, &err), MM_OK);
	for (k = 0; k < ENET_PATH_N; k++)
	{
		MmElasticNet cold;

		assert_int_equal(status[k].converged, 1);
		for (j = 0; j < ENET_P; j++)
			assert_coef(coefs[k * ENET_P + j], enet_path_coefs[k * ENET_P + j]);

		params.alpha = enet_path_alphas[k];
		assert_int_equal(mm_enet_fit(mom, ENET_P, &params, NULL, &cold, &err), MM_OK);
		assert_close(intercepts[k], cold.intercept, 1e-6);
		for (j = 0; j < ENET_P; j++)
			assert_close(coefs[k * ENET_P + j], cold.coef[j], 1e-6);
		warm_sweeps += status[k].n_iter;
		cold_sweeps += cold.status.n_iter;
		mm_elastic_net_free(&cold);
	}
	/* what the path is for */
	assert_true(warm_sweeps < cold_sweeps);
	free(mom);
}

/* alpha 0 is least squares; its gap gives no bound, so it runs to max_iter. */
static void
test_alpha_zero_is_least_squares(void **state)
{
	int			p = ENET_P - 1;
	double	   *mom = fixture_moments(p);
	MmEnetParams params = params_of(0.0, 0.5, 1);
	MmElasticNet m;
	MmError		err;
	int			j;

	params.max_iter = 200000;
	assert_int_equal(mm_enet_fit(mom, p, &params, NULL, &m, &err), MM_OK);
	assert_int_equal(m.status.converged, 0);
	assert_int_equal(m.status.n_iter, 200000);
	assert_close(m.intercept, enet_ols[0], 1e-8);
	for (j = 0; j < p; j++)
		assert_close(m.coef[j], enet_ols[j + 1], 1e-8);
	mm_elastic_net_free(&m);
	free(mom);
}

/* Started from its own solution, a fit is done after one sweep. */
static void
test_warm_start(void **state)
{
	double	   *mom = fixture_moments(ENET_P);
	MmEnetParams params = params_of(0.2, 0.5, 1);
	MmElasticNet cold,
				warm;
	MmError		err;
	int			j;

	assert_int_equal(mm_enet_fit(mom, ENET_P, &params, NULL, &cold, &err), MM_OK);
	assert_true(cold.status.n_iter > 1);
	assert_int_equal(mm_enet_fit(mom, ENET_P, &params, cold.coef, &warm, &err), MM_OK);
	assert_int_equal(warm.status.n_iter, 1);
	assert_int_equal(warm.status.converged, 1);
	for (j = 0; j < ENET_P; j++)
		assert_close(warm.coef[j], cold.coef[j], 1e-9);
	mm_elastic_net_free(&cold);
	mm_elastic_net_free(&warm);
	free(mom);
}

/* A fit that runs out of sweeps says so. */
static void
test_max_iter(void **state)
{
	double	   *mom = fixture_moments(ENET_P);
	MmEnetParams params = params_of(0.05, 1.0, 1);
	MmElasticNet m;
	MmError		err;

	params.max_iter = 2;
	assert_int_equal(mm_enet_fit(mom, ENET_P, &params, NULL, &m, &err), MM_OK);
	assert_int_equal(m.status.converged, 0);
	assert_int_equal(m.status.n_iter, 2);
	assert_true(m.status.dual_gap > 0.0);
	mm_elastic_net_free(&m);
	free(mom);
}

static int	interrupt_calls;
static int	progress_calls;
static int	progress_last;

static void
count_interrupt(void)
{
	interrupt_calls++;
}

static void
count_progress(void *arg, int iteration)
{
	progress_calls++;
	progress_last = iteration;
}

/* Every sweep reports progress and may be cancelled. */
static void
test_interrupts(void **state)
{
	double	   *mom = fixture_moments(ENET_P);
	MmEnetParams params = params_of(0.1, 0.0, 1);
	MmElasticNet m;
	MmError		err;

	interrupt_calls = progress_calls = progress_last = 0;
	params.progress = count_progress;
	mm_set_interrupt_check(count_interrupt);
	assert_int_equal(mm_enet_fit(mom, ENET_P, &params, NULL, &m, &err), MM_OK);
	mm_set_interrupt_check(NULL);
	assert_true(m.status.n_iter > 10);
	assert_int_equal(progress_calls, m.status.n_iter);
	assert_int_equal(progress_last, m.status.n_iter);
	/* after every sweep but the one that converged */
	assert_int_equal(interrupt_calls, m.status.n_iter - 1);
	mm_elastic_net_free(&m);
	free(mom);
}

/* A constant target is fitted by the intercept alone, at once. */
static void
test_constant_target(void **state)
{
	double		x[2][6] = {{1, 2, 3, 4, 5, 7}, {0.5, -1, 2, 0, 3, 1}};
	double		block[10] = {0};	/* mm_moments_len(3) */
	double		scratch[6];
	MmEnetParams params = params_of(0.1, 0.5, 1);
	MmElasticNet m;
	MmError		err;
	int			i;

	for (i = 0; i < 6; i++)
	{
		double		row[3] = {x[0][i], x[1][i], 0.1};

		mm_moments_add(block, 3, row, scratch);
	}
	assert_int_equal(mm_enet_fit(block, 2, &params, NULL, &m, &err), MM_OK);
	assert_true(m.coef[0] == 0.0 && m.coef[1] == 0.0);
	assert_close(m.intercept, 0.1, 1e-15);
	assert_int_equal(m.status.converged, 1);
	assert_int_equal(m.status.n_iter, 0);
	mm_elastic_net_free(&m);
}

/*
 * A constant feature gets exactly zero, even where the moments come from
 * batches whose mean of a constant 0.1 is off by rounding (a tiny, nonzero
 * sum of squares).
 */
static void
test_constant_feature(void **state)
{
	enum
	{
		M = 37, D = 3
	};
	double		cols[D * M];
	double		block[10] = {0};	/* mm_moments_len(3) */
	double		scratch[10 + D];
	MmEnetParams params = params_of(0.01, 0.0, 1);	/* no L1: only the guard gives zero */
	MmElasticNet m;
	MmError		err;
	uint64_t	rng = 42;
	int			i;

	for (i = 0; i < M; i++)
	{
		cols[i] = test_uniform(&rng);
		cols[M + i] = 0.1;
		cols[2 * M + i] = 2.0 * cols[i] + 0.1 * test_uniform(&rng);
	}
	mm_moments_merge_batch(block, D, cols, M, scratch);
	assert_int_equal(mm_enet_fit(block, 2, &params, NULL, &m, &err), MM_OK);
	assert_true(m.coef[1] == 0.0);
	assert_true(m.coef[0] > 1.0);
	assert_int_equal(m.status.converged, 1);
	mm_elastic_net_free(&m);
}

/* Too few rows, parameters out of range, moments that are not finite. */
static void
test_errors(void **state)
{
	double		one_row[10] = {1, 2.0, 3.0, 4.0, 0, 0, 0, 0, 0, 0};
	double		no_rows[10] = {0};
	double	   *mom = fixture_moments(ENET_P);
	MmEnetParams params = params_of(0.1, 0.5, 1);
	MmElasticNet m;
	MmError		err;
	double		amax;

	assert_int_equal(mm_enet_fit(one_row, 2, &params, NULL, &m, &err), MM_ERR_TOO_FEW_ROWS);
	assert_null(m.coef);
	params.fit_intercept = 0;
	assert_int_equal(mm_enet_fit(one_row, 2, &params, NULL, &m, &err), MM_OK);
	mm_elastic_net_free(&m);
	assert_int_equal(mm_enet_fit(no_rows, 2, &params, NULL, &m, &err), MM_ERR_TOO_FEW_ROWS);

	params = params_of(0.1, 1.5, 1);
	assert_int_equal(mm_enet_fit(mom, ENET_P, &params, NULL, &m, &err), MM_ERR_INVALID_INPUT);
	params = params_of(-1.0, 0.5, 1);
	assert_int_equal(mm_enet_fit(mom, ENET_P, &params, NULL, &m, &err), MM_ERR_INVALID_INPUT);
	params = params_of(NAN, 0.5, 1);
	assert_int_equal(mm_enet_fit(mom, ENET_P, &params, NULL, &m, &err), MM_ERR_INVALID_INPUT);
	params = params_of(0.1, 0.5, 1);
	params.max_iter = 0;
	assert_int_equal(mm_enet_fit(mom, ENET_P, &params, NULL, &m, &err), MM_ERR_INVALID_INPUT);
	params = params_of(0.1, 0.5, 1);
	params.tol = -1.0;
	assert_int_equal(mm_enet_fit(mom, ENET_P, &params, NULL, &m, &err), MM_ERR_INVALID_INPUT);
	assert_int_equal(mm_enet_alpha_max(mom, ENET_P, -0.5, 1, &amax, &err), MM_ERR_INVALID_INPUT);

	params = params_of(0.1, 0.5, 1);
	mom[1 + 2] = NAN;
	assert_int_equal(mm_enet_fit(mom, ENET_P, &params, NULL, &m, &err), MM_ERR_NUMERIC);
	assert_null(m.coef);
	mom[1 + 2] = 0.0;
	mom[mm_moments_len(ENET_P + 1) - 1] = INFINITY;
	assert_int_equal(mm_enet_fit(mom, ENET_P, &params, NULL, &m, &err), MM_ERR_NUMERIC);
	free(mom);
}

/* A source over the fixture that runs a pass in three uneven blocks, merged. */
typedef struct BlockSource
{
	double		x[ENET_N * ENET_P];
	double		t[ENET_N];
} BlockSource;

static MmErrorCode
run_in_blocks(MmDataSource *self, const MmPass *pass, const void *arg, void *state, MmError *err)
{
	BlockSource *b = self->impl;
	size_t		cut[4] = {0, 7, 30, ENET_N};
	size_t		size = pass->state_size(self->p, arg);
	void	   *part = malloc(size);
	int			k;

	pass->init(state, self->p, arg);
	for (k = 0; k < 3; k++)
	{
		MmRows		rows = {cut[k + 1] - cut[k], self->p, b->x + cut[k] * self->p, NULL, b->t + cut[k]};

		pass->init(part, self->p, arg);
		pass->add(part, &rows, arg);
		pass->merge(state, part, self->p, arg);
	}
	free(part);
	return MM_OK;
}

/*
 * The algorithm's fit: the moments pass over a source that runs it in
 * blocks, merged, then the descent; the same coefficients as the fixture's.
 */
static void
test_fit_through_source(void **state)
{
	BlockSource b;
	MmDataSource source;
	const EnetCase *e = &enet_cases[5];
	const MmAlgorithm *algo = mm_algorithm_by_name("elastic_net");
	MmParams params;
	MmFitContext ctx;
	MmModel		model;
	const MmElasticNet *m;
	MmError		err;
	int			i,
				j;

	assert_non_null(algo);
	for (i = 0; i < ENET_N; i++)
	{
		memcpy(b.x + i * ENET_P, enet_data + i * (ENET_P + 1), sizeof(double) * ENET_P);
		b.t[i] = enet_data[i * (ENET_P + 1) + ENET_P];
	}
	memset(&source, 0, sizeof(source));
	source.p = ENET_P;
	source.n_rows = ENET_N;
	source.run = run_in_blocks;
	source.impl = &b;

	mm_params_defaults(algo, &params);
	assert_int_equal(mm_param_set_number(&params, mm_param_index(algo, "alpha"), e->alpha, &err), MM_OK);
	assert_int_equal(mm_param_set_number(&params, mm_param_index(algo, "l1_ratio"), e->l1_ratio, &err), MM_OK);
	assert_int_equal(mm_param_set_boolean(&params, mm_param_index(algo, "fit_intercept"), e->fit_intercept, &err), MM_OK);
	assert_int_equal(mm_param_set_number(&params, mm_param_index(algo, "max_iter"), MANY_SWEEPS, &err), MM_OK);
	assert_int_equal(mm_param_set_number(&params, mm_param_index(algo, "tol"), TIGHT_TOL, &err), MM_OK);
	memset(&ctx, 0, sizeof(ctx));
	ctx.data = &source;
	ctx.params = &params;
	memset(&model, 0, sizeof(model));
	model.algorithm = algo;
	model.task = MM_TASK_REGRESSION;
	model.n_design = ENET_P;
	assert_int_equal(algo->fit(&ctx, &model, &err), MM_OK);
	m = model.fit;
	assert_coef(m->intercept, e->intercept);
	for (j = 0; j < ENET_P; j++)
		assert_coef(m->coef[j], e->coef[j]);
	assert_int_equal(ctx.report.converged, 1);
	assert_int_equal(ctx.report.n_iter, m->status.n_iter);
	algo->free(model.fit);
}

/* The fixture's elastic net as a whole model, as training leaves it. */
static MmModel *
fitted_model(void)
{
	static char *names[ENET_P] = {"x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8"};
	static uint8_t kinds[ENET_P];
	const EnetCase *e = &enet_cases[5];
	const MmAlgorithm *algo = mm_algorithm_by_name("elastic_net");
	MmModel    *model = mm_alloc0(sizeof(MmModel));
	MmElasticNet *m = mm_alloc0(sizeof(MmElasticNet));
	MmEnetParams params = params_of(e->alpha, e->l1_ratio, e->fit_intercept);
	double	   *mom = fixture_moments(ENET_P);
	MmError		err;
	int			j;

	for (j = 0; j < ENET_P; j++)
		kinds[j] = MM_FEATURE_NUMERIC;
	assert_int_equal(mm_enet_fit(mom, ENET_P, &params, NULL, m, &err), MM_OK);
	free(mom);
	model->algorithm = algo;
	model->task = MM_TASK_REGRESSION;
	model->n_features = ENET_P;
	model->n_design = ENET_P;
	model->feature_names = mm_alloc(sizeof(char *) * ENET_P);
	model->feature_kinds = mm_alloc(ENET_P);
	for (j = 0; j < ENET_P; j++)
	{
		model->feature_names[j] = mm_strdup(names[j]);
		model->feature_kinds[j] = kinds[j];
	}
	model->target = mm_strdup("y");
	model->fit = m;
	return model;
}

/*
 * The artifact and the document carry the fit exactly: read back, the
 * model predicts the same bits, and the document's model writes the same
 * artifact.
 */
static void
test_artifact_and_document(void **state)
{
	MmModel    *model = fitted_model();
	MmModel    *back,
			   *from_doc;
	uint8_t    *bytes,
			   *again;
	size_t		len,
				len2;
	char	   *doc;
	const MmElasticNet *a,
			   *b;
	MmError		err;
	int			i;

	assert_int_equal(mm_artifact_write(model, &bytes, &len, &err), MM_OK);
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_OK);
	assert_ptr_equal(back->algorithm, model->algorithm);
	a = model->fit;
	b = back->fit;
	assert_memory_equal(a->coef, b->coef, sizeof(double) * ENET_P);
	assert_true(a->intercept == b->intercept && a->alpha == b->alpha && a->l1_ratio == b->l1_ratio &&
				a->tol == b->tol && a->max_iter == b->max_iter && a->fit_intercept == b->fit_intercept &&
				a->status.n_iter == b->status.n_iter && a->status.converged == b->status.converged);
	for (i = 0; i < ENET_N; i++)
	{
		const double *z = enet_data + i * (ENET_P + 1);

		assert_true(mm_model_predict(model, z) == mm_model_predict(back, z));
	}
	assert_int_equal(mm_document_write(model, NULL, &doc, &err), MM_OK);
	assert_non_null(strstr(doc, "\"algorithm\": \"elastic_net\""));
	assert_int_equal(mm_document_read(doc, strlen(doc), &from_doc, NULL, &err), MM_OK);
	assert_int_equal(mm_artifact_write(from_doc, &again, &len2, &err), MM_OK);
	assert_int_equal(len, len2);
	assert_memory_equal(bytes, again, len);
	mm_free(again);
	mm_free(doc);
	mm_free(bytes);
	mm_model_free(from_doc);
	mm_model_free(back);
	mm_model_free(model);
}

/* Values no fit makes are damage, even under a valid checksum. */
static void
test_impossible_values(void **state)
{
	int			k;

	for (k = 0; k < 5; k++)
	{
		MmModel    *model = fitted_model();
		MmElasticNet *m = model->fit;
		MmModel    *back = NULL;
		uint8_t    *bytes;
		size_t		len;
		MmError		err;

		switch (k)
		{
			case 0:
				m->l1_ratio = 1.5;
				break;
			case 1:
				m->status.n_iter = m->max_iter + 1;
				break;
			case 2:
				m->tol = -1e-4;
				break;
			case 3:
				m->coef[2] = INFINITY;
				break;
			case 4:
				m->fit_intercept = 0;	/* with an intercept still set */
				break;
		}
		assert_int_equal(mm_artifact_write(model, &bytes, &len, &err), MM_OK);
		assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_ERR_CORRUPT);
		assert_null(back);
		mm_free(bytes);
		mm_model_free(model);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fits_match_sklearn),
		cmocka_unit_test(test_alpha_max),
		cmocka_unit_test(test_alpha_grid),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_alpha_zero_is_least_squares),
		cmocka_unit_test(test_warm_start),
		cmocka_unit_test(test_max_iter),
		cmocka_unit_test(test_interrupts),
		cmocka_unit_test(test_constant_target),
		cmocka_unit_test(test_constant_feature),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_fit_through_source),
		cmocka_unit_test(test_artifact_and_document),
		cmocka_unit_test(test_impossible_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
