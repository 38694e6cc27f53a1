/*
 * kmeans.c: k-means clustering on rows in memory.
 *
 * Greedy k-means++ (Arthur and Vassilvitskii 2007, with the 2 + log k local
 * trials scikit-learn uses) picks the starting centers, each draw weighted
 * by the squared distance to the centers so far.  Lloyd iterations then
 * alternate assigning every row to its nearest center and moving each
 * center to the mean of its rows.
 *
 * Distances to all centers are computed at once, looping over the features
 * outside and the centers inside: the inner loop has no dependency between
 * its steps, so the compiler vectorizes it without reassociating any sum
 * (the core is built without fast-math), and each distance is rounded
 * exactly as prediction's, so training assigns rows as mm_predict does.
 * Hamerly's bounds spare most of them after the first iterations.
 */
#include "kmeans.h"

#include <math.h>
#include <string.h>

#define INTERRUPT_ROWS 65536

/*
 * Hamerly's bounds are widened by this much (relative, and absolute in the
 * data's units) so that the rounding of distances never lets a row skip a
 * center that is in fact nearer.
 */
#define BOUND_SLACK 1e-9
#define BOUND_FLOOR 1e-12

static uint64_t
next_random(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

/* A uniform double in [0, 1). */
static double
uniform(uint64_t *s)
{
	return (double) (next_random(s) >> 11) * 0x1.0p-53;
}

static inline double
dist2(const double *a, const double *b, int p)
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
 * one, which has no dependency between its steps and so vectorizes; for
 * each point the sum is still taken feature by feature from zero, the very
 * roundings of dist2 (and of prediction's distance).
 */
static inline void
all_dist2(const double *xi, const double *pt, int m, int p, double *out)
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
static void
transpose(const double *points, int m, int p, double *pt)
{
	int			c,
				j;

	for (c = 0; c < m; c++)
		for (j = 0; j < p; j++)
			pt[(size_t) j * m + c] = points[(size_t) c * p + j];
}

/* The row a draw weighted by closest (summing to total) lands on. */
static size_t
weighted_draw(const double *closest, size_t n, double total, uint64_t *rng)
{
	double		target,
				acc = 0.0;
	size_t		i;

	if (!(total > 0.0))
		return (size_t) (uniform(rng) * (double) n);
	target = uniform(rng) * total;
	for (i = 0; i < n; i++)
	{
		acc += closest[i];
		if (acc > target)
			return i;
	}
	return n - 1;
}

/*
 * Greedy k-means++: k starting centers from the rows.  The local trials for
 * one center are drawn first and measured in one pass over the rows.
 */
static MmErrorCode
init_centers(const double *x, size_t n, int p, int k, uint64_t *rng, double *centers,
			 double *closest)
{
	int			trials = 2 + (int) log((double) k);
	double		total = 0.0;
	size_t		i,
				first = (size_t) (uniform(rng) * (double) n);
	size_t	   *cand = mm_alloc(sizeof(size_t) * trials);
	double	   *cands = mm_alloc(sizeof(double) * trials * p),
			   *ct = mm_alloc(sizeof(double) * trials * p),
			   *d = mm_alloc(sizeof(double) * trials),
			   *potential = mm_alloc(sizeof(double) * trials);
	int			c,
				t;

	if (!cand || !cands || !ct || !d || !potential)
	{
		mm_free(cand);
		mm_free(cands);
		mm_free(ct);
		mm_free(d);
		mm_free(potential);
		return MM_ERR_NO_MEMORY;
	}
	memcpy(centers, x + first * p, sizeof(double) * p);
	for (i = 0; i < n; i++)
	{
		closest[i] = dist2(x + i * p, centers, p);
		total += closest[i];
	}
	for (c = 1; c < k; c++)
	{
		int			best = 0;

		mm_check_interrupts();
		for (t = 0; t < trials; t++)
		{
			cand[t] = weighted_draw(closest, n, total, rng);
			memcpy(cands + (size_t) t * p, x + cand[t] * p, sizeof(double) * p);
			potential[t] = 0.0;
		}
		transpose(cands, trials, p, ct);
		for (i = 0; i < n; i++)
		{
			all_dist2(x + i * p, ct, trials, p, d);
			for (t = 0; t < trials; t++)
				potential[t] += d[t] < closest[i] ? d[t] : closest[i];
			if ((i + 1) % INTERRUPT_ROWS == 0)
				mm_check_interrupts();
		}
		for (t = 1; t < trials; t++)
			if (potential[t] < potential[best])
				best = t;
		memcpy(centers + (size_t) c * p, cands + (size_t) best * p, sizeof(double) * p);
		total = 0.0;
		for (i = 0; i < n; i++)
		{
			double		dc = dist2(x + i * p, centers + (size_t) c * p, p);

			if (dc < closest[i])
				closest[i] = dc;
			total += closest[i];
		}
	}
	mm_free(cand);
	mm_free(cands);
	mm_free(ct);
	mm_free(d);
	mm_free(potential);
	return MM_OK;
}

/*
 * The nearest center of a row (the first among ties, as prediction picks)
 * and the two smallest squared distances, from its distances to all.
 */
static inline int32_t
nearest_two(const double *d, int k, double *best, double *second)
{
	int32_t		label = 0;
	int			c;

	*best = d[0];
	*second = INFINITY;
	for (c = 1; c < k; c++)
		if (d[c] < *best)
		{
			*second = *best;
			*best = d[c];
			label = c;
		}
		else if (d[c] < *second)
			*second = d[c];
	return label;
}

/*
 * Hamerly's assignment (2010): a row keeps its center without computing any
 * distance when an upper bound on the distance to it is below both half the
 * distance from that center to the next one and a lower bound on the
 * distance to every other center.  Only the rows the bounds cannot settle
 * are measured, with the plain squared distance prediction uses.  The
 * assignment is the one Lloyd's would make; the work after the first few
 * iterations is a fraction of it.
 */
static size_t
assign_bounded(const double *x, size_t n, int p, int k, const double *centers, double *ct,
			   double *half_gap, double *d, int first, int32_t *labels, double *dist,
			   double *upper, double *lower, const double *move, int far1, double max2,
			   double *sums, size_t *count)
{
	size_t		changed = 0,
				i;
	int			c,
				e;

	memset(sums, 0, sizeof(double) * k * p);
	memset(count, 0, sizeof(size_t) * k);
	transpose(centers, k, p, ct);
	for (c = 0; c < k; c++)
	{
		double		nearest = INFINITY;

		for (e = 0; e < k; e++)
			if (e != c)
			{
				double		g = dist2(centers + (size_t) c * p, centers + (size_t) e * p, p);

				if (g < nearest)
					nearest = g;
			}
		half_gap[c] = 0.5 * sqrt(nearest) * (1.0 - BOUND_SLACK);
	}
	for (i = 0; i < n; i++)
	{
		const double *xi = x + i * p;
		int32_t		a = labels[i],
					label;
		double		best,
					second;

		if ((i + 1) % INTERRUPT_ROWS == 0)
			mm_check_interrupts();
		if (!first)
		{
			double		bound;

			/* the centers moved since the bounds were set: loosen them by as much */
			upper[i] += move[a];
			lower[i] -= a == far1 ? max2 : move[far1];
			bound = half_gap[a] > lower[i] ? half_gap[a] : lower[i];
			if (upper[i] <= bound)
				goto counted;
			upper[i] = sqrt(dist2(xi, centers + (size_t) a * p, p)) * (1.0 + BOUND_SLACK) + BOUND_FLOOR;
			if (upper[i] <= bound)
				goto counted;
		}
		all_dist2(xi, ct, k, p, d);
		label = nearest_two(d, k, &best, &second);
		changed += label != a;
		labels[i] = label;
		dist[i] = best;
		upper[i] = sqrt(best) * (1.0 + BOUND_SLACK) + BOUND_FLOOR;
		lower[i] = isinf(second) ? INFINITY : sqrt(second) * (1.0 - BOUND_SLACK) - BOUND_FLOOR;
counted:
		/* the row's share of the next centers, in the same pass */
		{
			double	   *sum = sums + (size_t) labels[i] * p;

			for (e = 0; e < p; e++)
				sum[e] += xi[e];
			count[labels[i]]++;
		}
	}
	return changed;
}

/* Fits k-means (see kmeans.h). */
MmErrorCode
mm_kmeans_fit(const double *x, size_t n, int p, const MmKMeansOptions *opt, MmKMeans *out,
			  int64_t *sizes, MmError *err)
{
	int			k = opt->k;
	uint64_t	rng = (uint64_t) (uint32_t) opt->seed * UINT64_C(0x9e3779b97f4a7c15) + 0x5851f42d4c957f2dULL;
	double	   *centers = mm_alloc(sizeof(double) * k * p),
			   *sums = mm_alloc(sizeof(double) * k * p),
			   *ct = mm_alloc(sizeof(double) * k * p),
			   *cnorm = mm_alloc(sizeof(double) * k),
			   *acc = mm_alloc(sizeof(double) * k),
			   *dist = mm_alloc(sizeof(double) * (n ? n : 1)),
			   *closest = mm_alloc(sizeof(double) * (n ? n : 1));
	size_t	   *count = mm_alloc(sizeof(size_t) * k);
	int32_t    *labels = mm_alloc(sizeof(int32_t) * (n ? n : 1));
	double	   *upper = mm_alloc(sizeof(double) * (n ? n : 1)),
			   *lower = mm_alloc(sizeof(double) * (n ? n : 1)),
			   *move = mm_alloc(sizeof(double) * k);
	double		mean_var = 0.0,
				tol;
	size_t		i;
	int			c,
				j,
				iter,
				exact_dist,
				far1 = 0;
	double		max2 = 0.0;
	MmErrorCode err_code = MM_OK;

	if ((size_t) k > n || k < 1)
		err_code = mm_fail(err, MM_ERR_TOO_FEW_ROWS, -1,
						   "k = %d clusters need at least as many rows, and there are %zu", k, n);
	else if (!centers || !sums || !ct || !cnorm || !acc || !dist || !closest || !count || !labels ||
			 !upper || !lower || !move)
		err_code = mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory clustering");
	if (err_code != MM_OK)
	{
		mm_free(centers);
		mm_free(sums);
		mm_free(ct);
		mm_free(cnorm);
		mm_free(acc);
		mm_free(dist);
		mm_free(closest);
		mm_free(count);
		mm_free(labels);
		mm_free(upper);
		mm_free(lower);
		mm_free(move);
		return err_code;
	}

	/* the tolerance is relative to the mean variance of the features, as scikit-learn's */
	for (j = 0; j < p; j++)
	{
		double		m = 0.0,
					v = 0.0;

		for (i = 0; i < n; i++)
			m += x[i * p + j];
		m /= (double) n;
		for (i = 0; i < n; i++)
			v += (x[i * p + j] - m) * (x[i * p + j] - m);
		mean_var += v / (double) n;
	}
	tol = opt->tol * mean_var / p;

	if (init_centers(x, n, p, k, &rng, centers, closest) != MM_OK)
	{
		mm_free(centers);
		mm_free(sums);
		mm_free(ct);
		mm_free(cnorm);
		mm_free(acc);
		mm_free(dist);
		mm_free(closest);
		mm_free(count);
		mm_free(labels);
		mm_free(upper);
		mm_free(lower);
		mm_free(move);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory clustering");
	}
	for (i = 0; i < n; i++)
		labels[i] = -1;
	out->converged = 0;
	for (iter = 0; iter < opt->max_iter; iter++)
	{
		size_t		changed;
		double		shift = 0.0;

		mm_check_interrupts();
		changed = assign_bounded(x, n, p, k, centers, ct, cnorm, acc, iter == 0, labels, dist,
								 upper, lower, move, far1, max2, sums, count);
		if (changed == 0)
		{
			/* the assignment is stable, so are the centers */
			out->converged = 1;
			break;
		}
		exact_dist = 0;
		for (c = 0; c < k; c++)
		{
			double	   *nc = sums + (size_t) c * p;

			if (count[c] == 0)
			{
				/* an empty cluster takes the row farthest from its center */
				size_t		far = 0;

				if (!exact_dist)
				{
					for (i = 0; i < n; i++)
						dist[i] = dist2(x + i * p, centers + (size_t) labels[i] * p, p);
					exact_dist = 1;
				}
				for (i = 1; i < n; i++)
					if (dist[i] > dist[far])
						far = i;
				memcpy(nc, x + far * p, sizeof(double) * p);
				dist[far] = -1.0;
			}
			else
				for (j = 0; j < p; j++)
					nc[j] /= (double) count[c];
			move[c] = dist2(nc, centers + (size_t) c * p, p);
			shift += move[c];
			move[c] = sqrt(move[c]) * (1.0 + BOUND_SLACK);
		}
		memcpy(centers, sums, sizeof(double) * k * p);

		/*
		 * The bounds follow the centers, in the next assignment: up by the
		 * own center's move, down by the largest move of another.
		 */
		far1 = 0;
		max2 = 0.0;
		for (c = 1; c < k; c++)
			if (move[c] > move[far1])
				far1 = c;
		for (c = 0; c < k; c++)
			if (c != far1 && move[c] > max2)
				max2 = move[c];
		if (shift <= tol)
		{
			out->converged = 1;
			iter++;
			break;
		}
	}
	out->n_iter = iter;

	/* the inertia and the sizes with the distance prediction uses */
	out->inertia = 0.0;
	if (sizes != NULL)
		memset(sizes, 0, sizeof(int64_t) * k);
	transpose(centers, k, p, ct);
	for (i = 0; i < n; i++)
	{
		double		best,
					second;
		int32_t		nearest;

		all_dist2(x + i * p, ct, k, p, acc);
		nearest = nearest_two(acc, k, &best, &second);
		out->inertia += best;
		if (sizes != NULL)
			sizes[nearest]++;
		if ((i + 1) % INTERRUPT_ROWS == 0)
			mm_check_interrupts();
	}
	out->k = k;
	out->centers = centers;
	out->max_iter = opt->max_iter;
	out->tol = opt->tol;
	out->seed = opt->seed;
	mm_free(sums);
	mm_free(ct);
	mm_free(cnorm);
	mm_free(acc);
	mm_free(dist);
	mm_free(closest);
	mm_free(count);
	mm_free(labels);
	mm_free(upper);
	mm_free(lower);
	mm_free(move);
	return MM_OK;
}

/* The mean silhouette over an even sample of the rows (see kmeans.h). */
double
mm_silhouette(const MmModel *model, const double *x, size_t n, size_t max_rows)
{
	int			p = model->n_design,
				k = model->kmeans.k;
	size_t		m = n < max_rows ? n : max_rows,
				a,
				b;
	size_t	   *rows = mm_alloc(sizeof(size_t) * (m ? m : 1));
	int		   *label = mm_alloc(sizeof(int) * (m ? m : 1));
	size_t	   *size = mm_alloc0(sizeof(size_t) * k);
	double	   *sum = mm_alloc(sizeof(double) * k);
	double		total = 0.0;
	int			present = 0,
				c;

	if (!rows || !label || !size || !sum || m < 2)
	{
		mm_free(rows);
		mm_free(label);
		mm_free(size);
		mm_free(sum);
		return NAN;
	}
	/*
	 * A uniform sample of m rows (Knuth's selection sampling), from a fixed
	 * seed so that the same rows give the same score; not every (n / m)-th
	 * row, which data ordered in a period would defeat.
	 */
	{
		uint64_t	rng = UINT64_C(0x2545f4914f6cdd1d);
		size_t		i;

		for (i = 0, a = 0; i < n && a < m; i++)
			if (uniform(&rng) * (double) (n - i) < (double) (m - a))
				rows[a++] = i;
	}
	for (a = 0; a < m; a++)
	{
		label[a] = mm_kmeans_cluster(model, x + rows[a] * p);
		if (size[label[a]]++ == 0)
			present++;
	}
	if (present < 2)
	{
		mm_free(rows);
		mm_free(label);
		mm_free(size);
		mm_free(sum);
		return NAN;
	}
	for (a = 0; a < m; a++)
	{
		const double *xa = x + rows[a] * p;
		double		inside,
					nearest = INFINITY,
					s;

		mm_check_interrupts();
		memset(sum, 0, sizeof(double) * k);
		for (b = 0; b < m; b++)
			if (b != a)
				sum[label[b]] += sqrt(dist2(xa, x + rows[b] * p, p));
		if (size[label[a]] < 2)
			continue;			/* a cluster of one scores 0 */
		inside = sum[label[a]] / (double) (size[label[a]] - 1);
		for (c = 0; c < k; c++)
			if (c != label[a] && size[c] > 0 && sum[c] / (double) size[c] < nearest)
				nearest = sum[c] / (double) size[c];
		s = (nearest - inside) / (inside > nearest ? inside : nearest);
		if (isfinite(s))
			total += s;
	}
	mm_free(rows);
	mm_free(label);
	mm_free(size);
	mm_free(sum);
	return total / (double) m;
}
