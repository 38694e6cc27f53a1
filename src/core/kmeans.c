/*
 * kmeans.c: k-means clustering on rows in memory.
 *
 * Greedy k-means++ (Arthur and Vassilvitskii 2007, with the 2 + log k local
 * trials scikit-learn uses) picks the starting centers, each draw weighted
 * by the squared distance to the centers so far.  Lloyd iterations then
 * alternate assigning every row to its nearest center and moving each
 * center to the mean of its rows.
 *
 * The assignment computes |c|^2 - 2 x.c for all centers at once, looping
 * over the features outside and the centers inside: the inner loop has no
 * dependency between its steps, so the compiler vectorizes it without
 * reassociating any sum (the core is built without fast-math).  The final
 * assignment and the inertia use the plain squared distance, the one
 * prediction uses, so the training metrics describe what mm_predict does.
 */
#include "kmeans.h"

#include <math.h>
#include <string.h>

#define INTERRUPT_ROWS 65536

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

/* Greedy k-means++: k starting centers from the rows. */
static void
init_centers(const double *x, size_t n, int p, int k, uint64_t *rng, double *centers,
			 double *closest)
{
	int			trials = 2 + (int) log((double) k);
	double		total = 0.0;
	size_t		i,
				first = (size_t) (uniform(rng) * (double) n);
	int			c,
				t;

	memcpy(centers, x + first * p, sizeof(double) * p);
	for (i = 0; i < n; i++)
	{
		closest[i] = dist2(x + i * p, centers, p);
		total += closest[i];
	}
	for (c = 1; c < k; c++)
	{
		double		best_potential = INFINITY;
		size_t		best = 0;

		mm_check_interrupts();
		for (t = 0; t < trials; t++)
		{
			size_t		cand = weighted_draw(closest, n, total, rng);
			const double *cx = x + cand * p;
			double		potential = 0.0;

			for (i = 0; i < n; i++)
			{
				double		d = dist2(x + i * p, cx, p);

				potential += d < closest[i] ? d : closest[i];
				if ((i + 1) % INTERRUPT_ROWS == 0)
					mm_check_interrupts();
			}
			if (potential < best_potential)
			{
				best_potential = potential;
				best = cand;
			}
		}
		memcpy(centers + (size_t) c * p, x + best * p, sizeof(double) * p);
		total = 0.0;
		for (i = 0; i < n; i++)
		{
			double		d = dist2(x + i * p, centers + (size_t) c * p, p);

			if (d < closest[i])
				closest[i] = d;
			total += closest[i];
		}
	}
}

/*
 * Assigns every row to its nearest center (by |c|^2 - 2 x.c); fills labels
 * and, per row, the squared distance it then has.  Returns how many rows
 * changed cluster.
 */
static size_t
assign(const double *x, size_t n, int p, int k, const double *centers, double *ct,
	   double *cnorm, double *acc, int32_t *labels, double *dist)
{
	size_t		changed = 0,
				i;
	int			c,
				j;

	for (c = 0; c < k; c++)
	{
		cnorm[c] = 0.0;
		for (j = 0; j < p; j++)
		{
			double		v = centers[(size_t) c * p + j];

			ct[(size_t) j * k + c] = v;
			cnorm[c] += v * v;
		}
	}
	for (i = 0; i < n; i++)
	{
		const double *xi = x + i * p;
		double		xnorm = 0.0,
					best;
		int32_t		label = 0;

		memcpy(acc, cnorm, sizeof(double) * k);
		for (j = 0; j < p; j++)
		{
			double		m = -2.0 * xi[j];
			const double *row = ct + (size_t) j * k;

			xnorm += xi[j] * xi[j];
			for (c = 0; c < k; c++)
				acc[c] += m * row[c];
		}
		best = acc[0];
		for (c = 1; c < k; c++)
			if (acc[c] < best)
			{
				best = acc[c];
				label = c;
			}
		changed += labels[i] != label;
		labels[i] = label;
		dist[i] = best + xnorm;
		if ((i + 1) % INTERRUPT_ROWS == 0)
			mm_check_interrupts();
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
	double		mean_var = 0.0,
				tol;
	size_t		i;
	int			c,
				j,
				iter;
	MmErrorCode err_code = MM_OK;

	if ((size_t) k > n || k < 1)
		err_code = mm_fail(err, MM_ERR_TOO_FEW_ROWS, -1,
						   "k = %d clusters need at least as many rows, and there are %zu", k, n);
	else if (!centers || !sums || !ct || !cnorm || !acc || !dist || !closest || !count || !labels)
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

	init_centers(x, n, p, k, &rng, centers, closest);
	for (i = 0; i < n; i++)
		labels[i] = -1;
	out->converged = 0;
	for (iter = 0; iter < opt->max_iter; iter++)
	{
		size_t		changed;
		double		shift = 0.0;

		mm_check_interrupts();
		changed = assign(x, n, p, k, centers, ct, cnorm, acc, labels, dist);
		if (changed == 0)
		{
			/* the assignment is stable, so are the centers */
			out->converged = 1;
			break;
		}
		memset(sums, 0, sizeof(double) * k * p);
		memset(count, 0, sizeof(size_t) * k);
		for (i = 0; i < n; i++)
		{
			double	   *s = sums + (size_t) labels[i] * p;
			const double *xi = x + i * p;

			for (j = 0; j < p; j++)
				s[j] += xi[j];
			count[labels[i]]++;
		}
		for (c = 0; c < k; c++)
		{
			double	   *nc = sums + (size_t) c * p;

			if (count[c] == 0)
			{
				/* an empty cluster takes the row farthest from its center */
				size_t		far = 0;

				for (i = 1; i < n; i++)
					if (dist[i] > dist[far])
						far = i;
				memcpy(nc, x + far * p, sizeof(double) * p);
				dist[far] = -1.0;
			}
			else
				for (j = 0; j < p; j++)
					nc[j] /= (double) count[c];
			shift += dist2(nc, centers + (size_t) c * p, p);
		}
		memcpy(centers, sums, sizeof(double) * k * p);
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
	for (i = 0; i < n; i++)
	{
		const double *xi = x + i * p;
		double		best = dist2(xi, centers, p);
		int			nearest = 0;

		for (c = 1; c < k; c++)
		{
			double		d = dist2(xi, centers + (size_t) c * p, p);

			if (d < best)
			{
				best = d;
				nearest = c;
			}
		}
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
