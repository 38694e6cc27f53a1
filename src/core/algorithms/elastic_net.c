/*
 * elastic_net.c: elastic net regression by coordinate descent on the Gram
 * matrix (see elastic_net.h).
 *
 * Multiplied by n, the objective is
 *
 *     1/2 |y - Xw|^2 + l1 |w|_1 + l2/2 |w|^2,   l1 = n alpha l1_ratio,
 *                                                l2 = n alpha (1 - l1_ratio)
 *
 * on the centered design when there is an intercept (which is then ybar -
 * xbar.w, unpenalized) and the raw one without.  All it needs of the rows is
 * Q = X'X, q = X'y and y'y, which the moments give; the descent never touches
 * a row.  Each coordinate step is the soft-thresholded update of
 * scikit-learn's enet_coordinate_descent_gram, keeping H = Qw up to date, so
 * the penalty sets coefficients to exact zeros.
 *
 * Stopping follows scikit-learn: after a sweep whose largest coefficient
 * change is below tol relative to the largest coefficient (or the last sweep
 * max_iter allows), the duality gap is computed and the fit stops once it is
 * below tol y'y.  Two things differ, both in the gap, none in the steps:
 *
 *  - H is recomputed from Q before each gap, so that drift accumulated over
 *    many thousands of rank-one updates cannot hold the gap above a tight
 *    tolerance;
 *  - where l2 > 0 the gap is the smaller of scikit-learn's (the residual
 *    rescaled into the lasso's dual ball) and the elastic net's own Fenchel
 *    dual at the residual, whose gap
 *        w.(Qw - q) + l1 |w|_1 + l2/2 |w|^2 + |S_l1(q - Qw)|^2 / (2 l2)
 *    (S the soft threshold) is free of y'y and so of cancellation.  Both
 *    are lower bounds of the optimum, so the smaller gap is still a gap.
 *    With l1_ratio 0 scikit-learn's rescaling collapses the dual point to
 *    zero, its gap is then the primal objective itself and never falls below
 *    the tolerance: its ridge-like fits run to max_iter.  These converge.
 *
 * With alpha 0 (least squares) neither dual gives a useful bound (the dual
 * point would need the least-squares solution itself), so such a fit reports
 * convergence only when the fit is exact and otherwise runs to max_iter with
 * converged = 0, as scikit-learn's does; coordinate descent is slow on
 * collinear designs besides.  linear_regression is the way to least squares.
 */
#include "elastic_net.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "algorithm.h"
#include "artifact_io.h"
#include "document_io.h"
#include "linear_moments.h"
#include "model.h"
#include "moments.h"

/* The system the descent works on, in the n-scaled units of the header. */
typedef struct Gram
{
	int			p;
	double		n;
	int			fit_intercept;
	const double *mean;			/* p + 1: the features', then the target's */
	double	   *Q;				/* p x p; rows and columns of constant features zero */
	double	   *q;				/* p */
	double		yy;				/* 0 for a constant target */
} Gram;

/* Releases the arrays of a Gram system. */
static void
free_gram(Gram *g)
{
	mm_free(g->Q);
	mm_free(g->q);
	g->Q = g->q = NULL;
}

/* Rejects parameters out of the ranges elastic_net.h gives. */
static MmErrorCode
check_params(const MmEnetParams *params, MmError *err)
{
	if (!(params->alpha >= 0.0 && isfinite(params->alpha)))
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "alpha must be a finite number at least 0");
	if (!(params->l1_ratio >= 0.0 && params->l1_ratio <= 1.0))
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "l1_ratio must be between 0 and 1");
	if (params->max_iter < 1)
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "max_iter must be at least 1");
	if (!(params->tol >= 0.0 && isfinite(params->tol)))
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "tol must be a finite number at least 0");
	return MM_OK;
}

/* Entry (i, j) of X'X over the moments' variables: centered, or raw. */
static double
cross(const double *moments, int d, int i, int j, int fit_intercept)
{
	const double *mean = moments + 1;

	return mm_moments_co(moments, d, i, j) +
		(fit_intercept ? 0.0 : moments[0] * mean[i] * mean[j]);
}

