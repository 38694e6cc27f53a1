/*
 * linfit.c: least squares and ridge regression from a moments block.
 *
 * The block holds R, the triangular factor of the centered [X y] (moments.h);
 * without an intercept one more row, sqrt(n) times the means, turns it into
 * the factor of the raw data, and a ridge penalty is p more rows,
 * sqrt(alpha) times the unit vectors (the target's column 0).  Then
 * R = [Rxx rxy; 0 ryy], the solution solves Rxx b = rxy and the residual sum
 * of squares is ryy^2: no normal equations, so the design's condition number
 * is not squared, and no subtraction of large sums, so an exact fit has a
 * residual of zero, not rounding noise.
 *
 * Every feature is scaled to unit length first, so that the rank decision
 * does not depend on the units of the inputs: a column-pivoted QR (LAPACK
 * dgeqp3) of the scaled Rxx gives the rank, its pivots compared with
 * mm_rank_tolerance.  Of full rank, the solution and the covariance come
 * from triangular solves with Rxx.  Otherwise the singular value
 * decomposition of the scaled Rxx solves on its largest rank values, and
 * the other directions, mapped back to the original units and projected out
 * of the solution, leave the minimum-norm least-squares answer in the units
 * the user sees (the intercept outside the norm; the answer of
 * numpy.linalg.lstsq and MADlib on centered data).
 *
 * Standard errors follow the textbook: sigma^2 = RSS / (n - rank - 1), the
 * covariance sigma^2 (X'X)^-1 with a generalized inverse; a coefficient the
 * data cannot identify (its unit vector is not orthogonal to the null space)
 * has none.  Regularized fits have none either.
 */
#include "linfit.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include <lapacke.h>

#include "distributions.h"
#include "moments.h"

#define ALIAS_TOLERANCE 1e-6

double		mm_rank_tolerance = MM_RANK_TOLERANCE;

/* Working arrays of one fit. */
typedef struct FitWork
{
	double	   *tri;			/* packed factor of [X y], d = p + 1 */
	double	   *row;			/* d: a row folded into it */
	double	   *a;				/* p x p, column-major: Rxx, columns scaled */
	double	   *rxy;			/* p */
	double		ryy;
	double	   *scale;			/* p: the columns' lengths */
	double	   *smean;			/* p: the means over the scales */
	double	   *work;			/* p x p */
	double	   *u;				/* p x p, left singular vectors */
	double	   *vt;				/* p x p, right singular vectors, by row */
	double	   *sv;				/* p */
	double	   *tau;			/* p */
	lapack_int *jpvt;			/* p */
	double	   *z;				/* p */
	double	   *g;				/* p: diagonal of (X'X)^-1 */
	double	   *null_basis;		/* p x p row-major, columns used: null_dim */
	uint8_t    *alias;			/* p + 1, intercept first */
} FitWork;

static void
free_work(FitWork *w)
{
	mm_free(w->tri);
	mm_free(w->row);
	mm_free(w->a);
	mm_free(w->rxy);
	mm_free(w->scale);
	mm_free(w->smean);
	mm_free(w->work);
	mm_free(w->u);
	mm_free(w->vt);
	mm_free(w->sv);
	mm_free(w->tau);
	mm_free(w->jpvt);
	mm_free(w->z);
	mm_free(w->g);
	mm_free(w->null_basis);
	mm_free(w->alias);
}

static int
alloc_work(FitWork *w, int p)
{
	int			d = p + 1;
	size_t		pp = (size_t) p * p;

	memset(w, 0, sizeof(*w));
	w->tri = mm_alloc(sizeof(double) * (size_t) d * (d + 1) / 2);
	w->row = mm_alloc(sizeof(double) * d);
	w->a = mm_alloc0(sizeof(double) * pp);
	w->rxy = mm_alloc(sizeof(double) * p);
	w->scale = mm_alloc(sizeof(double) * p);
	w->smean = mm_alloc(sizeof(double) * p);
	w->work = mm_alloc(sizeof(double) * pp);
	w->u = mm_alloc(sizeof(double) * pp);
	w->vt = mm_alloc(sizeof(double) * pp);
	w->sv = mm_alloc(sizeof(double) * p);
	w->tau = mm_alloc(sizeof(double) * p);
	w->jpvt = mm_alloc(sizeof(lapack_int) * p);
	w->z = mm_alloc0(sizeof(double) * p);
	w->g = mm_alloc0(sizeof(double) * p);
	w->null_basis = mm_alloc(sizeof(double) * pp);
	w->alias = mm_alloc0((size_t) p + 1);
	return w->tri && w->row && w->a && w->rxy && w->scale && w->smean && w->work && w->u &&
		w->vt && w->sv && w->tau && w->jpvt && w->z && w->g && w->null_basis && w->alias;
}

