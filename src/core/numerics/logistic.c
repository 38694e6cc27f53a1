/*
 * logistic.c: logistic regression by Newton's method on rows in memory.
 *
 * The objective is scikit-learn's: the summed (class-weighted) log-loss plus
 * alpha/2 times the squared norm of the coefficients, intercepts free.  Each
 * Newton step takes the exact gradient over every row and the Hessian over at
 * most MM_LOGISTIC_HESSIAN_ROWS of them (a regular subsample, scaled to the
 * whole): the Hessian costs p^2 per row against p for the gradient, and a
 * close Hessian is all the step needs, since the fixed point (a zero
 * gradient) is the same.  A backtracking line search keeps every step a
 * decrease of the objective, so the iteration converges from any start.
 *
 * A step reuses the line search's work: the linear scores of the accepted
 * trial are the next step's scores, so one step reads the data twice (the
 * gradient, then the trial scores).  The full step is accepted when the
 * objective still descends at its end, which needs the probabilities there
 * but not the log-loss; only a step that overshoots computes the objective
 * and backtracks.
 *
 * Multinomial models carry one coefficient row per class, like scikit-learn;
 * unregularized, they are identified only up to a common shift, and the step
 * solves the singular system by a pseudo-inverse, which leaves the shift
 * where it started.
 *
 * Penalized fits stop by scikit-learn's rule (the mean gradient below tol,
 * then one more step); unpenalized ones, whose standard errors describe the
 * maximum-likelihood estimate, go on until a step no longer moves the
 * coefficients (see settled()).
 */
#include "logistic.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include <lapacke.h>

#include "distributions.h"

#define ARMIJO 1e-4
#define MAX_HALVINGS 40
#define PINV_TOLERANCE 1e-12
#define INTERRUPT_ROWS 65536
/* an unpenalized fit's last step moves no parameter by more than this, relative */
#define POLISH_TOLERANCE 1e-10

/* One fit's data and working arrays. */
typedef struct Fit
{
	const double *x;
	const int32_t *y;
	size_t		n;
	int			p;
	int			k;
	int			R;				/* coefficient rows: 1 or k */
	int			d;				/* parameters per row: p, plus the intercept */
	int			m;				/* parameters in all: R * d */
	const MmLogisticOptions *opt;
	double	   *cw;				/* k class weights */
	double		wsum;			/* the rows' total weight */
	size_t		stride;			/* about one row in stride enters the Hessian */
	double	   *beta;			/* m: per row the coefficients, then the intercept */
	double	   *beta_try;
	double	   *eta;			/* n * R scores */
	double	   *eta_try;
	double	   *prob;			/* n * R: the last class's (binary) or every class's probability */
	double	   *prob_try;
	double	   *delta;			/* n * R: the step's change of the scores */
	double	   *grad;			/* m */
	double	   *hess;			/* m * m */
	double	   *grad_try;		/* at the trial point */
	double	   *hess_try;
	double	   *work;			/* m * m */
	double	   *eig;			/* m */
	double	   *step;			/* m */
} Fit;

static void
fit_free(Fit *f)
{
	mm_free(f->cw);
	mm_free(f->beta);
	mm_free(f->beta_try);
	mm_free(f->eta);
	mm_free(f->eta_try);
	mm_free(f->prob);
	mm_free(f->prob_try);
	mm_free(f->delta);
	mm_free(f->grad);
	mm_free(f->hess);
	mm_free(f->grad_try);
	mm_free(f->hess_try);
	mm_free(f->work);
	mm_free(f->eig);
	mm_free(f->step);
}

/* The score of row i for coefficient row r under parameters b. */
static inline double
row_score(const Fit *f, const double *b, size_t i, int r)
{
	const double *xi = f->x + i * (size_t) f->p;
	const double *br = b + (size_t) r * f->d;
	double		s = f->d > f->p ? br[f->p] : 0.0;
	int			j;

	for (j = 0; j < f->p; j++)
		s += br[j] * xi[j];
	return s;
}

