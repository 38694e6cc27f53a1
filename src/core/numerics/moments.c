/*
 * moments.c: mergeable moments as a triangular factor (see moments.h).
 *
 * The reflections are LAPACK's (dlarfgp, dtpqrt2: a triangle on top of a
 * rectangle of new rows), written out here for the packed triangle so that
 * adding rows needs no work space and no unpacking: parallel workers and
 * training threads add rows without allocating, and a batch of rows costs
 * two sweeps over each of its columns.  Calling LAPACK itself was measured
 * and is slower where it matters: with Debian's reference LAPACK and BLAS,
 * LAPACKE_dtpqrt on unpacked storage folds a million rows of 11 columns in
 * 90 to 160 ms (batches of 128 to 32) against 20 to 30 ms here (batches of
 * 64), which is most of the training's own cost beyond the scan; merging
 * two states (a triangle on a triangle, dtpqrt with l = n) takes about the
 * same time either way (0.7 s against 0.86 s at 1,600 columns).
 */
#include "moments.h"
#include "lanedot.h"
#include "widevectors.h"

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

/*
 * The fold is the training's main cost beyond the scan: it gets an AVX2
 * copy (widevectors.h), whose bits are the same since its dot products
 * (lanedot.h) keep their four partial sums in their lanes.
 */

/*
 * Applies the reflection of column k to columns j and j + 1 of the rows and
 * of row k of R (rj points at entry j).  The reflection's vector is column k
 * times inv, with 1 in R's row.  Each product with column k is a dot of its
 * own, whose partial sums run along the rows: that is the loop compilers
 * vectorize without reordering a sum (interleaving the two columns' sums
 * made them shuffle lanes on every row).
 */
static inline void
reflect_pair(double *rj, const double *restrict v, double *restrict x0, double *restrict x1,
			 int m, double tau, double inv)
{
	double		s0 = mm_lane_dot(v, x0, m),
				s1 = mm_lane_dot(v, x1, m),
				w0,
				w1;
	int			r;

	w0 = tau * (rj[0] + inv * s0);
	w1 = tau * (rj[1] + inv * s1);
	rj[0] -= w0;
	rj[1] -= w1;
	w0 *= inv;
	w1 *= inv;
	for (r = 0; r < m; r++)
	{
		x0[r] -= w0 * v[r];
		x1[r] -= w1 * v[r];
	}
}

/* Folds m rows into the packed triangle (see moments.h). */
MM_WIDE_VECTORS void
mm_moments_fold(double *tri, int d, double *rows, int m, int ld)
{
	int			k,
				j,
				r;

	for (k = 0; k < d; k++)
	{
		double	   *rk = tri + mm_tri_index(d, k, k);	/* row k of R, from column k */
		double	   *v = rows + (size_t) k * ld;
		double		ss = mm_lane_dot(v, v, m),
					alpha,
					norm,
					denom,
					tau,
					inv;

		if (ss == 0.0)
			continue;			/* nothing below the diagonal: the reflection is the identity */
		alpha = rk[0];
		norm = sqrt(alpha * alpha + ss);

		/*
		 * The reflection maps (alpha, v) to (norm, 0), a diagonal at or above
		 * zero; alpha - norm is computed without cancellation when alpha is
		 * positive.  Its vector, (1, v / (alpha - norm)), is applied without
		 * being stored: the division is folded into the products.
		 */
		denom = alpha <= 0.0 ? alpha - norm : -ss / (alpha + norm);

		/*
		 * A reflection this close to the identity (the rows' entry below
		 * the diagonal is that much smaller than it) would overflow its
		 * vector: like LAPACK's dlarfgp, leave the rows as they are.
		 */
		if (!(fabs(denom) >= DBL_MIN))
			continue;
		tau = -denom / norm;
		inv = 1.0 / denom;
		rk[0] = norm;
		for (j = k + 1; j + 1 < d; j += 2)
			reflect_pair(rk + (j - k), v, rows + (size_t) j * ld, rows + (size_t) (j + 1) * ld,
						 m, tau, inv);
		if (j < d)
		{
			double	   *x = rows + (size_t) j * ld;
			double		w = tau * (rk[j - k] + inv * mm_lane_dot(v, x, m));

			rk[j - k] -= w;
			w *= inv;
			for (r = 0; r < m; r++)
				x[r] -= w * v[r];
		}
	}
}

/* Adds one row v[0..d-1]; scratch holds 2*d doubles. */
void
mm_moments_add(double *block, int d, const double *v, double *scratch)
{
	double	   *mean = block + 1;
	double		n = block[0],
				n1 = n + 1.0,
				w = sqrt(n / n1);
	int			i;

	/* one row is a batch of one: its mean is itself, its factor zero */
	for (i = 0; i < d; i++)
		scratch[i] = (v[i] - mean[i]) * w;
	if (n > 0.0)
		mm_moments_fold(block + 1 + d, d, scratch, 1, 1);
	for (i = 0; i < d; i++)
		mean[i] += (v[i] - mean[i]) / n1;
	block[0] = n1;
}

