/*
 * kmeans_passes.h: the passes k-means runs over its data source (source.h),
 * so that the same fit runs on rows in memory, in a relation's parallel
 * workers or on a distributed database's shards.
 *
 * Every pass takes the same kind of arg: MmKMeansArg, then m points of p
 * doubles (row-major).  Each pass's state is flat doubles:
 *
 *   start   m = 0, slots = 1: the rows, the per-feature means and sums of
 *           squared deviations (for the tolerance) and the row with the
 *           smallest draw (kmeans_sample.h): the first seed, uniform over
 *           the distinct rows.
 *   round   m candidates, slots = l: a round of k-means||.  The cost phi
 *           of the rows against the candidates, and the l rows with the
 *           smallest keys E / d^2, E an exponential draw of the row's
 *           content and the salt, d^2 its squared distance to the nearest
 *           candidate: a weighted sample without replacement with
 *           probabilities proportional to d^2 (Efraimidis and Spirakis).
 *   weight  m candidates, slots = 0: the rows nearest each candidate, a
 *           row within a tie of several counted for the first of them.
 *   lloyd   m = slots = k centers: per cluster the rows, the sums of their
 *           values and the summed squared distances (inertia), the sum of
 *           a hash of each row and its cluster (an assignment fingerprint:
 *           equal in two passes when no row changed cluster), and the k
 *           rows farthest from their centers, for clusters left empty.
 *
 * Sums are compensated (Neumaier; the Lloyd pass folds plain sums of blocks
 * of 32 rows into them), so that they hardly depend on the order the rows
 * are added and the states merged; counts are exact integers; the
 * samples are the same sets in any order.  After the counted part each
 * state has scratch room (transposed points, distances, a sample for the
 * merge, the Lloyd pass's block sums) because add and merge run on worker
 * threads and may not allocate.
 */
#ifndef MM_KMEANS_PASSES_H
#define MM_KMEANS_PASSES_H

#include <stddef.h>
#include <stdint.h>

#include "rowhash.h"
#include "source.h"

/* The points a pass's arg may carry, and the rows a sample may hold. */
#define MM_KMEANS_MAX_POINTS 200000
#define MM_KMEANS_MAX_SLOTS 20000

/* The head of a k-means pass's arg; m * p doubles follow. */
typedef struct MmKMeansArg
{
	int32_t		p;
	int32_t		m;				/* points that follow */
	int32_t		slots;			/* rows the pass's sample keeps */
	int32_t		pad;
	uint64_t	salt;			/* the draws' salt */
} MmKMeansArg;

/* A new arg (mm_alloc; NULL when out of memory) and its length in bytes. */
extern MmKMeansArg *mm_kmeans_arg_new(int p, const double *points, int m, int slots, uint64_t salt,
									  size_t *len);

/* What the passes' states say, read from a finished state. */
typedef struct MmKMeansStart
{
	double		n;				/* rows */
	double		var_sum;		/* the features' variances, summed */
	int			found;			/* 1 when a row was drawn (n > 0) */
	const double *first;		/* that row */
} MmKMeansStart;

extern void mm_kmeans_start_read(const void *state, int p, MmKMeansStart *out);

/* The round's cost and its sample (kmeans_sample.h). */
extern double mm_kmeans_round_cost(const void *state);
extern const double *mm_kmeans_round_sample(const void *state);

/* The rows nearest each of the m candidates. */
extern const double *mm_kmeans_weights(const void *state);

typedef struct MmKMeansLloyd
{
	double		inertia;
	uint64_t	fingerprint;
	const double *counts;		/* k */
	const double *sums;			/* k x p, compensated: sums[i] + comp[i] */
	const double *comp;
	const double *farthest;		/* sample of the rows farthest from their centers */
} MmKMeansLloyd;

extern void mm_kmeans_lloyd_read(const void *state, int p, int k, MmKMeansLloyd *out);

/*
 * For a Lloyd pass that finds its rows' clusters another way (the bounds
 * of kmeans_bounds.h), the same state as mm_kmeans_lloyd_pass's add makes:
 * a row's term of the assignment fingerprint; adding n <= MM_KMEANS_BLOCK
 * rows with their clusters and squared distances (those the pass's own
 * measure gives; d2 NULL: a lean state, whose inertia and sample of the
 * farthest rows stay empty), plus marks to the fingerprint; and the
 * state's scratch room for k distances.
 */
#define MM_KMEANS_BLOCK 32

static inline uint64_t
mm_kmeans_mark(uint64_t row_hash, int cluster)
{
	return mm_mix64(row_hash ^ ((uint64_t) (cluster + 1) * MM_HASH_GOLDEN));
}

extern void mm_kmeans_lloyd_add_assigned(void *state, const double *x, int n, int p, const void *arg,
										 const int32_t *cluster, const double *d2, uint64_t marks);
extern double *mm_kmeans_lloyd_scratch(void *state, int p, const void *arg);

extern const MmPass mm_kmeans_start_pass;
extern const MmPass mm_kmeans_round_pass;
extern const MmPass mm_kmeans_weight_pass;
extern const MmPass mm_kmeans_lloyd_pass;

#endif							/* MM_KMEANS_PASSES_H */
