/*
 * logistic.c: logistic regression by Newton's method, a driver loop of
 * passes over a data source (logistic_passes.h).
 *
 * The objective is scikit-learn's: the summed (class-weighted) log-loss plus
 * alpha/2 times the squared norm of the coefficients, intercepts free.  A
 * first pass counts the classes (for balanced weights and the start); then
 * each Newton step costs one pass, which sums the gradient and the Hessian
 * over every row at the trial point of the step.  When the full step is
 * accepted (by the slope at its end, which needs no loss), that pass is
 * also the next step's start, so a step reads the rows once; a step that
 * overshoots is judged, and backed off by halving, by passes that sum the
 * loss alone, and pays one more full pass where it lands.  A large fit's
 * first steps run on sampled passes instead (SAMPLE_ROWS), which sum over
 * rows chosen by their content, and only bring the start closer to the
 * optimum.  Every sum is over every row, or over a sample that is the
 * same whatever the rows' order, so the rows' order and the way a source
 * splits and merges them change the answer only through rounding.
 *
 * The iteration goes on until a step no longer moves the coefficients
 * (SETTLED_STEP), penalized or not: Newton's method converges quadratically,
 * so from where scikit-learn's gradient rule would stop, one or two more
 * steps reach the optimum to its rounding level, and two fits of the same
 * rows in different orders (or in memory and on the shards of a
 * distributed table) agree far below 1e-6.  tol keeps its meaning as the
 * test of convergence: a fit is converged once the mean gradient is below
 * it, and a fit stopping at max_iter before that says so.
 *
 * Multinomial models carry one coefficient row per class, like scikit-learn;
 * their intercepts, and unregularized their slopes too, are identified only
 * up to a shift common to the classes, and the step is the pseudo-inverse's,
 * which leaves the shift where it started (see solve_step()).
 */
#include "logistic.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include <lapacke.h>

#include "distributions.h"
#include "logistic_passes.h"

#define ARMIJO 1e-4
#define MAX_HALVINGS 40
#define PINV_TOLERANCE 1e-12
/*
 * The iteration stops once what is left of the way to the optimum moves no
 * parameter by more than this, relative: the step just taken, or the next
 * one, which a contracting iteration makes shorter than the last by at
 * least the ratio of the last to the one before (Newton's method contracts
 * quadratically near the optimum, faster than that).
 */
#define SETTLED_STEP 1e-10
/*
 * Past the gradient rule, a step this small that is no shorter than half
 * the one before has stopped contracting: the iteration is in the
 * gradient's rounding, where an ill-conditioned Hessian keeps it from
 * SETTLED_STEP, and further steps only stir the last digits.
 */
#define STALLED_STEP 1e-8
/*
 * A full step whose end the objective's slope along it has passed by at most
 * this share of its slope at the start is taken without judging it by the
 * loss.  Near the optimum the Newton step lands on the minimum along its
 * line up to the objective's third derivative, so the end slope is a small
 * residue of either sign; the objective then fell by close to half the
 * start's slope, and in any case (it is convex) rose by no more than that
 * residue.  A step overshooting by more is judged by loss passes.
 */
#define OVERSHOOT 0.01
/*
 * Fits of at least SAMPLE_FROM times SAMPLE_ROWS rows take their first steps
 * on sampled passes (logistic_passes.h) of about SAMPLE_ROWS rows: such a
 * pass hashes every row but sums the Hessian of a few, several times
 * cheaper than a full one.  The sample's optimum lies within its sampling
 * error of the whole rows' (about 1% of a coefficient at this size), so
 * the sampled steps stop once a step moves no parameter by more than
 * SAMPLE_SETTLED, relative, and the full steps finish from there in two or
 * three passes, quadratically.  They start only from the classes' shares:
 * a warm start is usually closer to the optimum than a sample's is.
 */
#define SAMPLE_ROWS 65536.0
#define SAMPLE_FROM 4.0
#define SAMPLE_SETTLED 0.05
#define SAMPLE_STEPS 10

