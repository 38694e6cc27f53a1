/*
 * pca_decomposition.c: principal component analysis (numerics/pca.c).  A row's
 * coordinates are its projections on the components, after the training
 * mean is taken off; PCA predicts nothing.
 */
#include <math.h>

#include "algorithm.h"
#include "artifact_io.h"
#include "document_io.h"
#include "linear_moments.h"
#include "moments.h"
#include "pca.h"

/* The hyperparameters, in the order of the resolved params JSON. */
enum
{
	P_N_COMPONENTS,
	N_PARAMS
};

/*
 * n_components is a count of components or a fraction of variance to keep,
 * and its count is bounded by the design's width: check_params judges it
 * whole.  0, its default, keeps every column's component (the resolved
 * params record the count fitted).
 */
static const MmParamSpec params[N_PARAMS] = {
	{"n_components", MM_PARAM_NUMBER, 0.0, -HUGE_VAL, HUGE_VAL, MM_PARAM_FREE, NULL,
		"How many components to keep: a count up to the number of features, or a fraction "
	"between 0 and 1 of the variance to explain (the fewest components that do).", NULL, NULL}
};

static MmErrorCode
check_params(const MmParams *params, int p, MmError *err)
{
	double		num = params->value[P_N_COMPONENTS];
	int			given = (params->given >> P_N_COMPONENTS) & 1;

	if ((!given && num == 0.0) || (num > 0.0 && num < 1.0) ||
		(num >= 1.0 && num == floor(num) && num <= p))
		return MM_OK;
	return mm_fail(err, MM_ERR_INVALID_INPUT, P_N_COMPONENTS,
				   "parameter \"n_components\" must be a count from 1 to the %d features, "
				   "or a fraction of variance between 0 and 1", p);
}

/*
 * Without the rows, from the moments pass (linear_moments.h, the target
 * counted as 0): the covariance is in the moments.  A column without
 * variance is named, since it is the features' fault, not the fit's.
 */
static MmErrorCode
fit_from_moments(MmFitContext *ctx, int n_components, double variance_kept, MmPCA *pc,
				 MmError *err)
{
	int			p = ctx->data->p,
				j;
	double	   *state = mm_alloc(mm_linear_moments_pass.state_size(p, NULL));
	MmErrorCode rc;

	if (state == NULL)
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory fitting PCA");
	rc = ctx->data->run(ctx->data, &mm_linear_moments_pass, NULL, state, err);
	if (rc == MM_ERR_UNSUPPORTED)
		rc = mm_fail(err, MM_ERR_UNSUPPORTED, -1,
					 "PCA needs its training rows in memory, or a source that runs its moments pass");
	if (rc == MM_OK && state[0] < 2)
		rc = mm_fail(err, MM_ERR_TOO_FEW_ROWS, -1, "PCA needs at least 2, and there are %.0f",
					 state[0]);
	for (j = 0; rc == MM_OK && j < p; j++)
		if (mm_moments_co(state, p + 1, j, j) == 0.0)
			rc = mm_fail(err, MM_ERR_CONSTANT_FEATURE, j, "feature %d is constant", j);
	if (rc == MM_OK)
		rc = mm_pca_from_moments(state, p + 1, p, n_components, variance_kept, pc, err);
	mm_free(state);
	return rc;
}

static MmErrorCode
fit(MmFitContext *ctx, MmModel *model, MmError *err)
{
	double		num = ctx->params->value[P_N_COMPONENTS];
	const MmRows *rows = ctx->data->rows ? ctx->data->rows(ctx->data) : NULL;
	int			n_components = 0;
	double		variance_kept = 0.0;
	MmPCA	   *pc;
	MmErrorCode rc;

	if (num > 0.0 && num < 1.0)
		variance_kept = num;
	else
		n_components = num == 0.0 ? ctx->data->p : (int) num;
	pc = mm_alloc0(sizeof(MmPCA));
	if ((model->fit = pc) == NULL)
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory fitting PCA");
	if (rows == NULL)
		rc = fit_from_moments(ctx, n_components, variance_kept, pc, err);
	else
		rc = mm_pca_fit(rows->x, rows->n, rows->p, n_components, variance_kept, pc, err);
	if (rc == MM_OK)
		ctx->report.converged = 1;
	return rc;
}

/* A count of components (the default's included) is recorded as the count fitted. */
static void
fitted_params(const MmModel *model, MmParams *params)
{
	double		num = params->value[P_N_COMPONENTS];

	if (!(num > 0.0 && num < 1.0))
		params->value[P_N_COMPONENTS] = ((const MmPCA *) model->fit)->n_components;
}

static const MmPass *const passes[] = {&mm_linear_moments_pass, NULL};

static int
n_coordinates(const MmModel *model)
{
	return ((const MmPCA *) model->fit)->n_components;
}

static void
project(const MmModel *model, const double *z, double *out)
{
	const MmPCA *pc = model->fit;
	int			n = model->n_design,
				c,
				j;

	for (c = 0; c < pc->n_components; c++)
	{
		const double *v = pc->components + (size_t) c * n;
		double		s = 0.0;

		for (j = 0; j < n; j++)
			s += (z[j] - pc->mean[j]) * v[j];
		out[c] = s;
	}
}

