/*
 * test_hist_grow.c: trees grown on histograms in passes (hist_trees.h):
 * the splits a step, a missing value and three classes call for, a forest's
 * accuracy, the same trees from the same rows in another order or with the
 * levels spread over more passes, a classifier's derived histograms the
 * counted ones, and the options refused.
 */
#include "testutil.h"

#include <string.h>

#include "hist_arg.h"
#include "hist_trees.h"
#include "histdata.h"

static MmHistTreeOptions
options(MmTreeObjective objective, int groups, int trees, int depth)
{
	MmHistTreeOptions o;

	memset(&o, 0, sizeof(o));
	o.objective = objective;
	o.n_groups = groups;
	o.n_trees = trees;
	o.max_depth = depth;
	o.max_bins = 256;
	o.learning_rate = 1.0;
	o.min_child_weight = 1.0;
	o.reg_lambda = 0.0;
	o.row_share = 1.0;
	o.seed = 7;
	o.base_score = objective == MM_OBJ_SQUARED_ERROR ? 0.0f : 0.5f;
	return o;
}

static MmTreeEnsemble *
grow(Data *d, const MmHistTreeOptions *o)
{
	MmTreeEnsemble *e = NULL;
	MmError		err;

	data_source(d);
	memset(&err, 0, sizeof(err));
	if (mm_hist_trees_grow(&d->source, o, &e, NULL, &err) != MM_OK)
		fail_msg("growing failed: %s", err.message);
	return e;
}

/* A step in x0 at 0.3, x1 noise: one split on x0, and leaves that give each row its target. */
static void
test_step(void **state)
{
	Data	   *d = data_new(2000, 2, 0);
	MmRandom	r = mm_random(11);
	MmHistTreeOptions o = options(MM_OBJ_SQUARED_ERROR, 1, 1, 1);
	MmTreeEnsemble *e;
	int			i;

	for (i = 0; i < d->n; i++)
	{
		/* 100 values, fewer than the bins: each its own */
		d->x[2 * i] = (double) (i % 100) / 100.0;
		d->x[2 * i + 1] = mm_random_uniform(&r);
		d->t[i] = d->x[2 * i] < 0.3 ? 1.0 : 5.0;
	}
	e = grow(d, &o);
	assert_int_equal(e->n_trees, 1);
	assert_int_equal(e->n_nodes, 3);
	assert_int_equal(e->feature[0], 0);
	for (i = 0; i < d->n; i++)
	{
		float		m;

		mm_trees_margins(e, d->x + 2 * i, &m);
		assert_true(m == (float) d->t[i]);
	}
	mm_trees_free(e);
	data_free(d);
}

/* A missing x0 goes with the side whose targets it shares, either way round. */
static void
test_missing(void **state)
{
	int			side;

	for (side = 0; side <= 1; side++)
	{
		Data	   *d = data_new(1000, 1, 0);
		MmHistTreeOptions o = options(MM_OBJ_SQUARED_ERROR, 1, 1, 1);
		MmTreeEnsemble *e;
		double		nan_row = NAN;
		float		m;
		int			i;

		for (i = 0; i < d->n; i++)
		{
			d->x[i] = i % 10 == 0 ? NAN : (double) (i % 100) / 100.0;
			/* missing values share the targets of the low values (side 1) or the high ones */
			d->t[i] = isnan(d->x[i]) ? (side ? 1.0 : 5.0) : (d->x[i] < 0.5 ? 1.0 : 5.0);
		}
		e = grow(d, &o);
		assert_int_equal(e->n_nodes, 3);
		assert_int_equal(e->default_left[0], side);
		mm_trees_margins(e, &nan_row, &m);
		assert_true(m == (side ? 1.0f : 5.0f));
		mm_trees_free(e);
		data_free(d);
	}
}

/* A forest of 50 trees on a diagonal boundary, rows drawn and one feature a split. */
static void
test_forest(void **state)
{
	Data	   *d = data_new(4000, 4, 1),
			   *fresh = data_new(2000, 4, 1);
	MmRandom	r = mm_random(3);
	MmHistTreeOptions o = options(MM_OBJ_BINARY_LOGISTIC, 1, 50, 8);
	MmTreeEnsemble *e;
	int			i,
				j;
	Data	   *sets[2] = {d, fresh};

	for (j = 0; j < 2; j++)
		for (i = 0; i < sets[j]->n; i++)
		{
			double	   *x = sets[j]->x + 4 * i;
			int			k;

			for (k = 0; k < 4; k++)
				x[k] = mm_random_uniform(&r);
			sets[j]->y[i] = x[0] + x[1] > 1.0;
		}
	o.learning_rate = 1.0 / 50;
	o.row_share = 0.632;
	o.features_per_node = 2;
	e = grow(d, &o);
	assert_int_equal(e->n_trees, 50);
	assert_true(accuracy(e, d) > 0.97);
	assert_true(accuracy(e, fresh) > 0.95);
	mm_trees_free(e);
	data_free(d);
	data_free(fresh);
}

