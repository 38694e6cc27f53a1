/*
 * svm_primal.c: the squared-hinge linear SVM by Newton's method over passes
 * (see svm_primal.h).
 *
 * Each problem (one class against the rest, or the last class against the
 * first) iterates from w = 0: with the gradient g and the generalized
 * Hessian H of f at w, the step s solves H s = -g exactly (H is the identity
 * plus a positive semi-definite sum, so Cholesky serves), and a backtracking
 * line search takes the first t of 1, 1/2, 1/4, ... that decreases f by
 * Armijo's rule, as LIBLINEAR's Newton solver does.  The pass that tries the
 * step sums the losses at every trial t at once, and the gradient and
 * Hessian at the full step: when the full step is taken, as it nearly
 * always is once the set of rows with a positive loss settles, the next
 * step needs no other pass, so an iteration costs one pass, and two when
 * the line search shortens the step (a pass at the new w then gives g and
 * H).  The fit stops when |g| <= tol max(min(pos, neg), 1) / n |g(0)|,
 * LIBLINEAR's rule (pos and neg: the rows on either side), so that tol means
 * what it means to scikit-learn's LinearSVC.
 *
 * All problems share each pass, as many at once as keep its state within
 * STATE_BUDGET bytes (the Hessian's d (d + 1) / 2 sums per problem decide);
 * the rest wait for the next pass of the same round.  A problem that has
 * stopped leaves the passes.
 *
 * The pass, and the layout of its arg and state, are in svm_pass.h.
 */
#include "svm_primal.h"

#include <lapacke.h>
#include <math.h>
#include <string.h>

#include "svm_pass.h"

#define N_STEPS MM_SVM_MAX_STEPS	/* trial steps 1, 1/2, ... 2^-19, as LIBLINEAR tries */
#define ARMIJO 0.01				/* the share of the predicted decrease a step must achieve */
#define STATE_BUDGET (32 * 1024 * 1024)

/* Where a problem stands between passes. */
typedef enum Phase
{
	PHASE_EVAL,					/* needs g and H at w: a pass with s = 0 */
	PHASE_STEP,					/* has a step s to try */
	PHASE_DONE
} Phase;

typedef struct Problem
{
	int			positive;		/* the class counted as +1 */
	Phase		phase;
	int			iter;			/* Newton steps taken */
	int			converged;
	double		f;				/* f at w */
	double		g0;				/* |g| at w = 0 */
	double		eps;			/* LIBLINEAR's tolerance, relative to g0 */
	double	   *w,
			   *s,
			   *g,
			   *h;				/* d x d, full */
} Problem;

typedef struct Fit
{
	MmDataSource *data;
	const MmSvmOptions *opt;
	int			p,
				d,
				k,
				n_problems;
	double		n;				/* rows with a class */
	double	   *counts;			/* rows per class */
	double	   *cw;				/* class weights */
	double		steps[N_STEPS];
	Problem    *problems;
	double	   *arg;			/* room for the largest arg */
	double	   *state;			/* room for the largest state */
	int			batch;			/* problems per pass at most */
} Fit;

static double
dot(const double *a, const double *b, int d)
{
	double		s = 0.0;
	int			j;

	for (j = 0; j < d; j++)
		s += a[j] * b[j];
	return s;
}

/* Runs the pass for the problems listed (count of them, indexes into fit->problems). */
static MmErrorCode
run_pass(Fit *fit, const int *which, int count, MmError *err)
{
	double	   *a = fit->arg,
			   *prob;
	int			d = fit->d,
				r;

	a[MM_SVM_A_P] = fit->p;
	a[MM_SVM_A_D] = d;
	a[MM_SVM_A_K] = fit->k;
	a[MM_SVM_A_PROBLEMS] = count;
	a[MM_SVM_A_STEPS] = N_STEPS;
	a[MM_SVM_A_C] = fit->opt->C;
	memcpy(a + MM_SVM_A_HEAD, fit->cw, sizeof(double) * fit->k);
	memcpy(a + MM_SVM_A_HEAD + fit->k, fit->steps, sizeof(double) * N_STEPS);
	prob = a + MM_SVM_A_HEAD + fit->k + N_STEPS;
	for (r = 0; r < count; r++)
	{
		const Problem *pr = &fit->problems[which[r]];

		prob[0] = pr->positive;
		memcpy(prob + 1, pr->w, sizeof(double) * d);
		if (pr->phase == PHASE_STEP)
			memcpy(prob + 1 + d, pr->s, sizeof(double) * d);
		else
			memset(prob + 1 + d, 0, sizeof(double) * d);
		prob += 1 + 2 * d;
	}
	return fit->data->run(fit->data, &mm_svm_newton_pass, a, fit->state, err);
}