/* The penalty alpha/2 |w|^2 of parameters b. */
static double
penalty(const Fit *f, const double *b)
{
	double		s = 0.0;
	int			r,
				j;

	if (f->opt->alpha == 0.0)
		return 0.0;
	for (r = 0; r < f->R; r++)
		for (j = 0; j < f->p; j++)
			s += b[r * f->d + j] * b[r * f->d + j];
	return 0.5 * f->opt->alpha * s;
}

/*
 * The weighted log-loss of scores eta (without the penalty), filling prob
 * with the probabilities those scores give.
 */
static double
loss_and_prob(const Fit *f, const double *eta, double *prob)
{
	double		loss = 0.0;
	size_t		i;
	int			r;

	if (f->R == 1)
	{
		for (i = 0; i < f->n; i++)
		{
			double		t = eta[i];
			double		e = exp(-fabs(t));
			double		softplus = (t > 0.0 ? t : 0.0) + log1p(e);

			prob[i] = t >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
			loss += f->cw[f->y[i]] * (softplus - (f->y[i] == 1 ? t : 0.0));
			if ((i + 1) % INTERRUPT_ROWS == 0)
				mm_check_interrupts();
		}
		return loss;
	}
	for (i = 0; i < f->n; i++)
	{
		const double *ti = eta + i * f->R;
		double	   *pi = prob + i * f->R;
		double		top = ti[0],
					sum = 0.0;

		for (r = 1; r < f->R; r++)
			if (ti[r] > top)
				top = ti[r];
		for (r = 0; r < f->R; r++)
		{
			pi[r] = exp(ti[r] - top);
			sum += pi[r];
		}
		for (r = 0; r < f->R; r++)
			pi[r] /= sum;
		loss += f->cw[f->y[i]] * (top + log(sum) - ti[f->y[i]]);
		if ((i + 1) % INTERRUPT_ROWS == 0)
			mm_check_interrupts();
	}
	return loss;
}

/* Adds w * xt xt' (xt = the row with its intercept 1) into block (ra, rb) of the Hessian's upper part. */
static inline void
add_outer(const Fit *f, double *h, int ra, int rb, const double *xi, double w)
{
	int			d = f->d,
				p = f->p,
				m = f->m;
	int			a,
				b;

	for (a = 0; a < d; a++)
	{
		double		wa = w * (a < p ? xi[a] : 1.0);
		double	   *row = h + (size_t) (ra * d + a) * m + rb * d;

		for (b = ra == rb ? a : 0; b < d; b++)
			row[b] += wa * (b < p ? xi[b] : 1.0);
	}
}

/*
 * Whether row i is in the Hessian's subsample of about one row in stride: a
 * hash of the row number, not every stride-th row, so that data ordered in a
 * period (by class, say) is sampled evenly all the same.
 */
static inline int
in_subsample(size_t i, size_t stride)
{
	uint64_t	z = (uint64_t) i * UINT64_C(0x9e3779b97f4a7c15);

	z ^= z >> 31;
	z *= UINT64_C(0xbf58476d1ce4e5b9);
	z ^= z >> 29;
	return z % stride == 0;
}

/* The probabilities of one row's scores, into pi. */
static inline void
row_probabilities(int R, const double *ti, double *pi)
{
	int			r;

	if (R == 1)
	{
		double		e = exp(-fabs(ti[0]));

		pi[0] = ti[0] >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
	}
	else
	{
		double		top = ti[0],
					sum = 0.0;

		for (r = 1; r < R; r++)
			if (ti[r] > top)
				top = ti[r];
		for (r = 0; r < R; r++)
		{
			pi[r] = exp(ti[r] - top);
			sum += pi[r];
		}
		for (r = 0; r < R; r++)
			pi[r] /= sum;
	}
}

/*
 * One pass over the rows at a point: the current one (trial false), or the
 * trial point beta - t * step, whose scores and probabilities the pass
 * computes first (into eta_try and prob_try, the scores' change into delta).
 * Fills the objective's gradient there over every row and its Hessian over
 * the subsample (scaled to the whole), and returns the gradient dotted with
 * the step.  Doing all of it in one read of the rows is what makes a Newton
 * step cost one pass.
 */
