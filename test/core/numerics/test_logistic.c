/*
 * test_logistic.c: logistic regression (logistic.h) and classifier
 * prediction (model.h); the classification metrics are test_classmetrics.c's.
 *
 * The unregularized binary fit is checked against MADlib's published results
 * for its patients example (test/fixtures/madlib/expected.json); penalized,
 * weighted and multinomial fits against their optimality conditions, computed
 * here independently of the solver; the metrics against hand-counted values.
 */
#include "testutil.h"

#include <string.h>

#include "logistic.h"
#include "model.h"

/* MADlib's patients example: treatment, trait_anxiety -> second_attack. */
static const double patients_treatment[20] = {1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0};
static const double patients_anxiety[20] = {70, 80, 50, 60, 40, 65, 75, 80, 70, 60, 65, 50, 45, 35, 40, 50, 55, 45, 50, 60};
static const int32_t patients_attack[20] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
static const double patients_probability[20] = {
	0.720223028941521, 0.8943549025020425, 0.1922695417551743, 0.6855130722393465, 0.16774788150886444,
	0.798098108915138, 0.9285680757525007, 0.9593057636935689, 0.8775761174314493, 0.6855130722393465,
	0.5867008959433127, 0.1922695417551743, 0.11603201063299697, 0.03838291431350031, 0.06749762241476258,
	0.1922695417551743, 0.5458707743026238, 0.2676754223871396, 0.39861863928511704, 0.6855130722393465};

static MmLogisticOptions
options(double alpha)
{
	MmLogisticOptions o;

	o.alpha = alpha;
	o.fit_intercept = 1;
	o.balanced = 0;
	o.max_iter = 100;
	o.tol = 1e-8;
	o.center = NULL;
	o.scale = NULL;
	return o;
}

/* A classifier model around a fitted MmClassifier, for prediction. */
static MmModel
wrap(const MmClassifier *c, int p)
{
	MmModel		m;

	memset(&m, 0, sizeof(m));
	m.algorithm = ALGO("logistic_regression");
	m.task = MM_TASK_CLASSIFICATION;
	m.n_features = p;
	m.n_design = p;
	m.fit = (void *) c;
	m.labels.n_classes = c->n_rows == 1 ? 2 : c->n_rows;
	return m;
}

static void
free_classifier(MmClassifier *c)
{
	mm_free(c->intercept);
	mm_free(c->coef);
	mm_free(c->std_err);
	mm_free(c->stat);
	mm_free(c->p_value);
}