/* One fit's source, shape and working arrays. */
typedef struct Fit
{
	MmDataSource *data;
	int			p;
	int			k;
	int			R;				/* coefficient rows: 1 or k */
	int			d;				/* parameters per row: p, plus the intercept */
	int			m;				/* parameters in all: R * d */
	const MmLogisticOptions *opt;
	double		n;				/* the training rows */
	double		wsum;			/* the rows' total weight */
	double	   *arg;			/* the Newton pass's arg: head, class weights, coefficients */
	double	   *beta;			/* m: per row the coefficients, then the intercept */
	double	   *beta_try;
	double	   *state;			/* the full pass at beta */
	double	   *state_try;		/* the full pass at beta_try */
	double	   *loss_state;		/* a loss-only pass */
	double	   *grad;			/* m: the objective's gradient at beta */
	double	   *grad_try;
	double	   *work;			/* m * m */
	double	   *eig;			/* m */
	double	   *step;			/* m */
} Fit;

static void
fit_free(Fit *f)
{
	mm_free(f->arg);
	mm_free(f->beta);
	mm_free(f->beta_try);
	mm_free(f->state);
	mm_free(f->state_try);
	mm_free(f->loss_state);
	mm_free(f->grad);
	mm_free(f->grad_try);
	mm_free(f->work);
	mm_free(f->eig);
	mm_free(f->step);
}

static double *
class_weights(const Fit *f)
{
	return f->arg + MM_LOGISTIC_ARG_HEAD;
}

/*
 * Runs the Newton pass of a kind (logistic_passes.h) at parameters b into
 * state: the gradient and Hessian over every row or the sample (whose share
 * the arg holds already), or the loss alone.
 */
static MmErrorCode
newton_pass(Fit *f, const double *b, int kind, double *state, MmError *err)
{
	f->arg[MM_LOGISTIC_ARG_FULL] = kind;
	memcpy(f->arg + MM_LOGISTIC_ARG_HEAD + f->k, b, sizeof(double) * f->m);
	return f->data->run(f->data, &mm_logistic_newton_pass, f->arg, state, err);
}

/* The objective at parameters b: the pass's loss plus the penalty alpha/2 |w|^2. */
static double
objective(const Fit *f, const double *state, const double *b)
{
	double		s = 0.0;
	int			r,
				j;

	for (r = 0; r < f->R; r++)
		for (j = 0; j < f->p; j++)
			s += b[r * f->d + j] * b[r * f->d + j];
	return state[MM_LOGISTIC_STATE_LOSS] + 0.5 * f->opt->alpha * s;
}

/* The objective's gradient at parameters b, from the full pass there, into g. */
static void
gradient(const Fit *f, const double *state, const double *b, double *g)
{
	int			r,
				j;

	memcpy(g, state + MM_LOGISTIC_STATE_HEAD, sizeof(double) * f->m);
	for (r = 0; r < f->R; r++)
		for (j = 0; j < f->p; j++)
			g[r * f->d + j] += f->opt->alpha * b[r * f->d + j];
}

/* Entry (a, b) of the summed loss's Hessian in a full pass's state. */
static inline double
hessian_at(const Fit *f, const double *state, int a, int b)
{
	const double *tri = state + MM_LOGISTIC_STATE_HEAD + f->m;

	return a <= b ? tri[mm_logistic_packed(f->m, a, b)] : tri[mm_logistic_packed(f->m, b, a)];
}

/* The objective's Hessian from a full pass, square, into f->work. */
static void
unpack_hessian(Fit *f, const double *state)
{
	int			m = f->m,
				a,
				b,
				r;

	for (a = 0; a < m; a++)
		for (b = 0; b < m; b++)
			f->work[(size_t) a * m + b] = hessian_at(f, state, a, b);
	for (r = 0; r < f->R; r++)
		for (a = 0; a < f->p; a++)
			f->work[(size_t) (r * f->d + a) * m + r * f->d + a] += f->opt->alpha;
}

/*
 * Whether parameter j of every coefficient row moves the scores of a
 * multinomial model only by a shift common to the classes, which leaves
 * the probabilities, and so the loss, as they are: the intercept always,
 * the slopes without a penalty.  Along such a direction the Hessian is
 * singular.
 */
static int
shift_free(const Fit *f, int j)
{
	return f->R > 1 && (j == f->p || f->opt->alpha == 0.0);
}

/*
 * Adds c times the projection onto the shift-free directions to the square
 * Hessian in f->work.  The gradient is orthogonal to them (its entries for
 * one parameter sum to zero over the rows), so the step solved from the
 * sum is the pseudo-inverse's, and Cholesky applies.
 */
