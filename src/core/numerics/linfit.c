/*
 * linfit.c: least squares and ridge regression from moments.
 *
 * The normal equations are solved from the centered co-moments (or, without
 * an intercept, the raw second moments rebuilt from them), after scaling
 * every feature to unit sum of squares so that the rank decision does not
 * depend on the units of the inputs.  A symmetric eigendecomposition
 * (LAPACK dsyevd) of the scaled matrix gives both the solution and, through
 * its near-zero eigenvalues, the collinear directions.  Those directions are
 * mapped back to the original units and projected out of the solution,
 * which leaves the minimum-norm least-squares answer in the units the user
 * sees (the same one numpy.linalg.lstsq and MADlib return).
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

/* Working arrays of one fit. */
typedef struct FitWork
{
	double	   *gram;			/* p x p, then its eigenvectors */
	double	   *rhs;			/* p */
	double	   *scale;			/* p */
	double	   *eig;			/* p */
	double	   *z;				/* p */
	double	   *null_basis;		/* p x p, columns used: null_dim */
	uint8_t    *alias;			/* p + 1, intercept first */
} FitWork;

static void
free_work(FitWork *w)
{
	mm_free(w->gram);
	mm_free(w->rhs);
	mm_free(w->scale);
	mm_free(w->eig);
	mm_free(w->z);
	mm_free(w->null_basis);
	mm_free(w->alias);
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

/* Entry (i, j) of X'X: centered with an intercept, raw without. */
static double
gram_entry(const double *moments, int d, int i, int j, int fit_intercept)
{
	double		n = moments[0];
	const double *mean = moments + 1;

	return mm_moments_co(moments, d, i, j) + (fit_intercept ? 0.0 : n * mean[i] * mean[j]);
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

/* Fits a linear model from moments (see linfit.h). */
MmErrorCode
mm_linear_fit(const double *moments, int p, double alpha, int fit_intercept,
			  MmLinearModel *out, uint8_t *aliased, MmError *err)
{
	int			d = p + 1;
	double		n = moments[0];
	const double *mean = moments + 1;
	int			ncoef = p + (fit_intercept ? 1 : 0);
	FitWork		w;
	double		yy,
				lmax,
				rss,
				df;
	int			i,
				j,
				k,
				rank = 0,
				null_dim = 0;
	int			info;
	uint8_t		intercept_aliased = 0;

	memset(&w, 0, sizeof(w));
	memset(out, 0, sizeof(*out));
	if (n < ncoef)
		return mm_fail(err, MM_ERR_TOO_FEW_ROWS, -1,
					   "%.0f rows for %d coefficients", n, ncoef);

	w.gram = mm_alloc(sizeof(double) * p * p);
	w.rhs = mm_alloc(sizeof(double) * p);
	w.scale = mm_alloc(sizeof(double) * p);
	w.eig = mm_alloc(sizeof(double) * p);
	w.z = mm_alloc0(sizeof(double) * p);
	w.null_basis = mm_alloc(sizeof(double) * p * p);
	w.alias = mm_alloc0((size_t) p + 1);
	out->coef = mm_alloc(sizeof(double) * p);
	out->std_err = mm_alloc(sizeof(double) * (p + 1));
	out->stat = mm_alloc(sizeof(double) * (p + 1));
	out->p_value = mm_alloc(sizeof(double) * (p + 1));
	if (!w.gram || !w.rhs || !w.scale || !w.eig || !w.z || !w.null_basis || !w.alias ||
		!out->coef || !out->std_err || !out->stat || !out->p_value)
	{
		return fail_fit(&w, out, mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory"));
	}

	/* the normal equations, centered when there is an intercept */
	for (i = 0; i < p; i++)
	{
		for (j = 0; j < p; j++)
			w.gram[i * p + j] = gram_entry(moments, d, i, j, fit_intercept);
		w.rhs[i] = gram_entry(moments, d, i, p, fit_intercept);
	}
	yy = gram_entry(moments, d, p, p, fit_intercept);

	if (fit_intercept)
	{
		for (j = 0; j < p; j++)
		{
			double		floor_ = 16.0 * DBL_EPSILON * fabs(mean[j]);

			if (w.gram[j * p + j] <= n * floor_ * floor_)
			{
				return fail_fit(&w, out, mm_fail(err, MM_ERR_CONSTANT_FEATURE, j,
							   "feature %d has no variance in the training rows", j));
			}
		}
		if (yy <= n * (16.0 * DBL_EPSILON * mean[p]) * (16.0 * DBL_EPSILON * mean[p]))
		{
			return fail_fit(&w, out, mm_fail(err, MM_ERR_CONSTANT_TARGET, p,
						   "the target has no variance in the training rows"));
		}
	}
	else if (yy == 0.0)
	{
		return fail_fit(&w, out, mm_fail(err, MM_ERR_CONSTANT_TARGET, p,
					   "the target is zero in every training row"));
	}

	/* scale to unit diagonal; the penalty scales with it */
	for (j = 0; j < p; j++)
	{
		double		s = sqrt(w.gram[j * p + j]);

		w.scale[j] = s > 0.0 ? s : 1.0;
	}
	for (i = 0; i < p; i++)
	{
		for (j = 0; j < p; j++)
			w.gram[i * p + j] /= w.scale[i] * w.scale[j];
		w.gram[i * p + i] += alpha / (w.scale[i] * w.scale[i]);
		w.rhs[i] /= w.scale[i];
	}

	info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', p, w.gram, p, w.eig);
	if (info != 0)
	{
		return fail_fit(&w, out, mm_fail(err, MM_ERR_NUMERIC, -1,
					   "eigendecomposition of the normal equations failed (LAPACK info %d)", info));
	}
	lmax = w.eig[p - 1];

	/* solve on the kept eigenvalues; collect the others as the null space */
	for (k = 0; k < p; k++)
	{
		if (lmax > 0.0 && w.eig[k] > MM_RANK_TOLERANCE * lmax)
		{
			double		s = 0.0;

			for (i = 0; i < p; i++)
				s += w.gram[i * p + k] * w.rhs[i];
			s /= w.eig[k];
			for (i = 0; i < p; i++)
				w.z[i] += w.gram[i * p + k] * s;
			rank++;
		}
		else
		{
			for (i = 0; i < p; i++)
				w.null_basis[i * p + null_dim] = w.gram[i * p + k] / w.scale[i];
			null_dim++;
		}
	}
	for (i = 0; i < p; i++)
		out->coef[i] = w.z[i] / w.scale[i];

	if (null_dim > 0)
	{
		int			m = orthonormalize(w.null_basis, p, null_dim, p);
		double		mean_norm = 0.0,
					mean_proj = 0.0;

		/* the minimum-norm solution has no component in the null space */
		for (k = 0; k < m; k++)
		{
			double		s = 0.0,
						mp = 0.0;

			for (i = 0; i < p; i++)
			{
				s += w.null_basis[i * p + k] * out->coef[i];
				mp += w.null_basis[i * p + k] * mean[i];
			}
			for (i = 0; i < p; i++)
				out->coef[i] -= s * w.null_basis[i * p + k];
			mean_proj += mp * mp;
		}
		for (i = 0; i < p; i++)
		{
			double		row = 0.0;

			for (k = 0; k < m; k++)
				row += w.null_basis[i * p + k] * w.null_basis[i * p + k];
			if (sqrt(row) > ALIAS_TOLERANCE)
				w.alias[i + 1] = 1;
			mean_norm += mean[i] * mean[i];
		}
		intercept_aliased = fit_intercept &&
			sqrt(mean_proj) > ALIAS_TOLERANCE * sqrt(mean_norm);
		w.alias[0] = intercept_aliased;
	}

	out->fit_intercept = fit_intercept;
	out->alpha = alpha;
	out->rank = rank;
	out->intercept = 0.0;
	if (fit_intercept)
	{
		out->intercept = mean[p];
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
		double		sigma2,
					quad = 0.0;

		/* RSS = y'y - 2 b'X'y + b'X'Xb */
		rss = yy;
		for (i = 0; i < p; i++)
		{
			double		row = 0.0;

			rss -= 2.0 * out->coef[i] * gram_entry(moments, d, i, p, fit_intercept);
			for (j = 0; j < p; j++)
				row += gram_entry(moments, d, i, j, fit_intercept) * out->coef[j];
			rss += out->coef[i] * row;
		}
		if (rss < 0.0)
			rss = 0.0;
		sigma2 = rss / df;

		for (j = 0; j < p; j++)
		{
			double		g = 0.0;

			if (w.alias[j + 1])
				continue;
			for (k = 0; k < p; k++)
				if (lmax > 0.0 && w.eig[k] > MM_RANK_TOLERANCE * lmax)
					g += w.gram[j * p + k] * w.gram[j * p + k] / w.eig[k];
			g /= w.scale[j] * w.scale[j];
			out->std_err[j + 1] = sqrt(sigma2 * g);
			out->stat[j + 1] = out->coef[j] / out->std_err[j + 1];
			out->p_value[j + 1] = mm_t_two_sided_p(out->stat[j + 1], df);
		}
		if (fit_intercept && !intercept_aliased)
		{
			for (k = 0; k < p; k++)
			{
				double		s = 0.0;

				if (!(lmax > 0.0 && w.eig[k] > MM_RANK_TOLERANCE * lmax))
					continue;
				for (i = 0; i < p; i++)
					s += w.gram[i * p + k] * mean[i] / w.scale[i];
				quad += s * s / w.eig[k];
			}
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
