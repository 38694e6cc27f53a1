/*
 * svm.c: the linear support vector classifier by dual coordinate descent.
 *
 * The method of Hsieh et al. (2008), which LIBLINEAR and scikit-learn's
 * LinearSVC use: the dual of the (squared) hinge-loss problem has one
 * bounded variable per row, updated one at a time in closed form while the
 * weight vector is kept up to date, so a pass costs two dot products per
 * row.  Rows whose variable sits at a bound and is expected to stay there
 * are shrunk out of the passes, and brought back for a final check before
 * the answer is accepted.  The intercept is a constant feature of 1 and is
 * penalized with the rest, as in LinearSVC.
 *
 * More than two classes are fitted one against the rest, one coefficient row
 * per class; the predicted class is the one with the largest decision score.
 */
#include "svm.h"
#include "random.h"
#include "roworder.h"

#include <math.h>
#include <string.h>

#define INTERRUPT_ROWS 65536

/* A small generator for the visiting order (xorshift64*). */

/* The decision value w . xt of row xi (xt: the row with its constant 1). */
static inline double
decision(const double *w, const double *xi, int p, int d)
{
	double		s = d > p ? w[p] : 0.0;
	int			j;

	for (j = 0; j < p; j++)
		s += w[j] * xi[j];
	return s;
}

/*
 * Solves one binary problem: rows of class positive against the rest, into
 * w (d values).  Returns the passes taken, negated when max_iter ran out.
 */
static int
solve_binary(const double *x, const int32_t *y, size_t n, int p, int d, int positive,
			 const double *row_c, const double *qd, const MmSvmOptions *opt,
			 double *w, double *alpha, const size_t *order, size_t *index)
{
	size_t		active = n,
				i,
				s;
	double		pg_max_old = INFINITY,
				pg_min_old = -INFINITY;
	MmRandom	rng = mm_random(opt->seed * UINT64_C(0x9e3779b97f4a7c15) + (uint64_t) positive + 1);
	int			iter;

	memset(w, 0, sizeof(double) * d);
	memset(alpha, 0, sizeof(double) * n);
	/* the rows shuffled from an order of their contents, not of the scan (roworder.h) */
	for (i = 0; i < n; i++)
		index[i] = order[i];
	for (iter = 0; iter < opt->max_iter; iter++)
	{
		double		pg_max = -INFINITY,
					pg_min = INFINITY;

		mm_check_interrupts();
		for (i = 0; i + 1 < active; i++)
		{
			size_t		j = i + (size_t) (mm_random_next(&rng) % (active - i));
			size_t		t = index[i];

			index[i] = index[j];
			index[j] = t;
		}
		for (s = 0; s < active; s++)
		{
			size_t		r = index[s];
			const double *xi = x + r * (size_t) p;
			double		sign = y[r] == positive ? 1.0 : -1.0;
			double		upper = opt->squared_hinge ? INFINITY : row_c[r];
			double		diag = opt->squared_hinge ? 0.5 / row_c[r] : 0.0;
			double		g = sign * decision(w, xi, p, d) - 1.0 + diag * alpha[r];
			double		pg = 0.0;

			if (alpha[r] == 0.0)
			{
				if (g > pg_max_old)
				{
					/* at its lower bound and pushing against it: out of the passes */
					active--;
					index[s] = index[active];
					index[active] = r;
					s--;
					continue;
				}
				if (g < 0.0)
					pg = g;
			}
			else if (alpha[r] == upper)
			{
				if (g < pg_min_old)
				{
					active--;
					index[s] = index[active];
					index[active] = r;
					s--;
					continue;
				}
				if (g > 0.0)
					pg = g;
			}
			else
				pg = g;
			if (pg > pg_max)
				pg_max = pg;
			if (pg < pg_min)
				pg_min = pg;
			if (fabs(pg) > 1e-12)
			{
				double		old = alpha[r];
				double		a = old - g / (qd[r] + diag);
				double		delta;
				int			j;

				a = a < 0.0 ? 0.0 : a > upper ? upper : a;
				alpha[r] = a;
				delta = (a - old) * sign;
				for (j = 0; j < p; j++)
					w[j] += delta * xi[j];
				if (d > p)
					w[p] += delta;
			}
			if ((s + 1) % INTERRUPT_ROWS == 0)
				mm_check_interrupts();
		}
		if (pg_max - pg_min <= opt->tol)
		{
			if (active == n)
				return iter + 1;
			/* converged on the active rows: check every row once more */
			active = n;
			pg_max_old = INFINITY;
			pg_min_old = -INFINITY;
			continue;
		}
		pg_max_old = pg_max > 0.0 ? pg_max : INFINITY;
		pg_min_old = pg_min < 0.0 ? pg_min : -INFINITY;
	}
	return -opt->max_iter;
}

