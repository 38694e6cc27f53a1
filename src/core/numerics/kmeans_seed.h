/*
 * kmeans_seed.h: k-means|| (scalable k-means++, Bahmani et al. 2012), the
 * starting centers of k-means drawn in a few passes over a data source.
 */
#ifndef MM_KMEANS_SEED_H
#define MM_KMEANS_SEED_H

#include <stdint.h>

#include "mmcore.h"
#include "source.h"

/* Rounds of k-means|| and the rows each draws, per cluster. */
#define MM_KMEANS_ROUNDS 2
#define MM_KMEANS_OVERSAMPLING 2
/* Values (candidates times features) beyond which no further round runs. */
#define MM_KMEANS_MAX_CANDIDATE_VALUES (1 << 22)

/* What the seeding learnt of the rows on the way. */
typedef struct MmKMeansSeeding
{
	double		n_rows;			/* the rows the source holds */
	double		var_sum;		/* the features' variances, summed */
	int			rounds;			/* k-means|| rounds run */
	int			candidates;		/* rows drawn, among which the centers were picked */
	int			passes;			/* passes over the source */
} MmKMeansSeeding;

/*
 * k starting centers (k x p, into centers) for the rows of data, from seed:
 * one pass for the first candidate (and the features' variances), up to
 * MM_KMEANS_ROUNDS rounds drawing MM_KMEANS_OVERSAMPLING * k rows each with
 * probability proportional to the squared distance to the candidates so
 * far, one pass counting the rows nearest each candidate, then greedy
 * k-means++ and Lloyd's iterations on the weighted candidates in memory.
 * MM_ERR_TOO_FEW_ROWS when data holds fewer than k rows.
 */
extern MmErrorCode mm_kmeans_seed(MmDataSource *data, int k, int32_t seed, double *centers,
								  MmKMeansSeeding *info, MmError *err);

#endif							/* MM_KMEANS_SEED_H */