static void
fill_shifts(Fit *f, double c)
{
	int			m = f->m,
				d = f->d,
				j,
				r,
				s;

	for (j = 0; j < d; j++)
		if (shift_free(f, j))
			for (r = 0; r < f->R; r++)
				for (s = 0; s < f->R; s++)
					f->work[(size_t) (r * d + j) * m + s * d + j] += c / f->R;
}

/*
 * Takes out of the step its part along the shift-free directions, which
 * rounding leaves there: the fit keeps the shift it started from (for the
 * classes' shares, rows summing to zero, as scikit-learn's), whatever the
 * order of the rows.
 */
static void
drop_shifts(Fit *f)
{
	int			d = f->d,
				j,
				r;

	for (j = 0; j < d; j++)
		if (shift_free(f, j))
		{
			double		mean = 0.0;

			for (r = 0; r < f->R; r++)
				mean += f->step[r * d + j] / f->R;
			for (r = 0; r < f->R; r++)
				f->step[r * d + j] -= mean;
		}
}

/*
 * Solves hess * step = grad at the current point: by Cholesky when the
 * Hessian (with its shift-free directions filled) is positive definite,
 * else by its pseudo-inverse (a flat direction gets no step).
 */
static int
solve_step(Fit *f)
{
	int			m = f->m;
	lapack_int	info;
	double		top = 0.0;
	int			a,
				b;

	unpack_hessian(f, f->state);
	for (a = 0; a < m; a++)
		top = fmax(top, f->work[(size_t) a * m + a]);
	fill_shifts(f, top > 0.0 ? top : 1.0);
	memcpy(f->step, f->grad, sizeof(double) * m);
	info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', m, 1, f->work, m, f->step, 1);
	if (info == 0)
	{
		drop_shifts(f);
		return 1;
	}

	unpack_hessian(f, f->state);
	info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', m, f->work, m, f->eig);
	if (info != 0)
		return 0;
	top = 0.0;
	for (a = 0; a < m; a++)
		if (fabs(f->eig[a]) > top)
			top = fabs(f->eig[a]);
	memset(f->step, 0, sizeof(double) * m);
	for (b = 0; b < m; b++)
	{
		double		proj = 0.0;

		if (!(f->eig[b] > PINV_TOLERANCE * top))
			continue;
		for (a = 0; a < m; a++)
			proj += f->work[(size_t) a * m + b] * f->grad[a];
		proj /= f->eig[b];
		for (a = 0; a < m; a++)
			f->step[a] += proj * f->work[(size_t) a * m + b];
	}
	drop_shifts(f);
	return 1;
}

/* Swaps two arrays. */
static void
swap(double **a, double **b)
{
	double	   *t = *a;

	*a = *b;
	*b = t;
}

/* Largest absolute entry of gradient g, of the mean loss. */
static double
gradient_size(const Fit *f, const double *g)
{
	double		top = 0.0;
	int			a;

	for (a = 0; a < f->m; a++)
		if (fabs(g[a]) > top)
			top = fabs(g[a]);
	return top / f->wsum;
}

/* The largest move the Newton step makes in a parameter, relative to the parameter's size. */
static double
relative_move(const Fit *f)
{
	double		top = 0.0;
	int			a;

	for (a = 0; a < f->m; a++)
	{
		double		move = fabs(f->step[a]) / fmax(1.0, fabs(f->beta[a]));

		if (move > top)
			top = move;
	}
	return top;
}

/*
 * Standard errors, z statistics and p-values from the full Hessian at the
 * optimum (the last full pass's), for the coefficients in the original
 * units: each slope is the fitted one over its feature's scale, the
 * intercept the fitted one less the slopes times the centers, so their
 * covariance is the fitted one mapped through that linear change.
 *
 * A multinomial fit is identified only up to a common shift of its rows,
 * so its statistics are those of the differences from the first class's
 * row (statsmodels' MNLogit parametrisation): with the first row held at
 * zero the log-likelihood of the others has as Hessian the block of the
 * full one for rows 1 .. k - 1, since the probabilities do not depend on
 * the shift.  The first row's statistics stay NaN.
 */