/* Releases the work arrays and the half-built model of a failed fit. */
static MmErrorCode
fail_fit(FitWork *w, MmLinearModel *out, MmErrorCode code)
{
	free_work(w);
	mm_free(out->coef);
	mm_free(out->std_err);
	mm_free(out->stat);
	mm_free(out->p_value);
	memset(out, 0, sizeof(*out));
	return code;
}

/* Sum of squares of column j of a packed d x d triangle. */
static double
column_ss(const double *tri, int d, int j)
{
	double		s = 0.0;
	int			k;

	for (k = 0; k <= j; k++)
		s += tri[mm_tri_index(d, k, j)] * tri[mm_tri_index(d, k, j)];
	return s;
}

/*
 * The factor the fit solves (see the file comment) and the checks on its
 * columns; fills w's tri, a, rxy, ryy, scale and smean.
 */
static MmErrorCode
build_factor(const double *moments, int p, double alpha, int fit_intercept, FitWork *w,
			 MmError *err)
{
	int			d = p + 1,
				i,
				j;
	double		n = moments[0];
	const double *mean = moments + 1;
	double		yy;

	memcpy(w->tri, moments + 1 + d, sizeof(double) * (size_t) d * (d + 1) / 2);
	if (!fit_intercept)
	{
		for (j = 0; j < d; j++)
			w->row[j] = sqrt(n) * mean[j];
		mm_moments_fold(w->tri, d, w->row, 1, 1);
	}
	yy = column_ss(w->tri, d, p);
	if (fit_intercept)
	{
		for (j = 0; j < p; j++)
		{
			double		floor_ = 16.0 * DBL_EPSILON * fabs(mean[j]);

			if (column_ss(w->tri, d, j) <= n * floor_ * floor_)
				return mm_fail(err, MM_ERR_CONSTANT_FEATURE, j,
							   "feature %d has no variance in the training rows", j);
		}
		if (yy <= n * (16.0 * DBL_EPSILON * mean[p]) * (16.0 * DBL_EPSILON * mean[p]))
			return mm_fail(err, MM_ERR_CONSTANT_TARGET, p,
						   "the target has no variance in the training rows");
	}
	else if (yy == 0.0)
		return mm_fail(err, MM_ERR_CONSTANT_TARGET, p,
					   "the target is zero in every training row");

	/* the scales of the unpenalized columns; the penalty is in the original units */
	for (j = 0; j < p; j++)
	{
		double		s = sqrt(column_ss(w->tri, d, j));

		w->scale[j] = s > 0.0 ? s : 1.0;
		w->smean[j] = mean[j] / w->scale[j];
	}
	if (alpha > 0.0)
		for (i = 0; i < p; i++)
		{
			memset(w->row, 0, sizeof(double) * d);
			w->row[i] = sqrt(alpha);
			mm_moments_fold(w->tri, d, w->row, 1, 1);
		}
	for (j = 0; j < p; j++)
	{
		for (i = 0; i <= j; i++)
			w->a[i + (size_t) j * p] = w->tri[mm_tri_index(d, i, j)] / w->scale[j];
		w->rxy[j] = w->tri[mm_tri_index(d, j, p)];
	}
	w->ryy = w->tri[mm_tri_index(d, p, p)];
	return MM_OK;
}

/* The numerical rank of the scaled factor: pivots of its column-pivoted QR. */
static MmErrorCode
numerical_rank(FitWork *w, int p, int *rank, MmError *err)
{
	lapack_int	info;
	double		tol;
	int			k;

	memcpy(w->work, w->a, sizeof(double) * p * p);
	memset(w->jpvt, 0, sizeof(lapack_int) * p);
	info = LAPACKE_dgeqp3(LAPACK_COL_MAJOR, p, p, w->work, p, w->jpvt, w->tau);
	if (info != 0)
		return mm_fail(err, MM_ERR_NUMERIC, -1,
					   "pivoted QR of the training factor failed (LAPACK info %d)", (int) info);
	/*
	 * Never below rounding: a column that is exactly a combination of
	 * others leaves a pivot of rounding noise, about p times the machine
	 * epsilon of the largest (numpy's lstsq floor), whatever the setting.
	 */
	tol = fmax(mm_rank_tolerance, (double) p * DBL_EPSILON);
	*rank = 0;
	for (k = 0; k < p; k++)
		if (fabs(w->work[k + (size_t) k * p]) > tol * fabs(w->work[0]))
			(*rank)++;
	return MM_OK;
}

