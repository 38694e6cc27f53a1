/*
 * kmeans.c: k-means clustering as a driver loop of passes over a data
 * source (source.h), and the silhouette of a fitted model.
 *
 * The starting centers come from k-means|| (kmeans_seed.c).  Each of
 * Lloyd's iterations is then one pass (kmeans_passes.h) whose arg is the
 * current centers and whose state is, per cluster, the rows nearest it and
 * their sums; the driver moves each center to the mean of its rows.  The
 * pass also sums a fingerprint of the assignment, so that the fit stops,
 * as when it held every row's cluster, once no row changes cluster; or
 * once the centers move less than the tolerance; or at max_iter.
 *
 * The passes depend on the rows only as a set: their sums are compensated
 * and their samples are functions of the rows' content, so the fit reaches
 * the same fixed point whatever the order of the rows and however a source
 * splits and merges them (in memory on threads, in parallel workers, on
 * shards).  Over rows held in memory the Lloyd passes skip, by Hamerly's
 * bounds (kmeans_bounds.c), the distances that cannot change a row's
 * cluster, and make the same states as the plain passes.
 */
#include "kmeans.h"

#include <math.h>
#include <string.h>

#include "kmeans_bounds.h"
#include "kmeans_dist.h"
#include "kmeans_passes.h"
#include "kmeans_sample.h"
#include "kmeans_seed.h"
#include "silhouette_sample.h"

/*
 * Runs the Lloyd pass for centers into a new state (the caller frees);
 * NULL with err set.  With bounds, over the rows in memory, the pass skips
 * the distances they rule out and makes the same state, but lean (no
 * inertia, no sample of the farthest rows) unless exact.
 */
static void *
lloyd_pass(MmDataSource *data, MmKMeansBounds *bounds, const double *centers, int k, int exact,
		   MmError *err)
{
	MmErrorCode rc;
	size_t		len;
	MmKMeansArg *arg = mm_kmeans_arg_new(data->p, centers, k, k, 0, &len);
	void	   *state = arg != NULL ? mm_alloc(mm_kmeans_lloyd_pass.state_size(data->p, arg)) : NULL;

	if (arg == NULL || state == NULL)
	{
		mm_free(arg);
		mm_free(state);
		mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory clustering");
		return NULL;
	}
	if (bounds != NULL)
		rc = mm_kmeans_bounds_pass(bounds, data, centers, arg, exact, state, err);
	else
		rc = data->run(data, &mm_kmeans_lloyd_pass, arg, state, err);
	if (rc != MM_OK)
	{
		mm_free(state);
		state = NULL;
	}
	mm_free(arg);
	return state;
}

/*
 * The centers after a Lloyd pass (into next): each the mean of its rows; a
 * cluster left empty takes the farthest row from its center not yet taken.
 * Returns the centers' summed squared movement.
 */
static double
move_centers(const MmKMeansLloyd *l, const double *centers, int k, int p, double *next)
{
	int			far = 0,
				c,
				j;
	double		shift = 0.0;

	for (c = 0; c < k; c++)
	{
		double	   *nc = next + (size_t) c * p;

		if (l->counts[c] > 0.0)
			for (j = 0; j < p; j++)
			{
				size_t		e = (size_t) c * p + j;

				nc[j] = (l->sums[e] + l->comp[e]) / l->counts[c];
			}
		else if (far < mm_ksample_count(l->farthest))
			memcpy(nc, mm_ksample_row(l->farthest, p, far++), sizeof(double) * p);
		else
			memcpy(nc, centers + (size_t) c * p, sizeof(double) * p);
		shift += mm_kmeans_dist2(nc, centers + (size_t) c * p, p);
	}
	return shift;
}

/* True when a Lloyd pass left a cluster without rows. */
static int
has_empty(const MmKMeansLloyd *l, int k)
{
	int			c;

	for (c = 0; c < k; c++)
		if (l->counts[c] == 0.0)
			return 1;
	return 0;
}