static void
inference(Fit *f, MmClassifier *out)
{
	int			p = f->p,
				d = f->d;
	int			first = f->R == 1 ? 0 : 1;	/* the first coefficient row with statistics */
	int			q = (f->R - first) * d; /* parameters in the identified block */
	const double *center = f->opt->center,
			   *scale = f->opt->scale;
	double	   *a;
	int			r,
				j,
				l;

	for (j = 0; j < q; j++)
		for (l = 0; l < q; l++)
			f->work[(size_t) j * q + l] = hessian_at(f, f->state, first * d + j, first * d + l);
	if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'U', q, f->work, q) != 0 ||
		LAPACKE_dpotri(LAPACK_ROW_MAJOR, 'U', q, f->work, q) != 0)
		return;
	/* dpotri leaves the upper triangle: mirror it */
	for (j = 0; j < q; j++)
		for (l = 0; l < j; l++)
			f->work[(size_t) j * q + l] = f->work[(size_t) l * q + j];
	a = f->step;				/* free after the last step */
	for (r = first; r < f->R; r++)
	{
		const double *b = f->beta + (size_t) r * d;
		const double *b0 = first ? f->beta : NULL;
		int			at = (r - first) * d;	/* the row's place in the block */

		for (j = 0; j <= p; j++)
		{
			double		coef = 0.0,
						var = 0.0,
						se;
			int			u,
						v;

			if (j == 0 && d == p)
				continue;
			memset(a, 0, sizeof(double) * d);
			if (j == 0)
			{
				a[p] = 1.0;
				for (u = 0; u < p; u++)
					a[u] = center ? -center[u] / scale[u] : 0.0;
			}
			else
				a[j - 1] = scale ? 1.0 / scale[j - 1] : 1.0;
			for (u = 0; u < d; u++)
			{
				coef += a[u] * (b[u] - (b0 ? b0[u] : 0.0));
				for (v = 0; v < d; v++)
					var += a[u] * f->work[(size_t) (at + u) * q + at + v] * a[v];
			}
			se = sqrt(var);
			if (!isfinite(se) || se <= 0.0)
				continue;
			out->std_err[r * (p + 1) + j] = se;
			out->stat[r * (p + 1) + j] = coef / se;
			out->p_value[r * (p + 1) + j] = mm_z_two_sided_p(coef / se);
		}
	}
}

static MmErrorCode
no_memory(Fit *f, MmError *err)
{
	fit_free(f);
	return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory fitting a logistic regression");
}

static MmErrorCode
not_finite(Fit *f, MmError *err)
{
	fit_free(f);
	return mm_fail(err, MM_ERR_NUMERIC, -1, "the log-loss is not finite");
}

/*
 * Counts the training rows of each class into count (k), refusing rows
 * without a class, a source without rows and a class without rows.
 */
static MmErrorCode
count_classes(MmDataSource *data, int k, double *count, MmError *err)
{
	double		arg = k;
	double	   *state = NULL;
	double		n = 0.0,
				unclassed = 0.0;
	MmErrorCode rc = MM_OK;
	int			c;

	if (data->class_rows != NULL && data->n_classes == k)
	{
		/* counted as the source found its classes: a pass would only count them again */
		for (c = 0; c < k; c++)
			count[c] = (double) data->class_rows[c];
	}
	else
	{
		state = mm_alloc(mm_logistic_counts_pass.state_size(data->p, &arg));
		if (state == NULL)
			return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory fitting a logistic regression");
		rc = data->run(data, &mm_logistic_counts_pass, &arg, state, err);
		if (rc == MM_OK)
		{
			memcpy(count, state + MM_LOGISTIC_COUNTS_HEAD, sizeof(double) * k);
			unclassed = state[1];
		}
		mm_free(state);
	}
	if (rc != MM_OK)
		return rc;
	for (c = 0; c < k; c++)
		n += count[c];
	if (unclassed > 0.0)
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1,
					   "%.0f training rows have no class index in 0 .. %d", unclassed, k - 1);
	if (n == 0.0)
		return mm_fail(err, MM_ERR_TOO_FEW_ROWS, -1, "no training rows");
	for (c = 0; c < k; c++)
		if (count[c] == 0.0)
			return mm_fail(err, MM_ERR_INVALID_INPUT, c, "class %d has no training rows", c);
	return MM_OK;
}

/*
 * The start: the point given, or the intercepts of the classes' (weighted)
 * shares, the optimum with every coefficient zero, which saves a step or
 * two; zero without an intercept.
 */