/*
 * Of full rank: z solves the scaled triangle, g and the intercept's quad
 * come from its inverse.
 */
static MmErrorCode
solve_full(FitWork *w, int p, double *quad, MmError *err)
{
	lapack_int	info;
	int			j,
				k;

	memcpy(w->z, w->rxy, sizeof(double) * p);
	info = LAPACKE_dtrtrs(LAPACK_COL_MAJOR, 'U', 'N', 'N', p, 1, w->a, p, w->z, p);
	if (info == 0)
	{
		memcpy(w->work, w->a, sizeof(double) * p * p);
		info = LAPACKE_dtrtri(LAPACK_COL_MAJOR, 'U', 'N', p, w->work, p);
	}
	if (info != 0)
		return mm_fail(err, MM_ERR_NUMERIC, -1,
					   "triangular solve of the training factor failed (LAPACK info %d)", (int) info);
	for (j = 0; j < p; j++)
	{
		double		s = 0.0;

		for (k = j; k < p; k++)
			s += w->work[j + (size_t) k * p] * w->work[j + (size_t) k * p];
		w->g[j] = s;
	}
	/* mean'(X'X)^-1 mean = |A^-T mean|^2, A the scaled triangle */
	*quad = 0.0;
	for (k = 0; k < p; k++)
	{
		double		s = 0.0;

		for (j = 0; j <= k; j++)
			s += w->work[j + (size_t) k * p] * w->smean[j];
		*quad += s * s;
	}
	return MM_OK;
}

/*
 * Of rank below p: the solution on the rank largest singular values of the
 * scaled triangle, and the other directions in the original units as the
 * null basis.  Returns the residual sum of squares the dropped directions add.
 */
static MmErrorCode
solve_deficient(FitWork *w, int p, int rank, double *quad, double *extra_rss, MmError *err)
{
	lapack_int	info;
	int			i,
				k,
				j;

	memcpy(w->work, w->a, sizeof(double) * p * p);
	info = LAPACKE_dgesvd(LAPACK_COL_MAJOR, 'A', 'A', p, p, w->work, p, w->sv, w->u, p, w->vt, p,
						  w->tau);
	if (info != 0)
		return mm_fail(err, MM_ERR_NUMERIC, -1,
					   "singular value decomposition of the training factor failed (LAPACK info %d)",
					   (int) info);
	*quad = 0.0;
	for (k = 0; k < rank; k++)
	{
		double		s = 0.0,
					m = 0.0;

		for (i = 0; i < p; i++)
		{
			s += w->u[i + (size_t) k * p] * w->rxy[i];
			m += w->vt[k + (size_t) i * p] * w->smean[i];
		}
		for (i = 0; i < p; i++)
		{
			w->z[i] += w->vt[k + (size_t) i * p] * s / w->sv[k];
			w->g[i] += w->vt[k + (size_t) i * p] * w->vt[k + (size_t) i * p] / (w->sv[k] * w->sv[k]);
		}
		*quad += m * m / (w->sv[k] * w->sv[k]);
	}
	for (k = rank; k < p; k++)
		for (i = 0; i < p; i++)
			w->null_basis[i * p + (k - rank)] = w->vt[k + (size_t) i * p] / w->scale[i];
	*extra_rss = 0.0;
	for (i = 0; i < p; i++)
	{
		double		r = w->rxy[i];

		for (j = i; j < p; j++)
			r -= w->a[i + (size_t) j * p] * w->z[j];
		*extra_rss += r * r;
	}
	return MM_OK;
}