/* Fits a linear SVM (see svm.h). */
MmErrorCode
mm_svm_fit(const double *x, const int32_t *y, size_t n, int p, int k,
		   const MmSvmOptions *opt, MmClassifier *out, MmError *err)
{
	int			d = p + (opt->fit_intercept ? 1 : 0);
	int			rows = k == 2 ? 1 : k;
	size_t	   *count,
				i;
	double	   *cw,
			   *row_c,
			   *qd,
			   *w,
			   *alpha;
	size_t	   *index,
			   *order;
	int			c,
				r,
				j,
				nstat = rows * (p + 1);

	if (k < 2)
		return mm_fail(err, MM_ERR_CONSTANT_TARGET, -1, "the training rows hold one class only");
	if (n == 0 || p < 1)
		return mm_fail(err, MM_ERR_TOO_FEW_ROWS, -1, "no training rows");
	count = mm_alloc0(sizeof(size_t) * k);
	cw = mm_alloc(sizeof(double) * k);
	row_c = mm_alloc(sizeof(double) * n);
	qd = mm_alloc(sizeof(double) * n);
	w = mm_alloc(sizeof(double) * d);
	alpha = mm_alloc(sizeof(double) * n);
	index = mm_alloc(sizeof(size_t) * n);
	order = mm_row_order(x, y, NULL, n, p);
	out->intercept = mm_alloc(sizeof(double) * rows);
	out->coef = mm_alloc(sizeof(double) * rows * p);
	out->std_err = mm_alloc(sizeof(double) * nstat);
	out->stat = mm_alloc(sizeof(double) * nstat);
	out->p_value = mm_alloc(sizeof(double) * nstat);
	if (!count || !cw || !row_c || !qd || !w || !alpha || !index || !order || !out->intercept ||
		!out->coef || !out->std_err || !out->stat || !out->p_value)
	{
		mm_free(count);
		mm_free(cw);
		mm_free(row_c);
		mm_free(qd);
		mm_free(w);
		mm_free(alpha);
		mm_free(index);
		mm_free(order);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory fitting a linear SVM");
	}
	for (i = 0; i < n; i++)
	{
		if (y[i] < 0 || y[i] >= k)
		{
			mm_free(count);
			return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "class index %d out of range", (int) y[i]);
		}
		count[y[i]]++;
	}
	for (c = 0; c < k; c++)
	{
		if (count[c] == 0)
		{
			mm_free(count);
			return mm_fail(err, MM_ERR_INVALID_INPUT, c, "class %d has no training rows", c);
		}
		cw[c] = opt->balanced ? (double) n / ((double) k * (double) count[c]) : 1.0;
	}
	for (i = 0; i < n; i++)
	{
		const double *xi = x + i * (size_t) p;
		double		q = d > p ? 1.0 : 0.0;

		for (j = 0; j < p; j++)
			q += xi[j] * xi[j];
		qd[i] = q;
		row_c[i] = opt->C * cw[y[i]];
	}

	out->n_rows = rows;
	out->converged = 1;
	out->n_iter = 0;
	for (r = 0; r < rows; r++)
	{
		int			positive = rows == 1 ? 1 : r;
		int			passes = solve_binary(x, y, n, p, d, positive, row_c, qd, opt, w, alpha, order,
										  index);

		if (passes < 0)
		{
			out->converged = 0;
			passes = -passes;
		}
		if (passes > out->n_iter)
			out->n_iter = passes;
		out->intercept[r] = d > p ? w[p] : 0.0;
		for (j = 0; j < p; j++)
			out->coef[r * p + j] = w[j];
	}
	for (j = 0; j < nstat; j++)
		out->std_err[j] = out->stat[j] = out->p_value[j] = NAN;
	out->alpha = opt->C;
	out->fit_intercept = opt->fit_intercept;
	out->balanced = opt->balanced;
	out->max_iter = opt->max_iter;
	out->tol = opt->tol;
	out->variant = opt->squared_hinge;
	out->separated = 0;
	mm_free(count);
	mm_free(cw);
	mm_free(row_c);
	mm_free(qd);
	mm_free(w);
	mm_free(alpha);
	mm_free(index);
	mm_free(order);
	return MM_OK;
}
