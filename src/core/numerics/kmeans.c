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
#include "random.h"

#include <math.h>
#include <string.h>


/*
 * Hamerly's bounds are widened by this much (relative, and absolute in the
 * data's units) so that the rounding of distances never lets a row skip a
 * center that is in fact nearer.
 */
#define BOUND_SLACK 1e-9
#define BOUND_FLOOR 1e-12

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
weighted_draw(const double *closest, size_t n, double total, MmRandom *rng)
{
	double		target,
				acc = 0.0;
	size_t		i;

	if (!(total > 0.0))
		return (size_t) (mm_random_uniform(rng) * (double) n);
	target = mm_random_uniform(rng) * total;
	for (i = 0; i < n; i++)
	{
		acc += closest[i];
		if (acc > target)
			return i;
	}
	return n - 1;
}

/*
 * Everything one fit shares with the passes over its rows.  The passes run
 * in chunks (mmcore.h), each writing its own partial results, merged in
 * chunk order: the model does not depend on how many threads ran them.
 */
typedef struct Fit
{
	const double *x;
	size_t		n;
	int			p;
	int			k;
	double	   *centers;		/* k x p */
	double	   *ct;				/* the centers transposed, p x k */
	double	   *half_gap;		/* per center: half the distance to the nearest other */
	int32_t    *labels;			/* per row */
	double	   *dist;			/* per row: squared distance to its center, when measured */
	double	   *upper;			/* per row: Hamerly's bounds */
	double	   *lower;
	double	   *closest;		/* per row, during the starts */
	double	   *move;			/* per center: how far it moved last */
	int			far1;			/* the center that moved most */
	double		max2;			/* the largest move of another center */
	int			first;			/* the first assignment: measure every row */
	int			newest;			/* during the starts: the center just taken */
	int			chunks;
	double	   *chunk_sums;		/* per chunk: k x p sums (changes, after the first pass) */
	int64_t    *chunk_counts;	/* per chunk: k counts (changes) */
	double	   *chunk_scratch;	/* per chunk: k distances */
	double	   *chunk_total;	/* per chunk: a sum over its rows */
	int64_t    *chunk_changed;
	/* the k-means++ trials being measured */
	int			trials;
	double	   *trial_t;		/* p x trials, transposed */
	double	   *chunk_potential;	/* per chunk: trials */
} Fit;

/* Squared distances of a chunk's rows to the first center, and their sum. */
static void
starts_first(void *arg, size_t begin, size_t end, int chunk)
{
	Fit		   *f = arg;
	double		total = 0.0;
	size_t		i;

	for (i = begin; i < end; i++)
	{
		f->closest[i] = dist2(f->x + i * f->p, f->centers, f->p);
		total += f->closest[i];
	}
	f->chunk_total[chunk] = total;
}

/* For each trial, the potential of a chunk's rows were it a center. */
static void
starts_trials(void *arg, size_t begin, size_t end, int chunk)
{
	Fit		   *f = arg;
	double	   *pot = f->chunk_potential + (size_t) chunk * f->trials;
	double	   *d = f->chunk_scratch + (size_t) chunk * (f->k > f->trials ? f->k : f->trials);
	size_t		i;
	int			t;

	for (t = 0; t < f->trials; t++)
		pot[t] = 0.0;
	for (i = begin; i < end; i++)
	{
		all_dist2(f->x + i * f->p, f->trial_t, f->trials, f->p, d);
		for (t = 0; t < f->trials; t++)
			pot[t] += d[t] < f->closest[i] ? d[t] : f->closest[i];
	}
}

/* The distances of a chunk's rows to the newest center taken into closest. */
static void
starts_update(void *arg, size_t begin, size_t end, int chunk)
{
	Fit		   *f = arg;
	const double *center = f->centers + (size_t) f->newest * f->p;
	double		total = 0.0;
	size_t		i;

	for (i = begin; i < end; i++)
	{
		double		d = dist2(f->x + i * f->p, center, f->p);

		if (d < f->closest[i])
			f->closest[i] = d;
		total += f->closest[i];
	}
	f->chunk_total[chunk] = total;
}