/*
 * Whether a variable's sum of squares is rounding noise: centered, a
 * constant's deviations from a mean computed in floating point are a few
 * ulps of the mean, not zero (the bound of linfit.c); raw, only zeros give
 * zero.
 */
static int
no_variance(double ss, double n, double mean, int fit_intercept)
{
	double		floor_ = 16.0 * DBL_EPSILON * fabs(mean);

	return fit_intercept ? ss <= n * floor_ * floor_ : ss == 0.0;
}

/* Builds Q, q and y'y from a moments block over p + 1 variables. */
static MmErrorCode
build_gram(const double *moments, int p, int fit_intercept, Gram *g, MmError *err)
{
	int			d = p + 1;
	int			len,
				i,
				j;
	double		n;

	memset(g, 0, sizeof(*g));
	if (p < 1 || p > MM_MAX_DESIGN)
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "an elastic net needs 1 to %d features, not %d",
					   MM_MAX_DESIGN, p);
	len = mm_moments_len(d);
	for (i = 0; i < len; i++)
		if (!isfinite(moments[i]))
			return mm_fail(err, MM_ERR_NUMERIC, -1, "the moments of the training rows are not finite");
	n = moments[0];
	if (n < (fit_intercept ? 2.0 : 1.0))
		return mm_fail(err, MM_ERR_TOO_FEW_ROWS, -1,
					   "%.0f rows; an elastic net needs at least %d", n, fit_intercept ? 2 : 1);

	g->p = p;
	g->n = n;
	g->fit_intercept = fit_intercept;
	g->mean = moments + 1;
	g->Q = mm_alloc(sizeof(double) * (size_t) p * p);
	g->q = mm_alloc(sizeof(double) * p);
	if (g->Q == NULL || g->q == NULL)
	{
		free_gram(g);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory fitting an elastic net");
	}
	for (i = 0; i < p; i++)
	{
		for (j = i; j < p; j++)
			g->Q[(size_t) i * p + j] = g->Q[(size_t) j * p + i] =
				cross(moments, d, i, j, fit_intercept);
		g->q[i] = cross(moments, d, i, p, fit_intercept);
	}
	g->yy = cross(moments, d, p, p, fit_intercept);

	/* a constant feature's column is zero: the descent skips it, its slope stays 0 */
	for (j = 0; j < p; j++)
		if (no_variance(g->Q[(size_t) j * p + j], n, g->mean[j], fit_intercept))
		{
			for (i = 0; i < p; i++)
				g->Q[(size_t) i * p + j] = g->Q[(size_t) j * p + i] = 0.0;
			g->q[j] = 0.0;
		}
	/* a constant target leaves nothing to explain (and |x_j'y|^2 <= x_j'x_j y'y) */
	if (no_variance(g->yy, n, g->mean[p], fit_intercept))
	{
		g->yy = 0.0;
		memset(g->q, 0, sizeof(double) * p);
	}
	return MM_OK;
}

/* H = Q w. */
static void
gram_times(const Gram *g, const double *w, double *H)
{
	int			p = g->p;
	int			i,
				j;

	for (i = 0; i < p; i++)
	{
		const double *row = g->Q + (size_t) i * p;
		double		s = 0.0;

		for (j = 0; j < p; j++)
			s += row[j] * w[j];
		H[i] = s;
	}
}

/* The duality gap at w, H = Qw (see the head of the file). */
static double
dual_gap(const Gram *g, double l1, double l2, const double *w, const double *H)
{
	int			p = g->p;
	double		qw = 0.0,
				wH = 0.0,
				w_l1 = 0.0,
				w_norm2 = 0.0,
				dual_norm = 0.0,
				r_norm2,
				c,
				gap;
	int			j;

	for (j = 0; j < p; j++)
	{
		double		xta = g->q[j] - H[j] - l2 * w[j];

		qw += w[j] * g->q[j];
		wH += w[j] * H[j];
		w_l1 += fabs(w[j]);
		w_norm2 += w[j] * w[j];
		if (fabs(xta) > dual_norm)
			dual_norm = fabs(xta);
	}

	/* scikit-learn's: the residual scaled into {theta : |X'theta - l2 w|_inf <= l1} */
	r_norm2 = g->yy + wH - 2.0 * qw;
	if (dual_norm > l1)
	{
		c = l1 / dual_norm;
		gap = 0.5 * (r_norm2 + r_norm2 * c * c);
	}
	else
	{
		c = 1.0;
		gap = r_norm2;
	}
	gap += l1 * w_l1 - c * g->yy + c * qw + 0.5 * l2 * (1.0 + c * c) * w_norm2;

	/* the elastic net's own dual at the residual */
	if (l2 > 0.0)
	{
		double		shrunk = 0.0,
					tight;

		for (j = 0; j < p; j++)
		{
			double		t = fabs(g->q[j] - H[j]) - l1;

			if (t > 0.0)
				shrunk += t * t;
		}
		tight = (wH - qw) + l1 * w_l1 + 0.5 * l2 * w_norm2 + shrunk / (2.0 * l2);
		if (tight < gap)
			gap = tight;
	}
	return gap;
}