static void
start(Fit *f, const double *count)
{
	const MmLogisticOptions *opt = f->opt;
	const double *cw = class_weights(f);
	int			p = f->p,
				r,
				j,
				c;

	if (opt->start != NULL)
	{
		for (r = 0; r < f->R; r++)
		{
			for (j = 0; j < p; j++)
				f->beta[r * f->d + j] = opt->start[r * (p + 1) + j];
			if (opt->fit_intercept)
				f->beta[r * f->d + p] = opt->start[r * (p + 1) + p];
		}
	}
	else if (opt->fit_intercept)
	{
		double		mean_log = 0.0;

		for (c = 0; c < f->k; c++)
			mean_log += log(cw[c] * count[c] / f->wsum) / f->k;
		for (r = 0; r < f->R; r++)
			f->beta[r * f->d + p] = f->R == 1 ? log(cw[1] * count[1] / (cw[0] * count[0])) :
				log(cw[r] * count[r] / f->wsum) - mean_log;
	}
}

/*
 * Sets up f over data: the shape, the class weights from the counts, the
 * working arrays, the start.
 */
static MmErrorCode
prepare(Fit *f, MmDataSource *data, int k, const MmLogisticOptions *opt, MmError *err)
{
	int			p = data->p;
	double	   *count;
	double		n = 0.0;
	size_t		size,
				loss_size;
	MmErrorCode rc;
	int			c;

	memset(f, 0, sizeof(*f));
	if (k < 2)
		return mm_fail(err, MM_ERR_CONSTANT_TARGET, -1, "the training rows hold one class only");
	if (p < 1)
		return mm_fail(err, MM_ERR_TOO_FEW_ROWS, -1, "no training rows");
	f->data = data;
	f->p = p;
	f->k = k;
	f->R = mm_logistic_rows(k);
	f->d = p + (opt->fit_intercept ? 1 : 0);
	f->m = f->R * f->d;
	f->opt = opt;
	if (f->m > MM_LOGISTIC_MAX_PARAMS)
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1,
					   "a logistic regression of %d classes over %d columns has %d coefficients, more than %d",
					   k, p, f->m, MM_LOGISTIC_MAX_PARAMS);

	count = mm_alloc(sizeof(double) * k);
	if (count == NULL)
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory fitting a logistic regression");
	if ((rc = count_classes(data, k, count, err)) != MM_OK)
	{
		mm_free(count);
		return rc;
	}
	f->arg = mm_alloc0(sizeof(double) * (mm_logistic_arg_len(k, f->m) + 1));
	if (f->arg == NULL)
	{
		mm_free(count);
		return no_memory(f, err);
	}
	f->arg[MM_LOGISTIC_ARG_K] = k;
	f->arg[MM_LOGISTIC_ARG_D] = f->d;
	for (c = 0; c < k; c++)
		n += count[c];
	f->n = n;
	f->wsum = 0.0;
	for (c = 0; c < k; c++)
	{
		class_weights(f)[c] = opt->balanced ? n / ((double) k * count[c]) : 1.0;
		f->wsum += class_weights(f)[c] * count[c];
	}

	/* the sampled pass's state, the largest, holds a full one's too */
	f->arg[MM_LOGISTIC_ARG_FULL] = MM_LOGISTIC_PASS_SAMPLED;
	f->arg[mm_logistic_arg_len(k, f->m)] = 0.5;
	size = mm_logistic_newton_pass.state_size(p, f->arg);
	f->arg[MM_LOGISTIC_ARG_FULL] = MM_LOGISTIC_PASS_LOSS;
	loss_size = mm_logistic_newton_pass.state_size(p, f->arg);
	f->beta = mm_alloc0(sizeof(double) * f->m);
	f->beta_try = mm_alloc(sizeof(double) * f->m);
	f->state = mm_alloc(size);
	f->state_try = mm_alloc(size);
	f->loss_state = mm_alloc(loss_size);
	f->grad = mm_alloc(sizeof(double) * f->m);
	f->grad_try = mm_alloc(sizeof(double) * f->m);
	f->work = mm_alloc(sizeof(double) * f->m * f->m);
	f->eig = mm_alloc(sizeof(double) * f->m);
	f->step = mm_alloc(sizeof(double) * f->m);
	if (!f->beta || !f->beta_try || !f->state || !f->state_try || !f->loss_state || !f->grad ||
		!f->grad_try || !f->work || !f->eig || !f->step)
	{
		mm_free(count);
		return no_memory(f, err);
	}
	start(f, count);
	mm_free(count);
	return MM_OK;
}

