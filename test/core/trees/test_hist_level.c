/*
 * test_hist_level.c: the pass of a level of trees grown on histograms:
 * rows go to the bins and open nodes their values say, a classifier's cells
 * count rows and a regression's sum targets, the same rows in other blocks
 * and orders make the same sums, boosted rows' gradients are at the margins
 * the finished trees give them, held-out rows train nothing and are
 * scored, and damaged args are refused before any row reads them.
 */
#include "testutil.h"

#include <string.h>

#include "hist_arg.h"
#include "hist_trees.h"
#include "xgb_train.h"

#define P 1
#define BINS 4
#define TREES 1
#define NODES 3

/* A tree split at the cut 0.5 (of 0.25, 0.5, 0.75), its two leaves open in slots 0 and 1. */
static void
build_arg(double *a)
{
	double	   *cuts = a + hist_arg_cuts(P),
			   *tree = a + hist_arg_trees(P, BINS),
			   *node = a + hist_arg_nodes(P, BINS, TREES);

	memset(a, 0, sizeof(double) * hist_arg_len(P, BINS, TREES, NODES));
	a[HIST_A_P] = P;
	a[HIST_A_GROUPS] = 1;
	a[HIST_A_OBJECTIVE] = MM_OBJ_SQUARED_ERROR;
	a[HIST_A_BINS] = BINS;
	a[HIST_A_TREES] = TREES;
	a[HIST_A_NODES] = NODES;
	a[HIST_A_SLOTS] = 2;
	a[HIST_A_ROW_SHARE] = 1.0;
	a[HIST_A_SEED] = 3;
	a[HIST_A_BASE_MARGIN] = 0.0;
	a[HIST_A_POS_WEIGHT] = 1.0;
	a[HIST_A_HEAD] = 3;
	cuts[0] = 0.25;
	cuts[1] = 0.5;
	cuts[2] = 0.75;
	tree[0] = 0;
	tree[1] = 0;
	tree[2] = 0;
	tree[3] = 1;
	/* the root: feature 0, cut 1 (0.5), missing right, left child 1 */
	node[0] = 0;
	node[1] = 1;
	node[2] = 0;
	node[3] = 1;
	node[HIST_NODE_WIDTH] = -1;
	node[HIST_NODE_WIDTH + 1] = 0;
	node[2 * HIST_NODE_WIDTH] = -1;
	node[2 * HIST_NODE_WIDTH + 1] = 1;
}

/* A regression's cell of a slot: its rows, or (sum 1) its targets' sum. */
static double
cell(const void *state, int slot, int bin, int sum)
{
	const HistTargetCell *c = (const HistTargetCell *) state + (size_t) slot * P * (BINS + 1) + (size_t) bin;

	return sum ? c->sum + c->compensation : c->rows;
}

/* Each row in its bin of its node; a missing value in the last bin, right of the split. */
static void
test_bins(void **state)
{
	double		a[64],
				x[] = {0.1, 0.25, 0.6, 0.8, NAN},
				t[] = {1, 2, 3, 4, 5},
			   *s;
	MmRows		rows = {5, P, x, NULL, t};
	const MmPass *pass = &mm_hist_level_pass;

	build_arg(a);
	assert_int_equal(pass->arg_size(P, a, sizeof(a)), sizeof(double) * hist_arg_len(P, BINS, TREES, NODES));
	s = calloc(pass->state_size(P, a), 1);
	pass->init(s, P, a);
	pass->add(s, &rows, a);
	/* slot 0 (below 0.5): 0.1 in bin 0, 0.25 (a cut: not below it) in bin 1 */
	assert_true(cell(s, 0, 0, 1) == 1.0 && cell(s, 0, 0, 0) == 1.0);
	assert_true(cell(s, 0, 1, 1) == 2.0 && cell(s, 0, 1, 0) == 1.0);
	/* slot 1: 0.6 in bin 2, 0.8 in bin 3, the missing value in bin 4 */
	assert_true(cell(s, 1, 2, 1) == 3.0);
	assert_true(cell(s, 1, 3, 1) == 4.0);
	assert_true(cell(s, 1, BINS, 1) == 5.0);
	assert_true(cell(s, 0, BINS, 0) == 0.0 && cell(s, 1, 0, 0) == 0.0);
	free(s);
}

/*
 * A classifier's cells count the rows and those of the tree's class: the
 * positive class of two, the tree's own of more; a full cell stays full.
 */