/* The sum of the chunk totals, in chunk order. */
static double
merged_total(const Fit *f)
{
	double		total = 0.0;
	int			c;

	for (c = 0; c < f->chunks; c++)
		total += f->chunk_total[c];
	return total;
}

/*
 * Greedy k-means++: k starting centers from the rows.  The local trials for
 * one center are drawn first and measured in one pass over the rows.
 */
static void
init_centers(Fit *f, MmRandom *rng)
{
	int			p = f->p,
				trials = f->trials;
	double	   *cands = f->chunk_scratch;	/* free until the passes use it */
	size_t		first = (size_t) (mm_random_uniform(rng) * (double) f->n),
				cand[64];
	double		total;
	int			c,
				t;

	memcpy(f->centers, f->x + first * p, sizeof(double) * p);
	mm_parallel(f->n, starts_first, f);
	total = merged_total(f);
	for (c = 1; c < f->k; c++)
	{
		int			best = 0;
		double		best_potential = INFINITY;

		mm_check_interrupts();
		for (t = 0; t < trials; t++)
			cand[t] = weighted_draw(f->closest, f->n, total, rng);
		for (t = 0; t < trials; t++)
			memcpy(cands + (size_t) t * p, f->x + cand[t] * p, sizeof(double) * p);
		transpose(cands, trials, p, f->trial_t);
		mm_parallel(f->n, starts_trials, f);
		for (t = 0; t < trials; t++)
		{
			double		potential = 0.0;
			int			ch;

			for (ch = 0; ch < f->chunks; ch++)
				potential += f->chunk_potential[(size_t) ch * trials + t];
			if (potential < best_potential)
			{
				best_potential = potential;
				best = t;
			}
		}
		memcpy(f->centers + (size_t) c * p, f->x + cand[best] * p, sizeof(double) * p);
		mm_check_interrupts();
		f->newest = c;
		mm_parallel(f->n, starts_update, f);
		total = merged_total(f);
	}
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
 * Hamerly's assignment (2010) of a chunk's rows: a row keeps its center
 * without computing any distance when an upper bound on the distance to it
 * is below both half the distance from that center to the next one and a
 * lower bound on the distance to every other center.  Only the rows the
 * bounds cannot settle are measured, with the distance prediction uses.
 * The first pass measures every row and adds it to its cluster's sums;
 * later ones move a row that changes cluster from the old sums to the new,
 * so a settled row is never read again.
 */
static void
assign_chunk(void *arg, size_t begin, size_t end, int chunk)
{
	Fit		   *f = arg;
	int			p = f->p,
				k = f->k,
				e;
	double	   *sums = f->chunk_sums + (size_t) chunk * k * p;
	int64_t    *counts = f->chunk_counts + (size_t) chunk * k;
	double	   *d = f->chunk_scratch + (size_t) chunk * (k > f->trials ? k : f->trials);
	int64_t		changed = 0;
	size_t		i;

	memset(sums, 0, sizeof(double) * k * p);
	memset(counts, 0, sizeof(int64_t) * k);
	for (i = begin; i < end; i++)
	{
		const double *xi = f->x + i * p;
		int32_t		a = f->labels[i],
					label;
		double		best,
					second;

		if (!f->first)
		{
			double		bound;

			/* the centers moved since the bounds were set: loosen them by as much */
			f->upper[i] += f->move[a];
			f->lower[i] -= a == f->far1 ? f->max2 : f->move[f->far1];
			bound = f->half_gap[a] > f->lower[i] ? f->half_gap[a] : f->lower[i];
			if (f->upper[i] <= bound)
				continue;
			f->upper[i] = sqrt(dist2(xi, f->centers + (size_t) a * p, p)) * (1.0 + BOUND_SLACK) +
				BOUND_FLOOR;
			if (f->upper[i] <= bound)
				continue;
		}
		all_dist2(xi, f->ct, k, p, d);
		label = nearest_two(d, k, &best, &second);
		f->labels[i] = label;
		f->dist[i] = best;
		f->upper[i] = sqrt(best) * (1.0 + BOUND_SLACK) + BOUND_FLOOR;
		f->lower[i] = isinf(second) ? INFINITY : sqrt(second) * (1.0 - BOUND_SLACK) - BOUND_FLOOR;
		if (f->first || label != a)
		{
			double	   *to = sums + (size_t) label * p;

			for (e = 0; e < p; e++)
				to[e] += xi[e];
			counts[label]++;
			if (!f->first)
			{
				double	   *from = sums + (size_t) a * p;

				for (e = 0; e < p; e++)
					from[e] -= xi[e];
				counts[a]--;
			}
			changed++;
		}
	}
	f->chunk_changed[chunk] = changed;
}

/* Assigns every row (see assign_chunk); adds the changes to sums and counts. */
static size_t
assign(Fit *f, double *sums, int64_t *counts)
{
	int			p = f->p,
				k = f->k,
				c,
				e,
				ch;
	size_t		changed = 0;

	transpose(f->centers, k, p, f->ct);
	for (c = 0; c < k; c++)
	{
		double		nearest = INFINITY;

		for (e = 0; e < k; e++)
			if (e != c)
			{
				double		g = dist2(f->centers + (size_t) c * p, f->centers + (size_t) e * p, p);

				if (g < nearest)
					nearest = g;
			}
		f->half_gap[c] = 0.5 * sqrt(nearest) * (1.0 - BOUND_SLACK);
	}
	if (f->first)
	{
		memset(sums, 0, sizeof(double) * k * p);
		memset(counts, 0, sizeof(int64_t) * k);
	}
	mm_parallel(f->n, assign_chunk, f);
	for (ch = 0; ch < f->chunks; ch++)
	{
		const double *cs = f->chunk_sums + (size_t) ch * k * p;
		const int64_t *cc = f->chunk_counts + (size_t) ch * k;

		for (e = 0; e < k * p; e++)
			sums[e] += cs[e];
		for (c = 0; c < k; c++)
			counts[c] += cc[c];
		changed += (size_t) f->chunk_changed[ch];
	}
	f->first = 0;
	return changed;
}

/* A chunk's inertia and cluster sizes, with the distance prediction uses. */
static void
inertia_chunk(void *arg, size_t begin, size_t end, int chunk)
{
	Fit		   *f = arg;
	int64_t    *counts = f->chunk_counts + (size_t) chunk * f->k;
	double		total = 0.0;
	size_t		i;

	memset(counts, 0, sizeof(int64_t) * f->k);
	for (i = begin; i < end; i++)
	{
		total += dist2(f->x + i * f->p, f->centers + (size_t) f->labels[i] * f->p, f->p);
		counts[f->labels[i]]++;
	}
	f->chunk_total[chunk] = total;
}

/* Releases a fit's arrays. */
static void
fit_free(Fit *f, double *sums, double *next, int64_t *counts)
{
	mm_free(f->ct);
	mm_free(f->half_gap);
	mm_free(f->labels);
	mm_free(f->dist);
	mm_free(f->upper);
	mm_free(f->lower);
	mm_free(f->closest);
	mm_free(f->move);
	mm_free(f->chunk_sums);
	mm_free(f->chunk_counts);
	mm_free(f->chunk_scratch);
	mm_free(f->chunk_total);
	mm_free(f->chunk_changed);
	mm_free(f->trial_t);
	mm_free(f->chunk_potential);
	mm_free(sums);
	mm_free(next);
	mm_free(counts);
}

/* Fits k-means (see kmeans.h). */
MmErrorCode
mm_kmeans_fit(const double *x, size_t n, int p, const MmKMeansOptions *opt, MmKMeans *out,
			  int64_t *sizes, MmError *err)
{
	int			k = opt->k;
	MmRandom	rng = mm_random((uint64_t) (uint32_t) opt->seed * UINT64_C(0x9e3779b97f4a7c15) + 0x5851f42d4c957f2dULL);
	Fit			f;
	double	   *sums,
			   *next;
	int64_t    *counts;
	double		mean_var = 0.0,
				tol;
	size_t		i,
				rows = n ? n : 1;
	int			c,
				j,
				iter,
				moved = 0,
				width;

	if ((size_t) k > n || k < 1)
		return mm_fail(err, MM_ERR_TOO_FEW_ROWS, -1,
					   "k = %d clusters need at least as many rows, and there are %zu", k, n);
	memset(&f, 0, sizeof(f));
	f.x = x;
	f.n = n;
	f.p = p;
	f.k = k;
	f.first = 1;
	f.trials = 2 + (int) log((double) k);
	f.chunks = mm_chunks(n);
	width = k > f.trials ? k : f.trials;
	f.centers = mm_alloc(sizeof(double) * k * p);
	f.ct = mm_alloc(sizeof(double) * k * p);
	f.half_gap = mm_alloc(sizeof(double) * k);
	f.labels = mm_alloc0(sizeof(int32_t) * rows);
	f.dist = mm_alloc(sizeof(double) * rows);
	f.upper = mm_alloc(sizeof(double) * rows);
	f.lower = mm_alloc(sizeof(double) * rows);
	f.closest = mm_alloc(sizeof(double) * rows);
	f.move = mm_alloc0(sizeof(double) * k);
	f.chunk_sums = mm_alloc(sizeof(double) * f.chunks * k * p);
	f.chunk_counts = mm_alloc(sizeof(int64_t) * f.chunks * k);
	/* per chunk k (or trials) distances; before the passes, the trials' rows */
	f.chunk_scratch = mm_alloc(sizeof(double) * ((size_t) f.chunks * width > (size_t) f.trials * p ?
												 (size_t) f.chunks * width : (size_t) f.trials * p));
	f.chunk_total = mm_alloc(sizeof(double) * f.chunks);
	f.chunk_changed = mm_alloc(sizeof(int64_t) * f.chunks);
	f.trial_t = mm_alloc(sizeof(double) * f.trials * p);
	f.chunk_potential = mm_alloc(sizeof(double) * f.chunks * f.trials);
	sums = mm_alloc(sizeof(double) * k * p);
	next = mm_alloc(sizeof(double) * k * p);
	counts = mm_alloc(sizeof(int64_t) * k);
	if (!f.centers || !f.ct || !f.half_gap || !f.labels || !f.dist || !f.upper || !f.lower ||
		!f.closest || !f.move || !f.chunk_sums || !f.chunk_counts || !f.chunk_scratch ||
		!f.chunk_total || !f.chunk_changed || !f.trial_t || !f.chunk_potential || !sums || !next ||
		!counts || f.trials > 64)
	{
		mm_free(f.centers);
		fit_free(&f, sums, next, counts);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory clustering");
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

	init_centers(&f, &rng);
	out->converged = 0;
	for (iter = 0; iter < opt->max_iter; iter++)
	{
		size_t		changed;
		double		shift = 0.0;
		int			exact_dist = 0;

		mm_check_interrupts();
		changed = assign(&f, sums, counts);
		moved = 0;
		if (changed == 0)
		{
			/* the assignment is stable, so are the centers */
			out->converged = 1;
			break;
		}
		for (c = 0; c < k; c++)
		{
			double	   *nc = next + (size_t) c * p;

			if (counts[c] == 0)
			{
				/* an empty cluster takes the row farthest from its center */
				size_t		far = 0;

				if (!exact_dist)
				{
					for (i = 0; i < n; i++)
						f.dist[i] = dist2(x + i * p, f.centers + (size_t) f.labels[i] * p, p);
					exact_dist = 1;
				}
				for (i = 1; i < n; i++)
					if (f.dist[i] > f.dist[far])
						far = i;
				memcpy(nc, x + far * p, sizeof(double) * p);
				f.dist[far] = -1.0;
			}
			else
				for (j = 0; j < p; j++)
					nc[j] = sums[(size_t) c * p + j] / (double) counts[c];
			f.move[c] = dist2(nc, f.centers + (size_t) c * p, p);
			shift += f.move[c];
			f.move[c] = sqrt(f.move[c]) * (1.0 + BOUND_SLACK);
		}
		memcpy(f.centers, next, sizeof(double) * k * p);
		moved = 1;

		/*
		 * The bounds follow the centers, in the next assignment: up by the
		 * own center's move, down by the largest move of another.
		 */
		f.far1 = 0;
		f.max2 = 0.0;
		for (c = 1; c < k; c++)
			if (f.move[c] > f.move[f.far1])
				f.far1 = c;
		for (c = 0; c < k; c++)
			if (c != f.far1 && f.move[c] > f.max2)
				f.max2 = f.move[c];
		if (shift <= tol)
		{
			out->converged = 1;
			iter++;
			break;
		}
	}
	out->n_iter = iter;

	/*
	 * The inertia and the sizes for the final centers: the rows are assigned
	 * once more (the bounds spare most of them) unless the centers have not
	 * moved since the last assignment, then measured with the distance
	 * prediction uses.
	 */
	mm_check_interrupts();
	if (moved)
		(void) assign(&f, sums, counts);
	mm_parallel(n, inertia_chunk, &f);
	out->inertia = merged_total(&f);
	if (sizes != NULL)
	{
		int			ch;

		memset(sizes, 0, sizeof(int64_t) * k);
		for (ch = 0; ch < f.chunks; ch++)
			for (c = 0; c < k; c++)
				sizes[c] += f.chunk_counts[(size_t) ch * k + c];
	}
	out->k = k;
	out->centers = f.centers;
	out->max_iter = opt->max_iter;
	out->tol = opt->tol;
	out->seed = opt->seed;
	fit_free(&f, sums, next, counts);
	return MM_OK;
}

/* The mean silhouette over an even sample of the rows (see kmeans.h). */
double
mm_silhouette(const MmModel *model, const double *x, size_t n, size_t max_rows)
{
	int			p = model->n_design,
				k = ((const MmKMeans *) model->fit)->k;
	size_t		m = n < max_rows ? n : max_rows,
				a,
				b;
	size_t	   *rows = mm_alloc(sizeof(size_t) * (m ? m : 1));
	int		   *label = mm_alloc(sizeof(int) * (m ? m : 1));
	size_t	   *size = mm_alloc0(sizeof(size_t) * k);
	double	   *sum = mm_alloc0(sizeof(double) * k * (m ? m : 1));
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
		MmRandom	rng = mm_random(UINT64_C(0x2545f4914f6cdd1d));
		size_t		i;

		for (i = 0, a = 0; i < n && a < m; i++)
			if (mm_random_uniform(&rng) * (double) (n - i) < (double) (m - a))
				rows[a++] = i;
	}
	for (a = 0; a < m; a++)
	{
		label[a] = mm_model_class(model, x + rows[a] * p);
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
	/* each pair once: its distance counts toward both rows' sums */
	for (a = 0; a < m; a++)
	{
		const double *xa = x + rows[a] * p;

		mm_check_interrupts();
		for (b = a + 1; b < m; b++)
		{
			double		dab = sqrt(dist2(xa, x + rows[b] * p, p));

			sum[a * k + label[b]] += dab;
			sum[b * k + label[a]] += dab;
		}
	}
	for (a = 0; a < m; a++)
	{
		const double *sa = sum + a * k;
		double		inside,
					nearest = INFINITY,
					s;

		if (size[label[a]] < 2)
			continue;			/* a cluster of one scores 0 */
		inside = sa[label[a]] / (double) (size[label[a]] - 1);
		for (c = 0; c < k; c++)
			if (c != label[a] && size[c] > 0 && sa[c] / (double) size[c] < nearest)
				nearest = sa[c] / (double) size[c];
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