/*
 * With g and H at w in place (the summed losses' parts of them in gsum and
 * hsum): adds the penalty's parts, then stops the problem or solves for
 * its next step.
 */
static MmErrorCode
next_step(Fit *fit, Problem *pr, const double *gsum, const double *hsum, MmError *err)
{
	int			d = fit->d,
				i,
				j,
				info;
	double		norm;

	for (i = 0; i < d; i++)
		pr->g[i] = pr->w[i] + gsum[i];
	for (i = 0; i < d; i++)
		for (j = i; j < d; j++)
		{
			double		v = *hsum++ + (i == j ? 1.0 : 0.0);

			pr->h[(size_t) i * d + j] = pr->h[(size_t) j * d + i] = v;
		}
	norm = sqrt(dot(pr->g, pr->g, d));
	if (pr->iter == 0)
		pr->g0 = norm;
	if (norm <= pr->eps * pr->g0)
	{
		pr->converged = 1;
		pr->phase = PHASE_DONE;
		return MM_OK;
	}
	if (pr->iter >= fit->opt->max_iter)
	{
		pr->phase = PHASE_DONE;
		return MM_OK;
	}
	for (i = 0; i < d; i++)
		pr->s[i] = -pr->g[i];
	info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', d, 1, pr->h, d, pr->s, 1);
	if (info != 0)
		return mm_fail(err, MM_ERR_NUMERIC, -1, "the SVM's Newton system could not be solved");
	pr->phase = PHASE_STEP;
	return MM_OK;
}

/* Takes one problem's share of a pass's state: the line search, then the next step. */
static MmErrorCode
take_result(Fit *fit, Problem *pr, const double *ps, MmError *err)
{
	int			d = fit->d,
				j,
				i;
	const double *loss = ps,
			   *gsum = ps + N_STEPS,
			   *hsum = gsum + d;
	double		gs,
				ss,
				ws;

	if (pr->phase == PHASE_EVAL)
	{
		pr->f = 0.5 * dot(pr->w, pr->w, d) + loss[0];
		return next_step(fit, pr, gsum, hsum, err);
	}
	/* f(w + t s) = 1/2 (|w|^2 + 2 t w.s + t^2 |s|^2) + the losses at t */
	gs = dot(pr->g, pr->s, d);
	ss = dot(pr->s, pr->s, d);
	ws = dot(pr->w, pr->s, d);
	for (j = 0; j < N_STEPS; j++)
	{
		double		t = fit->steps[j];
		double		f = 0.5 * dot(pr->w, pr->w, d) + t * ws + 0.5 * t * t * ss + loss[j];

		if (f <= pr->f + ARMIJO * t * gs)
		{
			for (i = 0; i < d; i++)
				pr->w[i] += t * pr->s[i];
			pr->f = f;
			pr->iter++;
			if (j == 0)
				return next_step(fit, pr, gsum, hsum, err);
			pr->phase = PHASE_EVAL;
			return MM_OK;
		}
	}
	/* no step decreases f: w is the optimum to working precision, or the tolerance is below it */
	pr->phase = PHASE_DONE;
	return MM_OK;
}