/* Three classes by thirds of x0: a tree per class and round. */
static void
test_classes(void **state)
{
	Data	   *d = data_new(3000, 2, 1);
	MmRandom	r = mm_random(5);
	MmHistTreeOptions o = options(MM_OBJ_MULTI_SOFTPROB, 3, 5, 3);
	MmTreeEnsemble *e;
	int			i;

	for (i = 0; i < d->n; i++)
	{
		d->x[2 * i] = mm_random_uniform(&r);
		d->x[2 * i + 1] = mm_random_uniform(&r);
		d->y[i] = (int32_t) (d->x[2 * i] * 3.0);
	}
	e = grow(d, &o);
	assert_int_equal(e->n_trees, 15);
	assert_int_equal(e->group[0], 0);
	assert_int_equal(e->group[14], 2);
	assert_true(accuracy(e, d) > 0.99);
	mm_trees_free(e);
	data_free(d);
}

/*
 * Noisy targets in another order of the rows, and the levels spread over a
 * pass per node by the memory limit: the same trees, to the bit.
 */
static void
test_same_trees(void **state)
{
	Data	   *d = data_new(30000, 3, 0),
			   *shuffled;
	MmRandom	r = mm_random(9);
	MmHistTreeOptions o = options(MM_OBJ_SQUARED_ERROR, 1, 4, 4);
	MmTreeEnsemble *a,
			   *b,
			   *c;
	int			i;

	for (i = 0; i < d->n; i++)
	{
		int			k;

		for (k = 0; k < 3; k++)
			d->x[3 * i + k] = mm_random_uniform(&r) * 10.0;
		d->t[i] = sin(d->x[3 * i]) + 0.1 * d->x[3 * i + 1] + 0.3 * mm_random_uniform(&r);
	}
	shuffled = backwards(d);
	o.row_share = 0.632;
	o.reg_lambda = 1.0;
	o.learning_rate = 0.25;
	o.base_score = 0.5f;
	a = grow(d, &o);
	b = grow(shuffled, &o);
	assert_true(same_trees(a, b));
	o.memory_limit = hist_slot_bytes(3, 256, HIST_CELLS_TARGET);
	o.progress = count_pass;
	passes_run = 0;
	c = grow(d, &o);
	assert_true(same_trees(a, c));
	/* a pass per open node: the 4 roots' level alone takes 4 */
	assert_true(passes_run > 4 * 2);
	mm_trees_free(a);
	mm_trees_free(b);
	mm_trees_free(c);
	data_free(d);
	data_free(shuffled);
}

/*
 * A classifier's larger child is its parent's histograms less its
 * sibling's: the same trees as when every node is counted (a limit that
 * keeps no parent's histograms), in fewer passes' counting.
 */
static void
test_subtraction(void **state)
{
	Data	   *d = data_new(20000, 4, 1);
	MmRandom	r = mm_random(13);
	MmHistTreeOptions o = options(MM_OBJ_BINARY_LOGISTIC, 1, 12, 6);
	MmTreeEnsemble *kept,
			   *counted;
	int			i,
				k,
				passes_kept;

	for (i = 0; i < d->n; i++)
	{
		for (k = 0; k < 4; k++)
			d->x[4 * i + k] = i % 31 == 0 && k == 2 ? NAN : mm_random_uniform(&r);
		d->y[i] = d->x[4 * i] + d->x[4 * i + 1] * d->x[4 * i + 1] + 0.3 * mm_random_uniform(&r) > 1.0;
	}
	o.row_share = 0.632;
	o.features_per_node = 2;
	o.learning_rate = 1.0 / 12;
	o.progress = count_pass;
	passes_run = 0;
	kept = grow(d, &o);
	passes_kept = passes_run;
	/* room for one node's histograms: a node a pass, at most one parent's kept, the children counted */
	o.memory_limit = hist_slot_bytes(4, 256, HIST_CELLS_CLASS);
	passes_run = 0;
	counted = grow(d, &o);
	assert_true(same_trees(kept, counted));
	assert_true(passes_run > passes_kept);
	mm_trees_free(kept);
	mm_trees_free(counted);
	data_free(d);
}

static MmErrorCode
grow_refused(Data *d, const MmHistTreeOptions *o)
{
	MmTreeEnsemble *e = NULL;
	MmError		err;
	MmErrorCode rc;

	data_source(d);
	memset(&err, 0, sizeof(err));
	rc = mm_hist_trees_grow(&d->source, o, &e, NULL, &err);
	assert_null(e);
	return rc;
}

static void
test_refused(void **state)
{
	Data	   *d = data_new(100, 2, 0);
	MmHistTreeOptions o = options(MM_OBJ_SQUARED_ERROR, 1, 1, 2);
	int			i;

	for (i = 0; i < d->n; i++)
	{
		d->x[2 * i] = i;
		d->t[i] = i % 7;
	}
	o.max_bins = 1;
	assert_int_equal(grow_refused(d, &o), MM_ERR_INVALID_INPUT);
	o = options(MM_OBJ_SQUARED_ERROR, 1, 1, 2);
	o.row_share = 0.0;
	assert_int_equal(grow_refused(d, &o), MM_ERR_INVALID_INPUT);
	o = options(MM_OBJ_MULTI_SOFTPROB, 1, 1, 2);
	assert_int_equal(grow_refused(d, &o), MM_ERR_INVALID_INPUT);
	/* a node's histograms alone pass the limit */
	o = options(MM_OBJ_SQUARED_ERROR, 1, 1, 2);
	o.memory_limit = 100;
	assert_int_equal(grow_refused(d, &o), MM_ERR_INVALID_INPUT);
	data_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_step),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_forest),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_same_trees),
		cmocka_unit_test(test_subtraction),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
