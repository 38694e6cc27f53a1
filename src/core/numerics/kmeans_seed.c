/*
 * kmeans_seed.c: k-means|| seeding (kmeans_seed.h).
 *
 * Every draw over the rows is a function of the seed and the row's content
 * (kmeans_passes.h), so the candidates, their weights and so the starting
 * centers do not depend on the order of the rows, on how a source splits
 * them into chunks, workers or shards, or on how it merges the parts.
 *
 * Each round draws a fixed number of rows, l = 2k, without replacement and
 * with probability proportional to d^2, instead of Bahmani's independent
 * draws of expected number l: the same weighting, but a sample whose size
 * is known before the pass, so that it fits a pass state of fixed size.
 * The candidates number at most 1 + 5 * 2k; a round that would take them
 * past MM_KMEANS_MAX_CANDIDATE_VALUES values does not run, and the rounds
 * stop early once a round finds fewer than l rows away from every
 * candidate (none is left to draw).
 *
 * Rows with equal content have one draw, so duplicated rows weigh once in
 * a round's draw; the weight pass counts every copy.
 */
#include "kmeans_seed.h"

#include <math.h>
#include <string.h>

#include "kmeans_dist.h"
#include "kmeans_passes.h"
#include "kmeans_sample.h"
#include "random.h"
#include "rowhash.h"

/* Sets apart k-means' draws from the split's, which derive from the same seed. */
#define KMEANS_SALT UINT64_C(0x6b6d65616e737c7c)

/* Lloyd's iterations on the weighted candidates, at most. */
#define CANDIDATE_ITERATIONS 100

/* The salt of draw round r (0: the first candidate). */
static uint64_t
round_salt(int32_t seed, int r)
{
	return mm_mix64(mm_seed_salt(seed) ^ KMEANS_SALT) + (uint64_t) r * MM_HASH_GOLDEN;
}

/*
 * Runs pass over data with an arg of m points (slots kept), into a new
 * state the caller frees; NULL with err set when it fails.
 */
static void *
run_pass(MmDataSource *data, const MmPass *pass, const double *points, int m, int slots,
		 uint64_t salt, int *passes, MmError *err)
{
	size_t		len;
	MmKMeansArg *arg = mm_kmeans_arg_new(data->p, points, m, slots, salt, &len);
	void	   *state = arg != NULL ? mm_alloc(pass->state_size(data->p, arg)) : NULL;

	if (arg == NULL || state == NULL)
	{
		mm_free(arg);
		mm_free(state);
		mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory running pass \"%s\"", pass->name);
		return NULL;
	}
	if (data->run(data, pass, arg, state, err) != MM_OK)
	{
		mm_free(state);
		state = NULL;
	}
	else
		(*passes)++;
	mm_free(arg);
	return state;
}

/* The index a draw weighted by w (summing to total) lands on; uniform when total is 0. */
static int
weighted_draw(const double *w, int m, double total, MmRandom *rng)
{
	double		target,
				acc = 0.0;
	int			i;

	if (!(total > 0.0))
		return (int) (mm_random_uniform(rng) * (double) m);
	target = mm_random_uniform(rng) * total;
	for (i = 0; i < m; i++)
	{
		acc += w[i];
		if (acc > target)
			return i;
	}
	return m - 1;
}

/*
 * Greedy k-means++ on m weighted candidates (cand, m x p): each center the
 * best, by the weighted potential, of 2 + ln k draws weighted by weight
 * times the squared distance to the centers so far.  scratch: 3m doubles.
 */
static void
weighted_plus_plus(const double *cand, const double *weight, int m, int p, int k, MmRandom *rng,
				   double *centers, double *scratch)
{
	double	   *closest = scratch,
			   *mass = scratch + m,
			   *trial = scratch + 2 * (size_t) m;
	int			trials = 2 + (int) log((double) k),
				c,
				t,
				i;
	double		total = 0.0;

	for (i = 0; i < m; i++)
		total += weight[i];
	memcpy(centers, cand + (size_t) weighted_draw(weight, m, total, rng) * p, sizeof(double) * p);
	total = 0.0;
	for (i = 0; i < m; i++)
	{
		closest[i] = mm_kmeans_dist2(cand + (size_t) i * p, centers, p);
		mass[i] = weight[i] * closest[i];
		total += mass[i];
	}
	for (c = 1; c < k; c++)
	{
		int			best = 0;
		double		best_potential = INFINITY;

		mm_check_interrupts();
		for (t = 0; t < trials; t++)
		{
			int			pick = weighted_draw(mass, m, total, rng);
			double		potential = 0.0;

			for (i = 0; i < m; i++)
			{
				double		d = mm_kmeans_dist2(cand + (size_t) i * p, cand + (size_t) pick * p, p);

				trial[i] = d < closest[i] ? d : closest[i];
				potential += weight[i] * trial[i];
			}
			if (potential < best_potential)
			{
				best_potential = potential;
				best = pick;
			}
		}
		memcpy(centers + (size_t) c * p, cand + (size_t) best * p, sizeof(double) * p);
		total = 0.0;
		for (i = 0; i < m; i++)
		{
			double		d = mm_kmeans_dist2(cand + (size_t) i * p, centers + (size_t) c * p, p);

			if (d < closest[i])
				closest[i] = d;
			mass[i] = weight[i] * closest[i];
			total += mass[i];
		}
	}
}

