/*
 * linear_regression.c: least squares and ridge regression, from one pass of
 * moments over the rows (numerics/moments.c: the triangular factor of the
 * centered rows) and a solve from them (numerics/linfit.c).  Where the
 * factor is ill-conditioned, a second pass over the same rows sums the
 * first fit's residuals without cancellation and corrects the fit
 * (linear_refine.h); a source that cannot run it (the moments of
 * cross-validation's folds) keeps the one-pass fit.
 *
 * Without a penalty the fit is made in the columns' own units (the design's
 * centering and scaling undone), so the inference statistics are the
 * textbook ones for the coefficients mm_coefficients reports; the stored
 * model holds the same coefficients mapped onto the scaled columns that
 * prediction computes.  A ridge penalty acts on the scaled columns, as in a
 * scikit-learn pipeline.
 */
#include <math.h>
#include <string.h>

#include "algorithm.h"
#include "artifact_io.h"
#include "document_io.h"
#include "linear_moments.h"
#include "linear_refine.h"
#include "linfit.h"
#include "moments.h"

/* The hyperparameters, in the order of the resolved params JSON. */
enum
{
	P_ALPHA,
	P_FIT_INTERCEPT,
	N_PARAMS
};

static const MmParamSpec params[N_PARAMS] = {
	{"alpha", MM_PARAM_NUMBER, 0.0, 0.0, HUGE_VAL, 0, NULL,
		"The L2 (ridge) penalty on the coefficients, the intercept free; 0 is ordinary least squares.",
		"[0.0001, 0.00023357, 0.00054556, 0.0012743, 0.0029764, 0.0069519, 0.016238, 0.037927, "
		"0.088587, 0.20691, 0.48329, 1.1288, 2.6367, 6.1585, 14.384, 33.598, 78.476, 183.3, 428.13, 1000]",
	"{\"log_uniform\": [0.0001, 1000]}"},
	{"fit_intercept", MM_PARAM_BOOLEAN, 1, 0, 1, 0, NULL,
	"Whether the model has an intercept.", NULL, NULL}
};

/* ---------------------------------------------------------------- the moments pass */

/*
 * Rows are merged into the moments in batches of this many, column by
 * column; batches start at multiples of it from the first row, so that a
 * source's chunks (multiples of it) see the same batches as one pass would.
 */
#define BATCH_ROWS 256

/*
 * The state: the moments block of the design's columns and the target
 * (d = p + 1), then room for a batch's columns and the merge's scratch, as
 * add and merge run on worker threads and may not allocate.
 */
static size_t
block_len(int p)
{
	return (size_t) mm_moments_len(p + 1);
}

static size_t
moments_state_size(int p, const void *arg)
{
	size_t		d = (size_t) p + 1;

	(void) arg;
	return sizeof(double) * (block_len(p) + (block_len(p) + d) + d * BATCH_ROWS);
}

static void
moments_init(void *state, int p, const void *arg)
{
	(void) arg;
	memset(state, 0, sizeof(double) * block_len(p));
}

static void
moments_add(void *state, const MmRows *rows, const void *arg)
{
	int			p = rows->p,
				d = p + 1,
				j;
	const double *center = arg != NULL ? (const double *) arg + 1 : NULL;
	const double *scale = arg != NULL ? (const double *) arg + 1 + p : NULL;
	double	   *block = state;
	double	   *scratch = block + block_len(p);
	double	   *cols = scratch + block_len(p) + d;
	int			unscale = arg != NULL;
	size_t		i = 0;

	while (i < rows->n)
	{
		int			m = (int) (rows->n - i < BATCH_ROWS ? rows->n - i : BATCH_ROWS),
					r;

		for (r = 0; r < m; r++)
		{
			const double *row = rows->x + (i + r) * (size_t) p;

			for (j = 0; j < p; j++)
				cols[j * m + r] = unscale ? row[j] * scale[j] + center[j] : row[j];
			cols[p * m + r] = rows->t ? rows->t[i + r] : 0.0;
		}
		mm_moments_merge_batch(block, d, cols, m, scratch);
		i += m;
	}
}