/* Orthonormalizes the first m columns of the p x m (row-major, stride ld) basis. */
static int
orthonormalize(double *basis, int p, int m, int ld)
{
	int			t,
				u,
				i,
				pass,
				kept = 0;

	for (t = 0; t < m; t++)
	{
		double		norm = 0.0;

		/* twice is enough (Kahan-Parlett) */
		for (pass = 0; pass < 2; pass++)
			for (u = 0; u < kept; u++)
			{
				double		s = 0.0;

				for (i = 0; i < p; i++)
					s += basis[i * ld + u] * basis[i * ld + t];
				for (i = 0; i < p; i++)
					basis[i * ld + t] -= s * basis[i * ld + u];
			}
		for (i = 0; i < p; i++)
			norm += basis[i * ld + t] * basis[i * ld + t];
		norm = sqrt(norm);
		if (norm == 0.0)
			continue;
		for (i = 0; i < p; i++)
			basis[i * ld + kept] = basis[i * ld + t] / norm;
		kept++;
	}
	return kept;
}

/*
 * Projects the null space out of the solution (the minimum norm) and flags
 * the coefficients it touches; returns whether the intercept is aliased.
 */
static int
project_null(FitWork *w, int p, int null_dim, const double *mean, int fit_intercept,
			 double *coef)
{
	int			m = orthonormalize(w->null_basis, p, null_dim, p),
				i,
				k;
	double		mean_norm = 0.0,
				mean_proj = 0.0;

	for (k = 0; k < m; k++)
	{
		double		s = 0.0,
					mp = 0.0;

		for (i = 0; i < p; i++)
		{
			s += w->null_basis[i * p + k] * coef[i];
			mp += w->null_basis[i * p + k] * mean[i];
		}
		for (i = 0; i < p; i++)
			coef[i] -= s * w->null_basis[i * p + k];
		mean_proj += mp * mp;
	}
	for (i = 0; i < p; i++)
	{
		double		row = 0.0;

		for (k = 0; k < m; k++)
			row += w->null_basis[i * p + k] * w->null_basis[i * p + k];
		if (sqrt(row) > ALIAS_TOLERANCE)
			w->alias[i + 1] = 1;
		mean_norm += mean[i] * mean[i];
	}
	return fit_intercept && sqrt(mean_proj) > ALIAS_TOLERANCE * sqrt(mean_norm);
}

/*
 * One step of corrected semi-normal equations (see linfit.h) on a fit of
 * full rank: corrects coef and returns the shift of the intercept; *rss
 * becomes the refined residual sum of squares.
 */
static MmErrorCode
correct(FitWork *w, int p, double n, int fit_intercept, const double *sums, double *coef,
		double *shift, double *rss, MmError *err)
{
	lapack_int	info;
	double		rd = 0.0;
	int			j;

	/* R'R d = c with R = A S: A'A (S d) = S^-1 c; |R d| = |A^-T S^-1 c| */
	for (j = 0; j < p; j++)
		w->row[j] = sums[2 + j] / w->scale[j];
	info = LAPACKE_dtrtrs(LAPACK_COL_MAJOR, 'U', 'T', 'N', p, 1, w->a, p, w->row, p);
	for (j = 0; info == 0 && j < p; j++)
		rd += w->row[j] * w->row[j];
	if (info == 0)
		info = LAPACKE_dtrtrs(LAPACK_COL_MAJOR, 'U', 'N', 'N', p, 1, w->a, p, w->row, p);
	if (info != 0)
		return mm_fail(err, MM_ERR_NUMERIC, -1,
					   "triangular solve of the training factor failed (LAPACK info %d)", (int) info);
	for (j = 0; j < p; j++)
		coef[j] += w->row[j] / w->scale[j];
	*shift = fit_intercept ? sums[0] / n : 0.0;
	*rss = sums[1] - rd - (fit_intercept ? sums[0] * sums[0] / n : 0.0);
	if (*rss < 0.0)
		*rss = 0.0;
	return MM_OK;
}

/*
 * The fit of mm_linear_fit, refined when sums is not NULL; *needs_refinement
 * (when not NULL) as mm_linear_fit says.
 */
