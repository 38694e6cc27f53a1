/*
 * xgb_json.c: XGBoost's JSON model into flat tree arrays (see xgb_json.h).
 *
 * The layout read is XGBoost 1.7's: learner.learner_model_param holds
 * base_score and num_class as strings, learner.objective.name the
 * objective, learner.gradient_booster.model the trees (each a set of
 * parallel arrays over its nodes) and tree_info the output each tree adds
 * to.  Leaves keep their value in split_conditions.
 */
#include "xgb_json.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A member by path of object keys, or NULL. */
static json_t *
at(json_t *obj, const char *const *path)
{
	for (; *path != NULL && obj != NULL; path++)
		obj = json_is_object(obj) ? json_object_get(obj, *path) : NULL;
	return obj;
}

/* A parameter XGBoost writes as a string holding a number; NaN when it is not one. */
static double
string_number(json_t *v)
{
	const char *s;
	char	   *end;
	double		d;

	if (v == NULL || !json_is_string(v) || *(s = json_string_value(v)) == '\0')
		return NAN;
	d = strtod(s, &end);
	return *end == '\0' ? d : NAN;
}

/* Element i of a node array as a number (booleans as 0/1, as later XGBoost versions write them). */
static int
element(json_t *array, size_t i, double *out)
{
	json_t	   *v = json_array_get(array, i);

	if (v == NULL)
		return 0;
	if (json_is_boolean(v))
		*out = json_is_true(v) ? 1.0 : 0.0;
	else if (json_is_number(v))
		*out = json_number_value(v);
	else
		return 0;
	return 1;
}

/* An integer node field in [lo, hi]. */
static int
int_element(json_t *array, size_t i, long lo, long hi, int32_t *out)
{
	double		d;

	if (!element(array, i, &d) || d != floor(d) || d < (double) lo || d > (double) hi)
		return 0;
	*out = (int32_t) d;
	return 1;
}

/* A float node field (values XGBoost wrote from floats read back to the same float). */
static int
float_element(json_t *array, size_t i, float *out)
{
	double		d;

	if (!element(array, i, &d) || !isfinite(d) || fabs(d) > 3.4e38)
		return 0;
	*out = (float) d;
	return 1;
}

/* Tree t's nodes into the ensemble from node *next on; 0 when the tree is malformed. */
static int
read_tree(json_t *tree, MmTreeEnsemble *e, int t, int *next)
{
	static const char *const fields[] = {"left_children", "right_children", "split_indices",
	"split_conditions", "default_left", "loss_changes", "sum_hessian", NULL};
	json_t	   *arr[7];
	json_t	   *types = json_object_get(tree, "split_type");
	size_t		n = 0,
				i;
	int			f;

	for (f = 0; fields[f] != NULL; f++)
	{
		arr[f] = json_object_get(tree, fields[f]);
		if (arr[f] == NULL || !json_is_array(arr[f]) ||
			(f > 0 && json_array_size(arr[f]) != n))
			return 0;
		n = json_array_size(arr[f]);
	}
	if (n == 0 || n > (size_t) (e->n_nodes - *next))
		return 0;
	e->first[t] = *next;
	for (i = 0; i < n; i++)
	{
		int			node = *next + (int) i;
		int32_t		dl = 0;
		double		type = 0.0;

		/* categorical splits are not predicted here */
		if (types != NULL && (!json_is_array(types) || !element(types, i, &type) || type != 0.0))
			return 0;
		if (!int_element(arr[0], i, -1, (long) n - 1, &e->left[node]) ||
			!int_element(arr[1], i, -1, (long) n - 1, &e->right[node]) ||
			!int_element(arr[2], i, 0, INT32_MAX, &e->feature[node]) ||
			!float_element(arr[3], i, &e->value[node]) ||
			!int_element(arr[4], i, 0, 1, &dl) ||
			!float_element(arr[5], i, &e->gain[node]) ||
			!float_element(arr[6], i, &e->cover[node]))
			return 0;
		e->default_left[node] = (uint8_t) dl;
	}
	*next += (int) n;
	return 1;
}

/* The objective by XGBoost's name, or 0. */
static MmTreeObjective
objective_of(const char *name)
{
	if (strcmp(name, "reg:squarederror") == 0)
		return MM_OBJ_SQUARED_ERROR;
	if (strcmp(name, "binary:logistic") == 0)
		return MM_OBJ_BINARY_LOGISTIC;
	if (strcmp(name, "multi:softprob") == 0)
		return MM_OBJ_MULTI_SOFTPROB;
	return 0;
}