/*
 * Folds in the row sqrt(na nb / n) (mb - ma)' that joins two blocks' means
 * (Chan's correction), then moves the mean to the joint one.
 */
static void
join_means(double *dst, const double *smean, double nb, int d, double *scratch)
{
	double	   *mean = dst + 1;
	double		na = dst[0],
				n = na + nb,
				w = sqrt(na * nb / n);
	int			i;

	for (i = 0; i < d; i++)
		scratch[i] = (smean[i] - mean[i]) * w;
	mm_moments_fold(dst + 1 + d, d, scratch, 1, 1);
	for (i = 0; i < d; i++)
		mean[i] += (smean[i] - mean[i]) * (nb / n);
	dst[0] = n;
}

/* Merges src into dst; scratch holds d doubles. */
void
mm_moments_merge(double *dst, const double *src, int d, double *scratch)
{
	double		na = dst[0],
				nb = src[0];
	double	   *tri = dst + 1 + d;
	const double *stri = src + 1 + d;
	int			len = mm_moments_len(d);
	int			i,
				j;

	if (nb == 0.0)
		return;
	if (na == 0.0)
	{
		for (i = 0; i < len; i++)
			dst[i] = src[i];
		return;
	}
	/* the rows of src's triangle, one at a time */
	for (i = 0; i < d; i++)
	{
		for (j = 0; j < d; j++)
			scratch[j] = j < i ? 0.0 : stri[mm_tri_index(d, i, j)];
		mm_moments_fold(tri, d, scratch, 1, 1);
	}
	join_means(dst, src + 1, nb, d, scratch);
}

/* Co-moment (i, j) in either order: entry (i, j) of R'R. */
double
mm_moments_co(const double *block, int d, int i, int j)
{
	const double *tri = block + 1 + d;
	double		s = 0.0;
	int			k;

	if (i > j)
	{
		int			t = i;

		i = j;
		j = t;
	}
	for (k = 0; k <= i; k++)
		s += tri[mm_tri_index(d, k, i)] * tri[mm_tri_index(d, k, j)];
	return s;
}

/* |R (-b, 1)|^2 (see moments.h). */
double
mm_moments_residual_ss(const double *block, int p, const double *coef)
{
	int			d = p + 1;
	const double *tri = block + 1 + d;
	double		total = 0.0;
	int			k,
				j;

	for (k = 0; k < d; k++)
	{
		const double *rk = tri + mm_tri_index(d, k, k);
		double		s = rk[p - k];

		for (j = k; j < p; j++)
			s -= rk[j - k] * coef[j];
		total += s * s;
	}
	return total;
}

/*
 * Sums of columns i .. i + 3 of a batch, each in its own running sum from
 * the first row to the last: four columns side by side, since one column's
 * sum is a chain of dependent additions that keeps the adder waiting.
 */
static void
column_sums4(const double *cols, int i, int m, double *sums)
{
	const double *c0 = cols + (size_t) i * m,
			   *c1 = c0 + m,
			   *c2 = c1 + m,
			   *c3 = c2 + m;
	double		s0 = 0.0,
				s1 = 0.0,
				s2 = 0.0,
				s3 = 0.0;
	int			r;

	for (r = 0; r < m; r++)
	{
		s0 += c0[r];
		s1 += c1[r];
		s2 += c2[r];
		s3 += c3[r];
	}
	sums[i] = s0;
	sums[i + 1] = s1;
	sums[i + 2] = s2;
	sums[i + 3] = s3;
}

/* Merges a batch of m rows given column by column (see moments.h). */
void
mm_moments_merge_batch(double *block, int d, double *cols, int m, double *scratch)
{
	double	   *bmean = scratch;
	double	   *mean = block + 1;
	int			i,
				r;

	if (m == 0)
		return;
	for (i = 0; i + 4 <= d; i += 4)
		column_sums4(cols, i, m, bmean);
	for (; i < d; i++)
	{
		const double *col = cols + (size_t) i * m;
		double		s = 0.0;

		for (r = 0; r < m; r++)
			s += col[r];
		bmean[i] = s;
	}
	for (i = 0; i < d; i++)
	{
		double	   *col = cols + (size_t) i * m;

		bmean[i] /= m;
		for (r = 0; r < m; r++)
			col[r] -= bmean[i];
	}
	mm_moments_fold(block + 1 + d, d, cols, m, m);
	if (block[0] == 0.0)
	{
		memcpy(mean, bmean, sizeof(double) * d);
		block[0] = m;
	}
	else
		join_means(block, bmean, m, d, scratch + d);
}
