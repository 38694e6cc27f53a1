/*
 * test_linear_classifier.c: the payload logistic regression and the linear
 * SVM share (linear_classifier.c), on classifiers written out by hand: the
 * scores, the class they decide, logistic regression's probabilities, the
 * coefficients in the units of the raw inputs, and the warm start a later
 * fit reads.  The codecs are test_artifact.c's and test_document.c's.
 */
#include "testutil.h"

#include <string.h>

#include "linear_classifier.h"

#define P 2

/* The labels' values, which a prediction returns for the class it decides. */
static double class_values[3] = {10, 20, 30};

/*
 * A classifier over P inputs for n_classes classes (one coefficient row
 * when binary), its statistics numbered so that each lands where it is read
 * from.  The labels are this file's; mm_lc_free releases the payload.
 */
static MmModel
classifier(const char *algorithm, int n_classes, const double *intercept, const double *coef)
{
	MmModel		m;
	MmClassifier *c;
	int			rows = n_classes == 2 ? 1 : n_classes,
				i;

	memset(&m, 0, sizeof(m));
	m.algorithm = ALGO(algorithm);
	m.task = MM_TASK_CLASSIFICATION;
	m.n_features = P;
	m.n_design = P;
	m.labels.n_classes = n_classes;
	m.labels.class_values = class_values;
	m.labels.label_kind = MM_LABEL_NUMBER;
	c = mm_alloc0(sizeof(MmClassifier));
	c->n_rows = rows;
	c->fit_intercept = 1;
	c->intercept = mm_alloc(sizeof(double) * rows);
	c->coef = mm_alloc(sizeof(double) * rows * P);
	c->std_err = mm_alloc(sizeof(double) * rows * (P + 1));
	c->stat = mm_alloc(sizeof(double) * rows * (P + 1));
	c->p_value = mm_alloc(sizeof(double) * rows * (P + 1));
	memcpy(c->intercept, intercept, sizeof(double) * rows);
	memcpy(c->coef, coef, sizeof(double) * rows * P);
	for (i = 0; i < rows * (P + 1); i++)
	{
		c->std_err[i] = 100 + i;
		c->stat[i] = 200 + i;
		c->p_value[i] = (i + 1) / 100.0;
	}
	m.fit = c;
	return m;
}

static const double bin_intercept[1] = {0.5};
static const double bin_coef[P] = {2, -1};

static const double multi_intercept[3] = {0, 1, -1};
static const double multi_coef[3 * P] = {
	1, 0,
	0, 1,
	-1, 2,
};

/* One coefficient row: the last class when its score is above 0, the logistic function. */
static void
test_binary(void **state)
{
	MmModel		m = classifier("logistic_regression", 2, bin_intercept, bin_coef);
	double		s,
				proba[2];
	static const double z_neg[P] = {1, 3},
				z_pos[P] = {1, 1},
				z_zero[P] = {0, 0.5};

	assert_int_equal(mm_model_n_scores(&m), 1);
	mm_model_scores(&m, z_neg, &s);
	assert_true(s == -0.5);
	assert_true(mm_model_decide(&m, &s) == 0);
	assert_true(mm_model_prediction(&m, &s) == 10);
	/* the probability of the last class: the logistic function of the score */
	assert_int_equal(mm_model_proba(&m, &s, proba), 2);
	assert_close(proba[1], 1.0 / (1.0 + exp(0.5)), 1e-15);
	assert_close(proba[0] + proba[1], 1.0, 1e-15);

	mm_model_scores(&m, z_pos, &s);
	assert_true(s == 1.5);
	assert_true(mm_model_decide(&m, &s) == 1);
	assert_true(mm_model_predict(&m, z_pos) == 20);
	mm_model_proba(&m, &s, proba);
	assert_close(proba[1], 1.0 / (1.0 + exp(-1.5)), 1e-15);
	assert_true(proba[1] > 0.5);

	/* a score of exactly 0 is not for the last class */
	mm_model_scores(&m, z_zero, &s);
	assert_true(s == 0.0);
	assert_int_equal(mm_model_class(&m, z_zero), 0);
	mm_model_proba(&m, &s, proba);
	assert_true(proba[0] == 0.5 && proba[1] == 0.5);

	/* far scores saturate instead of overflowing */
	s = -1000;
	mm_model_proba(&m, &s, proba);
	assert_true(proba[1] == 0.0 && proba[0] == 1.0);
	s = 1000;
	mm_model_proba(&m, &s, proba);
	assert_true(proba[1] == 1.0 && proba[0] == 0.0);
	mm_lc_free(m.fit);
}

