/*
 * gradient_boosting.c: gradient-boosted trees, trained by XGBoost (hist)
 * on rows in memory, on histograms in passes over a relation whose rows
 * would not fit (hist_trees.h), and predicted from the trees' flat arrays
 * (trees/).
 *
 * One SQL name serves two tasks, as XGBoost's XGBRegressor and
 * XGBClassifier do: the registry holds a table per task under the name
 * gradient_boosting, and training picks the one its target calls for
 * (mm_algorithm_by_name_task), by the rule algorithm => 'auto' follows.  Each
 * table keeps its own task and artifact id, so everything that reads an
 * algorithm's task (metrics, monitoring, the scorer) stays as it is.
 *
 * The parameters are XGBoost's scikit-learn names and defaults; the tree
 * method is always hist (XGBoost 1.7's auto may pick exact, which neither
 * scales nor is what the references compare with), and base_score is 1.7's
 * 0.5.  Objectives: reg:squarederror, binary:logistic, multi:softprob.
 */
#include <math.h>
#include <string.h>

#include "algorithm.h"
#include "boosted.h"
#include "hist_trees.h"

/* The hyperparameters, in the order of the resolved params JSON. */
enum
{
	P_N_ESTIMATORS,
	P_MAX_DEPTH,
	P_LEARNING_RATE,
	P_SUBSAMPLE,
	P_COLSAMPLE_BYTREE,
	P_MIN_CHILD_WEIGHT,
	P_REG_LAMBDA,
	P_REG_ALPHA,
	P_GAMMA,
	P_MAX_BIN,
	P_SCALE_POS_WEIGHT,
	P_EARLY_STOPPING_ROUNDS,
	N_PARAMS
};

static const MmParamSpec params[N_PARAMS] = {
	{"n_estimators", MM_PARAM_INTEGER, 100, 1, 100000, 0, NULL,
		"The boosting rounds: trees per output (one per class for more than two classes).",
	"[50, 100, 200]", "{\"int_uniform\": [20, 500]}"},
	{"max_depth", MM_PARAM_INTEGER, 6, 1, 30, 0, NULL,
	"The deepest a tree grows.", "[3, 6, 9]", "{\"int_uniform\": [2, 10]}"},
	{"learning_rate", MM_PARAM_NUMBER, 0.3, 0.0, 1.0, MM_PARAM_MIN_OPEN, NULL,
		"The shrinkage of each tree's leaves (XGBoost's eta).",
	"[0.05, 0.1, 0.3]", "{\"log_uniform\": [0.01, 0.5]}"},
	{"subsample", MM_PARAM_NUMBER, 1.0, 0.0, 1.0, MM_PARAM_MIN_OPEN, NULL,
	"The share of the training rows each round draws, without replacement.", NULL, NULL},
	{"colsample_bytree", MM_PARAM_NUMBER, 1.0, 0.0, 1.0, MM_PARAM_MIN_OPEN, NULL,
	"The share of the columns each tree draws.", NULL, NULL},
	{"min_child_weight", MM_PARAM_NUMBER, 1.0, 0.0, HUGE_VAL, 0, NULL,
	"The least sum of hessians (rows, for squared error) a child may hold.", NULL, NULL},
	{"reg_lambda", MM_PARAM_NUMBER, 1.0, 0.0, HUGE_VAL, 0, NULL,
	"The L2 penalty on the leaf weights.", NULL, NULL},
	{"reg_alpha", MM_PARAM_NUMBER, 0.0, 0.0, HUGE_VAL, 0, NULL,
	"The L1 penalty on the leaf weights.", NULL, NULL},
	{"gamma", MM_PARAM_NUMBER, 0.0, 0.0, HUGE_VAL, 0, NULL,
	"The least loss reduction a split must make (XGBoost's min_split_loss).", NULL, NULL},
	{"max_bin", MM_PARAM_INTEGER, 256, 2, 65536, 0, NULL,
	"The most bins the hist method sorts each feature's values into.", NULL, NULL},
	{"scale_pos_weight", MM_PARAM_NUMBER, 1.0, 0.0, HUGE_VAL, MM_PARAM_MIN_OPEN, NULL,
	"Two classes: the weight of the rows of the second class against the first's.", NULL, NULL},
	{"early_stopping_rounds", MM_PARAM_INTEGER, NAN, 1, 100000, MM_PARAM_NULLABLE, NULL,
		"Null boosts every round; a number holds out a tenth of the training rows (by a hash of "
		"the row and the seed) and stops once their default metric (rmse, logloss, mlogloss) has "
	"not improved for that many rounds, keeping the rounds up to the best.", NULL, NULL}
};