/*
 * Coordinate descent from w (overwritten with the solution); H is p doubles
 * of work space.
 */
static MmErrorCode
solve(const Gram *g, const MmEnetParams *params, double alpha, double *w, double *H,
	  MmEnetStatus *status, MmError *err)
{
	int			p = g->p;
	double		l1 = alpha * params->l1_ratio * g->n;
	double		l2 = alpha * (1.0 - params->l1_ratio) * g->n;
	double		gap_tol = params->tol * g->yy;
	double		gap = 0.0;
	int			iter = 0,
				j;

	memset(status, 0, sizeof(*status));
	for (j = 0; j < p; j++)
		if (g->Q[(size_t) j * p + j] == 0.0)
			w[j] = 0.0;
	if (g->yy == 0.0)
	{
		/* nothing to explain: zero is the minimum outright */
		memset(w, 0, sizeof(double) * p);
		status->converged = 1;
		return MM_OK;
	}

	gram_times(g, w, H);
	while (iter < params->max_iter)
	{
		double		w_max = 0.0,
					d_w_max = 0.0;

		for (j = 0; j < p; j++)
		{
			const double *row = g->Q + (size_t) j * p;
			double		qjj = row[j];
			double		old = w[j],
						tmp,
						shrunk;
			int			i;

			if (qjj == 0.0)
				continue;
			if (old != 0.0)
				for (i = 0; i < p; i++)
					H[i] -= old * row[i];
			tmp = g->q[j] - H[j];
			shrunk = fabs(tmp) - l1;
			w[j] = shrunk > 0.0 ? copysign(shrunk, tmp) / (qjj + l2) : 0.0;
			if (w[j] != 0.0)
				for (i = 0; i < p; i++)
					H[i] += w[j] * row[i];
			if (fabs(w[j] - old) > d_w_max)
				d_w_max = fabs(w[j] - old);
			if (fabs(w[j]) > w_max)
				w_max = fabs(w[j]);
		}
		iter++;
		if (!isfinite(w_max) || !isfinite(d_w_max))
			return mm_fail(err, MM_ERR_NUMERIC, -1,
						   "coordinate descent overflowed at sweep %d", iter);
		if (params->progress != NULL)
			params->progress(params->progress_arg, iter);

		if (w_max == 0.0 || d_w_max / w_max < params->tol || iter == params->max_iter)
		{
			gram_times(g, w, H);
			gap = dual_gap(g, l1, l2, w, H);
			if (!isfinite(gap))
				return mm_fail(err, MM_ERR_NUMERIC, -1,
							   "coordinate descent overflowed at sweep %d", iter);
			if (gap < gap_tol)
			{
				status->converged = 1;
				break;
			}
		}
		/* between sweeps: a fit of a million sweeps must be cancellable */
		mm_check_interrupts();
	}
	status->n_iter = iter;
	status->dual_gap = gap / g->n;
	return MM_OK;
}

/* The intercept that goes with slopes w: ybar - xbar.w, or 0. */
static double
intercept_of(const Gram *g, const double *w)
{
	double		b;
	int			j;

	if (!g->fit_intercept)
		return 0.0;
	b = g->mean[g->p];
	for (j = 0; j < g->p; j++)
		b -= g->mean[j] * w[j];
	return b;
}