static void
moments_merge(void *state, const void *other, int p, const void *arg)
{
	double	   *dst = state;

	(void) arg;
	mm_moments_merge(dst, other, p + 1, dst + block_len(p));
}

/* Bytes of the units arg: 1 + 2 p doubles, the first p itself. */
static size_t
moments_arg_size(int p, const void *arg, size_t avail)
{
	size_t		size = sizeof(double) * (1 + 2 * (size_t) p);
	double		first;

	if (arg == NULL || avail < sizeof(double))
		return 0;
	memcpy(&first, arg, sizeof(double));
	if (first != (double) p || avail < size)
		return 0;
	return size;
}

double *
mm_linear_moments_units(int p, const double *center, const double *scale)
{
	double	   *arg = mm_alloc(sizeof(double) * (1 + 2 * (size_t) p));

	if (arg == NULL)
		return NULL;
	arg[0] = p;
	memcpy(arg + 1, center, sizeof(double) * (size_t) p);
	memcpy(arg + 1 + p, scale, sizeof(double) * (size_t) p);
	return arg;
}

const MmPass mm_linear_moments_pass = {
	.name = "linear_regression.moments",
	.state_size = moments_state_size,
	.init = moments_init,
	.add = moments_add,
	.merge = moments_merge,
	.arg_size = moments_arg_size,
	.arg_optional = 1,
};

static const MmPass *const passes[] = {&mm_linear_moments_pass, &mm_linear_refine_pass, NULL};

/* ---------------------------------------------------------------- fitting */

/*
 * Refines lin, fitted from moments, by the refinement pass over the same
 * rows in the same units; keeps it as it is when the source cannot run the
 * pass.
 */
static MmErrorCode
refine(MmFitContext *ctx, const double *moments, const double *center, const double *scale,
	   MmLinearModel *lin, uint8_t *aliased, MmError *err)
{
	int			p = ctx->data->p;
	double	   *arg = mm_linear_refine_arg(p, lin, moments + 1, center, scale);
	void	   *state = arg != NULL ? mm_alloc(mm_linear_refine_pass.state_size(p, arg)) : NULL;
	double	   *sums = mm_alloc(sizeof(double) * (p + 2));
	MmLinearModel refined;
	MmError		pass_err;
	MmErrorCode rc;

	if (arg == NULL || state == NULL || sums == NULL)
		rc = mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory refining a linear regression");
	else
	{
		rc = ctx->data->run(ctx->data, &mm_linear_refine_pass, arg, state, &pass_err);
		if (rc == MM_ERR_UNSUPPORTED)
			rc = MM_OK;
		else if (rc != MM_OK)
			*err = pass_err;
		else
		{
			mm_linear_refine_sums(state, p, sums);
			rc = mm_linear_refine(moments, p, lin->fit_intercept, sums, &refined, aliased, err);
			if (rc == MM_OK)
			{
				mm_free(lin->coef);
				mm_free(lin->std_err);
				mm_free(lin->stat);
				mm_free(lin->p_value);
				*lin = refined;
			}
		}
	}
	mm_free(arg);
	mm_free(state);
	mm_free(sums);
	return rc;
}