/* The objective at parameters b, by a loss-only pass, into *obj. */
static MmErrorCode
loss_at(Fit *f, const double *b, double *obj, MmError *err)
{
	MmErrorCode rc = newton_pass(f, b, MM_LOGISTIC_PASS_LOSS, f->loss_state, err);

	if (rc != MM_OK)
		return rc;
	*obj = objective(f, f->loss_state, b);
	if (!isfinite(*obj))
		return mm_fail(err, MM_ERR_NUMERIC, -1, "the log-loss is not finite");
	return MM_OK;
}

/*
 * Backs off from an overshooting step by halving t (from 1/2) until the
 * objective, obj at the current point, falls by Armijo's rule, judged by
 * loss-only passes; then runs the full pass where it lands, whose
 * objective goes to *landed.  Sets *t to the step taken (0: none was).
 */
static MmErrorCode
back_off(Fit *f, double obj, double slope, double *t, double *landed, MmError *err)
{
	int			h,
				j;

	*t = 1.0;
	for (h = 1; h < MAX_HALVINGS; h++)
	{
		MmErrorCode rc;

		*t *= 0.5;
		for (j = 0; j < f->m; j++)
			f->beta_try[j] = f->beta[j] - *t * f->step[j];
		if ((rc = loss_at(f, f->beta_try, landed, err)) != MM_OK)
			return rc;
		if (*landed <= obj - ARMIJO * *t * slope)
			return newton_pass(f, f->beta_try, MM_LOGISTIC_PASS_FULL, f->state_try, err);
	}
	*t = 0.0;
	return MM_OK;
}

/*
 * Whether a full step of relative size move, after one of last_move (INFINITY
 * when there was none), leaves nothing of the way to the optimum: see
 * SETTLED_STEP.
 */
static int
settled(double move, double last_move)
{
	return move <= SETTLED_STEP ||
		(isfinite(last_move) && move < last_move && move * (move / last_move) <= SETTLED_STEP);
}

/*
 * Runs a sampled full pass at parameters b into state, its sums scaled from
 * the sample's weight to the whole rows', so that against them the penalty
 * weighs what it weighs in the whole objective.  *usable is 0 when the
 * sample holds no row.
 */
static MmErrorCode
sample_pass(Fit *f, const double *b, double *state, int *usable, MmError *err)
{
	size_t		len = (size_t) f->m + (size_t) f->m * (size_t) (f->m + 1) / 2,
				i;
	double		scale;
	MmErrorCode rc = newton_pass(f, b, MM_LOGISTIC_PASS_SAMPLED, state, err);
	double		weight;

	if (rc != MM_OK)
		return rc;
	weight = state[MM_LOGISTIC_STATE_HEAD + len];
	*usable = weight > 0.0;
	scale = *usable ? f->wsum / weight : 0.0;
	for (i = 0; i < len; i++)
		state[MM_LOGISTIC_STATE_HEAD + i] *= scale;
	return MM_OK;
}

/*
 * The first Newton steps, on sampled passes (see SAMPLE_ROWS), from the
 * start towards the sample's optimum.  A step is taken when the sample's
 * objective still descends at its end (judged by the pass there, which is
 * also the next step's start) or, once it moves no parameter by more than
 * SAMPLE_SETTLED, without a pass: the full steps judge what follows.
 * Anything else a sample may do (overshoot, be separated by the scores, hold
 * no row) hands over to the full steps from the last point taken; only
 * the source's own errors end the fit.
 */
