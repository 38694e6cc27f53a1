/*
 * kernel_svm.c: the support vector machine with kernels, libsvm's C-SVC for
 * classification and epsilon-SVR for regression, under the one SQL name
 * svm.  An algorithm's table has one task, so svm is two tables that share
 * the name, the parameters scikit-learn's SVC and SVR share, the payload
 * and its codecs; the trainer picks the table by the target, as auto picks
 * a task (mm_algorithm_by_name_task).  libsvm fits (kernels/ksvm_fit.c);
 * the core predicts (kernels/ksvm_block.c, ksvm_predict.c).  Decision
 * values are libsvm's, up to rounding (ksvm.h): for a binary model the one
 * score is the negated value, positive for the last class, as
 * scikit-learn's decision_function and the linear classifiers give it.
 * There are no coefficients in the inputs' units.
 */
#include <math.h>

#include "kernel_svm.h"
#include "ksvm.h"
#include "ksvm_fit.h"

/*
 * The hyperparameters, in the order of the resolved params JSON: those both
 * tables have first, at the same places, then the task's own.
 */
enum
{
	P_C,
	P_KERNEL,
	P_DEGREE,
	P_GAMMA,
	P_COEF0,
	P_SHRINKING,
	P_TOL,
	P_CACHE_SIZE,
	N_SHARED,
	/* classification */
	P_PROBABILITY = N_SHARED,
	P_CLASS_WEIGHT,
	N_SVC_PARAMS,
	/* regression */
	P_EPSILON = N_SHARED,
	N_SVR_PARAMS
};

/* libsvm's kernel numbers are these indexes (MmKernel) */
static const char *const kernels[] = {"linear", "poly", "rbf", "sigmoid", NULL};
static const char *const gammas[] = {"scale", "auto", NULL};
static const char *const class_weights[] = {"balanced", NULL};

#define SHARED_SPECS \
	{"C", MM_PARAM_NUMBER, 1.0, 0.0, HUGE_VAL, MM_PARAM_MIN_OPEN, NULL, \
		"The weight of the summed losses against the margin; smaller regularizes more.", \
	"[0.1, 1, 10, 100]", "{\"log_uniform\": [0.01, 1000]}"}, \
	{"kernel", MM_PARAM_CHOICE, MM_KERNEL_RBF, 0, 0, 0, kernels, \
		"The kernel: linear x.y, poly (gamma x.y + coef0)^degree, rbf exp(-gamma |x - y|^2), " \
	"sigmoid tanh(gamma x.y + coef0).", NULL, NULL}, \
	{"degree", MM_PARAM_INTEGER, 3, 0, 1000, 0, NULL, \
	"The poly kernel's degree; the other kernels ignore it.", NULL, NULL}, \
	{"gamma", MM_PARAM_NUMBER, -1.0, 0.0, HUGE_VAL, MM_PARAM_MIN_OPEN | MM_PARAM_WORDS, gammas, \
		"The kernel's scale (not the linear kernel's): \"scale\" is 1 / (p Var(X)) over every entry " \
		"of the preprocessed training rows' p columns, \"auto\" 1 / p; the version records the number.", \
	"[\"scale\", 0.01, 0.1, 1]", "{\"log_uniform\": [0.0001, 10]}"}, \
	{"coef0", MM_PARAM_NUMBER, 0.0, -HUGE_VAL, HUGE_VAL, 0, NULL, \
	"The constant term of the poly and sigmoid kernels.", NULL, NULL}, \
	{"shrinking", MM_PARAM_BOOLEAN, 1, 0, 1, 0, NULL, \
	"Whether the solver sets aside the variables that stay at a bound (same optimum, usually faster).", NULL, NULL}, \
	{"tol", MM_PARAM_NUMBER, 1e-3, 0.0, HUGE_VAL, MM_PARAM_MIN_OPEN, NULL, \
	"The solver stops once the largest violation of the optimality conditions falls below it.", NULL, NULL}, \
	{"cache_size", MM_PARAM_INTEGER, 200, 1, 1048576, 0, NULL, \
		"Megabytes of kernel values the solver keeps, counted against modelmgr.max_train_memory " \
	"with its other working memory.", NULL, NULL}

static const MmParamSpec svc_params[N_SVC_PARAMS] = {
	SHARED_SPECS,
	{"probability", MM_PARAM_BOOLEAN, 0, 0, 1, 0, NULL,
		"Whether the model gives class probabilities: Platt's sigmoids fitted by libsvm's 5-fold "
		"cross-validation (folds drawn from the seed), which costs about five more fits; "
	"the classes still come from the decision values' vote.", NULL, NULL},
	{"class_weight", MM_PARAM_CHOICE, -1, 0, 0, MM_PARAM_NULLABLE | MM_PARAM_LABELS, class_weights,
		"\"balanced\" multiplies C for each class by the rows over the classes times its rows; "
		"an object multiplies it for the classes it names, as {\"yes\": 5} (labels as text, "
	"1 for the others); null weighs classes equally.", NULL, NULL}
};