static void
test_class_counts(void **state)
{
	double		a[64],
				x[] = {0.1, 0.2, 0.6, 0.7, 0.8};
	int32_t		y2[] = {1, 0, 1, 1, 0},
				y3[] = {2, 2, 0, 1, 2};
	MmRows		rows = {5, P, x, y2, NULL};
	const MmPass *pass = &mm_hist_level_pass;
	HistClassCell *s;
	HistClassCell full[2 * P * (BINS + 1)];

	build_arg(a);
	a[HIST_A_OBJECTIVE] = MM_OBJ_BINARY_LOGISTIC;
	s = calloc(pass->state_size(P, a), 1);
	assert_int_equal(pass->state_size(P, a), sizeof(HistClassCell) * 2 * P * (BINS + 1));
	pass->init(s, P, a);
	pass->add(s, &rows, a);
	/* slot 0's bin 0 (0.1, 0.2), slot 1's bins 2 (0.6, 0.7) and 3 (0.8) */
	assert_int_equal(s[0].rows, 2);
	assert_int_equal(s[0].of_class, 1);
	assert_int_equal(s[(BINS + 1) + 2].rows, 2);
	assert_int_equal(s[(BINS + 1) + 2].of_class, 2);
	assert_int_equal(s[(BINS + 1) + 3].rows, 1);
	assert_int_equal(s[(BINS + 1) + 3].of_class, 0);
	/* three classes, the tree of class 2 */
	a[HIST_A_OBJECTIVE] = MM_OBJ_MULTI_SOFTPROB;
	a[HIST_A_GROUPS] = 3;
	a[hist_arg_trees(P, BINS) + 1] = 2;
	assert_true(pass->arg_size(P, a, sizeof(a)) > 0);
	rows.y = y3;
	pass->init(s, P, a);
	pass->add(s, &rows, a);
	assert_int_equal(s[0].rows, 2);
	assert_int_equal(s[0].of_class, 2);
	assert_int_equal(s[(BINS + 1) + 2].of_class, 0);
	assert_int_equal(s[(BINS + 1) + 3].of_class, 1);
	/* merged past 32 bits, a cell is full */
	memset(full, 0, sizeof(full));
	full[0].rows = UINT32_MAX - 1;
	pass->merge(s, full, P, a);
	assert_int_equal(s[0].rows, UINT32_MAX);
	free(s);
}

/* Rows of targets far apart in magnitude, in blocks of many sizes and backwards: the same sums. */
static void
test_same_state(void **state)
{
	enum
	{
		N = 999
	};
	double		a[64],
				x[N],
				t[N],
				xr[N],
				tr[N];
	const MmPass *pass = &mm_hist_level_pass;
	size_t		size;
	char	   *whole,
			   *parts,
			   *part;
	MmRandom	r = mm_random(21);
	int			i,
				block;

	build_arg(a);
	for (i = 0; i < N; i++)
	{
		x[i] = mm_random_uniform(&r);
		t[i] = (i % 3 == 0 ? 1e8 : 1e-3) * mm_random_uniform(&r);
		xr[N - 1 - i] = x[i];
		tr[N - 1 - i] = t[i];
	}
	size = pass->state_size(P, a);
	whole = calloc(size, 1);
	parts = calloc(size, 1);
	part = calloc(size, 1);
	{
		MmRows		all = {N, P, x, NULL, t};

		pass->init(whole, P, a);
		pass->add(whole, &all, a);
	}
	for (block = 1; block <= N; block = block * 3 + 1)
	{
		pass->init(parts, P, a);
		for (i = 0; i < N; i += block)
		{
			MmRows		some = {(size_t) (N - i < block ? N - i : block), P, xr + i, NULL, tr + i};

			pass->init(part, P, a);
			pass->add(part, &some, a);
			pass->merge(parts, part, P, a);
		}
		/* a compensated pair is its sum: the pairs may differ, their sums may not */
		for (i = 0; i < (int) (size / sizeof(HistTargetCell)); i++)
		{
			const HistTargetCell *w = (const HistTargetCell *) whole + i,
					   *q = (const HistTargetCell *) parts + i;

			assert_true(w->rows == q->rows && w->sum + w->compensation == q->sum + q->compensation);
		}
	}
	free(whole);
	free(parts);
	free(part);
}

/*
 * Boosting: a finished tree (the split at 0.5, leaves -1 and +1) and a
 * growing one whose root is open in slot 0; base margin 0.5.
 */
