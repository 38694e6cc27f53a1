/*
 * test_tree_ensemble.c: the walk of XGBoost's trees from flat arrays, and
 * the checks that refuse damaged trees before a walk could loop or read
 * outside them.
 */
#include "testutil.h"

#include <math.h>
#include <string.h>

#include "tree_ensemble.h"
#include "xgb_json.h"

/* One stump on feature 1 at 0.5, missing to the right, leaves -1 and 2, base 0.5. */
static const char stump[] =
	"{\"learner\": {\"learner_model_param\": {\"base_score\": \"5E-1\", \"num_class\": \"0\","
	" \"num_feature\": \"2\"}, \"objective\": {\"name\": \"reg:squarederror\"},"
	" \"gradient_booster\": {\"name\": \"gbtree\", \"model\": {\"tree_info\": [0], \"trees\": [{"
	"\"left_children\": [1, -1, -1], \"right_children\": [2, -1, -1], \"split_indices\": [1, 0, 0],"
	" \"split_conditions\": [0.5, -1.0, 2.0], \"default_left\": [0, 0, 0],"
	" \"loss_changes\": [3.0, 0.0, 0.0], \"sum_hessian\": [10.0, 4.0, 6.0], \"split_type\": [0, 0, 0]}]}}}}";

static void
test_walk(void **state)
{
	MmError		err;
	MmTreeEnsemble *e = mm_xgb_parse(stump, strlen(stump), &err);
	double		below[2] = {9.0, 0.25},
				at[2] = {9.0, 0.5},
				missing[2] = {9.0, NAN};
	float		m;

	assert_non_null(e);
	mm_trees_margins(e, below, &m);
	assert_true(m == 0.5f + -1.0f);
	/* "value < condition" goes left, so the condition itself goes right */
	mm_trees_margins(e, at, &m);
	assert_true(m == 0.5f + 2.0f);
	mm_trees_margins(e, missing, &m);
	assert_true(m == 0.5f + 2.0f);
	mm_trees_free(e);
}

/* The stump with one substitution, which must be refused as damaged. */
static void
refused(const char *from, const char *to)
{
	char		text[sizeof(stump) + 64];
	const char *at = strstr(stump, from);
	MmError		err;
	size_t		head;

	assert_non_null(at);
	head = (size_t) (at - stump);
	memcpy(text, stump, head);
	strcpy(text + head, to);
	strcat(text, at + strlen(from));
	assert_null(mm_xgb_parse(text, strlen(text), &err));
	assert_int_equal(err.code, MM_ERR_CORRUPT);
}

static void
test_damaged(void **state)
{
	/* a child outside the tree, a cycle back to the root, a shared child */
	refused("\"left_children\": [1, -1, -1]", "\"left_children\": [3, -1, -1]");
	refused("\"left_children\": [1, -1, -1]", "\"left_children\": [1, 0, -1]");
	refused("\"right_children\": [2, -1, -1]", "\"right_children\": [1, -1, -1]");
	/* a split on a feature the model lacks, a tree for a class that is not there */
	refused("\"split_indices\": [1, 0, 0]", "\"split_indices\": [2, 0, 0]");
	refused("\"tree_info\": [0]", "\"tree_info\": [1]");
	/* arrays of different lengths, an unknown objective, a categorical split */
	refused("\"default_left\": [0, 0, 0]", "\"default_left\": [0, 0]");
	refused("reg:squarederror", "reg:gamma");
	refused("\"split_type\": [0, 0, 0]", "\"split_type\": [1, 0, 0]");
	refused("{\"learner\"", "[{\"learner\"");
}

/* binary:logistic's base_score of one half is a margin of zero, as XGBoost's ProbToMargin gives. */
static void
test_base_margin(void **state)
{
	assert_true(mm_trees_base_margin(MM_OBJ_BINARY_LOGISTIC, 0.5f) == 0.0f);
	assert_true(mm_trees_base_margin(MM_OBJ_SQUARED_ERROR, 0.5f) == 0.5f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_base_margin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