static const MmParamSpec svr_params[N_SVR_PARAMS] = {
	SHARED_SPECS,
	{"epsilon", MM_PARAM_NUMBER, 0.1, 0.0, HUGE_VAL, 0, NULL,
	"The half-width of the tube within which errors cost nothing.", NULL, NULL}
};

/* The settings both tasks read from the params, gamma resolved against the rows. */
static void
shared_options(const double *v, const MmRows *rows, MmKsvmOptions *o)
{
	o->C = v[P_C];
	o->kernel = (int) v[P_KERNEL];
	o->degree = (int) v[P_DEGREE];
	if (v[P_GAMMA] == -1.0)
		o->gamma = mm_ksvm_gamma_scale(rows->x, rows->n, rows->p);
	else if (v[P_GAMMA] == -2.0)
		o->gamma = 1.0 / rows->p;
	else
		o->gamma = v[P_GAMMA];
	o->coef0 = v[P_COEF0];
	o->shrinking = v[P_SHRINKING] != 0.0;
	o->tol = v[P_TOL];
	o->cache_size = v[P_CACHE_SIZE];
}

/* The training rows in memory: libsvm's solver reads them at random. */
static const MmRows *
training_rows(MmFitContext *ctx, int classes, MmError *err)
{
	const MmRows *rows = ctx->data->rows ? ctx->data->rows(ctx->data) : NULL;

	if (rows == NULL)
		mm_fail(err, MM_ERR_UNSUPPORTED, -1, "the kernel SVM needs its training rows in memory");
	else if (classes ? rows->y == NULL : rows->t == NULL)
	{
		mm_fail(err, MM_ERR_INVALID_INPUT, -1, "the kernel SVM needs the target of every training row");
		rows = NULL;
	}
	return rows;
}

/* Records the fit's settings in the payload, and the report libsvm cannot fill. */
static MmErrorCode
finish(MmFitContext *ctx, MmModel *model, MmKernelSvm *m, int balanced)
{
	m->balanced = balanced;
	model->fit = m;
	ctx->report.converged = 1;
	return MM_OK;
}

static MmErrorCode
fit_svc(MmFitContext *ctx, MmModel *model, MmError *err)
{
	const double *v = ctx->params->value;
	const MmRows *rows = training_rows(ctx, 1, err);
	MmKsvmOptions o = {0};
	MmKernelSvm *m;
	double	   *weight = NULL;
	int			k = ctx->n_classes,
				balanced = v[P_CLASS_WEIGHT] == 0.0;
	MmErrorCode rc;

	if (rows == NULL)
		return err->code;
	if (v[P_PROBABILITY] != 0.0 && k > MM_KSVM_MAX_PROBA_CLASSES)
		return mm_fail(err, MM_ERR_UNSUPPORTED, P_PROBABILITY,
					   "probability: true takes at most %d classes, and there are %d",
					   MM_KSVM_MAX_PROBA_CLASSES, k);
	shared_options(v, rows, &o);
	o.probability = v[P_PROBABILITY] != 0.0;
	o.memory_limit = ctx->memory_limit;
	o.seed = ctx->seed;
	if (v[P_CLASS_WEIGHT] == MM_PARAM_LABEL_MAP)
	{
		weight = mm_alloc(sizeof(double) * k);
		if (weight == NULL)
			return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory weighing the classes");
		if (mm_param_label_values(ctx->params, P_CLASS_WEIGHT, (const char *const *) model->labels.classes,
								  model->labels.n_classes, weight, err) != MM_OK)
		{
			mm_free(weight);
			return err->code;
		}
		o.class_weight = weight;
	}
	else if (balanced)
	{
		size_t	   *count = mm_alloc0(sizeof(size_t) * k);
		size_t		i;
		int			c,
					present = 0;

		weight = mm_alloc(sizeof(double) * k);
		if (count == NULL || weight == NULL)
		{
			mm_free(count);
			mm_free(weight);
			return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory weighing the classes");
		}
		for (i = 0; i < rows->n; i++)
			count[rows->y[i]]++;
		/* scikit-learn's n_samples / (n_classes * count), over the classes present */
		for (c = 0; c < k; c++)
			present += count[c] > 0;
		for (c = 0; c < k; c++)
			weight[c] = count[c] > 0 ? (double) rows->n / ((double) present * (double) count[c]) : 1.0;
		mm_free(count);
		o.class_weight = weight;
	}
	rc = mm_ksvm_fit(rows, k, &o, &m, err);
	mm_free(weight);
	if (rc != MM_OK)
		return rc;
	return finish(ctx, model, m, balanced);
}