static void
build_boosted(double *a)
{
	double	   *cuts = a + hist_arg_cuts(P),
			   *tree = a + hist_arg_trees(P, BINS),
			   *node = a + hist_arg_nodes(P, BINS, 2);
	const double nodes[4][HIST_NODE_WIDTH] = {
		{0, 1, 0, 1, 0}, {-1, -1, 0, 0, -1.0}, {-1, -1, 0, 0, 1.0}, {-1, 0, 0, 0, 0}
	};

	memset(a, 0, sizeof(double) * hist_arg_len(P, BINS, 2, 4));
	a[HIST_A_P] = P;
	a[HIST_A_GROUPS] = 1;
	a[HIST_A_OBJECTIVE] = MM_OBJ_SQUARED_ERROR;
	a[HIST_A_BINS] = BINS;
	a[HIST_A_TREES] = 2;
	a[HIST_A_NODES] = 4;
	a[HIST_A_SLOTS] = 1;
	a[HIST_A_ROW_SHARE] = 1.0;
	a[HIST_A_SEED] = 3;
	a[HIST_A_BASE_MARGIN] = 0.5;
	a[HIST_A_BOOSTED] = 1;
	a[HIST_A_POS_WEIGHT] = 1.0;
	a[HIST_A_HEAD] = 3;
	cuts[0] = 0.25;
	cuts[1] = 0.5;
	cuts[2] = 0.75;
	tree[HIST_TREE_WIDTH] = 3;	/* the growing tree's root; its salt 1 */
	tree[HIST_TREE_WIDTH + 2] = 1;
	tree[HIST_TREE_WIDTH + 3] = 1;
	memcpy(node, nodes, sizeof(nodes));
}

/* A gradient cell's sums of slot 0: (hessian 1) its hessians. */
static double
grad(const void *state, int bin, int hessian)
{
	const HistGradCell *c = (const HistGradCell *) state + bin;

	return hessian ? c->h + c->h_compensation : c->g + c->g_compensation;
}

/*
 * Each row's gradient at the margin the finished tree gives it (a missing
 * value takes its default, right), in its bin of the growing root; with a
 * held-out draw, the row held out adds only its loss.
 */
static void
test_boosted(void **state)
{
	double		a[64],
				x[] = {0.1, 0.6, NAN},
				t[] = {0.0, 3.0, 1.0};
	MmRows		rows = {3, P, x, NULL, t};
	const MmPass *pass = &mm_hist_level_pass;
	char	   *s;
	const HistEvalTail *tail;
	uint64_t	salt;
	int			i;

	build_boosted(a);
	assert_int_equal(pass->arg_size(P, a, sizeof(a)), sizeof(double) * hist_arg_len(P, BINS, 2, 4));
	assert_int_equal(pass->state_size(P, a), sizeof(HistGradCell) * P * (BINS + 1));
	s = calloc(pass->state_size(P, a) + sizeof(HistEvalTail), 1);
	pass->init(s, P, a);
	pass->add(s, &rows, a);
	/* margins -0.5, 1.5, 1.5: gradients -0.5, -1.5, 0.5 */
	assert_true(grad(s, 0, 0) == -0.5 && grad(s, 0, 1) == 1.0);
	assert_true(grad(s, 2, 0) == -1.5 && grad(s, 2, 1) == 1.0);
	assert_true(grad(s, BINS, 0) == 0.5 && grad(s, BINS, 1) == 1.0);
	assert_true(grad(s, 1, 1) == 0.0 && grad(s, 3, 1) == 0.0);

	/* a salt that holds out the first row alone */
	for (salt = 0;; salt++)
	{
		for (i = 0; i < 2; i++)
			if (mm_draw_is_test(mm_row_draw(mm_row_hash_rounded(&x[i], 1), salt),
								MM_XGB_VALIDATION_FRACTION) != (i == 0))
				break;
		if (i == 2 && !mm_draw_is_test(mm_row_draw(mm_row_hash_rounded(&x[2], 1), salt),
									   MM_XGB_VALIDATION_FRACTION))
			break;
	}
	a[HIST_A_HOLDOUT] = 1;
	a[HIST_A_HOLDOUT_SALT_HI] = (double) (salt >> 32);
	a[HIST_A_HOLDOUT_SALT_LO] = (double) (salt & UINT32_MAX);
	a[HIST_A_EVAL] = 1;
	assert_true(pass->arg_size(P, a, sizeof(a)) > 0);
	assert_int_equal(pass->state_size(P, a), sizeof(HistGradCell) * P * (BINS + 1) + sizeof(HistEvalTail));
	pass->init(s, P, a);
	pass->add(s, &rows, a);
	pass->merge(s, s, P, a);
	tail = (const HistEvalTail *) (s + sizeof(HistGradCell) * P * (BINS + 1));
	/* the first row only scored, twice by the merge: (-0.5 - 0)^2 each */
	assert_true(grad(s, 0, 1) == 0.0 && grad(s, 2, 1) == 2.0);
	assert_true(tail->held_rows == 2.0 && tail->train_rows == 4.0);
	assert_true(tail->loss + tail->loss_compensation == 0.5);
	free(s);
}