static void
free_fit(void *fit)
{
	MmPCA	   *pc = fit;

	mm_free(pc->mean);
	mm_free(pc->components);
	mm_free(pc->explained_variance);
	mm_free(pc->explained_variance_ratio);
	mm_free(pc);
}

static void
write(MmBuffer *w, const MmModel *model)
{
	const MmPCA *pc = model->fit;
	size_t		n = (size_t) model->n_design,
				nc = (size_t) pc->n_components;

	mm_put_u32(w, (uint32_t) pc->n_components);
	mm_put_f64_array(w, pc->mean, n);
	mm_put_f64_array(w, pc->components, nc * n);
	mm_put_f64_array(w, pc->explained_variance, nc);
	mm_put_f64_array(w, pc->explained_variance_ratio, nc);
}

static MmErrorCode
read(MmArtifactReader *r, MmModel *model)
{
	MmPCA	   *pc;
	size_t		n = (size_t) model->n_design;
	uint32_t	nc;
	int			i;

	if (r->format < 2 || (pc = mm_alloc0(sizeof(MmPCA))) == NULL)
		return MM_ERR_CORRUPT;
	model->fit = pc;
	nc = mm_get_u32(r);
	if (r->failed || nc < 1 || nc > (uint32_t) n)
		return MM_ERR_CORRUPT;
	pc->n_components = (int) nc;
	pc->mean = mm_get_f64_array(r, n);
	pc->components = mm_get_f64_array(r, nc * n);
	pc->explained_variance = mm_get_f64_array(r, nc);
	pc->explained_variance_ratio = mm_get_f64_array(r, nc);
	if (r->failed || !mm_all_finite(pc->mean, n) || !mm_all_finite(pc->components, nc * n))
		return MM_ERR_CORRUPT;
	for (i = 0; i < pc->n_components; i++)
		if (!(pc->explained_variance[i] >= 0.0) || !isfinite(pc->explained_variance[i]) ||
			!(pc->explained_variance_ratio[i] >= 0.0) || !(pc->explained_variance_ratio[i] <= 1.0))
			return MM_ERR_CORRUPT;
	return MM_OK;
}

static void
to_json(MmBuffer *o, const MmModel *model)
{
	const MmPCA *pc = model->fit;
	int			p = model->n_design;

	mm_out_str(o, "{\"mean\": ");
	mm_out_doubles(o, pc->mean, p);
	mm_out_str(o, ", \"components\": ");
	mm_out_matrix(o, pc->components, pc->n_components, p);
	mm_out_str(o, ", \"explained_variance\": ");
	mm_out_doubles(o, pc->explained_variance, pc->n_components);
	mm_out_str(o, ", \"explained_variance_ratio\": ");
	mm_out_doubles(o, pc->explained_variance_ratio, pc->n_components);
	mm_out_str(o, "}");
}

static MmErrorCode
from_json(MmDocumentReader *in, const void *part, MmModel *model)
{
	static const char *const keys[] = {"mean", "components", "explained_variance",
	"explained_variance_ratio", NULL};
	MmPCA	   *pc;
	int			p = model->n_design;
	long		nc;

	mm_doc_only_keys(in, part, keys, "the model");
	if (in->failed)
		return MM_ERR_INVALID_INPUT;
	if ((pc = mm_alloc0(sizeof(MmPCA))) == NULL)
		return mm_fail(in->err, MM_ERR_NO_MEMORY, -1, "out of memory reading the document");
	model->fit = pc;
	nc = mm_doc_array_size(part, "components");
	if (nc < 1 || nc > p)
	{
		mm_doc_bad(in, "must hold between 1 and the design's columns of components", "components");
		return MM_ERR_INVALID_INPUT;
	}
	pc->n_components = (int) nc;
	pc->mean = mm_doc_numbers(in, part, "mean", p, 0);
	pc->components = mm_doc_matrix(in, part, "components", pc->n_components, p, 0);
	pc->explained_variance = mm_doc_numbers(in, part, "explained_variance", pc->n_components, 0);
	pc->explained_variance_ratio = mm_doc_numbers(in, part, "explained_variance_ratio",
												  pc->n_components, 0);
	return in->failed ? MM_ERR_INVALID_INPUT : MM_OK;
}

const MmAlgorithm mm_pca = {
	.name = "pca",
	.task = MM_TASK_DECOMPOSITION,
	.artifact_id = 5,
	.params = params,
	.n_params = N_PARAMS,
	.check_params = check_params,
	.fitted_params = fitted_params,
	.texts = {
		.display_name = "PCA",
		.too_few_rows = "Lower test_size, or train on more rows.",
		.constant_feature = ", or drop constant features with "
		"preprocess => '{\"variance_threshold\": 0}'",
	},
	.fit = fit,
	.n_coordinates = n_coordinates,
	.project = project,
	.free = free_fit,
	.write = write,
	.read = read,
	.to_json = to_json,
	.from_json = from_json,
	.passes = passes,
};