static MmErrorCode
fit_svr(MmFitContext *ctx, MmModel *model, MmError *err)
{
	const double *v = ctx->params->value;
	const MmRows *rows = training_rows(ctx, 0, err);
	MmKsvmOptions o = {0};
	MmKernelSvm *m;
	MmErrorCode rc;

	if (rows == NULL)
		return err->code;
	shared_options(v, rows, &o);
	o.regression = 1;
	o.epsilon = v[P_EPSILON];
	o.memory_limit = ctx->memory_limit;
	o.seed = ctx->seed;
	rc = mm_ksvm_fit(rows, 0, &o, &m, err);
	if (rc != MM_OK)
		return rc;
	return finish(ctx, model, m, 0);
}

/* gamma as fitted, in place of "scale" or "auto", so that the version says what the kernel was. */
static void
fitted_params(const MmModel *model, MmParams *params)
{
	params->value[P_GAMMA] = ((const MmKernelSvm *) model->fit)->gamma;
}

static const char *
needs_rows(const MmParams *params)
{
	(void) params;
	return "The kernel SVM's solver reads its training rows in memory, at random.";
}

static int
n_scores(const MmModel *model)
{
	return mm_ksvm_n_decisions(model->fit);
}

/* libsvm's decision values; a binary model's one, negated (see the head of this file). */
static void
score(const MmModel *model, const double *z, double *scores)
{
	const MmKernelSvm *m = model->fit;

	mm_ksvm_decision_values(m, model->n_design, z, scores);
	if (!m->regression && m->n_groups == 2)
		scores[0] = -scores[0];
}

static double
decide_value(const MmModel *model, const double *scores)
{
	(void) model;
	return scores[0];
}

/* The vote of the decision values, libsvm's; a binary model's score back to libsvm's sign. */
static double
decide_class(const MmModel *model, const double *scores)
{
	const MmKernelSvm *m = model->fit;

	if (m->n_groups == 2)
	{
		double		dec = -scores[0];

		return m->group_class[mm_ksvm_vote(m, &dec)];
	}
	return m->group_class[mm_ksvm_vote(m, scores)];
}

static int
has_proba(const MmModel *model)
{
	return ((const MmKernelSvm *) model->fit)->prob_a != NULL;
}

/* libsvm's coupled probabilities of the classes with rows; 0 for a class without. */
static void
proba(const MmModel *model, const double *scores, double *out)
{
	const MmKernelSvm *m = model->fit;
	double		prob[MM_KSVM_MAX_PROBA_CLASSES];
	double		dec = -scores[0];
	int			g,
				c;

	mm_ksvm_probabilities(m, m->n_groups == 2 ? &dec : scores, prob);
	for (c = 0; c < model->labels.n_classes; c++)
		out[c] = 0.0;
	for (g = 0; g < m->n_groups; g++)
		out[m->group_class[g]] = prob[g];
}

static void
free_fit(void *fit)
{
	mm_ksvm_free(fit);
}

#define TEXTS \
	{ \
		.display_name = "the kernel SVM", \
		.params_for_rows = "Train on fewer rows (a sample in a view), lower cache_size, or raise " \
		"modelmgr.max_train_memory; the linear_svm algorithm trains on many more rows.", \
		.no_probabilities = "Train it with params => '{\"probability\": true}', or use mm_predict_label().", \
	}

/* What the classifier and the regressor share: one model, scored and stored alike. */
#define KERNEL_SVM_OPS \
	.fitted_params = fitted_params, \
	.texts = TEXTS, \
	.n_scores = n_scores, \
	.score = score, \
	.free = free_fit, \
	.write = mm_ksvm_write, \
	.read = mm_ksvm_read, \
	.to_json = mm_ksvm_to_json, \
	.from_json = mm_ksvm_from_json, \
	.needs_rows = needs_rows

const MmAlgorithm mm_svm_classifier = {
	.name = "svm",
	.task = MM_TASK_CLASSIFICATION,
	.artifact_id = 12,
	.params = svc_params,
	.n_params = N_SVC_PARAMS,
	.fit = fit_svc,
	.decide = decide_class,
	.has_proba = has_proba,
	.proba = proba,
	KERNEL_SVM_OPS,
};

const MmAlgorithm mm_svm_regressor = {
	.name = "svm",
	.task = MM_TASK_REGRESSION,
	.artifact_id = 13,
	.params = svr_params,
	.n_params = N_SVR_PARAMS,
	.fit = fit_svr,
	.decide = decide_value,
	KERNEL_SVM_OPS,
};
