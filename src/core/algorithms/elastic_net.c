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

/*
 * The moments pass.  Its state is the header, then the moments block over d
 * = p + 1 variables, then 3 d doubles of work space (a row, and the 2 d of
 * mm_moments_add) that add and merge may overwrite: the pass runs on threads
 * that may not allocate.
 */
typedef struct PassState
{
	int64_t		d;
	double		block[];
} PassState;

/* Bytes of a state over p features. */
static size_t
pass_state_size(int p, const void *arg)
{
	int			d = p + 1;

	(void) arg;					/* the pass has no input */
	return sizeof(PassState) + sizeof(double) * ((size_t) mm_moments_len(d) + 3 * (size_t) d);
}

/* An empty state: no rows, and its width. */
static void
pass_init(void *state, int p, const void *arg)
{
	PassState  *s = state;

	memset(s, 0, pass_state_size(p, arg));
	s->d = p + 1;
}

/* Adds a block of rows, one at a time (Welford). */
static void
pass_add(void *state, const MmRows *rows, const void *arg)
{
	PassState  *s = state;
	int			d = (int) s->d;
	int			p = d - 1;
	double	   *row = s->block + mm_moments_len(d);
	double	   *scratch = row + d;
	size_t		r;

	(void) arg;
	for (r = 0; r < rows->n; r++)
	{
		memcpy(row, rows->x + r * p, sizeof(double) * p);
		row[p] = rows->t[r];
		mm_moments_add(s->block, d, row, scratch);
	}
}

/* Merges another state of the same width (Chan). */
static void
pass_merge(void *state, const void *other, int p, const void *arg)
{
	PassState  *s = state;
	const PassState *o = other;
	int			d = (int) s->d;

	(void) arg;
	(void) p;
	mm_moments_merge(s->block, o->block, d, s->block + mm_moments_len(d));
}

const MmPass mm_enet_moments_pass = {
	.name = "elastic net moments",
	.state_size = pass_state_size,
	.init = pass_init,
	.add = pass_add,
	.merge = pass_merge
};

/* The moments block inside a state of the moments pass. */
const double *
mm_enet_pass_moments(const void *state)
{
	return ((const PassState *) state)->block;
}

/* One pass over a source, then the fit. */
MmErrorCode
mm_enet_fit_source(MmDataSource *source, const MmEnetParams *params, const double *start,
				   MmElasticNet *out, MmError *err)
{
	void	   *state;
	MmErrorCode rc;

	memset(out, 0, sizeof(*out));
	if (source->p < 1 || source->p > MM_MAX_DESIGN)
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "an elastic net needs 1 to %d features, not %d",
					   MM_MAX_DESIGN, source->p);
	state = mm_alloc(pass_state_size(source->p, NULL));
	if (state == NULL)
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory fitting an elastic net");
	rc = source->run(source, &mm_enet_moments_pass, NULL, state, err);
	if (rc == MM_OK)
		rc = mm_enet_fit(mm_enet_pass_moments(state), source->p, params, start, out, err);
	mm_free(state);
	return rc;
}