/* One round: every problem still going gets its pass (in batches); returns how many went. */
static MmErrorCode
run_round(Fit *fit, int *which, int *went, MmError *err)
{
	size_t		stride = mm_svm_problem_len(fit->d, N_STEPS);
	int			count = 0,
				r,
				b;

	for (r = 0; r < fit->n_problems; r++)
		if (fit->problems[r].phase != PHASE_DONE)
			which[count++] = r;
	*went = count;
	for (b = 0; b < count; b += fit->batch)
	{
		int			m = count - b < fit->batch ? count - b : fit->batch;
		const double *per = fit->state + MM_SVM_S_HEAD + fit->k + 1;
		MmErrorCode rc = run_pass(fit, which + b, m, err);

		if (rc != MM_OK)
			return rc;
		for (r = 0; r < m; r++)
			if ((rc = take_result(fit, &fit->problems[which[b + r]], per + (size_t) r * stride,
								  err)) != MM_OK)
				return rc;
		mm_check_interrupts();
	}
	return MM_OK;
}

/*
 * The class counts from a state, or from the source when it counted them
 * (known), checked: every row has a class, every class a row.
 */
static MmErrorCode
take_counts(Fit *fit, int known, MmError *err)
{
	const double *counts = fit->state + MM_SVM_S_HEAD;
	int			c;

	if (!known && counts[fit->k] > 0.0)
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1,
					   "the linear SVM needs the class of every training row");
	fit->n = 0.0;
	for (c = 0; c < fit->k; c++)
		fit->n += fit->counts[c] = known ? (double) fit->data->class_rows[c] : counts[c];
	if (fit->n == 0.0)
		return mm_fail(err, MM_ERR_TOO_FEW_ROWS, -1, "no training rows");
	for (c = 0; c < fit->k; c++)
		if (fit->counts[c] == 0.0)
			return mm_fail(err, MM_ERR_INVALID_INPUT, c, "class %d has no training rows", c);
	return MM_OK;
}

/* The tolerance of each problem, from the rows on either side of it. */
static void
set_tolerances(Fit *fit)
{
	int			r;

	for (r = 0; r < fit->n_problems; r++)
	{
		Problem    *pr = &fit->problems[r];
		double		pos = fit->counts[pr->positive],
					neg = fit->n - pos;
		double		fewer = pos < neg ? pos : neg;

		pr->eps = fit->opt->tol * (fewer > 1.0 ? fewer : 1.0) / fit->n;
	}
}

static MmErrorCode
solve(Fit *fit, int *which, MmError *err)
{
	MmErrorCode rc;
	int			went,
				c;

	for (c = 0; c < fit->k; c++)
		fit->cw[c] = 1.0;
	if (fit->opt->balanced)
	{
		int			known = fit->data->class_rows != NULL && fit->data->n_classes == fit->k;

		/*
		 * the weights need the counts first: the source's, or a pass of no
		 * problems that counts alone
		 */
		if ((!known && (rc = run_pass(fit, which, 0, err)) != MM_OK) ||
			(rc = take_counts(fit, known, err)) != MM_OK)
			return rc;
		for (c = 0; c < fit->k; c++)
			fit->cw[c] = fit->n / ((double) fit->k * fit->counts[c]);
		set_tolerances(fit);
	}
	else
	{
		/* the first round's pass counts the rows too; the problems' tolerances wait for it */
		int			m = fit->n_problems < fit->batch ? fit->n_problems : fit->batch;

		for (c = 0; c < m; c++)
			which[c] = c;
		if ((rc = run_pass(fit, which, m, err)) != MM_OK || (rc = take_counts(fit, 0, err)) != MM_OK)
			return rc;
		set_tolerances(fit);
		for (c = 0; c < m; c++)
			if ((rc = take_result(fit, &fit->problems[c],
								  fit->state + MM_SVM_S_HEAD + fit->k + 1 +
								  (size_t) c * mm_svm_problem_len(fit->d, N_STEPS), err)) != MM_OK)
				return rc;
	}
	do
	{
		if ((rc = run_round(fit, which, &went, err)) != MM_OK)
			return rc;
	} while (went > 0);
	return MM_OK;
}

