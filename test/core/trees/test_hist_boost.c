/*
 * test_hist_boost.c: boosting on histograms in passes (hist_trees.h): each
 * round fits what the rounds before it left, the trees of the classes
 * interleave, the same trees from the rows in another order or spread over
 * more passes, early stopping's score is the kept trees' on the held-out
 * rows, and the penalties and the positive class's weight act as XGBoost's.
 */
#include "testutil.h"

#include <math.h>
#include <string.h>

#include "hist_arg.h"
#include "hist_trees.h"
#include "histdata.h"
#include "xgb_train.h"

static MmHistTreeOptions
options(MmTreeObjective objective, int groups, int rounds, int depth)
{
	MmHistTreeOptions o;

	memset(&o, 0, sizeof(o));
	o.objective = objective;
	o.boosted = 1;
	o.n_groups = groups;
	o.n_trees = rounds;
	o.max_depth = depth;
	o.max_bins = 256;
	o.learning_rate = 1.0;
	o.min_child_weight = 1.0;
	o.reg_lambda = 0.0;
	o.row_share = 1.0;
	o.seed = 7;
	o.base_score = 0.5f;
	return o;
}

static MmErrorCode
boost(Data *d, const MmHistTreeOptions *o, MmTreeEnsemble **e, MmHistTreeRounds *rounds)
{
	MmError		err;
	MmErrorCode rc;

	data_source(d);
	memset(&err, 0, sizeof(err));
	*e = NULL;
	rc = mm_hist_trees_grow(&d->source, o, e, rounds, &err);
	if (rc == MM_OK)
		assert_non_null(*e);
	else
		assert_null(*e);
	return rc;
}

static MmTreeEnsemble *
boosted(Data *d, const MmHistTreeOptions *o, MmHistTreeRounds *rounds)
{
	MmTreeEnsemble *e;

	assert_int_equal(boost(d, o, &e, rounds), MM_OK);
	return e;
}

/*
 * Two steps, a large one in x0 and a small one in x1: stumps with learning
 * rate 1 fit the first in round 1 and what it leaves, the second, in round
 * 2, so every row's prediction is its target; round 3 finds nothing left
 * and is a leaf of weight 0.  A forest's trees, each from the base margin,
 * would both split on x0.
 */
static void
test_residuals(void **state)
{
	Data	   *d = data_new(2000, 2, 0);
	MmHistTreeOptions o = options(MM_OBJ_SQUARED_ERROR, 1, 3, 1);
	MmHistTreeRounds rounds;
	MmTreeEnsemble *e;
	int			i;

	for (i = 0; i < d->n; i++)
	{
		d->x[2 * i] = (double) (i % 100) / 100.0;
		d->x[2 * i + 1] = (double) (i / 20) / 100.0;
		d->t[i] = (d->x[2 * i] < 0.3 ? 1.0 : 5.0) + (d->x[2 * i + 1] < 0.6 ? 0.0 : 2.0);
	}
	e = boosted(d, &o, &rounds);
	assert_int_equal(rounds.rounds, 3);
	assert_int_equal(rounds.best_iteration, -1);
	assert_int_equal(e->n_trees, 3);
	assert_int_equal(e->feature[e->first[0]], 0);
	assert_int_equal(e->feature[e->first[1]], 1);
	assert_int_equal(e->first[3] - e->first[2], 1);
	assert_true(fabsf(e->value[e->first[2]]) < 1e-5f);
	for (i = 0; i < d->n; i++)
	{
		float		m;

		mm_trees_margins(e, d->x + 2 * i, &m);
		assert_true(fabs(m - d->t[i]) < 1e-5);
	}
	mm_trees_free(e);
	data_free(d);
}

/* Three classes by thirds of x0: the rounds' trees one per class in turn, and the classes learnt. */
static void
test_classes(void **state)
{
	Data	   *d = data_new(3000, 2, 1);
	MmRandom	r = mm_random(5);
	MmHistTreeOptions o = options(MM_OBJ_MULTI_SOFTPROB, 3, 4, 3);
	MmTreeEnsemble *e;
	int			i;

	for (i = 0; i < d->n; i++)
	{
		d->x[2 * i] = mm_random_uniform(&r);
		d->x[2 * i + 1] = mm_random_uniform(&r);
		d->y[i] = (int32_t) (d->x[2 * i] * 3.0);
	}
	o.learning_rate = 0.3;
	o.reg_lambda = 1.0;
	e = boosted(d, &o, NULL);
	assert_int_equal(e->n_trees, 12);
	for (i = 0; i < 12; i++)
		assert_int_equal(e->group[i], i % 3);
	assert_true(accuracy(e, d) > 0.99);
	mm_trees_free(e);
	data_free(d);
}

/*
 * Noisy classes with every option that draws or penalizes: the rows
 * backwards, and the levels spread over a pass per node, give the same
 * trees to the bit.
 */