/* A row per class: the first largest score, the softmax. */
static void
test_multiclass(void **state)
{
	MmModel		m = classifier("logistic_regression", 3, multi_intercept, multi_coef);
	double		scores[3],
				proba[3],
				sum = 0.0;
	static const double z[P] = {2, 0.5};
	static const double tie[3] = {1, 3, 3},
				flat[3] = {2, 2, 2},
				last[3] = {-1, -2, -0.5},
				far[3] = {1000, 1001, 999};
	int			r;

	assert_int_equal(mm_model_n_scores(&m), 3);
	mm_model_scores(&m, z, scores);
	assert_true(scores[0] == 2);
	assert_true(scores[1] == 1.5);
	assert_true(scores[2] == -2);
	assert_true(mm_model_decide(&m, scores) == 0);
	assert_true(mm_model_predict(&m, z) == 10);

	/* the softmax of the scores */
	assert_int_equal(mm_model_proba(&m, scores, proba), 3);
	for (r = 0; r < 3; r++)
	{
		assert_close(proba[r], exp(scores[r]) / (exp(2) + exp(1.5) + exp(-2)), 1e-15);
		sum += proba[r];
	}
	assert_close(sum, 1.0, 1e-15);
	/* proba may be the scores themselves */
	classifier_proba(&m, z, scores);
	assert_memory_equal(scores, proba, sizeof(proba));

	/* ties go to the first class */
	assert_true(mm_lc_decide(&m, tie) == 1);
	assert_true(mm_lc_decide(&m, flat) == 0);
	assert_true(mm_lc_decide(&m, last) == 2);

	/* large scores stay finite: the softmax is taken relative to the largest */
	mm_model_proba(&m, far, proba);
	assert_close(proba[0], exp(-1) / (exp(-1) + 1 + exp(-2)), 1e-15);
	assert_close(proba[1], 1 / (exp(-1) + 1 + exp(-2)), 1e-15);
	mm_lc_free(m.fit);
}

/* The linear SVM decides with the very functions, and gives no probabilities. */
static void
test_svm_shares(void **state)
{
	const MmAlgorithm *svm = ALGO("linear_svm"),
			   *logistic = ALGO("logistic_regression");
	MmModel		m = classifier("linear_svm", 3, multi_intercept, multi_coef);
	double		scores[3];
	static const double z[P] = {-1, 3};

	assert_ptr_equal(svm->score, mm_lc_score);
	assert_ptr_equal(svm->decide, mm_lc_decide);
	assert_ptr_equal(svm->coefficients, mm_lc_coefficients);
	assert_ptr_equal(logistic->score, mm_lc_score);
	assert_ptr_equal(logistic->decide, mm_lc_decide);
	assert_ptr_equal(logistic->warm_start, mm_lc_warm_start);
	mm_model_scores(&m, z, scores);
	assert_true(scores[0] == -1 && scores[1] == 4 && scores[2] == 6);
	assert_int_equal(mm_model_class(&m, z), 2);
	assert_int_equal(mm_model_proba(&m, scores, scores), 0);
	mm_lc_free(m.fit);
}

