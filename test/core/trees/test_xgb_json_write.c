/*
 * test_xgb_json_write.c: trees grown on histograms written as XGBoost's
 * JSON model read back to the same trees, for each objective, and split
 * nodes' base weights the hessian-weighted means of their children's.
 */
#include "testutil.h"

#include <jansson.h>
#include <string.h>

#include "hist_trees.h"
#include "xgb_json.h"

static MmTreeEnsemble *
grown(MmTreeObjective objective, int groups)
{
	enum
	{
		N = 600,
		P = 3
	};
	static double x[N * P],
				t[N];
	static int32_t y[N];
	MmRows		rows = {N, P, x, NULL, NULL};
	MmDataSource source;
	MmHistTreeOptions o;
	MmTreeEnsemble *e = NULL;
	MmError		err;
	MmRandom	r = mm_random(17);
	int			i,
				k;

	for (i = 0; i < N; i++)
	{
		for (k = 0; k < P; k++)
			x[i * P + k] = i % 50 == 0 && k == 1 ? NAN : mm_random_uniform(&r);
		t[i] = 3.0 * x[i * P] + mm_random_uniform(&r);
		y[i] = (int32_t) (x[i * P] * groups) % (groups < 2 ? 2 : groups);
	}
	if (objective == MM_OBJ_SQUARED_ERROR)
		rows.t = t;
	else
		rows.y = y;
	mm_memory_source(&source, &rows);
	memset(&o, 0, sizeof(o));
	o.objective = objective;
	o.n_groups = groups;
	o.n_trees = 4;
	o.max_depth = 3;
	o.max_bins = 64;
	o.learning_rate = 0.25;
	o.min_child_weight = 1.0;
	o.row_share = 0.632;
	o.features_per_node = 2;
	o.seed = 4;
	o.base_score = 0.5f;
	memset(&err, 0, sizeof(err));
	assert_int_equal(mm_hist_trees_grow(&source, &o, &e, NULL, &err), MM_OK);
	return e;
}

static void
round_trip(MmTreeObjective objective, int groups)
{
	MmTreeEnsemble *e = grown(objective, groups),
			   *back;
	MmError		err;
	size_t		len = 0;
	char	   *json;
	int			n;

	memset(&err, 0, sizeof(err));
	json = mm_xgb_write(e, 4, &len, &err);
	assert_non_null(json);
	assert_int_equal(strlen(json), len);
	back = mm_xgb_parse(json, len, &err);
	assert_non_null(back);
	n = e->n_nodes;
	assert_int_equal(back->n_trees, e->n_trees);
	assert_int_equal(back->n_nodes, n);
	assert_int_equal(back->objective, e->objective);
	assert_int_equal(back->n_groups, e->n_groups);
	assert_int_equal(back->n_features, e->n_features);
	assert_true(back->base_score == e->base_score);
	assert_memory_equal(back->group, e->group, sizeof(int32_t) * (size_t) e->n_trees);
	assert_memory_equal(back->first, e->first, sizeof(int32_t) * ((size_t) e->n_trees + 1));
	assert_memory_equal(back->left, e->left, sizeof(int32_t) * (size_t) n);
	assert_memory_equal(back->right, e->right, sizeof(int32_t) * (size_t) n);
	assert_memory_equal(back->value, e->value, sizeof(float) * (size_t) n);
	assert_memory_equal(back->default_left, e->default_left, (size_t) n);
	assert_memory_equal(back->gain, e->gain, sizeof(float) * (size_t) n);
	assert_memory_equal(back->cover, e->cover, sizeof(float) * (size_t) n);
	mm_free(json);
	mm_trees_free(back);
	mm_trees_free(e);
}

static void
test_round_trip(void **state)
{
	round_trip(MM_OBJ_SQUARED_ERROR, 1);
	round_trip(MM_OBJ_BINARY_LOGISTIC, 1);
	round_trip(MM_OBJ_MULTI_SOFTPROB, 3);
}

/* The fields XGBoost 1.7 reads beside those prediction reads. */
static void
test_fields(void **state)
{
	MmTreeEnsemble *e = grown(MM_OBJ_SQUARED_ERROR, 1);
	MmError		err;
	size_t		len = 0;
	char	   *json;
	json_t	   *root,
			   *tree,
			   *weights;
	json_error_t jerr;
	int			i;

	memset(&err, 0, sizeof(err));
	json = mm_xgb_write(e, 4, &len, &err);
	root = json_loadb(json, len, 0, &jerr);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(
						json_object_get(json_object_get(root, "learner"), "gradient_booster"), "model"),
																		  "gbtree_model_param"), "num_parallel_tree")), "4");
	tree = json_array_get(json_object_get(json_object_get(json_object_get(json_object_get(root, "learner"),
																		  "gradient_booster"), "model"), "trees"), 0);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(tree, "parents"), 0)), 2147483647);
	weights = json_object_get(tree, "base_weights");
	for (i = 0; i < e->first[1]; i++)
	{
		int			l = e->left[i];
		double		w = json_real_value(json_array_get(weights, (size_t) i)),
					want;

		if (l < 0)
		{
			assert_true((float) w == e->value[i]);
			continue;
		}
		/* a split of children that are leaves: the mean of their weights by hessian */
		if (e->left[l] >= 0 || e->left[l + 1] >= 0)
			continue;
		want = ((double) e->cover[l] * e->value[l] + (double) e->cover[l + 1] * e->value[l + 1]) /
			((double) e->cover[l] + e->cover[l + 1]);
		assert_true(fabs(w - want) <= 1e-6 * fabs(want) + 1e-7);
	}
	json_decref(root);
	mm_free(json);
	mm_trees_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
