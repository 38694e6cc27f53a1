/*
 * kmeans.h: k-means clustering (k-means|| starts, Lloyd iterations) as
 * passes over a data source, or over rows in memory.
 */
#ifndef MM_KMEANS_H
#define MM_KMEANS_H

#include <stddef.h>
#include <stdint.h>

#include "mmcore.h"
#include "model.h"
#include "source.h"

typedef struct MmKMeansOptions
{
	int			k;
	int			max_iter;		/* Lloyd iterations at most */
	double		tol;			/* on the centers' squared movement, relative to the data's variance */
	int32_t		seed;			/* the k-means|| draws */
} MmKMeansOptions;

/* How a fit went through its source. */
typedef struct MmKMeansStats
{
	double		n_rows;			/* the rows the source holds */
	int			rounds;			/* k-means|| rounds */
	int			candidates;		/* rows drawn by them */
	int			seeding_passes; /* passes of the seeding: 2 + rounds */
	int			lloyd_passes;	/* passes of Lloyd's iterations, the final assignment's included */
} MmKMeansStats;

/*
 * Clusters the rows of data (p transformed features) as scikit-learn's
 * KMeans does with n_init = 1, but seeded by k-means|| from seed
 * (kmeans_seed.h): then Lloyd iterations, one pass each, until no row
 * changes cluster, the centers move less than tol times the mean variance
 * of the features, or max_iter.  A cluster left empty takes the row
 * farthest from its center.  Fills out's centers, inertia and fitting
 * record, (unless NULL) sizes[k] with the rows each final cluster holds,
 * as prediction (mm_model_class) assigns them, and stats (unless NULL).
 * MM_ERR_TOO_FEW_ROWS when the source holds fewer than k rows.
 */
extern MmErrorCode mm_kmeans_fit_source(MmDataSource *data, const MmKMeansOptions *opt,
										MmKMeans *out, int64_t *sizes, MmKMeansStats *stats,
										MmError *err);

/* The same over n rows in memory (x, row-major), through a source in memory. */
extern MmErrorCode mm_kmeans_fit(const double *x, size_t n, int p, const MmKMeansOptions *opt,
								 MmKMeans *out, int64_t *sizes, MmError *err);

/*
 * The mean silhouette of n rows (labels from the model) over at most
 * max_rows of them, those of the smallest content hashes, taken in that
 * order (silhouette_sample.h); NaN with fewer than two clusters present.
 */
extern double mm_silhouette(const MmModel *model, const double *x, size_t n, size_t max_rows);

#endif							/* MM_KMEANS_H */