static MmErrorCode
fit(MmFitContext *ctx, MmModel *model, MmError *err)
{
	const double *v = ctx->params->value;
	int			p = ctx->data->p,
				j;
	double		alpha = v[P_ALPHA];
	/* unpenalized: fitted in the columns' units, for textbook statistics */
	int			in_units = alpha == 0.0 && ctx->center != NULL;
	double	   *arg = in_units ? mm_linear_moments_units(p, ctx->center, ctx->scale) : NULL;
	double	   *state;
	MmLinearModel *lin;
	int			needs_refinement = 0;
	MmErrorCode rc;

	if (ctx->data->rows != NULL && ctx->data->rows(ctx->data) != NULL &&
		ctx->data->rows(ctx->data)->t == NULL)
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "linear regression needs the target of every training row");
	state = mm_alloc(mm_linear_moments_pass.state_size(p, arg));
	lin = mm_alloc0(sizeof(MmLinearModel));
	model->fit = lin;
	ctx->report.aliased = mm_alloc0((size_t) p + 1);
	if (state == NULL || lin == NULL || ctx->report.aliased == NULL || (in_units && arg == NULL))
	{
		mm_free(state);
		mm_free(arg);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory fitting a linear regression");
	}
	rc = ctx->data->run(ctx->data, &mm_linear_moments_pass, arg, state, err);
	if (rc == MM_OK)
		rc = mm_linear_fit(state, p, alpha, v[P_FIT_INTERCEPT] != 0.0, lin, ctx->report.aliased,
						   &needs_refinement, err);
	if (rc == MM_OK && needs_refinement)
		rc = refine(ctx, state, in_units ? ctx->center : NULL, in_units ? ctx->scale : NULL, lin,
					ctx->report.aliased, err);
	mm_free(state);
	mm_free(arg);
	if (rc != MM_OK)
		return rc;
	if (in_units)
	{
		/* the same coefficients, on the scaled columns prediction computes */
		for (j = 0; j < p; j++)
		{
			lin->intercept += lin->coef[j] * ctx->center[j];
			lin->coef[j] *= ctx->scale[j];
		}
	}
	ctx->report.rank = lin->rank;
	/* a penalty identifies every coefficient; without one, aliased columns are not */
	ctx->report.unidentified = alpha == 0.0 && lin->rank < p;
	ctx->report.converged = 1;
	return MM_OK;
}

/* ---------------------------------------------------------------- the fitted model */

static int
n_scores(const MmModel *model)
{
	(void) model;
	return 1;
}

static void
score(const MmModel *model, const double *z, double *scores)
{
	scores[0] = mm_linear_predict(model->fit, model->n_design, z);
}

static double
decide(const MmModel *model, const double *scores)
{
	(void) model;
	return scores[0];
}

static void
free_fit(void *fit)
{
	MmLinearModel *m = fit;

	mm_free(m->coef);
	mm_free(m->std_err);
	mm_free(m->stat);
	mm_free(m->p_value);
	mm_free(m);
}

static void
write(MmBuffer *w, const MmModel *model)
{
	const MmLinearModel *m = model->fit;
	size_t		n = (size_t) model->n_design;

	mm_put_u8(w, (uint8_t) (m->fit_intercept ? 1 : 0));
	mm_put_f64(w, m->alpha);
	mm_put_f64(w, m->intercept);
	mm_put_u32(w, (uint32_t) m->rank);
	mm_put_f64(w, m->df_resid);
	mm_put_f64_array(w, m->coef, n);
	mm_put_f64_array(w, m->std_err, n + 1);
	mm_put_f64_array(w, m->stat, n + 1);
	mm_put_f64_array(w, m->p_value, n + 1);
}

/* Linear models are read from every format, the first included. */
static MmErrorCode
read(MmArtifactReader *r, MmModel *model)
{
	MmLinearModel *m = mm_alloc0(sizeof(MmLinearModel));
	int			n = model->n_design;
	uint8_t		fi;

	if ((model->fit = m) == NULL)
		return MM_ERR_CORRUPT;
	fi = mm_get_u8(r);
	m->fit_intercept = fi;
	m->alpha = mm_get_f64(r);
	m->intercept = mm_get_f64(r);
	m->rank = (int) mm_get_u32(r);
	m->df_resid = mm_get_f64(r);
	m->coef = mm_get_f64_array(r, (size_t) n);
	m->std_err = mm_get_f64_array(r, (size_t) n + 1);
	m->stat = mm_get_f64_array(r, (size_t) n + 1);
	m->p_value = mm_get_f64_array(r, (size_t) n + 1);
	if (r->failed || fi > 1 || !(m->alpha >= 0.0) || !isfinite(m->alpha) ||
		!isfinite(m->intercept) || m->rank < 0 || m->rank > n || isinf(m->df_resid))
		return MM_ERR_CORRUPT;
	if (!fi && m->intercept != 0.0)
		return MM_ERR_CORRUPT;
	if (!mm_all_finite(m->coef, (size_t) n))
		return MM_ERR_CORRUPT;
	return MM_OK;
}

