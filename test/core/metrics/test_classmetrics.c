/*
 * test_classmetrics.c: classification metrics (classmetrics.h) counted by
 * hand: per-class and averaged scores, the confusion matrix, log loss and
 * the area under the ROC curve with ties; a row's log-loss term from its
 * probability or from the probability's log.
 */
#include "testutil.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "classmetrics.h"

static void
test_metrics(void **state)
{
	/* three classes; truth and predictions counted by hand */
	int32_t		y[8] = {0, 0, 0, 1, 1, 2, 2, 2};
	int32_t		pred[8] = {0, 1, 0, 1, 2, 2, 2, 0};
	MmClassMetrics m;
	MmError		err;
	double		prec0 = 2.0 / 3,
				rec0 = 2.0 / 3,
				prec1 = 1.0 / 2,
				rec1 = 1.0 / 2,
				prec2 = 2.0 / 3,
				rec2 = 2.0 / 3;
	double		f0 = 2 * prec0 * rec0 / (prec0 + rec0),
				f1 = 2 * prec1 * rec1 / (prec1 + rec1),
				f2 = 2 * prec2 * rec2 / (prec2 + rec2);

	assert_int_equal(mm_class_metrics(y, pred, NULL, NULL, 8, 3, &m, &err), MM_OK);
	assert_close(m.accuracy, 5.0 / 8, 1e-15);
	assert_close(m.precision, (prec0 + prec1 + prec2) / 3, 1e-15);
	assert_close(m.recall, (rec0 + rec1 + rec2) / 3, 1e-15);
	assert_close(m.f1, (f0 + f1 + f2) / 3, 1e-15);
	assert_close(m.f1_weighted, (3 * f0 + 2 * f1 + 3 * f2) / 8, 1e-15);
	assert_close(m.recall_weighted, m.accuracy, 1e-15);
	assert_true(isnan(m.log_loss) && isnan(m.roc_auc));
	assert_int_equal(m.confusion[0 * 3 + 0], 2);
	assert_int_equal(m.confusion[0 * 3 + 1], 1);
	assert_int_equal(m.confusion[2 * 3 + 0], 1);
	assert_int_equal(m.confusion[1 * 3 + 2], 1);
	mm_free(m.confusion);

	/* a class never predicted and never true does not enter the averages */
	assert_int_equal(mm_class_metrics(y, pred, NULL, NULL, 8, 4, &m, &err), MM_OK);
	assert_close(m.f1, (f0 + f1 + f2) / 3, 1e-15);
	mm_free(m.confusion);
}

static void
test_binary_metrics(void **state)
{
	int32_t		y[6] = {0, 0, 1, 1, 0, 1};
	int32_t		pred[6] = {0, 1, 1, 1, 0, 0};
	double		proba[12] = {0.9, 0.1, 0.4, 0.6, 0.3, 0.7, 0.3, 0.7, 1.0, 0.0, 0.6, 0.4};
	double		score[6];
	MmClassMetrics m;
	MmError		err;
	int			i;
	double		ll = 0.0;

	for (i = 0; i < 6; i++)
		score[i] = proba[2 * i + 1];
	assert_int_equal(mm_class_metrics(y, pred, proba, score, 6, 2, &m, &err), MM_OK);
	/*
	 * positives score 0.7, 0.7, 0.4; negatives 0.1, 0.6, 0.0: of the nine
	 * pairs the positives win 3 + 3 + 2 = 8 (0.4 loses to 0.6 only)
	 */
	assert_close(m.roc_auc, 8.0 / 9, 1e-15);
	ll = -(log(0.9) + log(0.4) + log(0.7) + log(0.7) + log(1.0 - 2.220446049250313e-16) + log(0.4)) / 6;
	assert_close(m.log_loss, ll, 1e-14);
	mm_free(m.confusion);
}

static void
test_auc_ties(void **state)
{
	int32_t		pos[4] = {1, 0, 1, 0};
	double		score[4] = {0.5, 0.5, 0.5, 0.5};
	int32_t		pos2[5] = {0, 1, 0, 1, 1};
	double		score2[5] = {0.2, 0.2, 0.1, 0.9, 0.3};

	assert_close(mm_roc_auc(pos, score, 4), 0.5, 1e-15);
	/* positives 0.2, 0.9, 0.3 against negatives 0.2, 0.1: 1.5 + 2 + 2 of 6 */
	assert_close(mm_roc_auc(pos2, score2, 5), 5.5 / 6, 1e-15);
	assert_true(isnan(mm_roc_auc(pos, score, 0)));
}

/* The AUC against a count over every (positive, negative) pair, on random scores with ties and both zeros. */
static void
test_auc_pairs(void **state)
{
	uint64_t	s = 99;
	int			trial;

	for (trial = 0; trial < 200; trial++)
	{
		int			n = 1 + (int) (test_uniform(&s) * 300);
		double	   *score = malloc(sizeof(double) * n);
		int32_t    *pos = malloc(sizeof(int32_t) * n);
		double		wins = 0.0,
					npos = 0.0,
					nneg = 0.0,
					want;
		int			i,
					j;

		for (i = 0; i < n; i++)
		{
			double		u = test_uniform(&s);

			score[i] = u < 0.2 ? floor(u * 20) : u < 0.3 ? -0.0 : (test_uniform(&s) - 0.5) * (u < 0.6 ? 1e-300 : 1e300);
			pos[i] = test_uniform(&s) < 0.5;
			npos += pos[i];
		}
		nneg = n - npos;
		for (i = 0; i < n; i++)
			for (j = 0; j < n; j++)
				if (pos[i] && !pos[j])
					wins += score[i] > score[j] ? 1.0 : score[i] == score[j] ? 0.5 : 0.0;
		want = npos > 0 && nneg > 0 ? wins / (npos * nneg) : NAN;
		if (isnan(want))
			assert_true(isnan(mm_roc_auc(pos, score, n)));
		else
			assert_close(mm_roc_auc(pos, score, n), want, 1e-12);
		free(score);
		free(pos);
	}
}