static double
point_pass(Fit *f, int trial, double t, size_t stride, double *grad, double *hess)
{
	int			d = f->d,
				p = f->p,
				m = f->m,
				R = f->R;
	const double *beta = trial ? f->beta_try : f->beta;
	double		wsub = 0.0,
				slope = 0.0,
				scale;
	size_t		i;
	int			r,
				s,
				a,
				b;

	memset(grad, 0, sizeof(double) * m);
	memset(hess, 0, sizeof(double) * m * m);
	for (i = 0; i < f->n; i++)
	{
		const double *xi = f->x + i * (size_t) p;
		double		w = f->cw[f->y[i]];
		const double *pi;
		int			sampled = stride == 1 || in_subsample(i, stride);

		if (trial)
		{
			double	   *ti = f->eta_try + i * R;

			for (r = 0; r < R; r++)
			{
				double		delta = row_score(f, f->step, i, r);

				f->delta[i * R + r] = delta;
				ti[r] = f->eta[i * R + r] - t * delta;
			}
			row_probabilities(R, ti, f->prob_try + i * R);
			pi = f->prob_try + i * R;
		}
		else
			pi = f->prob + i * R;

		for (r = 0; r < R; r++)
		{
			int			yr = R == 1 ? f->y[i] == 1 : f->y[i] == r;
			double		res = w * (pi[r] - (double) yr);
			double	   *g = grad + r * d;

			for (a = 0; a < p; a++)
				g[a] += res * xi[a];
			if (d > p)
				g[p] += res;
			if (trial)
				slope += res * f->delta[i * R + r];
		}
		if (sampled)
		{
			wsub += w;
			for (r = 0; r < R; r++)
				for (s = r; s < R; s++)
				{
					double		c = R == 1 ? pi[0] * (1.0 - pi[0]) :
						pi[r] * ((r == s ? 1.0 : 0.0) - pi[s]);

					add_outer(f, hess, r, s, xi, w * c);
				}
		}
		if ((i + 1) % INTERRUPT_ROWS == 0)
			mm_check_interrupts();
	}
	for (r = 0; r < R; r++)
		for (a = 0; a < p; a++)
		{
			grad[r * d + a] += f->opt->alpha * beta[r * d + a];
			slope += f->opt->alpha * beta[r * d + a] * f->step[r * d + a];
		}

	scale = wsub > 0.0 ? f->wsum / wsub : 1.0;
	for (a = 0; a < m; a++)
		for (b = a; b < m; b++)
		{
			double		v = hess[(size_t) a * m + b] * scale;

			hess[(size_t) a * m + b] = v;
			hess[(size_t) b * m + a] = v;
		}
	for (r = 0; r < R; r++)
		for (a = 0; a < p; a++)
			hess[(size_t) (r * d + a) * m + r * d + a] += f->opt->alpha;
	return slope;
}

/*
 * Solves hess * step = grad: by Cholesky when the Hessian is positive
 * definite, else by its pseudo-inverse (a flat direction gets no step).
 */
static int
solve_step(Fit *f)
{
	int			m = f->m;
	lapack_int	info;
	double		top = 0.0;
	int			a,
				b;

	memcpy(f->work, f->hess, sizeof(double) * m * m);
	memcpy(f->step, f->grad, sizeof(double) * m);
	info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', m, 1, f->work, m, f->step, 1);
	if (info == 0)
		return 1;

	memcpy(f->work, f->hess, sizeof(double) * m * m);
	info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', m, f->work, m, f->eig);
	if (info != 0)
		return 0;
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
	return 1;
}

/* The probabilities scores eta give, into prob. */
static void
probabilities(const Fit *f, const double *eta, double *prob)
{
	size_t		i;

	for (i = 0; i < f->n; i++)
	{
		row_probabilities(f->R, eta + i * f->R, prob + i * f->R);
		if ((i + 1) % INTERRUPT_ROWS == 0)
			mm_check_interrupts();
	}
}