static MmErrorCode
sample_steps(Fit *f, MmClassifier *out, MmError *err)
{
	const MmLogisticOptions *opt = f->opt;
	MmErrorCode rc;
	int			usable,
				steps,
				j;

	if (opt->start != NULL || f->n < SAMPLE_FROM * SAMPLE_ROWS)
		return MM_OK;
	f->arg[mm_logistic_arg_len(f->k, f->m)] = SAMPLE_ROWS / f->n;
	rc = sample_pass(f, f->beta, f->state, &usable, err);
	for (steps = 0; rc == MM_OK && usable && steps < SAMPLE_STEPS && out->n_iter < opt->max_iter; steps++)
	{
		double		slope = 0.0,
					end_slope = 0.0,
					move;

		mm_check_interrupts();
		if (opt->alpha == 0.0 && f->state[MM_LOGISTIC_STATE_WRONG] == 0.0)
			break;
		gradient(f, f->state, f->beta, f->grad);
		if (!isfinite(gradient_size(f, f->grad)) || !solve_step(f))
			break;
		for (j = 0; j < f->m; j++)
			slope += f->grad[j] * f->step[j];
		if (!(slope > 0.0))
			break;
		move = relative_move(f);
		for (j = 0; j < f->m; j++)
			f->beta_try[j] = f->beta[j] - f->step[j];
		if (move > SAMPLE_SETTLED)
		{
			if ((rc = sample_pass(f, f->beta_try, f->state_try, &usable, err)) != MM_OK || !usable)
				break;
			gradient(f, f->state_try, f->beta_try, f->grad_try);
			for (j = 0; j < f->m; j++)
				end_slope += f->grad_try[j] * f->step[j];
			if (!(end_slope >= -OVERSHOOT * slope))
				break;
			swap(&f->state, &f->state_try);
		}
		swap(&f->beta, &f->beta_try);
		out->n_iter++;
		if (opt->progress != NULL)
			opt->progress(opt->progress_arg, out->n_iter);
		if (move <= SAMPLE_SETTLED)
			break;
	}
	return rc;
}