/*
 * Lloyd's iterations on the weighted candidates, from centers, until no
 * candidate changes cluster; a cluster left without weight keeps its
 * center.  scratch: k (p + 1) + k p + m doubles and m labels.
 */
static void
weighted_lloyd(const double *cand, const double *weight, int m, int p, int k, double *centers,
			   double *scratch, int *labels)
{
	double	   *sums = scratch,
			   *mass = sums + (size_t) k * p,
			   *ct = mass + k,
			   *d = ct + (size_t) k * p;
	int			iter,
				i,
				c,
				j;

	for (i = 0; i < m; i++)
		labels[i] = -1;
	for (iter = 0; iter < CANDIDATE_ITERATIONS; iter++)
	{
		int			changed = 0;

		mm_check_interrupts();
		mm_kmeans_transpose(centers, k, p, ct);
		memset(sums, 0, sizeof(double) * (size_t) k * (p + 1));
		for (i = 0; i < m; i++)
		{
			const double *x = cand + (size_t) i * p;

			mm_kmeans_all_dist2(x, ct, k, p, d);
			c = mm_kmeans_nearest(d, k);
			if (c != labels[i])
				changed = 1;
			labels[i] = c;
			mass[c] += weight[i];
			for (j = 0; j < p; j++)
				sums[(size_t) c * p + j] += weight[i] * x[j];
		}
		if (!changed)
			break;
		for (c = 0; c < k; c++)
			if (mass[c] > 0.0)
				for (j = 0; j < p; j++)
					centers[(size_t) c * p + j] = sums[(size_t) c * p + j] / mass[c];
	}
}

/* Picks k centers among the m weighted candidates (see kmeans_seed.h). */
static MmErrorCode
recluster(const double *cand, const double *weight, int m, int p, int k, int32_t seed,
		  double *centers, MmError *err)
{
	MmRandom	rng = mm_random((uint64_t) (uint32_t) seed * MM_HASH_GOLDEN + UINT64_C(0x5851f42d4c957f2d));
	size_t		words = (size_t) k * (2 * (size_t) p + 1) + (size_t) 3 * m;
	double	   *scratch = mm_alloc(sizeof(double) * words);
	int		   *labels = mm_alloc(sizeof(int) * (size_t) m);

	if (scratch == NULL || labels == NULL)
	{
		mm_free(scratch);
		mm_free(labels);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory seeding k-means");
	}
	weighted_plus_plus(cand, weight, m, p, k, &rng, centers, scratch);
	weighted_lloyd(cand, weight, m, p, k, centers, scratch, labels);
	mm_free(scratch);
	mm_free(labels);
	return MM_OK;
}

MmErrorCode
mm_kmeans_seed(MmDataSource *data, int k, int32_t seed, double *centers, MmKMeansSeeding *info,
			   MmError *err)
{
	int			p = data->p,
				draw = MM_KMEANS_OVERSAMPLING * k,
				capacity,
				m = 0,
				r;
	double	   *cand = NULL;
	void	   *state;
	MmKMeansStart start;
	MmErrorCode rc = MM_OK;

	memset(info, 0, sizeof(*info));
	if (draw > MM_KMEANS_MAX_SLOTS)
		draw = MM_KMEANS_MAX_SLOTS;
	capacity = 1 + MM_KMEANS_ROUNDS * draw;

	/* the first candidate, uniform over the distinct rows, and the rows' variances */
	state = run_pass(data, &mm_kmeans_start_pass, NULL, 0, 1, round_salt(seed, 0), &info->passes, err);
	if (state == NULL)
		return err->code;
	mm_kmeans_start_read(state, p, &start);
	info->n_rows = start.n;
	info->var_sum = start.var_sum;
	if (start.n < (double) k || !start.found)
	{
		mm_free(state);
		return mm_fail(err, MM_ERR_TOO_FEW_ROWS, -1,
					   "k = %d clusters need at least as many rows, and there are %.0f", k, start.n);
	}
	cand = mm_alloc(sizeof(double) * (size_t) capacity * p);
	if (cand == NULL)
	{
		mm_free(state);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory seeding k-means");
	}
	memcpy(cand, start.first, sizeof(double) * p);
	m = 1;
	mm_free(state);

	/* the rounds of k-means||, each drawing rows away from the candidates so far */
	for (r = 1; r <= MM_KMEANS_ROUNDS; r++)
	{
		const double *sample;
		int			got,
					i;

		if (r > 1 && (double) (m + draw) * p > (double) MM_KMEANS_MAX_CANDIDATE_VALUES)
			break;
		state = run_pass(data, &mm_kmeans_round_pass, cand, m, draw, round_salt(seed, r),
						 &info->passes, err);
		if (state == NULL)
		{
			mm_free(cand);
			return err->code;
		}
		info->rounds++;
		sample = mm_kmeans_round_sample(state);
		got = mm_ksample_count(sample);
		for (i = 0; i < got; i++)
			memcpy(cand + (size_t) (m + i) * p, mm_ksample_row(sample, p, i), sizeof(double) * p);
		m += got;
		mm_free(state);
		if (got < draw)
			break;				/* every row is at a candidate now */
	}
	info->candidates = m;

	/* the candidates' weights: the rows nearest each */
	state = run_pass(data, &mm_kmeans_weight_pass, cand, m, 0, 0, &info->passes, err);
	if (state == NULL)
		rc = err->code;
	else
		rc = recluster(cand, mm_kmeans_weights(state), m, p, k, seed, centers, err);
	mm_free(state);
	mm_free(cand);
	return rc;
}