/* Fits k-means over a data source (see kmeans.h). */
MmErrorCode
mm_kmeans_fit_source(MmDataSource *data, const MmKMeansOptions *opt, MmKMeans *out,
					 int64_t *sizes, MmKMeansStats *stats, MmError *err)
{
	int			k = opt->k,
				p = data->p,
				iter = 0,
				c;
	double	   *centers,
			   *next;
	void	   *state = NULL;
	MmKMeansSeeding seeding;
	MmKMeansLloyd l;
	MmKMeansBounds *bounds;
	uint64_t	previous = 0;
	double		tol;
	int			current = 0;	/* state is the pass over the centers as they are */
	int			lean = 0;		/* state has no inertia nor farthest rows (kmeans_bounds.h) */
	MmErrorCode rc;

	if (k < 1)
		return mm_fail(err, MM_ERR_TOO_FEW_ROWS, -1,
					   "k = %d clusters need at least as many rows, and there are %zu", k, data->n_rows);
	centers = mm_alloc(sizeof(double) * (size_t) k * p);
	next = mm_alloc(sizeof(double) * (size_t) k * p);
	if (centers == NULL || next == NULL)
	{
		mm_free(centers);
		mm_free(next);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory clustering");
	}
	rc = mm_kmeans_seed(data, k, opt->seed, centers, &seeding, err);
	if (stats != NULL)
	{
		memset(stats, 0, sizeof(*stats));
		stats->n_rows = seeding.n_rows;
		stats->rounds = seeding.rounds;
		stats->candidates = seeding.candidates;
		stats->seeding_passes = seeding.passes;
	}
	if (rc != MM_OK)
	{
		mm_free(centers);
		mm_free(next);
		return rc;
	}
	/* the tolerance is relative to the mean variance of the features, as scikit-learn's */
	tol = opt->tol * seeding.var_sum / p;
	bounds = mm_kmeans_bounds_new(data, k);

	out->converged = 0;
	while (iter < opt->max_iter)
	{
		double		shift;

		mm_check_interrupts();
		mm_free(state);
		if ((state = lloyd_pass(data, bounds, centers, k, 0, err)) == NULL)
			break;
		lean = bounds != NULL;
		if (stats != NULL)
			stats->lloyd_passes++;
		mm_kmeans_lloyd_read(state, p, k, &l);
		current = 1;
		if (iter > 0 && l.fingerprint == previous)
		{
			/* no row changed cluster: the centers are the means of their rows */
			out->converged = 1;
			break;
		}
		previous = l.fingerprint;
		if (lean && has_empty(&l, k))
		{
			/* only an exact pass samples the farthest rows, which empty clusters take */
			mm_free(state);
			if ((state = lloyd_pass(data, bounds, centers, k, 1, err)) == NULL)
				break;
			lean = 0;
			mm_kmeans_lloyd_read(state, p, k, &l);
		}
		shift = move_centers(&l, centers, k, p, next);
		memcpy(centers, next, sizeof(double) * (size_t) k * p);
		current = shift == 0.0;
		iter++;
		if (shift <= tol)
		{
			out->converged = 1;
			break;
		}
	}
	out->n_iter = iter;

	/*
	 * The inertia and the sizes for the final centers, as prediction assigns
	 * the rows; over a lean state, the same centers measured again in memory
	 * (not a pass the plain passes make, so not counted).
	 */
	if (state != NULL && (!current || lean))
	{
		mm_check_interrupts();
		mm_free(state);
		state = lloyd_pass(data, bounds, centers, k, 1, err);
		if (state != NULL && stats != NULL && !current)
			stats->lloyd_passes++;
	}
	mm_kmeans_bounds_free(bounds);
	if (state == NULL)
	{
		mm_free(centers);
		mm_free(next);
		return err->code;
	}
	mm_kmeans_lloyd_read(state, p, k, &l);
	out->inertia = l.inertia;
	if (sizes != NULL)
		for (c = 0; c < k; c++)
			sizes[c] = (int64_t) l.counts[c];
	out->k = k;
	out->centers = centers;
	out->max_iter = opt->max_iter;
	out->tol = opt->tol;
	out->seed = opt->seed;
	mm_free(state);
	mm_free(next);
	return MM_OK;
}

/* Fits k-means on rows in memory (see kmeans.h). */
MmErrorCode
mm_kmeans_fit(const double *x, size_t n, int p, const MmKMeansOptions *opt, MmKMeans *out,
			  int64_t *sizes, MmError *err)
{
	MmRows		rows;
	MmDataSource data;

	memset(&rows, 0, sizeof(rows));
	rows.n = n;
	rows.p = p;
	rows.x = x;
	mm_memory_source(&data, &rows);
	return mm_kmeans_fit_source(&data, opt, out, sizes, NULL, err);
}

/* The mean silhouette over a sample of the rows by content hash (see kmeans.h). */
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
	 * The rows of the smallest content hashes, in their order: a uniform
	 * sample that passes over a relation take in any order of the rows
	 * (evalpasses.h), so both ways measure the same score.
	 */
	{
		MmError		err;

		if (mm_silhouette_sample(x, n, p, m, rows, &err) != MM_OK)
		{
			mm_free(rows);
			mm_free(label);
			mm_free(size);
			mm_free(sum);
			return NAN;
		}
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
			double		dab = sqrt(mm_kmeans_dist2(xa, x + rows[b] * p, p));

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
