/*
 * kmeans_dist.h: the squared distances k-means measures, shared by its
 * passes (kmeans_passes.c) and its drivers (kmeans.c, kmeans_seed.c).
 *
 * Every distance is summed feature by feature from zero, the very roundings
 * of prediction's distance (kmeans_clustering.c), so that a fit assigns
 * rows as mm_predict does.
 */
#ifndef MM_KMEANS_DIST_H
#define MM_KMEANS_DIST_H

#include <stddef.h>

/* The squared distance between two points of p values. */
static inline double
mm_kmeans_dist2(const double *a, const double *b, int p)
{
	double		s = 0.0;
	int			j;

	for (j = 0; j < p; j++)
	{
		double		d = a[j] - b[j];

		s += d * d;
	}
	return s;
}

/*
 * The squared distances of a row to m points given transposed (pt: p x m),
 * into out.  The features run in the outer loop and the points in the inner
 * one, which has no dependency between its steps and so vectorizes without
 * reassociating any sum (the core is built without fast-math); for each
 * point the sum is still taken feature by feature from zero.
 */
static inline void
mm_kmeans_all_dist2(const double *xi, const double *pt, int m, int p, double *out)
{
	int			j,
				c = 0;

	/* eight points at a time, then four, their sums in registers */
	for (; c + 8 <= m; c += 8)
	{
		double		a0 = 0.0,
					a1 = 0.0,
					a2 = 0.0,
					a3 = 0.0,
					a4 = 0.0,
					a5 = 0.0,
					a6 = 0.0,
					a7 = 0.0;

		for (j = 0; j < p; j++)
		{
			const double *r = pt + (size_t) j * m + c;
			double		v = xi[j],
						d0 = v - r[0],
						d1 = v - r[1],
						d2 = v - r[2],
						d3 = v - r[3],
						d4 = v - r[4],
						d5 = v - r[5],
						d6 = v - r[6],
						d7 = v - r[7];

			a0 += d0 * d0;
			a1 += d1 * d1;
			a2 += d2 * d2;
			a3 += d3 * d3;
			a4 += d4 * d4;
			a5 += d5 * d5;
			a6 += d6 * d6;
			a7 += d7 * d7;
		}
		out[c] = a0;
		out[c + 1] = a1;
		out[c + 2] = a2;
		out[c + 3] = a3;
		out[c + 4] = a4;
		out[c + 5] = a5;
		out[c + 6] = a6;
		out[c + 7] = a7;
	}
	for (; c + 4 <= m; c += 4)
	{
		double		a0 = 0.0,
					a1 = 0.0,
					a2 = 0.0,
					a3 = 0.0;

		for (j = 0; j < p; j++)
		{
			const double *r = pt + (size_t) j * m + c;
			double		v = xi[j],
						d0 = v - r[0],
						d1 = v - r[1],
						d2 = v - r[2],
						d3 = v - r[3];

			a0 += d0 * d0;
			a1 += d1 * d1;
			a2 += d2 * d2;
			a3 += d3 * d3;
		}
		out[c] = a0;
		out[c + 1] = a1;
		out[c + 2] = a2;
		out[c + 3] = a3;
	}
	for (; c < m; c++)
	{
		double		a = 0.0;

		for (j = 0; j < p; j++)
		{
			double		d = xi[j] - pt[(size_t) j * m + c];

			a += d * d;
		}
		out[c] = a;
	}
}

/* Copies m points of p values (row-major) into pt, transposed. */
static inline void
mm_kmeans_transpose(const double *points, int m, int p, double *pt)
{
	int			c,
				j;

	for (c = 0; c < m; c++)
		for (j = 0; j < p; j++)
			pt[(size_t) j * m + c] = points[(size_t) c * p + j];
}

/*
 * The nearest of m points by their squared distances d: the first among
 * ties, as prediction picks.  Selects rather than branches: which point is
 * nearer is as good as random, and a mispredicted branch per point costs
 * more than the distance.
 */
static inline int
mm_kmeans_nearest(const double *d, int m)
{
	int			best = 0,
				c;
	double		nearest = d[0];

	for (c = 1; c < m; c++)
	{
		int			closer = d[c] < nearest;

		nearest = closer ? d[c] : nearest;
		best = closer ? c : best;
	}
	return best;
}

/*
 * The relative gap below which two squared distances count as a tie when
 * seeding weighs its candidates.  The rows' last bits depend on where they
 * were read: preprocessing fitted over other shards, or over the same rows
 * in another order, sums its statistics in another order, which moves a
 * scaled value by a few units of roundoff and a squared distance between
 * distinct rows by far less than this (their gaps, relatively, are above
 * 1e-9 unless two rows agree to nine digits).
 */
#define MM_KMEANS_TIE 1e-9

/*
 * The nearest of m candidates by their squared distances d, where any
 * within MM_KMEANS_TIE of the nearest counts as a tie and the first of the
 * tied wins.  The candidates are rows of the data, so on data of few
 * distinct values many rows lie exactly halfway between two of them; a
 * strict comparison would give such a row to whichever candidate the
 * roundings favour, and the weights, the starting centers and at last the
 * fixed point would depend on how the rows are laid out.
 */
static inline int
mm_kmeans_nearest_tied(const double *d, int m)
{
	int			best = 0,
				c;
	double		nearest = d[0];

	for (c = 1; c < m; c++)
	{
		int			closer = d[c] < nearest - MM_KMEANS_TIE * nearest;

		nearest = closer ? d[c] : nearest;
		best = closer ? c : best;
	}
	return best;
}

#endif							/* MM_KMEANS_DIST_H */
