/*
 * logistic_regression.c: logistic regression, binary or multinomial, with
 * an L2 penalty, fitted by Newton's method (numerics/logistic.c) as passes
 * over the fit's data source (numerics/logistic_passes.c), so that it
 * trains from rows in memory and from a relation's aggregate alike.
 */
#include <math.h>

#include "linear_classifier.h"
#include "logistic.h"
#include "logistic_passes.h"

/* The hyperparameters, in the order of the resolved params JSON. */
enum
{
	P_ALPHA,
	P_FIT_INTERCEPT,
	P_CLASS_WEIGHT,
	P_MAX_ITER,
	P_TOL,
	N_PARAMS
};

static const char *const class_weights[] = {"balanced", NULL};

static const MmParamSpec params[N_PARAMS] = {
	{"alpha", MM_PARAM_NUMBER, 1.0, 0.0, HUGE_VAL, 0, NULL,
		"The L2 penalty on the coefficients (the intercept is not penalized); 0 fits without one.",
	"[0.001, 0.01, 0.1, 1, 10, 100]", "{\"log_uniform\": [0.001, 100]}"},
	{"fit_intercept", MM_PARAM_BOOLEAN, 1, 0, 1, 0, NULL,
	"Whether the model has an intercept.", NULL, NULL},
	{"class_weight", MM_PARAM_CHOICE, -1, 0, 0, MM_PARAM_NULLABLE, class_weights,
	"\"balanced\" weighs each class inversely to its share of the training rows; null weighs rows equally.", NULL, NULL},
	{"max_iter", MM_PARAM_INTEGER, 100, 1, 10000, 0, NULL,
	"The most Newton steps the fit takes, each one pass over the training rows.", NULL, NULL},
	{"tol", MM_PARAM_NUMBER, 1e-4, 0.0, HUGE_VAL, MM_PARAM_MIN_OPEN, NULL,
	"The fit has converged once the largest entry of the mean loss's gradient falls below it; "
	"it goes on until the steps stop moving the coefficients, so that the answer is the optimum's "
	"last digits whatever the rows' order.", NULL, NULL}
};

/* The passes the fit runs, in the order mm_pass_find lists them. */
static const MmPass *const passes[] = {&mm_logistic_counts_pass, &mm_logistic_newton_pass, NULL};

static MmErrorCode
fit(MmFitContext *ctx, MmModel *model, MmError *err)
{
	const double *v = ctx->params->value;
	MmLogisticOptions opts = {0};
	MmClassifier *c;
	int			coef_rows = mm_logistic_rows(ctx->n_classes);
	MmErrorCode rc;

	if ((c = mm_lc_new(model, err)) == NULL)
		return err->code;
	opts.alpha = v[P_ALPHA];
	opts.fit_intercept = v[P_FIT_INTERCEPT] != 0.0;
	opts.balanced = v[P_CLASS_WEIGHT] == 0.0;
	opts.max_iter = (int) v[P_MAX_ITER];
	opts.tol = v[P_TOL];
	opts.center = ctx->center;
	opts.scale = ctx->scale;
	opts.progress = ctx->progress;
	opts.progress_arg = ctx->progress_arg;
	/* a neighbouring fit's coefficients, when their shape is this fit's */
	if (ctx->warm_start != NULL && ctx->warm_width == ctx->data->p && ctx->warm_rows == coef_rows)
		opts.start = ctx->warm_start;
	rc = mm_logistic_fit_source(ctx->data, ctx->n_classes, &opts, c, err);
	if (rc == MM_OK)
		mm_lc_report(ctx, c);
	return rc;
}

/* The softmax of the scores, or the logistic function of a binary one. */
static void
proba(const MmModel *model, const double *scores, double *out)
{
	const MmClassifier *c = model->fit;
	double		top = -INFINITY,
				sum = 0.0;
	int			r;

	if (c->n_rows == 1)
	{
		double		t = scores[0];

		/* without overflow for either sign */
		if (t >= 0.0)
			out[1] = 1.0 / (1.0 + exp(-t));
		else
		{
			double		e = exp(t);

			out[1] = e / (1.0 + e);
		}
		out[0] = 1.0 - out[1];
		return;
	}
	for (r = 0; r < c->n_rows; r++)
		if (scores[r] > top)
			top = scores[r];
	for (r = 0; r < c->n_rows; r++)
	{
		out[r] = exp(scores[r] - top);
		sum += out[r];
	}
	for (r = 0; r < c->n_rows; r++)
		out[r] /= sum;
}

/*
 * An unpenalized multinomial fit is identified only up to a shift common
 * to its rows, so it reports each later class's row less the first class's
 * (statsmodels' MNLogit parametrisation, whose statistics the fit stored);
 * the probabilities are the same either way.  Penalized and binary fits
 * report their rows as they are.
 */
static int
coefficients(const MmModel *model, MmCoefficient **out)
{
	const MmClassifier *c = model->fit;
	int			p = model->n_design;
	MmCoefficient *co;
	double	   *diff;
	int			n = 0,
				r,
				j;

	if (c->n_rows == 1 || c->alpha != 0.0)
		return mm_lc_coefficients(model, out);
	co = mm_alloc(sizeof(MmCoefficient) * (size_t) (c->n_rows - 1) * (p + 1));
	diff = mm_alloc(sizeof(double) * (size_t) (p > 0 ? p : 1));
	for (r = 1; co != NULL && diff != NULL && r < c->n_rows; r++)
	{
		size_t		at = (size_t) r * (p + 1);
		int			k;

		for (j = 0; j < p; j++)
			diff[j] = c->coef[(size_t) r * p + j] - c->coef[j];
		k = mm_linear_terms(model, r, c->intercept[r] - c->intercept[0], diff, c->fit_intercept,
							c->std_err + at, c->stat + at, c->p_value + at, INFINITY, co + n);
		if (k < 0)
			break;
		n += k;
	}
	mm_free(diff);
	if (co == NULL || diff == NULL || r < c->n_rows)
	{
		mm_free(co);
		co = NULL;
		n = 0;
	}
	*out = co;
	return n;
}

static MmErrorCode
read(struct MmArtifactReader *r, MmModel *model)
{
	return mm_lc_read(r, model, 0);
}

const MmAlgorithm mm_logistic_regression = {
	.name = "logistic_regression",
	.task = MM_TASK_CLASSIFICATION,
	.auto_search = 1,
	.inference = MM_INFERENCE_LOGIT,
	.artifact_id = 2,
	.task_default = 1,
	.params = params,
	.n_params = N_PARAMS,
	.texts = {
		.display_name = "logistic regression",
		.not_converged = "Raise max_iter, raise alpha, or scale the features with "
		"preprocess => '{\"*\": {\"scale\": \"standard\"}}'.",
		.params_for_rows = "Keep fewer categories of text features with "
		"preprocess => '{\"*\": {\"max_categories\": 20}}', or fewer features with \"select\": {\"k_best\": k}.",
	},
	.fit = fit,
	.warm_start = mm_lc_warm_start,
	.n_scores = mm_lc_n_scores,
	.score = mm_lc_score,
	.decide = mm_lc_decide,
	.proba = proba,
	.free = mm_lc_free,
	.write = mm_lc_write,
	.read = read,
	.to_json = mm_lc_to_json,
	.from_json = mm_lc_from_json,
	.coefficients = coefficients,
	.passes = passes,
};
