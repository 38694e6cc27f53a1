/*
 * random_forest.c: random forests in XGBoost's random-forest mode: one
 * round of n_estimators parallel trees (num_parallel_tree) with learning
 * rate 1, which XGBoost divides among them, so the forest averages its
 * trees.  The trees are boosted.h's: predicted from flat arrays, kept with
 * XGBoost's JSON model, exported for xgboost.Booster().load_model.
 *
 * As gradient_boosting, one name serves regression and classification,
 * a table per task.  The parameters are scikit-learn's RandomForest*
 * names and forms (a count or a fraction, as its int and float), mapped
 * onto XGBoost's, where the semantics differ as the meanings say: the
 * trees are grown on histograms (256 bins), bootstrap draws 63.2% of the
 * rows without replacement (the share of distinct rows a bootstrap sample
 * holds) instead of a sample with replacement, min_samples_leaf is a least
 * sum of hessians (rows for regression, fewer for classification),
 * max_depth null stops at DEFAULT_DEPTH_CAP, and the leaves are Newton
 * steps without an L2 penalty (the mean for regression).
 */
#include <math.h>
#include <string.h>

#include "algorithm.h"
#include "boosted.h"
#include "hist_trees.h"

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

/* max_features' words, held as -1 - their index (MM_PARAM_WORDS); null (every feature) as NaN */
static const char *const feature_shares[] = {"sqrt", "log2", NULL};

#define MAX_FEATURES_FLAGS (MM_PARAM_NULLABLE | MM_PARAM_WORDS | MM_PARAM_SHARE)

#define N_ESTIMATORS_SPEC \
	{"n_estimators", MM_PARAM_INTEGER, 100, 1, 10000, 0, NULL, \
		"The trees of the forest (per class, for more than two classes).", \
	"[50, 100, 200]", "{\"int_uniform\": [20, 300]}"}
#define MAX_DEPTH_SPEC \
	{"max_depth", MM_PARAM_INTEGER, NAN, 1, 30, MM_PARAM_NULLABLE, NULL, \
		"The deepest a tree grows; null grows to depth 12 (scikit-learn: until the leaves are pure), " \
	"since XGBoost's hist method keeps a histogram per node.", "[6, 12]", NULL}
#define MIN_SAMPLES_LEAF_SPEC \
	{"min_samples_leaf", MM_PARAM_NUMBER, 1, 1, 1000000, MM_PARAM_SHARE | MM_PARAM_SHARE_BELOW_ONE, NULL, \
		"The least a leaf holds, as XGBoost's min_child_weight: rows for regression, a sum of " \
	"p(1 - p) for classification (four rows at even odds), not rows as in scikit-learn; " \
	"a fraction is of the training rows, rounded up.", "[1, 5]", NULL}
#define BOOTSTRAP_SPEC \
	{"bootstrap", MM_PARAM_BOOLEAN, 1, 0, 1, 0, NULL, \
		"Whether each tree sees a sample of the rows: 63.2% of them drawn without replacement " \
	"(the distinct rows of scikit-learn's bootstrap sample); false gives each tree every row.", NULL, NULL}

static const MmParamSpec regressor_params[N_PARAMS] = {
	N_ESTIMATORS_SPEC,
	MAX_DEPTH_SPEC,
	{"max_features", MM_PARAM_NUMBER, NAN, 1, HUGE_VAL, MAX_FEATURES_FLAGS, feature_shares,
		"The design columns each split draws from: a count, a fraction of them (at least one), "
	"the square root or log2 of their number, or null for every one (scikit-learn's 1.0, its "
	"default for regression).", NULL, NULL},
	MIN_SAMPLES_LEAF_SPEC,
	BOOTSTRAP_SPEC,
};

static const MmParamSpec classifier_params[N_PARAMS] = {
	N_ESTIMATORS_SPEC,
	MAX_DEPTH_SPEC,
	{"max_features", MM_PARAM_NUMBER, -1, 1, HUGE_VAL, MAX_FEATURES_FLAGS, feature_shares,
		"The design columns each split draws from: a count, a fraction of them (at least one), "
	"the square root (scikit-learn's default for classification) or log2 of their number, or "
	"null for every one.", NULL, NULL},
	MIN_SAMPLES_LEAF_SPEC,
	BOOTSTRAP_SPEC,
};