static MmErrorCode
fit_factor(const double *moments, int p, double alpha, int fit_intercept, const double *sums,
		   MmLinearModel *out, uint8_t *aliased, int *needs_refinement, MmError *err)
{
	double		n = moments[0];
	const double *mean = moments + 1;
	int			ncoef = p + (fit_intercept ? 1 : 0);
	FitWork		w;
	double		rss,
				quad = 0.0,
				shift = 0.0,
				df;
	int			i,
				j,
				rank = 0;
	uint8_t		intercept_aliased = 0;
	MmErrorCode rc;

	memset(out, 0, sizeof(*out));
	if (needs_refinement != NULL)
		*needs_refinement = 0;
	if (n < ncoef)
		return mm_fail(err, MM_ERR_TOO_FEW_ROWS, -1,
					   "%.0f rows for %d coefficients", n, ncoef);
	out->coef = mm_alloc(sizeof(double) * p);
	out->std_err = mm_alloc(sizeof(double) * (p + 1));
	out->stat = mm_alloc(sizeof(double) * (p + 1));
	out->p_value = mm_alloc(sizeof(double) * (p + 1));
	if (!alloc_work(&w, p) || !out->coef || !out->std_err || !out->stat || !out->p_value)
		return fail_fit(&w, out, mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory"));

	rc = build_factor(moments, p, alpha, fit_intercept, &w, err);
	if (rc == MM_OK)
		rc = numerical_rank(&w, p, &rank, err);
	rss = w.ryy * w.ryy;
	if (rc == MM_OK && rank == p)
	{
		double		rcond = 1.0;

		rc = solve_full(&w, p, &quad, err);
		/* the condition of the scaled triangle solve_full used */
		if (rc == MM_OK && needs_refinement != NULL && alpha == 0.0 &&
			LAPACKE_dtrcon(LAPACK_COL_MAJOR, '1', 'U', 'N', p, w.a, p, &rcond) == 0)
			*needs_refinement = rcond < MM_REFINE_RCOND;
	}
	else if (rc == MM_OK)
	{
		double		extra = 0.0;

		rc = solve_deficient(&w, p, rank, &quad, &extra, err);
		rss += extra;
	}
	if (rc != MM_OK)
		return fail_fit(&w, out, rc);
	for (i = 0; i < p; i++)
		out->coef[i] = w.z[i] / w.scale[i];
	if (rank < p)
		intercept_aliased = project_null(&w, p, p - rank, mean, fit_intercept, out->coef);
	else if (sums != NULL)
	{
		rc = correct(&w, p, n, fit_intercept, sums, out->coef, &shift, &rss, err);
		if (rc != MM_OK)
			return fail_fit(&w, out, rc);
	}
	w.alias[0] = intercept_aliased;

	out->fit_intercept = fit_intercept;
	out->alpha = alpha;
	out->rank = rank;
	out->intercept = 0.0;
	if (fit_intercept)
	{
		out->intercept = mean[p] + shift;
		for (i = 0; i < p; i++)
			out->intercept -= mean[i] * out->coef[i];
	}

	/* inference: only for unregularized fits with residual degrees of freedom */
	for (i = 0; i <= p; i++)
		out->std_err[i] = out->stat[i] = out->p_value[i] = NAN;
	df = n - rank - (fit_intercept ? 1 : 0);
	out->df_resid = df;
	if (alpha == 0.0 && df > 0.0)
	{
		double		sigma2 = rss / df;

		for (j = 0; j < p; j++)
		{
			if (w.alias[j + 1])
				continue;
			out->std_err[j + 1] = sqrt(sigma2 * w.g[j]) / w.scale[j];
			out->stat[j + 1] = out->coef[j] / out->std_err[j + 1];
			out->p_value[j + 1] = mm_t_two_sided_p(out->stat[j + 1], df);
		}
		if (fit_intercept && !intercept_aliased)
		{
			out->std_err[0] = sqrt(sigma2 * (1.0 / n + quad));
			out->stat[0] = out->intercept / out->std_err[0];
			out->p_value[0] = mm_t_two_sided_p(out->stat[0], df);
		}
	}
	if (aliased != NULL)
		memcpy(aliased, w.alias, (size_t) p + 1);
	free_work(&w);
	return MM_OK;
}

/* Fits a linear model from moments (see linfit.h). */
MmErrorCode
mm_linear_fit(const double *moments, int p, double alpha, int fit_intercept,
			  MmLinearModel *out, uint8_t *aliased, int *needs_refinement, MmError *err)
{
	return fit_factor(moments, p, alpha, fit_intercept, NULL, out, aliased, needs_refinement, err);
}

/* Refines the fit from the residuals' sums (see linfit.h). */
MmErrorCode
mm_linear_refine(const double *moments, int p, int fit_intercept, const double *sums,
				 MmLinearModel *out, uint8_t *aliased, MmError *err)
{
	return fit_factor(moments, p, 0.0, fit_intercept, sums, out, aliased, NULL, err);
}