/* Each damage to the arg is refused. */
static void
test_damaged(void **state)
{
	double		a[64];
	const MmPass *pass = &mm_hist_level_pass;
	struct
	{
		size_t		at;
		double		value;
	}			damage[] = {
		{HIST_A_P, 2},
		{HIST_A_OBJECTIVE, MM_OBJ_MULTI_SOFTPROB},
		{HIST_A_BINS, MM_HIST_MAX_BINS + 1},
		{HIST_A_SLOTS, 0},
		{HIST_A_ROW_SHARE, 0},
		{HIST_A_SEED, 0.5},
		{HIST_A_BASE_MARGIN, NAN},
		{HIST_A_HEAD, BINS},	/* more cuts than bins hold */
		{HIST_A_HEAD + 2, 0.25},	/* cuts not increasing */
		{HIST_A_HEAD + 2, 0.1},	/* no float */
	};
	size_t		nodes = hist_arg_nodes(P, BINS, TREES),
				tree = hist_arg_trees(P, BINS);
	size_t		node_damage[][2] = {
		{nodes + 0, 1},			/* feature out of range */
		{nodes + 1, 3},			/* cut past the column's */
		{nodes + 2, 2},			/* default direction not 0 or 1 */
		{nodes + 3, 0},			/* a child before its node: a walk could cycle */
		{nodes + 3, 2},			/* the right child past the nodes */
		{nodes + HIST_NODE_WIDTH + 1, 2},	/* slot past the slots */
		{tree + 0, 3},			/* root past the nodes */
		{tree + 1, 1},			/* group past the groups */
	};
	size_t		i;

	for (i = 0; i < sizeof(damage) / sizeof(damage[0]); i++)
	{
		build_arg(a);
		a[damage[i].at] = damage[i].value;
		assert_int_equal(pass->arg_size(P, a, sizeof(a)), 0);
	}
	for (i = 0; i < sizeof(node_damage) / sizeof(node_damage[0]); i++)
	{
		build_arg(a);
		a[node_damage[i][0]] = (double) node_damage[i][1];
		assert_int_equal(pass->arg_size(P, a, sizeof(a)), 0);
	}
	/* cut short */
	build_arg(a);
	assert_int_equal(pass->arg_size(P, a, sizeof(double) * (hist_arg_len(P, BINS, TREES, NODES) - 1)), 0);
	/* a forest's tree that does not grow */
	build_arg(a);
	a[tree + 3] = 0;
	assert_int_equal(pass->arg_size(P, a, sizeof(a)), 0);
	/* boosting: an evaluation without held-out rows, a finished tree with a slot, a weight not finite */
	build_boosted(a);
	assert_true(pass->arg_size(P, a, sizeof(a)) > 0);
	a[HIST_A_EVAL] = 1;
	assert_int_equal(pass->arg_size(P, a, sizeof(a)), 0);
	build_boosted(a);
	a[hist_arg_trees(P, BINS) + HIST_TREE_WIDTH + 3] = 0;
	assert_int_equal(pass->arg_size(P, a, sizeof(a)), 0);
	build_boosted(a);
	a[hist_arg_nodes(P, BINS, 2) + HIST_NODE_WIDTH + 4] = NAN;
	assert_int_equal(pass->arg_size(P, a, sizeof(a)), 0);
	/* the next tree's root no whole number of the nodes */
	build_boosted(a);
	a[hist_arg_trees(P, BINS) + HIST_TREE_WIDTH] = 1e300;
	assert_int_equal(pass->arg_size(P, a, sizeof(a)), 0);
	/* a forest's pass that holds rows out */
	build_arg(a);
	a[HIST_A_HOLDOUT] = 1;
	assert_int_equal(pass->arg_size(P, a, sizeof(a)), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bins),
		cmocka_unit_test(test_class_counts),
		cmocka_unit_test(test_same_state),
		cmocka_unit_test(test_boosted),
		cmocka_unit_test(test_damaged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
