/*
 * moments.c: mergeable moments (see moments.h).
 */
#include "moments.h"

#include <stddef.h>

/* Adds one row v[0..d-1]; scratch holds 2*d doubles. */
void
mm_moments_add(double *block, int d, const double *v, double *scratch)
{
	double	   *mean = block + 1;
	double	   *co = block + 1 + d;
	double	   *delta = scratch;
	double	   *resid = scratch + d;
	double		n1 = block[0] + 1.0;
	double		inv = 1.0 / n1;
	int			i,
				j,
				k;

	for (i = 0; i < d; i++)
	{
		delta[i] = v[i] - mean[i];
		mean[i] += delta[i] * inv;
		resid[i] = v[i] - mean[i];
	}
	k = 0;
	for (i = 0; i < d; i++)
	{
		double		di = delta[i];

		for (j = i; j < d; j++)
			co[k++] += di * resid[j];
	}
	block[0] = n1;
}

/* Merges src into dst; scratch holds d doubles. */
void
mm_moments_merge(double *dst, const double *src, int d, double *scratch)
{
	double		na = dst[0],
				nb = src[0],
				n,
				w;
	double	   *mean = dst + 1;
	double	   *co = dst + 1 + d;
	const double *smean = src + 1;
	const double *sco = src + 1 + d;
	double	   *delta = scratch;
	int			len = mm_moments_len(d);
	int			i,
				j,
				k;

	if (nb == 0.0)
		return;
	if (na == 0.0)
	{
		for (i = 0; i < len; i++)
			dst[i] = src[i];
		return;
	}
	n = na + nb;
	w = na * nb / n;
	for (i = 0; i < d; i++)
	{
		delta[i] = smean[i] - mean[i];
		mean[i] += delta[i] * (nb / n);
	}
	k = 0;
	for (i = 0; i < d; i++)
		for (j = i; j < d; j++, k++)
			co[k] += sco[k] + delta[i] * delta[j] * w;
	dst[0] = n;
}

/* Co-moment (i, j) in either order. */
double
mm_moments_co(const double *block, int d, int i, int j)
{
	if (i > j)
	{
		int			t = i;

		i = j;
		j = t;
	}
	return block[1 + d + mm_tri_index(d, i, j)];
}

/* Sum of a[r] * b[r] over m values, in four interleaved partial sums. */
static inline double
dot(const double *a, const double *b, int m)
{
	double		s0 = 0.0,
				s1 = 0.0,
				s2 = 0.0,
				s3 = 0.0;
	int			r = 0;

	for (; r + 4 <= m; r += 4)
	{
		s0 += a[r] * b[r];
		s1 += a[r + 1] * b[r + 1];
		s2 += a[r + 2] * b[r + 2];
		s3 += a[r + 3] * b[r + 3];
	}
	for (; r < m; r++)
		s0 += a[r] * b[r];
	return (s0 + s1) + (s2 + s3);
}

/* Merges a batch of m rows given column by column (see moments.h). */
void
mm_moments_merge_batch(double *block, int d, double *cols, int m, double *scratch)
{
	double	   *batch = scratch;	/* a moments block: n, mean, co */
	double	   *mean = batch + 1;
	double	   *co = batch + 1 + d;
	int			i,
				j,
				r,
				k = 0;

	if (m == 0)
		return;
	batch[0] = m;
	for (i = 0; i < d; i++)
	{
		double	   *col = cols + (size_t) i * m;
		double		s = 0.0;

		for (r = 0; r < m; r++)
			s += col[r];
		mean[i] = s / m;
		for (r = 0; r < m; r++)
			col[r] -= mean[i];
	}
	for (i = 0; i < d; i++)
		for (j = i; j < d; j++)
			co[k++] = dot(cols + (size_t) i * m, cols + (size_t) j * m, m);
	mm_moments_merge(block, batch, d, scratch + mm_moments_len(d));
}
