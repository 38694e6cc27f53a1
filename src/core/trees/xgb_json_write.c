/*
 * xgb_json_write.c: a tree ensemble written as XGBoost 1.7's JSON model
 * (see xgb_json.h), for trees this build grew itself (hist_trees.h), so
 * that they are kept, read back and exported as the trees XGBoost trains.
 *
 * The fields are those XGBoost 1.7 saves for a gbtree booster of numerical
 * splits.  Floats are written with the 9 digits that read back to the same
 * float.  A split node's base_weight (the weight it would have as a leaf,
 * which prediction never reads) is the mean of its children's weights
 * weighted by their hessians: the node's own Newton weight where, as in a
 * forest, no L2 penalty shrinks the weights.
 */
#include "xgb_json.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* XGBoost's "no parent" for a root: INT32_MAX. */
#define NO_PARENT 2147483647

/*
 * An empty object.  Not jansson's json_object(): inside the server that
 * name resolves to PostgreSQL's SQL function of the same name, which the
 * server's executable exports ahead of the library.
 */
static json_t *
new_object(void)
{
	return json_pack("{}");
}

static json_t *
number_string(double v)
{
	char		text[32];

	snprintf(text, sizeof(text), "%.9g", v);
	return json_string(text);
}

static json_t *
count_string(long v)
{
	char		text[32];

	snprintf(text, sizeof(text), "%ld", v);
	return json_string(text);
}

/* Tree t's node arrays, as XGBoost names them. */
static json_t *
tree_json(const MmTreeEnsemble *e, int t)
{
	int			begin = e->first[t],
				n = e->first[t + 1] - begin,
				i;
	json_t	   *tree = new_object(),
			   *weights = json_array(),
			   *default_left = json_array(),
			   *left = json_array(),
			   *right = json_array(),
			   *loss = json_array(),
			   *parents = json_array(),
			   *conditions = json_array(),
			   *indices = json_array(),
			   *types = json_array(),
			   *hessians = json_array(),
			   *param = new_object();
	double	   *weight = mm_alloc(sizeof(double) * (size_t) n);
	int		   *parent = mm_alloc(sizeof(int) * (size_t) n);

	if (weight == NULL || parent == NULL)
	{
		mm_free(weight);
		mm_free(parent);
		json_decref(tree);
		return NULL;
	}
	for (i = 0; i < n; i++)
		parent[i] = NO_PARENT;
	for (i = 0; i < n; i++)
		if (e->left[begin + i] >= 0)
			parent[e->left[begin + i]] = parent[e->right[begin + i]] = i;
	/* children come after their parents: backwards, a split's children are weighed first */
	for (i = n - 1; i >= 0; i--)
	{
		int			node = begin + i,
					l = begin + e->left[node],
					r = begin + e->right[node];
		double		cover;

		if (e->left[node] < 0)
		{
			weight[i] = e->value[node];
			continue;
		}
		cover = (double) e->cover[l] + e->cover[r];
		weight[i] = cover > 0.0 ? ((double) e->cover[l] * weight[l - begin] +
								   (double) e->cover[r] * weight[r - begin]) / cover : 0.0;
	}
	for (i = 0; i < n; i++)
	{
		int			node = begin + i,
					leaf = e->left[node] < 0;

		json_array_append_new(weights, json_real((float) weight[i]));
		json_array_append_new(default_left, json_integer(e->default_left[node]));
		json_array_append_new(left, json_integer(e->left[node]));
		json_array_append_new(right, json_integer(e->right[node]));
		json_array_append_new(loss, json_real(leaf ? 0.0 : e->gain[node]));
		json_array_append_new(parents, json_integer(parent[i]));
		json_array_append_new(conditions, json_real(e->value[node]));
		json_array_append_new(indices, json_integer(leaf ? 0 : e->feature[node]));
		json_array_append_new(types, json_integer(0));
		json_array_append_new(hessians, json_real(e->cover[node]));
	}
	mm_free(weight);
	mm_free(parent);
	json_object_set_new(tree, "base_weights", weights);
	json_object_set_new(tree, "categories", json_array());
	json_object_set_new(tree, "categories_nodes", json_array());
	json_object_set_new(tree, "categories_segments", json_array());
	json_object_set_new(tree, "categories_sizes", json_array());
	json_object_set_new(tree, "default_left", default_left);
	json_object_set_new(tree, "id", json_integer(t));
	json_object_set_new(tree, "left_children", left);
	json_object_set_new(tree, "loss_changes", loss);
	json_object_set_new(tree, "parents", parents);
	json_object_set_new(tree, "right_children", right);
	json_object_set_new(tree, "split_conditions", conditions);
	json_object_set_new(tree, "split_indices", indices);
	json_object_set_new(tree, "split_type", types);
	json_object_set_new(tree, "sum_hessian", hessians);
	json_object_set_new(param, "num_deleted", json_string("0"));
	json_object_set_new(param, "num_feature", count_string(e->n_features));
	json_object_set_new(param, "num_nodes", count_string(n));
	json_object_set_new(param, "size_leaf_vector", json_string("0"));
	json_object_set_new(tree, "tree_param", param);
	return tree;
}