static void
test_patients_textbook(void **state)
{
	double		x[40];
	MmLogisticOptions o = options(0.0);
	MmClassifier c;
	MmError		err;
	MmModel		m;
	int			i;

	for (i = 0; i < 20; i++)
	{
		x[2 * i] = patients_treatment[i];
		x[2 * i + 1] = patients_anxiety[i];
	}
	memset(&c, 0, sizeof(c));
	assert_int_equal(mm_logistic_fit(x, patients_attack, 20, 2, 2, &o, &c, &err), MM_OK);
	assert_true(c.converged);
	assert_int_equal(c.n_rows, 1);
	assert_close(c.intercept[0], -6.36346994178192, 1e-9);
	assert_close(c.coef[0], -1.02410605239327, 1e-9);
	assert_close(c.coef[1], 0.119044916668607, 1e-9);
	/*
	 * Unpenalized, the default tolerance reaches the maximum-likelihood
	 * estimate itself: statsmodels' Logit, Newton's method to tol 1e-15.
	 */
	assert_close(c.intercept[0], -6.363469941845877, 1e-12);
	assert_close(c.coef[0], -1.0241060524080712, 1e-12);
	assert_close(c.coef[1], 0.11904491666978419, 1e-12);
	/*
	 * The textbook standard errors are the inverse Fisher information at the
	 * estimate: computed independently (numpy, scipy) at MADlib's
	 * coefficients they are these.  MADlib publishes values 2e-6 apart from
	 * them, from the Hessian of its last iteration before the estimate.
	 */
	assert_close(c.std_err[0], 3.2139045247143794, 1e-8);
	assert_close(c.std_err[1], 1.1710801464903013, 1e-8);
	assert_close(c.std_err[2], 0.054979175574714705, 1e-8);
	assert_close(c.stat[0], -1.9799810146343546, 1e-8);
	assert_close(c.stat[1], -0.8744969808108273, 1e-8);
	assert_close(c.stat[2], 2.1652728587541166, 1e-8);
	assert_close(c.p_value[0], 0.047705662038098444, 1e-8);
	assert_close(c.p_value[1], 0.381847663704616, 1e-8);
	assert_close(c.p_value[2], 0.030366795596220984, 1e-8);
	/* and MADlib's own within its own iteration's distance */
	assert_close(c.std_err[0], 3.21389766375099, 1e-5);
	assert_close(c.std_err[2], 0.0549790458269317, 1e-5);
	assert_close(c.p_value[2], 0.0303664045046183, 1e-5);

	m = wrap(&c, 2);
	for (i = 0; i < 20; i++)
	{
		double		proba[2];

		classifier_proba(&m, x + 2 * i, proba);
		assert_close(proba[1], patients_probability[i], 1e-9);
		assert_close(proba[0] + proba[1], 1.0, 1e-15);
		assert_int_equal(mm_model_class(&m, x + 2 * i), proba[1] > 0.5);
	}
	free_classifier(&c);

	/*
	 * Standardized inputs: the same estimate, and the statistics reported
	 * in the original units are the same too, the intercept's included.
	 */
	{
		double		center[2] = {0.5, 57.5},
					scale[2] = {0.5, 12.5};
		MmFeatureTransform t[2] = {{NAN, -INFINITY, INFINITY, 0.5, 0.5},
		{NAN, -INFINITY, INFINITY, 57.5, 12.5}};
		double		b0,
					b[4];

		for (i = 0; i < 20; i++)
		{
			x[2 * i] = (patients_treatment[i] - center[0]) / scale[0];
			x[2 * i + 1] = (patients_anxiety[i] - center[1]) / scale[1];
		}
		o.center = center;
		o.scale = scale;
		memset(&c, 0, sizeof(c));
			assert_int_equal(mm_logistic_fit(x, patients_attack, 20, 2, 2, &o, &c, &err), MM_OK);
		m = wrap(&c, 2);
		m.transform = t;
		{
			MmCoefficient *co;

			/* the intercept, then each slope, in the raw inputs' units */
			assert_int_equal(m.algorithm->coefficients(&m, &co), 3);
			b0 = co[0].value;
			b[0] = co[1].value;
			b[1] = co[2].value;
			mm_free(co);
		}
		assert_close(b0, -6.36346994178192, 1e-9);
		assert_close(b[0], -1.02410605239327, 1e-9);
		assert_close(b[1], 0.119044916668607, 1e-9);
		assert_close(c.std_err[0], 3.2139045247143794, 1e-8);
		assert_close(c.std_err[1], 1.1710801464903013, 1e-8);
		assert_close(c.std_err[2], 0.054979175574714705, 1e-8);
		assert_close(c.p_value[0], 0.047705662038098444, 1e-8);
		free_classifier(&c);
	}
}

/* Rows of p features in three overlapping clusters, class = cluster. */
static void
make_blobs(double *x, int32_t *y, int n, int p, int k, uint64_t seed)
{
	uint64_t	s = seed;
	int			i,
				j;

	for (i = 0; i < n; i++)
	{
		y[i] = i % k;
		for (j = 0; j < p; j++)
			x[i * p + j] = (test_uniform(&s) - 0.5) * 4.0 + (j % k == y[i] ? 1.5 : 0.0) + j;
	}
}

/*
 * The gradient of the penalized, weighted objective at the fitted
 * coefficients, computed from the predicted probabilities: zero at the optimum.
 */
static void
assert_stationary(const double *x, const int32_t *y, int n, int p, int k,
				  const MmLogisticOptions *o, const MmClassifier *c, double tol)
{
	MmModel		m = wrap(c, p);
	double	   *g = calloc((size_t) k * (p + 1), sizeof(double));
	double	   *proba = malloc(sizeof(double) * k);
	double	   *cw = malloc(sizeof(double) * k);
	int		   *count = calloc(k, sizeof(int));
	int			rows = k == 2 ? 1 : k;
	int			i,
				j,
				r;

	for (i = 0; i < n; i++)
		count[y[i]]++;
	for (r = 0; r < k; r++)
		cw[r] = o->balanced ? (double) n / ((double) k * count[r]) : 1.0;
	for (i = 0; i < n; i++)
	{
		classifier_proba(&m, x + i * p, proba);
		for (r = 0; r < rows; r++)
		{
			int			cls = rows == 1 ? 1 : r;
			double		res = cw[y[i]] * (proba[cls] - (y[i] == cls ? 1.0 : 0.0));

			for (j = 0; j < p; j++)
				g[r * (p + 1) + j] += res * x[i * p + j];
			g[r * (p + 1) + p] += res;
		}
	}
	for (r = 0; r < rows; r++)
	{
		for (j = 0; j < p; j++)
			assert_close((g[r * (p + 1) + j] + o->alpha * c->coef[r * p + j]) / n, 0.0, tol);
		assert_close(g[r * (p + 1) + p] / n, 0.0, tol);
	}
	free(g);
	free(proba);
	free(cw);
	free(count);
}