/* Fits an elastic net from moments (see elastic_net.h). */
MmErrorCode
mm_enet_fit(const double *moments, int p, const MmEnetParams *params, const double *start,
			MmElasticNet *out, MmError *err)
{
	Gram		g;
	double	   *H;
	MmErrorCode rc;

	memset(out, 0, sizeof(*out));
	if ((rc = check_params(params, err)) != MM_OK)
		return rc;
	if ((rc = build_gram(moments, p, params->fit_intercept != 0, &g, err)) != MM_OK)
		return rc;
	out->coef = mm_alloc(sizeof(double) * p);
	H = mm_alloc(sizeof(double) * p);
	if (out->coef == NULL || H == NULL)
	{
		mm_free(H);
		mm_free(out->coef);
		out->coef = NULL;
		free_gram(&g);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory fitting an elastic net");
	}
	if (start != NULL)
		memcpy(out->coef, start, sizeof(double) * p);
	else
		memset(out->coef, 0, sizeof(double) * p);

	rc = solve(&g, params, params->alpha, out->coef, H, &out->status, err);
	if (rc == MM_OK)
	{
		out->n_features = p;
		out->intercept = intercept_of(&g, out->coef);
		out->alpha = params->alpha;
		out->l1_ratio = params->l1_ratio;
		out->fit_intercept = params->fit_intercept != 0;
		out->max_iter = params->max_iter;
		out->tol = params->tol;
	}
	else
	{
		mm_free(out->coef);
		out->coef = NULL;
	}
	mm_free(H);
	free_gram(&g);
	return rc;
}

/* A warm-started path over alphas (see elastic_net.h). */
MmErrorCode
mm_enet_path(const double *moments, int p, const MmEnetParams *params, const double *alphas,
			 int n_alphas, double *coefs, double *intercepts, MmEnetStatus *status,
			 MmError *err)
{
	Gram		g;
	double	   *w,
			   *H;
	MmEnetParams point;
	MmEnetStatus st;
	MmErrorCode rc;
	int			k;

	point = *params;
	point.alpha = 0.0;
	if ((rc = check_params(&point, err)) != MM_OK)
		return rc;
	for (k = 0; k < n_alphas; k++)
		if (!(alphas[k] >= 0.0 && isfinite(alphas[k])))
			return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "alpha must be a finite number at least 0");
	if ((rc = build_gram(moments, p, params->fit_intercept != 0, &g, err)) != MM_OK)
		return rc;
	w = mm_alloc0(sizeof(double) * p);
	H = mm_alloc(sizeof(double) * p);
	if (w == NULL || H == NULL)
	{
		mm_free(w);
		mm_free(H);
		free_gram(&g);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory fitting an elastic net");
	}
	for (k = 0; k < n_alphas && rc == MM_OK; k++)
	{
		rc = solve(&g, params, alphas[k], w, H, &st, err);
		memcpy(coefs + (size_t) k * p, w, sizeof(double) * p);
		intercepts[k] = intercept_of(&g, w);
		if (status != NULL)
			status[k] = st;
	}
	mm_free(w);
	mm_free(H);
	free_gram(&g);
	return rc;
}

/* The smallest alpha with every slope zero (see elastic_net.h). */
MmErrorCode
mm_enet_alpha_max(const double *moments, int p, double l1_ratio, int fit_intercept,
				  double *alpha_max, MmError *err)
{
	Gram		g;
	double		m = 0.0;
	MmErrorCode rc;
	int			j;

	*alpha_max = 0.0;
	if (!(l1_ratio >= 0.0 && l1_ratio <= 1.0))
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "l1_ratio must be between 0 and 1");
	if ((rc = build_gram(moments, p, fit_intercept != 0, &g, err)) != MM_OK)
		return rc;
	for (j = 0; j < p; j++)
		if (fabs(g.q[j]) > m)
			m = fabs(g.q[j]);
	*alpha_max = l1_ratio > 0.0 ? m / (g.n * l1_ratio) : HUGE_VAL;
	free_gram(&g);
	return MM_OK;
}

/*
 * A log-spaced grid from alpha_max down (see elastic_net.h): the exponents
 * are spaced as numpy.linspace spaces them, so the values are scikit-learn's.
 */