static json_t *
objective_json(const MmTreeEnsemble *e)
{
	json_t	   *o = new_object(),
			   *param = new_object();

	switch (e->objective)
	{
		case MM_OBJ_MULTI_SOFTPROB:
			json_object_set_new(o, "name", json_string("multi:softprob"));
			json_object_set_new(param, "num_class", count_string(e->n_groups));
			json_object_set_new(o, "softmax_multiclass_param", param);
			return o;
		case MM_OBJ_BINARY_LOGISTIC:
			json_object_set_new(o, "name", json_string("binary:logistic"));
			break;
		default:
			json_object_set_new(o, "name", json_string("reg:squarederror"));
			break;
	}
	json_object_set_new(param, "scale_pos_weight", json_string("1"));
	json_object_set_new(o, "reg_loss_param", param);
	return o;
}

char *
mm_xgb_write(const MmTreeEnsemble *e, int parallel_trees, size_t *len, MmError *err)
{
	json_t	   *root = new_object(),
			   *learner = new_object(),
			   *booster = new_object(),
			   *model = new_object(),
			   *gbtree_param = new_object(),
			   *info = json_array(),
			   *trees = json_array(),
			   *model_param = new_object(),
			   *version = json_array();
	char	   *text,
			   *out = NULL;
	int			t,
				failed = 0;

	for (t = 0; t < e->n_trees && !failed; t++)
	{
		json_t	   *tree = tree_json(e, t);

		failed = tree == NULL || json_array_append_new(trees, tree) != 0 ||
			json_array_append_new(info, json_integer(e->group[t])) != 0;
	}
	json_object_set_new(gbtree_param, "num_parallel_tree", count_string(parallel_trees));
	json_object_set_new(gbtree_param, "num_trees", count_string(e->n_trees));
	json_object_set_new(gbtree_param, "size_leaf_vector", json_string("0"));
	json_object_set_new(model, "gbtree_model_param", gbtree_param);
	json_object_set_new(model, "tree_info", info);
	json_object_set_new(model, "trees", trees);
	json_object_set_new(booster, "model", model);
	json_object_set_new(booster, "name", json_string("gbtree"));
	json_object_set_new(model_param, "base_score", number_string(e->base_score));
	json_object_set_new(model_param, "boost_from_average",
						json_string(e->objective == MM_OBJ_SQUARED_ERROR ? "0" : "1"));
	json_object_set_new(model_param, "num_class",
						count_string(e->objective == MM_OBJ_MULTI_SOFTPROB ? e->n_groups : 0));
	json_object_set_new(model_param, "num_feature", count_string(e->n_features));
	json_object_set_new(model_param, "num_target", json_string("1"));
	json_object_set_new(learner, "attributes", new_object());
	json_object_set_new(learner, "feature_names", json_array());
	json_object_set_new(learner, "feature_types", json_array());
	json_object_set_new(learner, "gradient_booster", booster);
	json_object_set_new(learner, "learner_model_param", model_param);
	json_object_set_new(learner, "objective", objective_json(e));
	json_object_set_new(root, "learner", learner);
	json_array_append_new(version, json_integer(1));
	json_array_append_new(version, json_integer(7));
	json_array_append_new(version, json_integer(4));
	json_object_set_new(root, "version", version);
	text = failed ? NULL : json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(9));
	json_decref(root);
	if (text != NULL && (out = mm_alloc(strlen(text) + 1)) != NULL)
	{
		*len = strlen(text);
		memcpy(out, text, *len + 1);
	}
	free(text);
	if (out == NULL)
		mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory writing the trees' JSON model");
	return out;
}