static void
test_penalized_binary(void **state)
{
	int			n = 400,
				p = 3;
	double	   *x = malloc(sizeof(double) * n * p);
	int32_t    *y = malloc(sizeof(int32_t) * n);
	MmLogisticOptions o = options(2.5);
	MmClassifier c;
	MmError		err;

	make_blobs(x, y, n, p, 2, 7);
	memset(&c, 0, sizeof(c));
	assert_int_equal(mm_logistic_fit(x, y, n, p, 2, &o, &c, &err), MM_OK);
	assert_true(c.converged);
	assert_stationary(x, y, n, p, 2, &o, &c, 1e-10);
	/* regularized fits carry no inference statistics */
	assert_true(isnan(c.std_err[1]) && isnan(c.p_value[0]));
	free_classifier(&c);

	/* and with balanced class weights on uneven classes */
	o.balanced = 1;
	n = 300;
	memset(&c, 0, sizeof(c));
	assert_int_equal(mm_logistic_fit(x, y, n, p, 2, &o, &c, &err), MM_OK);
	assert_stationary(x, y, n, p, 2, &o, &c, 1e-10);
	free_classifier(&c);
	free(x);
	free(y);
}

static void
test_multinomial(void **state)
{
	int			n = 600,
				p = 4,
				k = 3;
	double	   *x = malloc(sizeof(double) * n * p);
	int32_t    *y = malloc(sizeof(int32_t) * n);
	MmLogisticOptions o = options(1.0);
	MmClassifier c;
	MmModel		m;
	MmError		err;
	double		proba[3];
	int			i,
				correct = 0;

	make_blobs(x, y, n, p, k, 11);
	memset(&c, 0, sizeof(c));
	assert_int_equal(mm_logistic_fit(x, y, n, p, k, &o, &c, &err), MM_OK);
	assert_true(c.converged);
	assert_int_equal(c.n_rows, 3);
	assert_stationary(x, y, n, p, k, &o, &c, 1e-10);
	m = wrap(&c, p);
	for (i = 0; i < n; i++)
	{
		int			label = mm_model_class(&m, x + i * p);

		classifier_proba(&m, x + i * p, proba);
		assert_close(proba[0] + proba[1] + proba[2], 1.0, 1e-14);
		assert_true(proba[label] >= proba[0] && proba[label] >= proba[1] && proba[label] >= proba[2]);
		correct += label == y[i];
	}
	assert_true(correct > n / 2);
	free_classifier(&c);

	/*
	 * unregularized: the softmax is fitted up to a shift, still stationary;
	 * the statistics are those of each later row less the first, whose own
	 * stay undefined
	 */
	o = options(0.0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(mm_logistic_fit(x, y, n, p, k, &o, &c, &err), MM_OK);
	assert_stationary(x, y, n, p, k, &o, &c, 1e-8);
	for (i = 0; i <= p; i++)
	{
		assert_true(isnan(c.std_err[i]) && isnan(c.stat[i]) && isnan(c.p_value[i]));
		assert_true(c.std_err[(p + 1) + i] > 0.0 && c.std_err[2 * (p + 1) + i] > 0.0);
		assert_true(c.p_value[(p + 1) + i] >= 0.0 && c.p_value[(p + 1) + i] <= 1.0);
	}
	free_classifier(&c);
	free(x);
	free(y);
}

/*
 * A warm start: from the optimum of a neighbouring penalty the fit reaches
 * the same stationary point as from the classes' shares, in fewer steps;
 * from its own optimum, with no step at all.
 */
static void
test_warm_start(void **state)
{
	int			n = 600,
				p = 4,
				k = 3,
				r,
				j;
	double	   *x = malloc(sizeof(double) * n * p);
	int32_t    *y = malloc(sizeof(int32_t) * n);
	double	   *start = malloc(sizeof(double) * k * (p + 1));
	MmLogisticOptions o = options(1.0);
	MmClassifier near,
				cold,
				warm,
				again;
	MmError		err;

	make_blobs(x, y, n, p, k, 7);
	memset(&near, 0, sizeof(near));
	memset(&cold, 0, sizeof(cold));
	memset(&warm, 0, sizeof(warm));
	memset(&again, 0, sizeof(again));
	o = options(1.0);
	assert_int_equal(mm_logistic_fit(x, y, n, p, k, &o, &near, &err), MM_OK);
	for (r = 0; r < k; r++)
	{
		for (j = 0; j < p; j++)
			start[r * (p + 1) + j] = near.coef[r * p + j];
		start[r * (p + 1) + p] = near.intercept[r];
	}
	o = options(1.5);
	assert_int_equal(mm_logistic_fit(x, y, n, p, k, &o, &cold, &err), MM_OK);
	o.start = start;
	assert_int_equal(mm_logistic_fit(x, y, n, p, k, &o, &warm, &err), MM_OK);
	assert_true(warm.converged && cold.converged);
	assert_true(warm.n_iter <= cold.n_iter);
	assert_stationary(x, y, n, p, k, &o, &warm, 1e-10);
	for (j = 0; j < k * p; j++)
		assert_close(warm.coef[j], cold.coef[j], 1e-7);
	/* from its own optimum */
	for (r = 0; r < k; r++)
	{
		for (j = 0; j < p; j++)
			start[r * (p + 1) + j] = warm.coef[r * p + j];
		start[r * (p + 1) + p] = warm.intercept[r];
	}
	assert_int_equal(mm_logistic_fit(x, y, n, p, k, &o, &again, &err), MM_OK);
	assert_true(again.converged);
	assert_true(again.n_iter <= 1);
	free_classifier(&near);
	free_classifier(&cold);
	free_classifier(&warm);
	free_classifier(&again);
	free(start);
	free(x);
	free(y);
}

/*
 * Over rows in many of the memory source's chunks, every Newton step sums
 * the Hessian over every row: the fit reaches the optimum's rounding level,
 * not the tolerance alone.
 */
static void
test_many_chunks(void **state)
{
	int			n = 3 * MM_CHUNK_ROWS + 17,
				p = 3;
	double	   *x = malloc(sizeof(double) * n * p);
	int32_t    *y = malloc(sizeof(int32_t) * n);
	MmLogisticOptions o = options(1.0);
	MmClassifier c;
	MmError		err;

	make_blobs(x, y, n, p, 2, 3);
	memset(&c, 0, sizeof(c));
	o.tol = 1e-4;
	assert_int_equal(mm_logistic_fit(x, y, n, p, 2, &o, &c, &err), MM_OK);
	assert_true(c.converged);
	assert_stationary(x, y, n, p, 2, &o, &c, 1e-10);
	free_classifier(&c);
	free(x);
	free(y);
}

static void
test_refusals(void **state)
{
	double		x[4] = {1, 2, 3, 4};
	int32_t		one_class[4] = {0, 0, 0, 0};
	int32_t		missing_class[4] = {0, 0, 2, 2};
	MmLogisticOptions o = options(1.0);
	MmClassifier c;
	MmError		err;

	memset(&c, 0, sizeof(c));
	assert_int_equal(mm_logistic_fit(x, one_class, 4, 1, 1, &o, &c, &err), MM_ERR_CONSTANT_TARGET);
	assert_int_equal(mm_logistic_fit(x, missing_class, 4, 1, 3, &o, &c, &err), MM_ERR_INVALID_INPUT);
	assert_int_equal(err.item, 1);
}

/*
 * Separable data without a penalty has no optimum: the coefficients grow
 * until the gradient is below the tolerance, and the fit says so.
 */
static void
test_separable(void **state)
{
	double		x[6] = {1, 2, 3, 4, 5, 6};
	int32_t		y[6] = {0, 0, 0, 1, 1, 1};
	MmLogisticOptions o = options(0.0);
	MmClassifier c;
	MmError		err;

	o.max_iter = 30;
	memset(&c, 0, sizeof(c));
	assert_int_equal(mm_logistic_fit(x, y, 6, 1, 2, &o, &c, &err), MM_OK);
	assert_true(c.separated);
	assert_true(c.coef[0] > 5.0);
	free_classifier(&c);
}

/* Preprocessing applies impute, clip, then scaling; a missing value without imputation is refused. */
static void
test_transform(void **state)
{
	MmFeatureTransform t[2] = {
		{2.0, -INFINITY, INFINITY, 1.0, 4.0},
		{NAN, 0.0, 10.0, 5.0, 2.0}
	};
	MmModel		m;
	double		x[2],
				z[2];
	MmError		err;

	memset(&m, 0, sizeof(m));
	m.n_features = 2;
	m.n_design = 2;
	m.transform = t;
	x[0] = NAN;
	x[1] = 12.0;
	assert_int_equal(mm_model_transform(&m, x, z, &err), MM_OK);
	assert_close(z[0], 0.25, 0);
	assert_close(z[1], 2.5, 0);
	x[1] = NAN;
	assert_int_equal(mm_model_transform(&m, x, z, &err), MM_ERR_INVALID_INPUT);
	assert_int_equal(err.item, 1);
	t[0].scale = 1e-310;
	x[0] = 1e10;
	x[1] = 1.0;
	assert_int_equal(mm_model_transform(&m, x, z, &err), MM_ERR_INVALID_INPUT);
	assert_int_equal(err.item, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patients_textbook),
		cmocka_unit_test(test_penalized_binary),
		cmocka_unit_test(test_multinomial),
		cmocka_unit_test(test_warm_start),
		cmocka_unit_test(test_many_chunks),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_separable),
		cmocka_unit_test(test_transform),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