/* Fits the squared-hinge SVM over data (see svm_primal.h). */
MmErrorCode
mm_svm_primal_fit(MmDataSource *data, int k, const MmSvmOptions *opt, MmClassifier *out,
				  MmError *err)
{
	Fit			fit;
	int			p = data->p,
				d = p + (opt->fit_intercept ? 1 : 0),
				rows = k == 2 ? 1 : k,
				nstat = rows * (p + 1),
				r,
				j;
	size_t		per = mm_svm_problem_len(d, N_STEPS) * sizeof(double);
	int		   *which = NULL;
	MmErrorCode rc = MM_OK;

	if (k < 2)
		return mm_fail(err, MM_ERR_CONSTANT_TARGET, -1, "the training rows hold one class only");
	if (p < 1)
		return mm_fail(err, MM_ERR_TOO_FEW_ROWS, -1, "no training rows");
	memset(&fit, 0, sizeof(fit));
	fit.data = data;
	fit.opt = opt;
	fit.p = p;
	fit.d = d;
	fit.k = k;
	fit.n_problems = rows;
	fit.batch = per * (size_t) rows <= STATE_BUDGET ? rows : (int) (STATE_BUDGET / per);
	if (fit.batch < 1)
		fit.batch = 1;
	for (j = 0; j < N_STEPS; j++)
		fit.steps[j] = ldexp(1.0, -j);
	fit.counts = mm_alloc0(sizeof(double) * k);
	fit.cw = mm_alloc(sizeof(double) * k);
	fit.problems = mm_alloc0(sizeof(Problem) * rows);
	fit.arg = mm_alloc(sizeof(double) * mm_svm_arg_len(d, k, fit.batch, N_STEPS));
	fit.state = mm_alloc(sizeof(double) * (MM_SVM_S_HEAD + (size_t) k + 1) + per * (size_t) fit.batch);
	which = mm_alloc(sizeof(int) * rows);
	out->intercept = mm_alloc(sizeof(double) * rows);
	out->coef = mm_alloc(sizeof(double) * rows * p);
	out->std_err = mm_alloc(sizeof(double) * nstat);
	out->stat = mm_alloc(sizeof(double) * nstat);
	out->p_value = mm_alloc(sizeof(double) * nstat);
	if (!fit.counts || !fit.cw || !fit.problems || !fit.arg || !fit.state || !which ||
		!out->intercept || !out->coef || !out->std_err || !out->stat || !out->p_value)
		rc = mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory fitting a linear SVM");
	for (r = 0; rc == MM_OK && r < rows; r++)
	{
		Problem    *pr = &fit.problems[r];

		pr->positive = rows == 1 ? 1 : r;
		pr->phase = PHASE_EVAL;
		pr->w = mm_alloc0(sizeof(double) * d);
		pr->s = mm_alloc0(sizeof(double) * d);
		pr->g = mm_alloc0(sizeof(double) * d);
		pr->h = mm_alloc(sizeof(double) * d * d);
		if (!pr->w || !pr->s || !pr->g || !pr->h)
			rc = mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory fitting a linear SVM");
	}
	if (rc == MM_OK)
		rc = solve(&fit, which, err);
	if (rc == MM_OK)
	{
		out->n_rows = rows;
		out->converged = 1;
		out->n_iter = 0;
		for (r = 0; r < rows; r++)
		{
			const Problem *pr = &fit.problems[r];

			if (!pr->converged)
				out->converged = 0;
			if (pr->iter > out->n_iter)
				out->n_iter = pr->iter;
			out->intercept[r] = d > p ? pr->w[p] : 0.0;
			for (j = 0; j < p; j++)
				out->coef[(size_t) r * p + j] = pr->w[j];
		}
		for (j = 0; j < nstat; j++)
			out->std_err[j] = out->stat[j] = out->p_value[j] = NAN;
		out->alpha = opt->C;
		out->fit_intercept = opt->fit_intercept;
		out->balanced = opt->balanced;
		out->max_iter = opt->max_iter;
		out->tol = opt->tol;
		out->variant = 1;
		out->separated = 0;
	}
	for (r = 0; fit.problems != NULL && r < rows; r++)
	{
		mm_free(fit.problems[r].w);
		mm_free(fit.problems[r].s);
		mm_free(fit.problems[r].g);
		mm_free(fit.problems[r].h);
	}
	mm_free(fit.problems);
	mm_free(fit.counts);
	mm_free(fit.cw);
	mm_free(fit.arg);
	mm_free(fit.state);
	mm_free(which);
	return rc;
}
