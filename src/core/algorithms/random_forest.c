/*
 * random_forest.c: random forests in XGBoost's random-forest mode: one
 * round of n_estimators parallel trees (num_parallel_tree) with learning
 * rate 1, which XGBoost divides among them, so the forest averages its
 * trees.  The trees are boosted.h's: predicted from flat arrays, kept with
 * XGBoost's JSON model, exported for xgboost.Booster().load_model.
 *
 * As gradient_boosting, one name serves regression and classification,
 * a table per task.  The parameters are scikit-learn's RandomForest*
 * names, mapped onto XGBoost's, where the semantics differ as the meanings
 * say: the trees are grown on histograms (256 bins), bootstrap draws 63.2%
 * of the rows without replacement (the share of distinct rows a bootstrap
 * sample holds) instead of a sample with replacement, min_samples_leaf is
 * a least sum of hessians (rows for regression, fewer for classification),
 * max_depth null stops at DEFAULT_DEPTH_CAP, and the leaves are Newton
 * steps without an L2 penalty (the mean for regression).
 */
#include <math.h>
#include <string.h>

#include "algorithm.h"
#include "boosted.h"

/* The depth max_depth null grows to: XGBoost's hist method keeps a histogram per node. */
#define DEFAULT_DEPTH_CAP 12

/* The share of distinct rows in a bootstrap sample, 1 - 1/e. */
#define BOOTSTRAP_SHARE 0.632

enum
{
	P_N_ESTIMATORS,
	P_MAX_DEPTH,
	P_MAX_FEATURES,
	P_MIN_SAMPLES_LEAF,
	P_BOOTSTRAP,
	N_PARAMS
};

static const char *const feature_shares[] = {"sqrt", "log2", NULL};

#define N_ESTIMATORS_SPEC \
	{"n_estimators", MM_PARAM_INTEGER, 100, 1, 10000, 0, NULL, \
		"The trees of the forest (per class, for more than two classes).", \
	"[50, 100, 200]", "{\"int_uniform\": [20, 300]}"}
#define MAX_DEPTH_SPEC \
	{"max_depth", MM_PARAM_INTEGER, NAN, 1, 30, MM_PARAM_NULLABLE, NULL, \
		"The deepest a tree grows; null grows to depth 12 (scikit-learn: until the leaves are pure), " \
	"since XGBoost's hist method keeps a histogram per node.", "[6, 12]", NULL}
#define MIN_SAMPLES_LEAF_SPEC \
	{"min_samples_leaf", MM_PARAM_INTEGER, 1, 1, 1000000, 0, NULL, \
		"The least a leaf holds, as XGBoost's min_child_weight: rows for regression, a sum of " \
	"p(1 - p) for classification (four rows at even odds), not rows as in scikit-learn.", "[1, 5]", NULL}
#define BOOTSTRAP_SPEC \
	{"bootstrap", MM_PARAM_BOOLEAN, 1, 0, 1, 0, NULL, \
		"Whether each tree sees a sample of the rows: 63.2% of them drawn without replacement " \
	"(the distinct rows of scikit-learn's bootstrap sample); false gives each tree every row.", NULL, NULL}

static const MmParamSpec regressor_params[N_PARAMS] = {
	N_ESTIMATORS_SPEC,
	MAX_DEPTH_SPEC,
	{"max_features", MM_PARAM_CHOICE, -1, 0, 0, MM_PARAM_NULLABLE, feature_shares,
		"The features each split draws from: the square root or log2 of their number, or null for "
	"every one (scikit-learn's 1.0, its default for regression).", NULL, NULL},
	MIN_SAMPLES_LEAF_SPEC,
	BOOTSTRAP_SPEC,
};

static const MmParamSpec classifier_params[N_PARAMS] = {
	N_ESTIMATORS_SPEC,
	MAX_DEPTH_SPEC,
	{"max_features", MM_PARAM_CHOICE, 0, 0, 0, MM_PARAM_NULLABLE, feature_shares,
		"The features each split draws from: the square root (scikit-learn's default for "
	"classification) or log2 of their number, or null for every one.", NULL, NULL},
	MIN_SAMPLES_LEAF_SPEC,
	BOOTSTRAP_SPEC,
};

/*
 * The share of the p columns each split draws, as XGBoost's
 * colsample_bynode: k columns as scikit-learn counts them (at least one),
 * half a column above k / p so that XGBoost's truncation of share * p
 * gives k.
 */
static double
column_share(double choice, int p)
{
	int			k;

	if (choice < 0.0)
		return 1.0;
	k = choice == 0.0 ? (int) sqrt((double) p) : (int) log2((double) p);
	if (k < 1)
		k = 1;
	return k >= p ? 1.0 : (k + 0.5) / p;
}

static MmErrorCode
fit(MmFitContext *ctx, MmModel *model, MmError *err)
{
	const double *v = ctx->params->value;
	MmXgbOptions o;

	memset(&o, 0, sizeof(o));
	o.n_estimators = 1;
	o.num_parallel_tree = (int) v[P_N_ESTIMATORS];
	o.max_depth = isnan(v[P_MAX_DEPTH]) ? DEFAULT_DEPTH_CAP : (int) v[P_MAX_DEPTH];
	o.learning_rate = 1.0;
	o.subsample = v[P_BOOTSTRAP] != 0.0 ? BOOTSTRAP_SHARE : 1.0;
	o.colsample_bytree = 1.0;
	o.colsample_bynode = column_share(v[P_MAX_FEATURES], model->n_design);
	o.min_child_weight = v[P_MIN_SAMPLES_LEAF];
	o.reg_lambda = 0.0;
	o.reg_alpha = 0.0;
	o.gamma = 0.0;
	o.max_bin = 256;
	o.scale_pos_weight = 1.0;
	return mm_boosted_fit(ctx, model, &o, err);
}

const MmAlgorithm mm_random_forest_regressor = {
	.name = "random_forest",
	.task = MM_TASK_REGRESSION,
	.artifact_id = 14,
	.missing_values = 1,
	.params = regressor_params,
	.n_params = N_PARAMS,
	.texts = {
		.display_name = "the random forest",
		.params_for_rows = "Lower max_depth, train on fewer rows, or raise modelmgr.max_train_memory.",
	},
	.fit = fit,
	.decide = mm_boosted_decide_value,
	MM_BOOSTED_MODEL_OPS,
};

const MmAlgorithm mm_random_forest_classifier = {
	.name = "random_forest",
	.task = MM_TASK_CLASSIFICATION,
	.artifact_id = 15,
	.missing_values = 1,
	.params = classifier_params,
	.n_params = N_PARAMS,
	.texts = {
		.display_name = "the random forest",
		.params_for_rows = "Lower max_depth, train on fewer rows, or raise modelmgr.max_train_memory.",
	},
	.fit = fit,
	.decide = mm_boosted_decide_class,
	.proba = mm_boosted_proba,
	MM_BOOSTED_MODEL_OPS,
};