static void
test_same_trees(void **state)
{
	Data	   *d = data_new(20000, 4, 1),
			   *b;
	MmRandom	r = mm_random(9);
	MmHistTreeOptions o = options(MM_OBJ_BINARY_LOGISTIC, 1, 6, 4);
	MmTreeEnsemble *e1,
			   *e2,
			   *e3;
	int			i,
				k;

	for (i = 0; i < d->n; i++)
	{
		for (k = 0; k < 4; k++)
			d->x[4 * i + k] = i % 37 == 0 && k == 1 ? NAN : mm_random_uniform(&r);
		d->y[i] = sin(6.0 * d->x[4 * i]) + d->x[4 * i + 2] + 0.5 * mm_random_uniform(&r) > 0.9;
	}
	b = backwards(d);
	o.learning_rate = 0.3;
	o.reg_lambda = 1.0;
	o.reg_alpha = 0.5;
	o.row_share = 0.8;
	o.features_per_tree = 3;
	o.pos_weight = 1.5;
	o.early_stopping_rounds = 2;
	e1 = boosted(d, &o, NULL);
	e2 = boosted(b, &o, NULL);
	assert_true(same_trees(e1, e2));
	o.memory_limit = hist_slot_bytes(4, 256, HIST_CELLS_GRADIENT);
	o.progress = count_pass;
	passes_run = 0;
	e3 = boosted(d, &o, NULL);
	assert_true(same_trees(e1, e3));
	/* a node a pass: past one per level */
	assert_true(passes_run > e3->n_trees * 4);
	mm_trees_free(e1);
	mm_trees_free(e2);
	mm_trees_free(e3);
	data_free(d);
	data_free(b);
}

/* Whether row i of d is one early stopping holds out, as xgb_train.h draws them. */
static int
held_out(const Data *d, int i, uint64_t seed)
{
	return mm_draw_is_test(mm_row_draw(mm_row_hash_rounded(d->x + (size_t) i * d->p, d->p),
									   mm_xgb_validation_salt(seed)), MM_XGB_VALIDATION_FRACTION);
}

/*
 * Noise past a simple signal: early stopping ends well before the rounds
 * run out, early_stopping_rounds after the best, keeps the rounds up to the
 * best, and its score is the rmse of the kept trees on the held-out rows.
 */
static void
test_early_stopping(void **state)
{
	Data	   *d = data_new(3000, 3, 0);
	MmRandom	r = mm_random(21);
	MmHistTreeOptions o = options(MM_OBJ_SQUARED_ERROR, 1, 300, 6);
	MmHistTreeRounds rounds;
	MmTreeEnsemble *e;
	double		sum = 0.0;
	int			i,
				held = 0;

	for (i = 0; i < d->n; i++)
	{
		int			k;

		for (k = 0; k < 3; k++)
			d->x[3 * i + k] = mm_random_uniform(&r);
		d->t[i] = 2.0 * d->x[3 * i] + 3.0 * (mm_random_uniform(&r) - 0.5);
	}
	o.learning_rate = 0.5;
	o.reg_lambda = 1.0;
	o.early_stopping_rounds = 4;
	e = boosted(d, &o, &rounds);
	assert_true(rounds.rounds < 60);
	assert_int_equal(rounds.rounds - 1 - rounds.best_iteration, 4);
	assert_int_equal(e->n_trees, rounds.best_iteration + 1);
	for (i = 0; i < d->n; i++)
		if (held_out(d, i, o.seed))
		{
			float		m;

			mm_trees_margins(e, d->x + 3 * i, &m);
			sum += ((double) m - d->t[i]) * ((double) m - d->t[i]);
			held++;
		}
	assert_true(held > 200 && held < 400);
	assert_true(fabs(sqrt(sum / held) - rounds.best_score) < 1e-9);
	mm_trees_free(e);
	data_free(d);
}

/*
 * The positive class's weight raises its probabilities; a large L1 penalty
 * leaves no split and every leaf 0; early stopping over rows that hold none
 * out is refused.
 */
static void
test_penalties(void **state)
{
	Data	   *d = data_new(2000, 2, 1),
			   *one;
	MmRandom	r = mm_random(17);
	MmHistTreeOptions o = options(MM_OBJ_BINARY_LOGISTIC, 1, 5, 3);
	MmTreeEnsemble *plain,
			   *weighted,
			   *e;
	double		mean[2] = {0.0, 0.0};
	int			i,
				t;

	for (i = 0; i < d->n; i++)
	{
		d->x[2 * i] = mm_random_uniform(&r);
		d->x[2 * i + 1] = mm_random_uniform(&r);
		d->y[i] = d->x[2 * i] + 0.5 * mm_random_uniform(&r) > 0.9;
	}
	o.learning_rate = 0.3;
	o.reg_lambda = 1.0;
	plain = boosted(d, &o, NULL);
	o.pos_weight = 4.0;
	weighted = boosted(d, &o, NULL);
	for (i = 0; i < d->n; i++)
	{
		float		m;

		mm_trees_margins(plain, d->x + 2 * i, &m);
		mean[0] += 1.0 / (1.0 + exp(-m));
		mm_trees_margins(weighted, d->x + 2 * i, &m);
		mean[1] += 1.0 / (1.0 + exp(-m));
	}
	/* 0.37 to 0.45 here */
	assert_true(mean[1] > mean[0] + 0.05 * d->n);
	o.pos_weight = 0.0;
	o.reg_alpha = 1e6;
	e = boosted(d, &o, NULL);
	assert_int_equal(e->n_nodes, e->n_trees);
	for (t = 0; t < e->n_trees; t++)
		assert_true(e->value[t] == 0.0f);
	mm_trees_free(plain);
	mm_trees_free(weighted);
	mm_trees_free(e);

	/* one row, which trains: no row is held out */
	one = data_new(1, 2, 1);
	for (i = 0; i < 100; i++)
	{
		one->x[0] = i;
		if (!held_out(one, 0, 7))
			break;
	}
	o = options(MM_OBJ_BINARY_LOGISTIC, 1, 5, 3);
	o.early_stopping_rounds = 2;
	assert_int_equal(boost(one, &o, &e, NULL), MM_ERR_TOO_FEW_ROWS);
	data_free(one);
	data_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_residuals),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_same_trees),
		cmocka_unit_test(test_early_stopping),
		cmocka_unit_test(test_penalties),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