void
mm_enet_alpha_grid(double alpha_max, double eps, int n_alphas, double *alphas)
{
	double		hi,
				lo,
				step;
	int			k;

	if (!(alpha_max > MM_ENET_GRID_FLOOR))
	{
		/* nothing to explain (a constant target): scikit-learn's grid is its floor */
		for (k = 0; k < n_alphas; k++)
			alphas[k] = MM_ENET_GRID_FLOOR;
		return;
	}
	hi = log10(alpha_max);
	lo = log10(alpha_max * eps);
	if (n_alphas == 1)
	{
		/* linspace's one point is its start */
		alphas[0] = pow(10.0, lo);
		return;
	}
	step = (hi - lo) / (n_alphas - 1);
	/* ascending from lo, as linspace, then written out largest first */
	for (k = 0; k < n_alphas - 1; k++)
		alphas[n_alphas - 1 - k] = pow(10.0, lo + k * step);
	alphas[0] = pow(10.0, hi);
}

/* Releases a fit's arrays. */
void
mm_elastic_net_free(MmElasticNet *model)
{
	mm_free(model->coef);
	model->coef = NULL;
}

/* ---------------------------------------------------------------- the algorithm */

/* The hyperparameters, in the order of the resolved params JSON. */
enum
{
	P_ALPHA,
	P_L1_RATIO,
	P_FIT_INTERCEPT,
	P_MAX_ITER,
	P_TOL,
	N_PARAMS
};

static const MmParamSpec params[N_PARAMS] = {
	{"alpha", MM_PARAM_NUMBER, 1.0, 0.0, HUGE_VAL, 0, NULL,
		"The weight of the whole penalty, as scikit-learn's ElasticNet; 0 is least squares, "
		"which linear regression fits better.",
		"[0.0001, 0.00046416, 0.0021544, 0.01, 0.046416, 0.21544, 1, 4.6416, 21.544, 100]",
	"{\"log_uniform\": [0.0001, 100]}"},
	{"l1_ratio", MM_PARAM_NUMBER, 0.5, 0.0, 1.0, 0, NULL,
		"The share of the penalty on the absolute values (L1) against the squares (L2); 1 is the lasso.",
	"[0.1, 0.5, 0.7, 0.9, 0.95, 0.99, 1]", "{\"uniform\": [0, 1]}"},
	{"fit_intercept", MM_PARAM_BOOLEAN, 1, 0, 1, 0, NULL,
	"Whether the model has an intercept, unpenalized.", NULL, NULL},
	{"max_iter", MM_PARAM_INTEGER, 1000, 1, 100000000, 0, NULL,
	"Sweeps of coordinate descent at most.", NULL, NULL},
	{"tol", MM_PARAM_NUMBER, 1e-4, 0.0, HUGE_VAL, 0, NULL,
		"The fit stops once the duality gap is below tol times the target's sum of squares "
	"(centered with an intercept).", NULL, NULL}
};

/* Reads the resolved hyperparameters into the solver's. */
static void
solver_params(const MmFitContext *ctx, MmEnetParams *out)
{
	const double *v = ctx->params->value;

	memset(out, 0, sizeof(*out));
	out->alpha = v[P_ALPHA];
	out->l1_ratio = v[P_L1_RATIO];
	out->fit_intercept = v[P_FIT_INTERCEPT] != 0.0;
	out->max_iter = (int) v[P_MAX_ITER];
	out->tol = v[P_TOL];
	out->progress = ctx->progress;
	out->progress_arg = ctx->progress_arg;
}

/*
 * One pass of moments over the rows as given (the design's scaling is the
 * preprocessing the user asked for, not undone), then the descent; a
 * neighbouring fit of the same width is the start.
 */