/*
 * The columns of p each split draws, as scikit-learn counts them: a count
 * as given, a fraction f as max(1, int(f * p)), sqrt and log2 truncated
 * (at least one), null every one.
 */
static double
columns_drawn(const MmParams *params, int p)
{
	double		v = params->value[P_MAX_FEATURES];
	double		k;

	if (isnan(v))
		return p;
	if (v == -1.0)
		k = floor(sqrt((double) p));
	else if (v == -2.0)
		k = floor(log2((double) p));
	else if ((params->fraction >> P_MAX_FEATURES) & 1)
		k = floor(v * p);
	else
		return v;
	return k < 1.0 ? 1.0 : k;
}

/*
 * The share of the p columns each split draws, as XGBoost's
 * colsample_bynode: half a column above k / p, so that XGBoost's
 * truncation of share * p gives k.
 */
static double
column_share(const MmParams *params, int p)
{
	double		k = columns_drawn(params, p);

	return k >= p ? 1.0 : (k + 0.5) / p;
}

/* A count of max_features is of the design's columns, known once the preprocessing built it. */
static MmErrorCode
check_design(const MmParams *params, int n_design, MmError *err)
{
	double		v = params->value[P_MAX_FEATURES];

	if (v >= 1.0 && !((params->fraction >> P_MAX_FEATURES) & 1) && v > n_design)
		return mm_fail(err, MM_ERR_INVALID_INPUT, P_MAX_FEATURES,
					   "parameter \"max_features\" is %.0f, more than the %d columns of the design",
					   v, n_design);
	return MM_OK;
}

/*
 * min_samples_leaf as XGBoost's min_child_weight: a count as given, a
 * fraction of the n training rows as scikit-learn's ceil(f * n).
 */
static double
leaf_weight(const MmParams *params, size_t n)
{
	double		v = params->value[P_MIN_SAMPLES_LEAF];

	return (params->fraction >> P_MIN_SAMPLES_LEAF) & 1 ? ceil(v * (double) n) : v;
}

static MmErrorCode
fit(MmFitContext *ctx, MmModel *model, MmError *err)
{
	const double *v = ctx->params->value;
	MmXgbOptions o;
	MmErrorCode rc;

	/* the server checks the design before the fit; a caller of the core alone is checked here */
	if ((rc = check_design(ctx->params, model->n_design, err)) != MM_OK)
		return rc;
	memset(&o, 0, sizeof(o));
	o.n_estimators = 1;
	o.num_parallel_tree = (int) v[P_N_ESTIMATORS];
	o.max_depth = isnan(v[P_MAX_DEPTH]) ? DEFAULT_DEPTH_CAP : (int) v[P_MAX_DEPTH];
	o.learning_rate = 1.0;
	o.subsample = v[P_BOOTSTRAP] != 0.0 ? BOOTSTRAP_SHARE : 1.0;
	o.colsample_bytree = 1.0;
	o.colsample_bynode = column_share(ctx->params, model->n_design);
	o.min_child_weight = leaf_weight(ctx->params, ctx->data->n_rows);
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
	.check_design = check_design,
	.texts = {
		.display_name = "the random forest",
		.params_for_rows = "Lower max_depth, encode fewer columns (a text feature's max_categories), train on fewer rows, "
		"or raise modelmgr.max_train_memory.",
	},
	.fit = fit,
	.decide = mm_boosted_decide_value,
	MM_BOOSTED_MODEL_OPS,
	.passes = mm_hist_tree_passes,	/* over rows in memory XGBoost grows it */
	.rows_when_they_fit = 1,
};

const MmAlgorithm mm_random_forest_classifier = {
	.name = "random_forest",
	.task = MM_TASK_CLASSIFICATION,
	.artifact_id = 15,
	.missing_values = 1,
	.params = classifier_params,
	.n_params = N_PARAMS,
	.check_design = check_design,
	.texts = {
		.display_name = "the random forest",
		.params_for_rows = "Lower max_depth, encode fewer columns (a text feature's max_categories), train on fewer rows, "
		"or raise modelmgr.max_train_memory.",
	},
	.fit = fit,
	.decide = mm_boosted_decide_class,
	.proba = mm_boosted_proba,
	MM_BOOSTED_MODEL_OPS,
	.passes = mm_hist_tree_passes,	/* over rows in memory XGBoost grows it */
	.rows_when_they_fit = 1,
};
