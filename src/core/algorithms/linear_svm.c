/*
 * linear_svm.c: the linear support vector machine, one-vs-rest over the
 * classes.  The squared hinge (the default, as in scikit-learn's LinearSVC)
 * is fitted in the primal by Newton's method over passes of the source
 * (numerics/svm_primal.c), so it trains wherever passes run; the hinge,
 * whose loss has no second derivative to take Newton steps with, by dual
 * coordinate descent over the rows in memory (numerics/svm.c).  It has
 * decision scores but no probabilities.
 */
#include <math.h>

#include "linear_classifier.h"
#include "svm.h"
#include "svm_pass.h"
#include "svm_primal.h"

/* The hyperparameters, in the order of the resolved params JSON. */
enum
{
	P_C,
	P_LOSS,
	P_FIT_INTERCEPT,
	P_CLASS_WEIGHT,
	P_MAX_ITER,
	P_TOL,
	N_PARAMS
};

static const char *const losses[] = {"hinge", "squared_hinge", NULL};
static const char *const class_weights[] = {"balanced", NULL};

static const MmParamSpec params[N_PARAMS] = {
	{"C", MM_PARAM_NUMBER, 1.0, 0.0, HUGE_VAL, MM_PARAM_MIN_OPEN, NULL,
		"The weight of the summed losses against the penalty on the coefficients; smaller regularizes more.",
	"[0.001, 0.01, 0.1, 1, 10, 100]", "{\"log_uniform\": [0.001, 100]}"},
	{"loss", MM_PARAM_CHOICE, 1, 0, 0, 0, losses,
		"The loss on a row's margin: the squared hinge (fitted by Newton steps over passes), or the "
	"hinge (by dual coordinate descent over the rows in memory).", NULL, NULL},
	{"fit_intercept", MM_PARAM_BOOLEAN, 1, 0, 1, 0, NULL,
	"Whether the model has an intercept (penalized, as a constant feature).", NULL, NULL},
	{"class_weight", MM_PARAM_CHOICE, -1, 0, 0, MM_PARAM_NULLABLE, class_weights,
	"\"balanced\" weighs each class inversely to its share of the training rows; null weighs rows equally.", NULL, NULL},
	{"max_iter", MM_PARAM_INTEGER, 1000, 1, 100000, 0, NULL,
	"The most Newton steps (squared hinge) or passes over the rows (hinge) of each one-against-the-rest problem.", NULL, NULL},
	{"tol", MM_PARAM_NUMBER, 1e-4, 0.0, HUGE_VAL, MM_PARAM_MIN_OPEN, NULL,
		"The squared hinge stops once the gradient's norm falls below tol times the smaller class's "
	"share of the rows times its norm at zero; the hinge once the spread of the projected gradient falls below tol.", NULL, NULL}
};

static MmErrorCode
fit(MmFitContext *ctx, MmModel *model, MmError *err)
{
	const double *v = ctx->params->value;
	const MmRows *rows = NULL;
	MmSvmOptions opts = {0};
	MmClassifier *c;
	MmErrorCode rc;

	if (v[P_LOSS] != 1.0 && (rows = mm_lc_rows(ctx, "the linear SVM with the hinge loss", err)) == NULL)
		return err->code;
	if ((c = mm_lc_new(model, err)) == NULL)
		return err->code;
	opts.C = v[P_C];
	opts.squared_hinge = v[P_LOSS] == 1.0;
	opts.fit_intercept = v[P_FIT_INTERCEPT] != 0.0;
	opts.balanced = v[P_CLASS_WEIGHT] == 0.0;
	opts.max_iter = (int) v[P_MAX_ITER];
	opts.tol = v[P_TOL];
	opts.seed = ctx->seed;
	if (opts.squared_hinge)
		rc = mm_svm_primal_fit(ctx->data, ctx->n_classes, &opts, c, err);
	else
		rc = mm_svm_fit(rows->x, rows->y, rows->n, rows->p, ctx->n_classes, &opts, c, err);
	if (rc == MM_OK)
		mm_lc_report(ctx, c);
	return rc;
}

static const MmPass *const passes[] = {&mm_svm_newton_pass, NULL};

/* The hinge's dual solver visits rows at random, which passes cannot. */
static const char *
needs_rows(const MmParams *params)
{
	if (params->value[P_LOSS] != 1.0)
		return "The linear SVM with loss: hinge is fitted by a solver that reads its training rows "
			"in memory; loss: squared_hinge trains in passes.";
	return NULL;
}

/* The squared hinge is the variant only this algorithm's payload may hold. */
static MmErrorCode
read(struct MmArtifactReader *r, MmModel *model)
{
	return mm_lc_read(r, model, 1);
}

const MmAlgorithm mm_linear_svm = {
	.name = "linear_svm",
	.task = MM_TASK_CLASSIFICATION,
	.auto_search = 1,
	.artifact_id = 3,
	.params = params,
	.n_params = N_PARAMS,
	.texts = {
		.display_name = "the linear SVM",
		.not_converged = "Raise max_iter, lower C, or scale the features with "
		"preprocess => '{\"*\": {\"scale\": \"standard\"}}'.",
	},
	.fit = fit,
	.n_scores = mm_lc_n_scores,
	.score = mm_lc_score,
	.decide = mm_lc_decide,
	.free = mm_lc_free,
	.write = mm_lc_write,
	.read = read,
	.to_json = mm_lc_to_json,
	.from_json = mm_lc_from_json,
	.coefficients = mm_lc_coefficients,
	.passes = passes,
	.needs_rows = needs_rows,
};