static MmErrorCode
fit(MmFitContext *ctx, MmModel *model, MmError *err)
{
	int			p = ctx->data->p;
	MmEnetParams sp;
	MmElasticNet *m;
	double	   *state;
	const double *start = NULL;
	MmErrorCode rc;

	if (ctx->data->rows != NULL && ctx->data->rows(ctx->data) != NULL &&
		ctx->data->rows(ctx->data)->t == NULL)
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "an elastic net needs the target of every training row");
	solver_params(ctx, &sp);
	if (ctx->warm_start != NULL && ctx->warm_rows == 1 && ctx->warm_width == p)
		start = ctx->warm_start;
	state = mm_alloc(mm_linear_moments_pass.state_size(p, NULL));
	m = mm_alloc0(sizeof(MmElasticNet));
	if (state == NULL || m == NULL)
	{
		mm_free(state);
		mm_free(m);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory fitting an elastic net");
	}
	model->fit = m;
	rc = ctx->data->run(ctx->data, &mm_linear_moments_pass, NULL, state, err);
	if (rc == MM_OK)
		rc = mm_enet_fit(state, p, &sp, start, m, err);
	mm_free(state);
	if (rc != MM_OK)
		return rc;
	ctx->report.n_iter = m->status.n_iter;
	ctx->report.converged = m->status.converged;
	return MM_OK;
}

/* Where a neighbouring fit starts: the slopes, then the intercept. */
static double *
warm_start(const MmModel *model, int *rows, int *width)
{
	const MmElasticNet *m = model->fit;
	int			p = model->n_design;
	double	   *w = mm_alloc(sizeof(double) * ((size_t) p + 1));

	if (w == NULL)
		return NULL;
	memcpy(w, m->coef, sizeof(double) * (size_t) p);
	w[p] = m->intercept;
	*rows = 1;
	*width = p;
	return w;
}

static int
n_scores(const MmModel *model)
{
	(void) model;
	return 1;
}

/* intercept + coef . z, accumulated in feature order wherever it runs */
static void
score(const MmModel *model, const double *z, double *scores)
{
	const MmElasticNet *m = model->fit;

	scores[0] = mm_linear_form_predict(m->intercept, m->coef, model->n_design, z);
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
	mm_elastic_net_free(fit);
	mm_free(fit);
}

static void
write(MmBuffer *w, const MmModel *model)
{
	const MmElasticNet *m = model->fit;

	mm_put_u8(w, (uint8_t) (m->fit_intercept ? 1 : 0));
	mm_put_f64(w, m->alpha);
	mm_put_f64(w, m->l1_ratio);
	mm_put_u32(w, (uint32_t) m->max_iter);
	mm_put_f64(w, m->tol);
	mm_put_f64(w, m->intercept);
	mm_put_f64_array(w, m->coef, (size_t) model->n_design);
	mm_put_u32(w, (uint32_t) m->status.n_iter);
	mm_put_u8(w, (uint8_t) (m->status.converged ? 1 : 0));
	mm_put_f64(w, m->status.dual_gap);
}

/* Values a fit could not have made are damage. */
static int
valid(const MmElasticNet *m)
{
	return m->fit_intercept <= 1 && m->alpha >= 0.0 && isfinite(m->alpha) &&
		m->l1_ratio >= 0.0 && m->l1_ratio <= 1.0 && m->max_iter >= 1 &&
		m->tol >= 0.0 && isfinite(m->tol) && isfinite(m->intercept) &&
		(m->fit_intercept || m->intercept == 0.0) &&
		m->status.n_iter >= 0 && m->status.n_iter <= m->max_iter && m->status.converged <= 1 &&
		!isnan(m->status.dual_gap);
}

static MmErrorCode
read(MmArtifactReader *r, MmModel *model)
{
	MmElasticNet *m = mm_alloc0(sizeof(MmElasticNet));
	uint32_t	max_iter,
				n_iter;

	if ((model->fit = m) == NULL)
		return MM_ERR_CORRUPT;
	m->n_features = model->n_design;
	m->fit_intercept = mm_get_u8(r);
	m->alpha = mm_get_f64(r);
	m->l1_ratio = mm_get_f64(r);
	max_iter = mm_get_u32(r);
	m->tol = mm_get_f64(r);
	m->intercept = mm_get_f64(r);
	m->coef = mm_get_f64_array(r, (size_t) model->n_design);
	n_iter = mm_get_u32(r);
	m->status.converged = mm_get_u8(r);
	m->status.dual_gap = mm_get_f64(r);
	if (r->failed || max_iter > INT32_MAX || n_iter > max_iter)
		return MM_ERR_CORRUPT;
	m->max_iter = (int) max_iter;
	m->status.n_iter = (int) n_iter;
	if (!valid(m) || !mm_all_finite(m->coef, (size_t) model->n_design))
		return MM_ERR_CORRUPT;
	return MM_OK;
}