/* Coefficients in raw units: each slope over its scale, the intercept less slope times center. */
static void
test_coefficients(void **state)
{
	MmModel		m = classifier("logistic_regression", 3, multi_intercept, multi_coef);
	MmFeatureTransform transform[P] = {
		{NAN, -INFINITY, INFINITY, 1.0, 2.0},
		{NAN, -INFINITY, INFINITY, -2.0, 0.5},
	};
	MmCoefficient *co;
	int			n,
				r,
				j;

	m.transform = transform;
	n = mm_lc_coefficients(&m, &co);
	assert_int_equal(n, 3 * (P + 1));
	for (r = 0; r < 3; r++)
	{
		const MmCoefficient *row = co + r * (P + 1);
		double		intercept = multi_intercept[r];

		for (j = 0; j < P; j++)
		{
			double		w = multi_coef[r * P + j] / transform[j].scale;

			assert_int_equal(row[1 + j].row, r);
			assert_int_equal(row[1 + j].column, j);
			assert_true(row[1 + j].value == w);
			assert_true(row[1 + j].std_err == 100 + r * (P + 1) + 1 + j);
			/* z statistics: the intervals take the normal quantile */
			assert_true(isinf(row[1 + j].df) && row[1 + j].df > 0);
			assert_true(row[1 + j].stat == 200 + r * (P + 1) + 1 + j);
			intercept -= w * transform[j].center;
		}
		assert_int_equal(row[0].row, r);
		assert_int_equal(row[0].column, -1);
		assert_true(row[0].value == intercept);
		assert_true(row[0].std_err == 100 + r * (P + 1));
		assert_true(row[0].p_value == (r * (P + 1) + 1) / 100.0);
	}
	/* row 0 by hand: slopes 1/2 and 0, intercept 0 - 0.5 * 1 */
	assert_true(co[1].value == 0.5 && co[2].value == 0.0 && co[0].value == -0.5);

	/* the raw coefficients score a raw row as the model scores it transformed */
	{
		static const double x[P] = {3, -1};
		double		z[P],
					scores[3];
		MmError		err;

		assert_int_equal(mm_model_transform(&m, x, z, &err), MM_OK);
		mm_model_scores(&m, z, scores);
		for (r = 0; r < 3; r++)
		{
			const MmCoefficient *row = co + r * (P + 1);

			assert_close(row[0].value + row[1].value * x[0] + row[2].value * x[1], scores[r], 1e-14);
		}
	}
	mm_free(co);

	/* without an intercept, only the slopes */
	((MmClassifier *) m.fit)->fit_intercept = 0;
	n = mm_lc_coefficients(&m, &co);
	assert_int_equal(n, 3 * P);
	assert_int_equal(co[0].column, 0);
	assert_int_equal(co[P].row, 1);
	assert_int_equal(co[P].column, 0);
	mm_free(co);
	mm_lc_free(m.fit);
}

/* Per coefficient row, the slopes and then the intercept. */
static void
test_warm_start(void **state)
{
	MmModel		m = classifier("logistic_regression", 3, multi_intercept, multi_coef);
	MmModel		b = classifier("logistic_regression", 2, bin_intercept, bin_coef);
	static const double want[3 * (P + 1)] = {
		1, 0, 0,
		0, 1, 1,
		-1, 2, -1,
	};
	int			rows = 0,
				width = 0;
	double	   *w = mm_lc_warm_start(&m, &rows, &width);

	assert_int_equal(rows, 3);
	assert_int_equal(width, P);
	assert_memory_equal(w, want, sizeof(want));
	mm_free(w);

	w = mm_lc_warm_start(&b, &rows, &width);
	assert_int_equal(rows, 1);
	assert_int_equal(width, P);
	assert_true(w[0] == 2 && w[1] == -1 && w[2] == 0.5);
	mm_free(w);
	mm_lc_free(m.fit);
	mm_lc_free(b.fit);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_multiclass),
		cmocka_unit_test(test_svm_shares),
		cmocka_unit_test(test_coefficients),
		cmocka_unit_test(test_warm_start),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