/*
 * The grid algorithm => 'auto' searches: eight candidates, around XGBoost's
 * defaults, against the 27 of the full grid, so adding the trees to an
 * automatic search costs about as many fits as a linear model's grid.
 */
#define AUTO_GRID "{\"n_estimators\": [50, 100], \"max_depth\": [3, 6], \"learning_rate\": [0.1, 0.3]}"

static MmErrorCode
fit(MmFitContext *ctx, MmModel *model, MmError *err)
{
	const double *v = ctx->params->value;
	MmXgbOptions o;

	memset(&o, 0, sizeof(o));
	o.n_estimators = (int) v[P_N_ESTIMATORS];
	o.max_depth = (int) v[P_MAX_DEPTH];
	o.learning_rate = v[P_LEARNING_RATE];
	o.subsample = v[P_SUBSAMPLE];
	o.colsample_bytree = v[P_COLSAMPLE_BYTREE];
	o.min_child_weight = v[P_MIN_CHILD_WEIGHT];
	o.reg_lambda = v[P_REG_LAMBDA];
	o.reg_alpha = v[P_REG_ALPHA];
	o.gamma = v[P_GAMMA];
	o.max_bin = (int) v[P_MAX_BIN];
	o.scale_pos_weight = v[P_SCALE_POS_WEIGHT];
	o.early_stopping_rounds = isnan(v[P_EARLY_STOPPING_ROUNDS]) ? 0 : (int) v[P_EARLY_STOPPING_ROUNDS];
	return mm_boosted_fit(ctx, model, &o, err);
}

const MmAlgorithm mm_gradient_boosting_regressor = {
	.name = "gradient_boosting",
	.task = MM_TASK_REGRESSION,
	.artifact_id = 10,
	.auto_search = 1,
	.auto_search_memory_only = 1,
	.auto_grid = AUTO_GRID,
	.params = params,
	.missing_values = 1,
	.n_params = N_PARAMS,
	.texts = {
		.display_name = "gradient boosting",
		.params_for_rows = "Lower max_depth or max_bin, train on fewer rows, or raise modelmgr.max_train_memory.",
	},
	.fit = fit,
	.decide = mm_boosted_decide_value,
	MM_BOOSTED_MODEL_OPS,
	.passes = mm_hist_tree_passes,	/* over rows in memory XGBoost boosts */
	.rows_when_they_fit = 1,
};

const MmAlgorithm mm_gradient_boosting_classifier = {
	.name = "gradient_boosting",
	.task = MM_TASK_CLASSIFICATION,
	.artifact_id = 11,
	.auto_search = 1,
	.auto_search_memory_only = 1,
	.auto_grid = AUTO_GRID,
	.params = params,
	.missing_values = 1,
	.n_params = N_PARAMS,
	.texts = {
		.display_name = "gradient boosting",
		.params_for_rows = "Lower max_depth or max_bin, train on fewer rows, or raise modelmgr.max_train_memory.",
	},
	.fit = fit,
	.decide = mm_boosted_decide_class,
	.proba = mm_boosted_proba,
	MM_BOOSTED_MODEL_OPS,
	.passes = mm_hist_tree_passes,
	.rows_when_they_fit = 1,
};