/* Fits a logistic regression (see logistic.h). */
MmErrorCode
mm_logistic_fit_source(MmDataSource *data, int k, const MmLogisticOptions *opt,
					   MmClassifier *out, MmError *err)
{
	Fit			f;
	double		obj,
				last_move = INFINITY;
	int			p,
				r,
				j,
				nstat;
	MmErrorCode rc;

	if ((rc = prepare(&f, data, k, opt, err)) != MM_OK)
		return rc;
	p = f.p;
	out->converged = 0;
	out->n_iter = 0;
	if ((rc = sample_steps(&f, out, err)) != MM_OK ||
		(rc = newton_pass(&f, f.beta, MM_LOGISTIC_PASS_FULL, f.state, err)) != MM_OK)
	{
		fit_free(&f);
		return rc;
	}
	gradient(&f, f.state, f.beta, f.grad);
	if (!isfinite(gradient_size(&f, f.grad)))
		return not_finite(&f, err);
	obj = NAN;					/* the objective at beta, computed only when a step needs it */
	while (out->n_iter < opt->max_iter)
	{
		int			last;
		double		slope = 0.0,
					end_slope = 0.0,
					obj_try,
					t = 1.0,
					move;

		mm_check_interrupts();
		last = gradient_size(&f, f.grad) <= opt->tol;
		if (last)
			out->converged = 1;
		if (!solve_step(&f))
			break;
		for (j = 0; j < f.m; j++)
			slope += f.grad[j] * f.step[j];
		if (!(slope > 0.0))
		{
			/* no descent left along the step: the gradient is as small as rounding allows */
			out->converged = out->converged || slope == 0.0;
			break;
		}
		move = relative_move(&f);

		/*
		 * A step that leaves nothing of the way to the optimum is the last
		 * (see below); penalized, nothing reads a pass where it lands (the
		 * inference statistics and the separation test, which read the last
		 * pass, are the unpenalized fit's), so it is taken without one.
		 */
		if (opt->alpha != 0.0 && settled(move, last_move))
		{
			for (j = 0; j < f.m; j++)
				f.beta[j] -= f.step[j];
			out->n_iter++;
			if (opt->progress != NULL)
				opt->progress(opt->progress_arg, out->n_iter);
			out->converged = 1;
			break;
		}

		/*
		 * The full step first.  Its pass leaves the gradient and Hessian
		 * the next step starts from; it is accepted when the objective
		 * still descends at its end (the objective is convex along the
		 * step, so it fell all the way, whatever the rounding of the loss
		 * would say), or has passed the line's minimum by a residue only
		 * (OVERSHOOT), which needs no loss.  Otherwise the loss decides: the
		 * step is accepted when the objective fell by Armijo's rule or,
		 * from a converged point, whose decrease is below the objective's
		 * rounding, when it is no worse; else it backs off.
		 */
		for (j = 0; j < f.m; j++)
			f.beta_try[j] = f.beta[j] - f.step[j];
		if ((rc = newton_pass(&f, f.beta_try, MM_LOGISTIC_PASS_FULL, f.state_try, err)) != MM_OK)
		{
			fit_free(&f);
			return rc;
		}
		gradient(&f, f.state_try, f.beta_try, f.grad_try);
		for (j = 0; j < f.m; j++)
			end_slope += f.grad_try[j] * f.step[j];
		if (!isfinite(end_slope))
			return not_finite(&f, err);
		obj_try = NAN;
		if (!(end_slope >= -OVERSHOOT * slope))
		{
			if ((isnan(obj) && (rc = loss_at(&f, f.beta, &obj, err)) != MM_OK) ||
				(rc = loss_at(&f, f.beta_try, &obj_try, err)) != MM_OK)
			{
				fit_free(&f);
				return rc;
			}
			if (!(obj_try <= obj - ARMIJO * slope || (last && obj_try <= obj + 1e-13 * fabs(obj))))
			{
				if ((rc = back_off(&f, obj, slope, &t, &obj_try, err)) != MM_OK)
				{
					fit_free(&f);
					return rc;
				}
				if (t == 0.0)
					break;
				gradient(&f, f.state_try, f.beta_try, f.grad_try);
			}
		}
		swap(&f.beta, &f.beta_try);
		swap(&f.state, &f.state_try);
		swap(&f.grad, &f.grad_try);
		obj = obj_try;
		out->n_iter++;
		if (opt->progress != NULL)
			opt->progress(opt->progress_arg, out->n_iter);
		if (gradient_size(&f, f.grad) <= opt->tol)
			out->converged = 1;

		/*
		 * A full step that leaves nothing of the way to the optimum is
		 * convergence, whatever tol (which may ask for a gradient below
		 * its rounding); so is a step stalled in that rounding.
		 */
		if (t == 1.0 && settled(move, last_move))
		{
			out->converged = 1;
			break;
		}
		if (last && t == 1.0 && move <= STALLED_STEP && move >= 0.5 * last_move)
			break;

		/*
		 * Unpenalized, classes that the scores separate have no finite
		 * optimum: the coefficients would grow without bound, so the fit
		 * stops once the gradient rule is met.
		 */
		if (last && opt->alpha == 0.0 && f.state[MM_LOGISTIC_STATE_WRONG] == 0.0)
			break;
		last_move = t == 1.0 ? move : INFINITY;
	}

	out->n_rows = f.R;
	out->alpha = opt->alpha;
	out->fit_intercept = opt->fit_intercept;
	out->balanced = opt->balanced;
	out->max_iter = opt->max_iter;
	out->tol = opt->tol;
	nstat = f.R * (p + 1);
	out->intercept = mm_alloc(sizeof(double) * f.R);
	out->coef = mm_alloc(sizeof(double) * f.R * p);
	out->std_err = mm_alloc(sizeof(double) * nstat);
	out->stat = mm_alloc(sizeof(double) * nstat);
	out->p_value = mm_alloc(sizeof(double) * nstat);
	if (!out->intercept || !out->coef || !out->std_err || !out->stat || !out->p_value)
		return no_memory(&f, err);
	for (r = 0; r < f.R; r++)
	{
		out->intercept[r] = opt->fit_intercept ? f.beta[r * f.d + p] : 0.0;
		for (j = 0; j < p; j++)
			out->coef[r * p + j] = f.beta[r * f.d + j];
	}
	for (j = 0; j < nstat; j++)
		out->std_err[j] = out->stat[j] = out->p_value[j] = NAN;
	/*
	 * A fit that classifies every training row correctly has found a
	 * hyperplane separating the classes: without a penalty, no finite
	 * maximum-likelihood estimate exists then.
	 */
	out->separated = opt->alpha == 0.0 && f.state[MM_LOGISTIC_STATE_WRONG] == 0.0;
	if (opt->alpha == 0.0 && !opt->balanced && out->converged)
		inference(&f, out);
	fit_free(&f);
	return MM_OK;
}

/* Fits a logistic regression on rows in memory (see logistic.h). */
MmErrorCode
mm_logistic_fit(const double *x, const int32_t *y, size_t n, int p, int k,
				const MmLogisticOptions *opt, MmClassifier *out, MmError *err)
{
	MmRows		rows;
	MmDataSource source;

	rows.n = n;
	rows.p = p;
	rows.x = x;
	rows.y = y;
	rows.t = NULL;
	mm_memory_source(&source, &rows);
	return mm_logistic_fit_source(&source, k, opt, out, err);
}