MmTreeEnsemble *
mm_xgb_from_json(const void *booster, MmError *err)
{
	static const char *const p_param[] = {"learner", "learner_model_param", NULL};
	static const char *const p_objective[] = {"learner", "objective", "name", NULL};
	static const char *const p_gbm[] = {"learner", "gradient_booster", "name", NULL};
	static const char *const p_trees[] = {"learner", "gradient_booster", "model", "trees", NULL};
	static const char *const p_info[] = {"learner", "gradient_booster", "model", "tree_info", NULL};
	json_t	   *root = (json_t *) booster;
	json_t	   *param = at(root, p_param),
			   *objective = at(root, p_objective),
			   *gbm = at(root, p_gbm),
			   *trees = at(root, p_trees),
			   *info = at(root, p_info);
	MmTreeEnsemble *e;
	MmTreeObjective obj;
	double		base_score,
				num_class,
				num_feature;
	size_t		n_trees,
				n_nodes = 0,
				t;
	int			next = 0;

	if (param == NULL || objective == NULL || !json_is_string(objective) || gbm == NULL ||
		!json_is_string(gbm) || strcmp(json_string_value(gbm), "gbtree") != 0 ||
		trees == NULL || !json_is_array(trees) || info == NULL || !json_is_array(info) ||
		json_array_size(trees) != json_array_size(info) ||
		json_array_size(trees) > MM_TREES_MAX_TREES)
		goto corrupt;
	obj = objective_of(json_string_value(objective));
	base_score = string_number(json_object_get(param, "base_score"));
	num_class = string_number(json_object_get(param, "num_class"));
	num_feature = string_number(json_object_get(param, "num_feature"));
	if (obj == 0 || !isfinite(base_score) || !(num_class >= 0.0 && num_class <= 1000.0) ||
		num_class != floor(num_class) || !(num_feature >= 1.0 && num_feature <= 1e6) ||
		num_feature != floor(num_feature) ||
		(obj == MM_OBJ_BINARY_LOGISTIC && !(base_score > 0.0 && base_score < 1.0)))
		goto corrupt;
	n_trees = json_array_size(trees);
	for (t = 0; t < n_trees; t++)
	{
		json_t	   *left = json_object_get(json_array_get(trees, t), "left_children");

		if (left == NULL || !json_is_array(left))
			goto corrupt;
		n_nodes += json_array_size(left);
		if (n_nodes > MM_TREES_MAX_NODES)
			goto corrupt;
	}
	if ((e = mm_trees_new((int) n_trees, (int) n_nodes)) == NULL)
	{
		mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory reading the trees");
		return NULL;
	}
	e->objective = obj;
	e->n_groups = obj == MM_OBJ_MULTI_SOFTPROB ? (int) num_class : 1;
	e->n_features = (int) num_feature;
	e->base_score = (float) base_score;
	e->base_margin = mm_trees_base_margin(obj, e->base_score);
	for (t = 0; t < n_trees; t++)
		if (!read_tree(json_array_get(trees, t), e, (int) t, &next) ||
			!int_element(info, t, 0, e->n_groups - 1, &e->group[t]))
		{
			mm_trees_free(e);
			goto corrupt;
		}
	e->first[n_trees] = next;
	if (!mm_trees_valid(e))
	{
		mm_trees_free(e);
		goto corrupt;
	}
	if (!mm_trees_pack(e))
	{
		mm_trees_free(e);
		mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory reading the trees");
		return NULL;
	}
	return e;

corrupt:
	mm_fail(err, MM_ERR_CORRUPT, -1, "the booster's JSON model is damaged or not one of gbtree "
			"with numerical splits and a supported objective");
	return NULL;
}

MmTreeEnsemble *
mm_xgb_parse(const char *text, size_t len, MmError *err)
{
	json_error_t jerr;
	json_t	   *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	MmTreeEnsemble *e;

	if (root == NULL)
	{
		mm_fail(err, MM_ERR_CORRUPT, -1, "the booster's JSON model does not parse: %s", jerr.text);
		return NULL;
	}
	e = mm_xgb_from_json(root, err);
	json_decref(root);
	return e;
}