/* Swaps two arrays. */
static void
swap(double **a, double **b)
{
	double	   *t = *a;

	*a = *b;
	*b = t;
}

/* Largest absolute entry of the gradient of the mean loss. */
static double
gradient_size(const Fit *f)
{
	double		top = 0.0;
	int			a;

	for (a = 0; a < f->m; a++)
		if (fabs(f->grad[a]) > top)
			top = fabs(f->grad[a]);
	return top / f->wsum;
}

/*
 * Standard errors, z statistics and p-values from the full Hessian at the
 * optimum, for the coefficients in the original units: each slope is the
 * fitted one over its feature's scale, the intercept the fitted one less
 * the slopes times the centers, so their covariance is the fitted one
 * mapped through that linear change.
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
	int			m = f->m,
				p = f->p,
				d = f->d;
	int			first = f->R == 1 ? 0 : 1;	/* the first coefficient row with statistics */
	int			q = (f->R - first) * d; /* parameters in the identified block */
	const double *center = f->opt->center,
			   *scale = f->opt->scale;
	double	   *a;
	int			r,
				j,
				l;

	(void) point_pass(f, 0, 0.0, 1, f->grad, f->hess);
	for (j = 0; j < q; j++)
		for (l = 0; l < q; l++)
			f->work[(size_t) j * q + l] = f->hess[(size_t) (first * d + j) * m + first * d + l];
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

/*
 * True when the step just taken (t times the Newton step) moved no
 * parameter by more than POLISH_TOLERANCE of its size: Newton's method
 * converges quadratically near the optimum, so the distance left is far
 * below that, at the level of the gradient's rounding.
 */
static int
settled(const Fit *f, double t)
{
	int			a;

	for (a = 0; a < f->m; a++)
		if (fabs(t * f->step[a]) > POLISH_TOLERANCE * fmax(1.0, fabs(f->beta[a])))
			return 0;
	return 1;
}

/* True when the current scores put every row strictly in its own class. */
static int
all_correct(const Fit *f)
{
	size_t		i;
	int			r;

	for (i = 0; i < f->n; i++)
	{
		const double *ti = f->eta + i * f->R;

		if (f->R == 1)
		{
			if ((f->y[i] == 1) != (ti[0] > 0.0) || ti[0] == 0.0)
				return 0;
			continue;
		}
		for (r = 0; r < f->R; r++)
			if (r != f->y[i] && !(ti[f->y[i]] > ti[r]))
				return 0;
	}
	return 1;
}

static MmErrorCode
no_memory(Fit *f, MmError *err)
{
	fit_free(f);
	return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory fitting a logistic regression");
}