/* The metrics from a confusion matrix are the bits of the metrics from the rows. */
static void
test_from_counts(void **state)
{
	uint64_t	s = 7;
	int			trial;

	for (trial = 0; trial < 50; trial++)
	{
		int			k = 2 + (int) (test_uniform(&s) * 5),
					n = (int) (test_uniform(&s) * 400),
					i;
		int32_t    *y = malloc(sizeof(int32_t) * (n + 1)),
				   *pred = malloc(sizeof(int32_t) * (n + 1));
		MmClassMetrics want,
					got;
		MmError		err;

		for (i = 0; i < n; i++)
		{
			y[i] = (int32_t) (test_uniform(&s) * k);
			pred[i] = test_uniform(&s) < 0.6 ? y[i] : (int32_t) (test_uniform(&s) * k);
		}
		assert_int_equal(mm_class_metrics(y, pred, NULL, NULL, n, k, &want, &err), MM_OK);
		assert_int_equal(mm_class_metrics_from_counts(want.confusion, k, NAN, NAN, &got, &err), MM_OK);
		assert_memory_equal(&got.rows, &want.rows, sizeof(double) * 9);
		assert_memory_equal(got.confusion, want.confusion, sizeof(int64_t) * k * k);
		mm_free(want.confusion);
		mm_free(got.confusion);
		free(y);
		free(pred);
	}
}

/*
 * The binned AUC against the exact one: within the bound it measures, on
 * scores spread, clustered in few bins, and tied; exact when no bin holds
 * both classes.
 */
static void
test_auc_binned(void **state)
{
	uint64_t	s = 11;
	int			trial;

	for (trial = 0; trial < 60; trial++)
	{
		int			n = 2 + (int) (test_uniform(&s) * 3000),
					bins = trial % 3 == 0 ? 8 : MM_ROC_BINS,
					i;
		double	   *score = malloc(sizeof(double) * n);
		uint32_t   *pos = calloc(bins, sizeof(uint32_t)),
				   *neg = calloc(bins, sizeof(uint32_t));
		int32_t    *positive = malloc(sizeof(int32_t) * n);
		double		exact,
					binned,
					bound;

		for (i = 0; i < n; i++)
		{
			double		u = test_uniform(&s);

			positive[i] = test_uniform(&s) < 0.4;
			/* positives score higher on the whole; some scores tie */
			score[i] = trial % 5 == 0 ? floor(u * 4) / 4 : fmin(1.0, u * (positive[i] ? 1.3 : 1.0));
			(positive[i] ? pos : neg)[mm_roc_bin(score[i], bins)]++;
		}
		exact = mm_roc_auc(positive, score, n);
		binned = mm_roc_auc_binned(pos, neg, bins, &bound);
		if (isnan(exact))
			assert_true(isnan(binned));
		else
		{
			assert_true(fabs(binned - exact) <= bound + 1e-12);
			if (bins == MM_ROC_BINS && trial % 5 != 0)
				assert_true(bound < 1e-3);
		}
		free(score);
		free(pos);
		free(neg);
		free(positive);
	}
	/* classes in separate bins: exact, with a bound of zero */
	{
		uint32_t	pos[4] = {0, 0, 2, 1},
					neg[4] = {3, 1, 0, 0};
		double		bound;

		assert_close(mm_roc_auc_binned(pos, neg, 4, &bound), 1.0, 0);
		assert_close(bound, 0.0, 0);
		assert_int_equal(mm_roc_bin(-0.5, 4), 0);
		assert_int_equal(mm_roc_bin(1.0, 4), 3);
		assert_int_equal(mm_roc_bin(NAN, 4), 0);
	}
}

/*
 * A log-loss term from the log of the probability is scikit-learn's term,
 * -log of the probability clipped to [eps, 1 - eps] (eps the double's
 * machine epsilon), to rounding; and the term from the probability.
 */
static void
test_log_loss_of_log(void **state)
{
	double		q[] = {1e-300, 1e-17, DBL_EPSILON / 2, DBL_EPSILON, 1e-9, 0.3, 0.5, 0.999,
	1.0 - DBL_EPSILON, 1.0 - DBL_EPSILON / 2, 1.0};
	size_t		i;

	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++)
	{
		double		want = -log(fmin(fmax(q[i], DBL_EPSILON), 1.0 - DBL_EPSILON)),
					got = mm_log_loss_term_of_log(-log(q[i]));

		assert_true(fabs(got - want) <= 4 * DBL_EPSILON * want);
		assert_true(fabs(mm_log_loss_term(q[i]) - want) <= 4 * DBL_EPSILON * want);
	}
	/* a certain mistake and a certain success, as -log q gives them without rounding to q */
	assert_true(mm_log_loss_term_of_log(INFINITY) == -log(DBL_EPSILON));
	assert_true(mm_log_loss_term_of_log(1e-30) == -log(1.0 - DBL_EPSILON));
	assert_true(mm_log_loss_term_of_log(800.0) == -log(DBL_EPSILON));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_binary_metrics),
		cmocka_unit_test(test_auc_ties),
		cmocka_unit_test(test_auc_pairs),
		cmocka_unit_test(test_from_counts),
		cmocka_unit_test(test_auc_binned),
		cmocka_unit_test(test_log_loss_of_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