static void
to_json(MmBuffer *o, const MmModel *model)
{
	const MmElasticNet *m = model->fit;

	mm_out_str(o, "{\"fit_intercept\": ");
	mm_out_bool(o, m->fit_intercept);
	mm_out_str(o, ", \"alpha\": ");
	mm_out_double(o, m->alpha);
	mm_out_str(o, ", \"l1_ratio\": ");
	mm_out_double(o, m->l1_ratio);
	mm_out_str(o, ", \"max_iter\": ");
	mm_out_int(o, m->max_iter);
	mm_out_str(o, ", \"tol\": ");
	mm_out_double(o, m->tol);
	mm_out_str(o, ", \"intercept\": ");
	mm_out_double(o, m->intercept);
	mm_out_str(o, ", \"coef\": ");
	mm_out_doubles(o, m->coef, model->n_design);
	mm_out_str(o, ", \"n_iter\": ");
	mm_out_int(o, m->status.n_iter);
	mm_out_str(o, ", \"converged\": ");
	mm_out_bool(o, m->status.converged);
	mm_out_str(o, ", \"dual_gap\": ");
	mm_out_double(o, m->status.dual_gap);
	mm_out_str(o, "}");
}

static MmErrorCode
from_json(MmDocumentReader *in, const void *part, MmModel *model)
{
	static const char *const keys[] = {"fit_intercept", "alpha", "l1_ratio", "max_iter", "tol",
	"intercept", "coef", "n_iter", "converged", "dual_gap", NULL};
	MmElasticNet *m;

	mm_doc_only_keys(in, part, keys, "the model");
	if (in->failed)
		return MM_ERR_INVALID_INPUT;
	if ((m = mm_alloc0(sizeof(MmElasticNet))) == NULL)
		return mm_fail(in->err, MM_ERR_NO_MEMORY, -1, "out of memory reading the document");
	model->fit = m;
	m->n_features = model->n_design;
	m->fit_intercept = mm_doc_bool(in, part, "fit_intercept");
	m->alpha = mm_doc_number(in, part, "alpha", 0);
	m->l1_ratio = mm_doc_number(in, part, "l1_ratio", 0);
	m->max_iter = (int) mm_doc_int(in, part, "max_iter", 1, INT32_MAX);
	m->tol = mm_doc_number(in, part, "tol", 0);
	m->intercept = mm_doc_number(in, part, "intercept", 0);
	m->coef = mm_doc_numbers(in, part, "coef", model->n_design, 0);
	m->status.n_iter = (int) mm_doc_int(in, part, "n_iter", 0, INT32_MAX);
	m->status.converged = mm_doc_bool(in, part, "converged");
	m->status.dual_gap = mm_doc_number(in, part, "dual_gap", 0);
	return in->failed ? MM_ERR_INVALID_INPUT : MM_OK;
}

/*
 * In the units of the raw inputs: the model's centering and scaling
 * undone.  A penalized fit has no standard errors.
 */
static int
coefficients(const MmModel *model, MmCoefficient **out)
{
	const MmElasticNet *m = model->fit;

	return mm_linear_coefficients(model, m->intercept, m->coef, m->fit_intercept, NULL, NULL, NULL, NAN, out);
}

static const double *
linear_form(const MmModel *model, double *intercept)
{
	const MmElasticNet *m = model->fit;

	*intercept = m->intercept;
	return m->coef;
}

static const MmPass *const passes[] = {&mm_linear_moments_pass, NULL};

const MmAlgorithm mm_elastic_net = {
	.name = "elastic_net",
	.task = MM_TASK_REGRESSION,
	.artifact_id = 6,
	.params = params,
	.n_params = N_PARAMS,
	.texts = {
		.display_name = "the elastic net",
		.not_converged = "Raise max_iter, raise tol, or scale the features with "
		"preprocess => '{\"*\": {\"scale\": \"standard\"}}'.",
		.too_few_rows = "Lower test_size or train on more rows.",
	},
	.fit = fit,
	.warm_start = warm_start,
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