/* Fits a logistic regression (see logistic.h). */
MmErrorCode
mm_logistic_fit(const double *x, const int32_t *y, size_t n, int p, int k,
				const MmLogisticOptions *opt, MmClassifier *out, MmError *err)
{
	Fit			f;
	size_t	   *count;
	size_t		i,
				nR;
	double		obj;
	int			c,
				r,
				j,
				nstat,
				polish;

	memset(&f, 0, sizeof(f));
	if (k < 2)
		return mm_fail(err, MM_ERR_CONSTANT_TARGET, -1, "the training rows hold one class only");
	if (n == 0 || p < 1)
		return mm_fail(err, MM_ERR_TOO_FEW_ROWS, -1, "no training rows");
	f.x = x;
	f.y = y;
	f.n = n;
	f.p = p;
	f.k = k;
	f.R = k == 2 ? 1 : k;
	f.d = p + (opt->fit_intercept ? 1 : 0);
	f.m = f.R * f.d;
	f.opt = opt;
	f.stride = n > MM_LOGISTIC_HESSIAN_ROWS ? (n + MM_LOGISTIC_HESSIAN_ROWS - 1) / MM_LOGISTIC_HESSIAN_ROWS : 1;
	nR = n * (size_t) f.R;

	count = mm_alloc0(sizeof(size_t) * k);
	f.cw = mm_alloc(sizeof(double) * k);
	if (count == NULL || f.cw == NULL)
	{
		mm_free(count);
		return no_memory(&f, err);
	}
	for (i = 0; i < n; i++)
	{
		if (y[i] < 0 || y[i] >= k)
		{
			mm_free(count);
			fit_free(&f);
			return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "class index %d out of range", (int) y[i]);
		}
		count[y[i]]++;
	}
	for (c = 0; c < k; c++)
	{
		if (count[c] == 0)
		{
			mm_free(count);
			fit_free(&f);
			return mm_fail(err, MM_ERR_INVALID_INPUT, c, "class %d has no training rows", c);
		}
		f.cw[c] = opt->balanced ? (double) n / ((double) k * (double) count[c]) : 1.0;
	}
	f.wsum = 0.0;
	for (c = 0; c < k; c++)
		f.wsum += f.cw[c] * (double) count[c];
	mm_free(count);

	f.beta = mm_alloc0(sizeof(double) * f.m);
	f.beta_try = mm_alloc(sizeof(double) * f.m);
	f.eta = mm_alloc0(sizeof(double) * nR);
	f.eta_try = mm_alloc(sizeof(double) * nR);
	f.prob = mm_alloc(sizeof(double) * nR);
	f.prob_try = mm_alloc(sizeof(double) * nR);
	f.delta = mm_alloc(sizeof(double) * nR);
	f.grad = mm_alloc(sizeof(double) * f.m);
	f.hess = mm_alloc(sizeof(double) * f.m * f.m);
	f.grad_try = mm_alloc(sizeof(double) * f.m);
	f.hess_try = mm_alloc(sizeof(double) * f.m * f.m);
	f.work = mm_alloc(sizeof(double) * f.m * f.m);
	f.eig = mm_alloc(sizeof(double) * f.m);
	f.step = mm_alloc(sizeof(double) * f.m);
	if (!f.beta || !f.beta_try || !f.eta || !f.eta_try || !f.prob || !f.prob_try ||
		!f.delta || !f.grad || !f.hess || !f.grad_try || !f.hess_try || !f.work || !f.eig || !f.step)
		return no_memory(&f, err);

	/*
	 * Start from the point given, or from the intercepts of the classes'
	 * (weighted) shares, the optimum with every coefficient zero: it saves
	 * a step or two.
	 */
	if (opt->start != NULL)
	{
		for (r = 0; r < f.R; r++)
		{
			for (j = 0; j < p; j++)
				f.beta[r * f.d + j] = opt->start[r * (p + 1) + j];
			if (opt->fit_intercept)
				f.beta[r * f.d + p] = opt->start[r * (p + 1) + p];
		}
		for (i = 0; i < n; i++)
			for (r = 0; r < f.R; r++)
			{
				double		eta = opt->fit_intercept ? f.beta[r * f.d + p] : 0.0;

				for (j = 0; j < p; j++)
					eta += x[i * p + j] * f.beta[r * f.d + j];
				f.eta[i * f.R + r] = eta;
			}
	}
	else if (opt->fit_intercept)
	{
		double		share[MM_MAX_CLASSES];
		double		mean_log = 0.0;

		for (c = 0; c < k; c++)
			share[c] = 0.0;
		for (i = 0; i < n; i++)
			share[y[i]] += f.cw[y[i]];
		for (c = 0; c < k; c++)
			mean_log += log(share[c] / f.wsum) / k;
		for (r = 0; r < f.R; r++)
		{
			int			cls = f.R == 1 ? 1 : r;
			double		b0 = f.R == 1 ? log(share[1] / share[0]) : log(share[cls] / f.wsum) - mean_log;

			f.beta[r * f.d + p] = b0;
			for (i = 0; i < n; i++)
				f.eta[i * f.R + r] = b0;
		}
	}
	probabilities(&f, f.eta, f.prob);
	(void) point_pass(&f, 0, 0.0, f.stride, f.grad, f.hess);
	obj = NAN;					/* the objective, computed only when a step needs it */
	polish = -1;				/* decided once the gradient rule is met */
	out->converged = 0;
	out->n_iter = 0;
	while (out->n_iter < opt->max_iter)
	{
		int			last;
		double		slope,
					t = 1.0,
					end_slope;
		int			h,
					accepted = 0;

		mm_check_interrupts();
		last = gradient_size(&f) <= opt->tol;
		if (!solve_step(&f))
			break;
		slope = 0.0;
		for (j = 0; j < f.m; j++)
			slope += f.grad[j] * f.step[j];
		if (!(slope > 0.0))
		{
			/* no descent left along the step: the gradient is as small as rounding allows */
			out->converged = last || slope == 0.0;
			break;
		}

		/*
		 * The full step first, judged by the slope of the objective at its
		 * end: the objective is convex along the step, so a slope still
		 * descending there means it fell all the way.  That needs the
		 * probabilities there but no logarithm, and the same pass leaves
		 * the gradient and Hessian the next step starts from.
		 */
		for (j = 0; j < f.m; j++)
			f.beta_try[j] = f.beta[j] - f.step[j];
		end_slope = point_pass(&f, 1, 1.0, f.stride, f.grad_try, f.hess_try);
		if (!isfinite(end_slope))
		{
			fit_free(&f);
			return mm_fail(err, MM_ERR_NUMERIC, -1, "the log-loss is not finite");
		}
		if (end_slope >= 0.0)
		{
			accepted = 1;
			obj = NAN;
			swap(&f.grad, &f.grad_try);
			swap(&f.hess, &f.hess_try);
		}
		else
		{
			/* the step overshoots the minimum along its line: back off by the objective */
			if (isnan(obj))
				obj = loss_and_prob(&f, f.eta, f.prob) + penalty(&f, f.beta);
			for (h = 0; h < MAX_HALVINGS; h++, t *= 0.5)
			{
				double		trial;

				for (j = 0; j < f.m; j++)
					f.beta_try[j] = f.beta[j] - t * f.step[j];
				for (i = 0; i < nR; i++)
					f.eta_try[i] = f.eta[i] - t * f.delta[i];
				trial = loss_and_prob(&f, f.eta_try, f.prob_try) + penalty(&f, f.beta_try);

				/*
				 * From a converged point the decrease is below the
				 * objective's rounding, so the full step only has to not
				 * make it worse.
				 */
				if (trial <= obj - ARMIJO * t * slope ||
					(last && h == 0 && trial <= obj + 1e-13 * fabs(obj)))
				{
					obj = trial;
					accepted = 1;
					break;
				}
			}
			if (accepted && !isfinite(obj))
			{
				fit_free(&f);
				return mm_fail(err, MM_ERR_NUMERIC, -1, "the log-loss is not finite");
			}
			/* the full step's pass already holds its gradient and Hessian */
			if (accepted && t == 1.0)
			{
				swap(&f.grad, &f.grad_try);
				swap(&f.hess, &f.hess_try);
			}
		}
		if (!accepted)
		{
			out->converged = last;
			break;
		}
		swap(&f.beta, &f.beta_try);
		swap(&f.eta, &f.eta_try);
		swap(&f.prob, &f.prob_try);
		out->n_iter++;
		if (last)
		{
			/*
			 * The step from a converged point only sharpens the digits:
			 * enough for a penalized fit, whose answer is scikit-learn's
			 * tolerance.  An unpenalized fit's statistics describe the
			 * maximum-likelihood estimate itself, so it goes on to where
			 * Newton's steps stop moving the coefficients, unless the
			 * classes are separated and no such estimate exists.
			 */
			out->converged = 1;
			if (polish < 0)
				polish = opt->alpha == 0.0 && !all_correct(&f);
			if (!polish || settled(&f, t))
				break;
		}
		if (t < 1.0)
			(void) point_pass(&f, 0, 0.0, f.stride, f.grad, f.hess);
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
	out->separated = opt->alpha == 0.0 && all_correct(&f);
	if (opt->alpha == 0.0 && !opt->balanced && out->converged)
		inference(&f, out);
	fit_free(&f);
	return MM_OK;
}
