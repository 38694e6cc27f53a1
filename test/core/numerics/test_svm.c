/*
 * test_svm.c: the linear SVM (svm.h) against closed forms and the primal
 * objective.
 */
#include "testutil.h"

#include <string.h>

#include "model.h"
#include "svm.h"

static MmSvmOptions
svm_options(double C)
{
	MmSvmOptions o;

	memset(&o, 0, sizeof(o));
	o.C = C;
	o.fit_intercept = 1;
	o.max_iter = 1000;
	o.tol = 1e-6;
	o.seed = 1;
	return o;
}

static void
free_classifier(MmClassifier *c)
{
	mm_free(c->intercept);
	mm_free(c->coef);
	mm_free(c->std_err);
	mm_free(c->stat);
	mm_free(c->p_value);
	memset(c, 0, sizeof(*c));
}

static MmModel
classifier_shell(const MmClassifier *c, int p, const MmAlgorithm *algorithm)
{
	MmModel		m;

	memset(&m, 0, sizeof(m));
	m.algorithm = algorithm;
	m.task = MM_TASK_CLASSIFICATION;
	m.n_features = p;
	m.n_design = p;
	m.fit = (void *) c;
	m.labels.n_classes = c->n_rows == 1 ? 2 : c->n_rows;
	return m;
}

/*
 * Two points, x = -1 of the negative class and x = 1 of the positive: with
 * the intercept a penalized constant feature the hard margin solution is
 * w = 1, b = 0 (|w|^2 + b^2 smallest with y (w x + b) >= 1).
 */
static void
test_svm_margin(void **state)
{
	double		x[2] = {-1.0, 1.0};
	int32_t		y[2] = {0, 1};
	MmSvmOptions o = svm_options(100.0);
	MmClassifier c;
	MmError		err;

	memset(&c, 0, sizeof(c));
	assert_int_equal(mm_svm_fit(x, y, 2, 1, 2, &o, &c, &err), MM_OK);
	assert_true(c.converged);
	assert_close(c.coef[0], 1.0, 1e-9);
	assert_close(c.intercept[0], 0.0, 1e-9);
	free_classifier(&c);
	/* and with the squared hinge the same points give the same margin */
	o.squared_hinge = 1;
	o.C = 1e6;
	assert_int_equal(mm_svm_fit(x, y, 2, 1, 2, &o, &c, &err), MM_OK);
	assert_close(c.coef[0], 1.0, 1e-5);
	assert_int_equal(c.variant, 1);
	free_classifier(&c);
}

/*
 * On overlapping data the hinge-loss solution satisfies the primal
 * optimality condition: w = C sum over margin violators and support rows of
 * alpha y x, which shows as a subgradient of the primal containing zero.
 * Checked here through the primal objective: no small move of w lowers it.
 */
static double
primal(const double *x, const int32_t *y, int n, int p, const double *w, double b, double C)
{
	double		obj = 0.0;
	int			i,
				j;

	for (j = 0; j < p; j++)
		obj += 0.5 * w[j] * w[j];
	obj += 0.5 * b * b;
	for (i = 0; i < n; i++)
	{
		double		s = b;

		for (j = 0; j < p; j++)
			s += w[j] * x[i * p + j];
		s = 1.0 - (y[i] == 1 ? 1.0 : -1.0) * s;
		if (s > 0.0)
			obj += C * s;
	}
	return obj;
}

static void
test_svm_optimal(void **state)
{
	int			n = 300,
				p = 2,
				i,
				j,
				dir;
	double	   *x = malloc(sizeof(double) * n * p);
	int32_t    *y = malloc(sizeof(int32_t) * n);
	uint64_t	s = 5;
	MmSvmOptions o = svm_options(0.5);
	MmClassifier c;
	MmError		err;
	double		w[2],
				best;

	for (i = 0; i < n; i++)
	{
		y[i] = i % 2;
		x[i * p] = test_uniform(&s) * 2 + (y[i] ? 0.8 : 0.0);
		x[i * p + 1] = test_uniform(&s) * 2 - (y[i] ? 0.5 : 0.0);
	}
	memset(&c, 0, sizeof(c));
	assert_int_equal(mm_svm_fit(x, y, n, p, 2, &o, &c, &err), MM_OK);
	assert_true(c.converged);
	w[0] = c.coef[0];
	w[1] = c.coef[1];
	best = primal(x, y, n, p, w, c.intercept[0], o.C);
	for (dir = 0; dir < 6; dir++)
	{
		double		step = 1e-4;
		double		w2[2] = {w[0], w[1]},
					b2 = c.intercept[0];

		if (dir < 4)
			w2[dir / 2] += dir % 2 ? step : -step;
		else
			b2 += dir % 2 ? step : -step;
		assert_true(primal(x, y, n, p, w2, b2, o.C) >= best - 1e-7 * best);
	}
	(void) j;
	free_classifier(&c);
	free(x);
	free(y);
}

/* Three classes one against the rest: a row of coefficients each, and the blobs told apart. */
static void
test_svm_multiclass(void **state)
{
	int			n = 600,
				p = 2,
				i,
				correct = 0;
	double	   *x = malloc(sizeof(double) * n * p);
	int32_t    *y = malloc(sizeof(int32_t) * n);
	uint64_t	s = 9;
	MmSvmOptions o = svm_options(1.0);
	MmClassifier c;
	MmError		err;
	MmModel		m;

	for (i = 0; i < n; i++)
	{
		y[i] = i % 3;
		x[i * p] = test_uniform(&s) + (y[i] == 1 ? 3.0 : 0.0);
		x[i * p + 1] = test_uniform(&s) + (y[i] == 2 ? 3.0 : 0.0);
	}
	memset(&c, 0, sizeof(c));
	assert_int_equal(mm_svm_fit(x, y, n, p, 3, &o, &c, &err), MM_OK);
	assert_int_equal(c.n_rows, 3);
	m = classifier_shell(&c, p, ALGO("linear_svm"));
	for (i = 0; i < n; i++)
		correct += mm_model_class(&m, x + i * p) == y[i];
	assert_int_equal(correct, n);
	assert_false(mm_model_has_proba(&m));
	free_classifier(&c);
	free(x);
	free(y);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_svm_margin),
		cmocka_unit_test(test_svm_optimal),
		cmocka_unit_test(test_svm_multiclass),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