static void
to_json(MmBuffer *o, const MmModel *model)
{
	const MmLinearModel *l = model->fit;
	int			p = model->n_design;

	mm_out_str(o, "{\"fit_intercept\": ");
	mm_out_bool(o, l->fit_intercept);
	mm_out_str(o, ", \"alpha\": ");
	mm_out_double(o, l->alpha);
	mm_out_str(o, ", \"intercept\": ");
	mm_out_double(o, l->intercept);
	mm_out_str(o, ", \"coef\": ");
	mm_out_doubles(o, l->coef, p);
	mm_out_str(o, ", \"rank\": ");
	mm_out_int(o, l->rank);
	mm_out_str(o, ", \"df_resid\": ");
	mm_out_double(o, l->df_resid);
	mm_out_str(o, ", \"std_err\": ");
	mm_out_doubles(o, l->std_err, p + 1);
	mm_out_str(o, ", \"stat\": ");
	mm_out_doubles(o, l->stat, p + 1);
	mm_out_str(o, ", \"p_value\": ");
	mm_out_doubles(o, l->p_value, p + 1);
	mm_out_str(o, "}");
}

static MmErrorCode
from_json(MmDocumentReader *in, const void *part, MmModel *model)
{
	static const char *const keys[] = {"fit_intercept", "alpha", "intercept", "coef", "rank",
	"df_resid", "std_err", "stat", "p_value", NULL};
	MmLinearModel *l;
	int			p = model->n_design;

	mm_doc_only_keys(in, part, keys, "the model");
	if (in->failed)
		return MM_ERR_INVALID_INPUT;
	if ((l = mm_alloc0(sizeof(MmLinearModel))) == NULL)
		return mm_fail(in->err, MM_ERR_NO_MEMORY, -1, "out of memory reading the document");
	model->fit = l;
	l->fit_intercept = mm_doc_bool(in, part, "fit_intercept");
	l->alpha = mm_doc_number(in, part, "alpha", 0);
	l->intercept = mm_doc_number(in, part, "intercept", 0);
	l->coef = mm_doc_numbers(in, part, "coef", p, 0);
	l->rank = (int) mm_doc_int(in, part, "rank", 0, p);
	l->df_resid = mm_doc_number(in, part, "df_resid", 1);
	l->std_err = mm_doc_numbers(in, part, "std_err", p + 1, 1);
	l->stat = mm_doc_numbers(in, part, "stat", p + 1, 1);
	l->p_value = mm_doc_numbers(in, part, "p_value", p + 1, 1);
	return in->failed ? MM_ERR_INVALID_INPUT : MM_OK;
}

/* In the units of the columns: the scaling the model applies first, undone. */
static int
coefficients(const MmModel *model, MmCoefficient **out)
{
	const MmLinearModel *lin = model->fit;

	return mm_linear_coefficients(model, lin->intercept, lin->coef, lin->fit_intercept, lin->std_err,
								  lin->stat, lin->p_value, lin->df_resid, out);
}

static const double *
linear_form(const MmModel *model, double *intercept)
{
	const MmLinearModel *lin = model->fit;

	*intercept = lin->intercept;
	return lin->coef;
}

const MmAlgorithm mm_linear_regression = {
	.name = "linear_regression",
	.task = MM_TASK_REGRESSION,
	.auto_search = 1,
	.inference = MM_INFERENCE_OLS,
	.artifact_id = 1,
	.task_default = 1,
	.params = params,
	.n_params = N_PARAMS,
	.texts = {
		.display_name = "linear regression",
		.too_few_rows = "Lower test_size, train on more rows, or use fewer features.",
	},
	.fit = fit,
	.n_scores = n_scores,
	.score = score,
	.decide = decide,
	.free = free_fit,
	.write = write,
	.read = read,
	.to_json = to_json,
	.from_json = from_json,
	.coefficients = coefficients,
	.linear_form = linear_form,
	.passes = passes,
};
